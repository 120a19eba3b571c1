// random_perspective.h - RandomPerspective (keras.layers.RandomPerspective): in training,
// each image (with a chance drawn from the factor range) is warped by the perspective
// transform that moves its four corners by random fractions (within +-scale / 2 of their
// coordinates), as Keras 3: ops::image::perspective_transform, constant fill.
//
//   auto warp = keras::layers::RandomPerspective({.factor = 0.5, .scale = 0.3, .seed = 1});
#pragma once
#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

/// Options of RandomPerspective (Keras 3's keyword arguments and defaults).
struct RandomPerspectiveOptions {
  /// The chance of warping an image: drawn per image uniform in the range; f in [0, 1]
  /// gives [0, f] (Keras `factor`, default 1.0).
  FactorArg factor = 1.0;
  double scale = 1.0;                       ///< the corners' largest move, in [0, 1]
  std::string interpolation = "bilinear";  ///< "bilinear" or "nearest"
  double fill_value = 0.0;                  ///< the value outside the warped image
  int64_t seed = -1;                        ///< -1 = unseeded (Keras: None)
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, random_perspective, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
  /// ImageData's boxes' format (see ImagePreprocessingOptions).
  std::string bounding_box_format{};
};

/// keras.layers.RandomPerspective, made by RandomPerspective().
class RandomPerspectiveLayer : public ImagePreprocessingLayer {
 public:
  /// A factor or scale outside [0, 1], or another interpolation, throws
  /// std::invalid_argument with Keras's message.
  explicit RandomPerspectiveLayer(const RandomPerspectiveOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "RandomPerspective").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor transform(const Tensor& images) override;
  bool moves_pixels() const override { return true; }
  /// Each box's corners through the same homography as its image's pixels (unwarped
  /// images keep their boxes), clipped; a box left empty gets the label -1.
  utils::bounding_boxes::BoundingBoxes transform_bounding_boxes(const utils::bounding_boxes::BoundingBoxes& boxes,
                                                                const Shape& images_shape, bool training) override;

 private:
  // One call's draws: which images warp (n,), and the corners' start and end (n, 4, 2).
  struct Warp {
    Tensor apply, start, end;
  };
  Warp draw_warp(int64_t n, int64_t h, int64_t w, DType dtype);
  RandomPerspectiveOptions o_;
  std::pair<double, double> factor_;
};

/// keras.layers.RandomPerspective: random perspective warps of images in training.
Ref<RandomPerspectiveLayer> RandomPerspective(const RandomPerspectiveOptions& options = {});

}  // namespace keras::layers
