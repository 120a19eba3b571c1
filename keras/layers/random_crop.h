// random_crop.h - RandomCrop (keras.layers): in training, a height x width window of the
// images at a random offset (one per batch, as Keras 3) when they are larger than the
// target in both axes; otherwise the centered window of the target's aspect ratio,
// resized (bilinear) to the target. In inference the images pass unchanged, as Keras 3
// (whose compute_output_shape still gives the target size: symbolic models see that).
//
//   auto c = keras::layers::RandomCrop(24, 24, {.seed = 5});
#pragma once
#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

/// Random cropping of images to height x width in training (keras.layers.RandomCrop), made
/// by RandomCrop().
class RandomCropLayer : public ImagePreprocessingLayer {
 public:
  /// Throws std::invalid_argument unless height and width are positive.
  RandomCropLayer(int64_t height, int64_t width, const ImagePreprocessingOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "RandomCrop").
  static LayerPtr from_config(const Config& c);

 protected:
  ShapeSpec image_output_shape(const ShapeSpec& shape) const override;  ///< the target size
  Tensor transform(const Tensor& images) override;
  bool moves_pixels() const override { return true; }
  /// Boxes moved with the window (and scaled with the resize of a smaller image), clipped
  /// to the output; a box left empty gets the label -1. Relative formats are relative to
  /// the input's size before and the target's after.
  utils::bounding_boxes::BoundingBoxes transform_bounding_boxes(const utils::bounding_boxes::BoundingBoxes& boxes,
                                                                const Shape& images_shape, bool training) override;

 private:
  // The window of an image of h x w: its start (as tensors: random when the image is
  // larger than the target, else the centered window's) and its size before any resize.
  struct Window {
    Tensor top, left;             // int32 scalars
    int64_t fixed_top, fixed_left;  // the centered window's start (not random)
    int64_t height, width;
    bool random;
  };
  Window window_of(int64_t h, int64_t w);
  int64_t height_, width_;
};

/// keras.layers.RandomCrop: a random height x width window in training (resized when the
/// image is smaller); the identity in inference.
Ref<RandomCropLayer> RandomCrop(int64_t height, int64_t width, const ImagePreprocessingOptions& options = {});

}  // namespace keras::layers
