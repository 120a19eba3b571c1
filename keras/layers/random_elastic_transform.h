// random_elastic_transform.h - RandomElasticTransform (keras.layers.RandomElasticTransform):
// in training, each image (with a chance drawn from the factor range) is displaced by
// smooth random fields, as Keras 3: per batch a distortion d is drawn from the scale range,
// giving alpha = max(height, width) * 0.1 d and sigma = min(height, width) * 0.05 d; two
// standard normal fields times sigma, Gaussian-blurred with sigma over 6 int(sigma) | 1
// cells, times alpha, move the sampling points (ops::image::elastic_transform_fields).
// Outputs are clipped to value_range.
//
//   auto elastic = keras::layers::RandomElasticTransform({.factor = 0.5, .scale = 0.4, .seed = 1});
#pragma once
#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

/// Options of RandomElasticTransform (Keras 3's keyword arguments and defaults).
struct RandomElasticTransformOptions {
  /// The chance of transforming an image: drawn per image uniform in the range; f in
  /// [0, 1] gives [0, f] (Keras `factor`, default 1).
  FactorArg factor = 1.0;
  /// The distortion's range, in [0, 1]; f gives [0, f] (Keras `scale`, default 1).
  FactorArg scale = 1.0;
  std::string interpolation = "bilinear";  ///< "bilinear" or "nearest"
  /// "reflect" (the default), "constant", "nearest", "wrap" or "mirror" (map_coordinates's).
  std::string fill_mode = "reflect";
  double fill_value = 0.0;  ///< the value outside the image, for fill_mode "constant"
  /// The range outputs are clipped to (Keras `value_range`, default (0, 255)).
  std::pair<double, double> value_range{0, 255};
  int64_t seed = -1;          ///< -1 = unseeded (Keras: None)
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, random_elastic_transform, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// keras.layers.RandomElasticTransform, made by RandomElasticTransform(). Keras's draws, in
/// order: the chances, the thresholds, the distortion, then the fields (here the x and y
/// fields are independent; Keras's backends draw both from one seed, so they are equal).
/// The blur's kernel is laid out for the largest sigma of the scale range, so the drawn
/// sigma sets the kernel's reach inside a traced graph too. A distortion of exactly 0
/// leaves the images in place (Keras divides by it).
class RandomElasticTransformLayer : public ImagePreprocessingLayer {
 public:
  /// A factor or scale outside [0, 1], another interpolation or fill_mode, or an empty
  /// value_range throws std::invalid_argument.
  explicit RandomElasticTransformLayer(const RandomElasticTransformOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "RandomElasticTransform").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor transform(const Tensor& images) override;
  bool moves_pixels() const override { return true; }

 private:
  RandomElasticTransformOptions o_;
  std::pair<double, double> factor_, scale_;
};

/// keras.layers.RandomElasticTransform: random elastic distortions of images in training.
Ref<RandomElasticTransformLayer> RandomElasticTransform(const RandomElasticTransformOptions& options = {});

}  // namespace keras::layers
