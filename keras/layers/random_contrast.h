// random_contrast.h - RandomContrast (keras.layers): in training, each image's channels
// become (x - mean) * f + mean (mean over the image's height and width), f drawn per image
// uniform in [1 - lower, 1 + upper], then clipped to value_range. A factor f alone gives
// lower = max(-f, 0), upper = f (Keras 3's rule: contrast is only raised); a pair is
// sorted into (lower, upper).
//
//   auto c = keras::layers::RandomContrast(0.2, {.value_range = {0, 1}});
#pragma once
#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

/// Options of RandomContrast (its keyword arguments besides factor).
struct RandomContrastOptions {
  /// The range the output is clipped to (Keras `value_range`, default (0, 255)); low >=
  /// high throws std::invalid_argument.
  std::pair<double, double> value_range{0, 255};
  int64_t seed = -1;          ///< -1 = unseeded (Keras: None)
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, random_contrast, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// Random contrast adjustment of images in training (keras.layers.RandomContrast), made by
/// RandomContrast().
class RandomContrastLayer : public ImagePreprocessingLayer {
 public:
  /// factor: f in [0, 1] (factors drawn in [1, 1 + f]) or {lower, upper}; invalid
  /// factors throw std::invalid_argument.
  RandomContrastLayer(const FactorArg& factor, const RandomContrastOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "RandomContrast").
  static LayerPtr from_config(const Config& c);
  /// The (lower, upper) range: factors are drawn in [1 - lower, 1 + upper].
  std::pair<double, double> factor() const { return {lower_, upper_}; }

 protected:
  Tensor transform(const Tensor& images) override;

 private:
  double lower_, upper_;
  std::pair<double, double> value_range_;
};

/// keras.layers.RandomContrast: scales each image's deviation from its mean by a random
/// factor in training.
Ref<RandomContrastLayer> RandomContrast(const FactorArg& factor, const RandomContrastOptions& options = {});

}  // namespace keras::layers
