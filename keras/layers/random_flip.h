// random_flip.h - RandomFlip (keras.layers): in training, flips each image left-right
// ("horizontal"), upside down ("vertical") or both ("horizontal_and_vertical", the
// default; one draw per image decides both flips, as Keras 3) with probability 1/2.
//
//   auto f = keras::layers::RandomFlip("horizontal", {.seed = 3});
#pragma once
#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

/// Random flips of images in training (keras.layers.RandomFlip), made by RandomFlip().
class RandomFlipLayer : public ImagePreprocessingLayer {
 public:
  /// mode: "horizontal", "vertical" or "horizontal_and_vertical" (default); others throw
  /// std::invalid_argument.
  explicit RandomFlipLayer(std::string mode = "horizontal_and_vertical", const ImagePreprocessingOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "RandomFlip").
  static LayerPtr from_config(const Config& c);
  /// The flip mode.
  const std::string& mode() const { return mode_; }

 protected:
  Tensor transform(const Tensor& images) override;
  bool moves_pixels() const override { return true; }
  /// Boxes flipped with their images (Keras's rule; needs bounding_box_format).
  utils::bounding_boxes::BoundingBoxes transform_bounding_boxes(const utils::bounding_boxes::BoundingBoxes& boxes,
                                                                const Shape& images_shape, bool training) override;

 private:
  std::string mode_;
};

/// keras.layers.RandomFlip: flips each image with probability 1/2 along the mode's axes in
/// training.
Ref<RandomFlipLayer> RandomFlip(const std::string& mode = "horizontal_and_vertical",
                                const ImagePreprocessingOptions& options = {});

}  // namespace keras::layers
