// tone_layers.h - image layers that remap pixel values through [0, 255] (Keras 3's
// keras.layers):
//   Solarization         adds a random amount, then inverts values at or above a random
//                        threshold (training only)
//   RandomPosterization  keeps a random number of high bits of each 8-bit value (training
//                        only)
//   AutoContrast         stretches each image's channels to the full value range (in
//                        training and inference, as Keras)
// Values are mapped from value_range to [0, 255] and back.
//
//   auto s = keras::layers::Solarization({.addition_factor = 0.1, .threshold_factor = 0.5});
//   auto p = keras::layers::RandomPosterization(4);
//   auto a = keras::layers::AutoContrast({.value_range = {0, 1}});
#pragma once
#include "keras/layers/color_layers.h"

namespace keras::layers {

/// Options of Solarization (the keyword arguments of keras.layers.Solarization).
struct SolarizationOptions {
  /// f in [0, 1] or {lower, upper}: per image, an amount uniform in [lower, upper * 255] is
  /// added (in [0, 255] units) before the threshold (Keras `addition_factor`, default 0).
  FactorArg addition_factor = 0.0;
  /// f in [0, 1] or {lower, upper}: per image, values at or above a threshold uniform in
  /// [lower, upper * 255] are inverted (Keras `threshold_factor`, default 0: every value).
  FactorArg threshold_factor = 0.0;
  /// The range of the images' values (Keras `value_range`, default (0, 255)).
  std::pair<double, double> value_range{0, 255};
  int64_t seed = -1;          ///< -1 = unseeded (Keras: None)
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, solarization, solarization_1, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// keras.layers.Solarization, made by Solarization(): in training, per image r =
/// clip(x + addition, 0, 255), then r where r < threshold and 255 - r elsewhere (in
/// [0, 255] units of value_range).
class SolarizationLayer : public ImagePreprocessingLayer {
 public:
  /// Factors outside [0, 1] and an empty value_range throw std::invalid_argument.
  explicit SolarizationLayer(const SolarizationOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "Solarization").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor transform(const Tensor& images) override;

 private:
  std::pair<double, double> addition_, threshold_, value_range_;
};

/// keras.layers.RandomPosterization, made by RandomPosterization(): in training, each
/// image's values (as 8-bit integers in [0, 255], clipped) keep their `bits` high bits,
/// bits drawn per image as an integer in [lower, upper) (lower alone when they are equal).
class RandomPosterizationLayer : public ImagePreprocessingLayer {
 public:
  /// factor: f in [1, 8] (bits in [1, f)) or {lower, upper}; outside [1, 8] and an empty
  /// value_range throw std::invalid_argument.
  RandomPosterizationLayer(const FactorArg& factor, const ColorOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's
  /// "RandomPosterization").
  static LayerPtr from_config(const Config& c);
  std::pair<double, double> factor() const { return factor_; }  ///< (lower, upper)

 protected:
  Tensor transform(const Tensor& images) override;

 private:
  std::pair<double, double> factor_, value_range_;
};

/// keras.layers.AutoContrast, made by AutoContrast(): each image's channels are stretched
/// linearly so that their minimum maps to value_range's low and their maximum to its
/// high; a constant channel is kept. Applied in training and in inference.
class AutoContrastLayer : public ImagePreprocessingLayer {
 public:
  /// An empty value_range throws std::invalid_argument.
  explicit AutoContrastLayer(const ColorOptions& options = {});
  /// The stretch, whatever `training`.
  Tensor call(const Tensor& x, bool training) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "AutoContrast").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor transform(const Tensor& images) override;

 private:
  std::pair<double, double> value_range_;
};

/// keras.layers.Solarization: adds a random amount and inverts values above a random
/// threshold, in training.
Ref<SolarizationLayer> Solarization(const SolarizationOptions& options = {});
/// keras.layers.RandomPosterization: reduces each image's bits per channel at random, in
/// training.
Ref<RandomPosterizationLayer> RandomPosterization(const FactorArg& factor, const ColorOptions& options = {});
/// keras.layers.AutoContrast: stretches each image's channels to the value range.
Ref<AutoContrastLayer> AutoContrast(const ColorOptions& options = {});

}  // namespace keras::layers
