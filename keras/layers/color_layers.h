// color_layers.h - random color layers of images (Keras 3's keras.layers):
//   RandomBrightness  adds a random delta (a fraction of value_range's width) per image
//   RandomInvert      replaces an image x by value_range's high - x, with a random chance
//   RandomGrayscale   replaces an image by its grayscale (on every channel), with chance
//                     `factor`
// As every random image layer (image_preprocessing.h): channels_last images, active in
// training only, integer images become float32.
//
//   auto b = keras::layers::RandomBrightness(0.2, {.value_range = {0, 1}, .seed = 7});
//   auto g = keras::layers::RandomGrayscale(0.3);
#pragma once
#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

/// Options of the color image layers (RandomBrightness, RandomInvert, RandomGrayscale,
/// RandomPosterization, AutoContrast): their keyword arguments besides the factor.
struct ColorOptions {
  /// The range of the images' values (Keras `value_range`, default (0, 255)); not used by
  /// RandomGrayscale.
  std::pair<double, double> value_range{0, 255};
  int64_t seed = -1;          ///< -1 = unseeded (Keras: None); not used by AutoContrast
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated from the class, random_brightness, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layers have no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// keras.layers.RandomBrightness, made by RandomBrightness(): in training, each image
/// plus a delta drawn uniform in [lower, upper] times value_range's width, clipped to
/// value_range.
class RandomBrightnessLayer : public ImagePreprocessingLayer {
 public:
  /// factor: f in [-1, 1] (deltas in [-|f|, |f|]) or {lower, upper} (sorted); outside
  /// [-1, 1] and an empty value_range throw std::invalid_argument.
  RandomBrightnessLayer(const FactorArg& factor, const ColorOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "RandomBrightness").
  static LayerPtr from_config(const Config& c);
  std::pair<double, double> factor() const { return factor_; }  ///< (lower, upper)

 protected:
  Tensor transform(const Tensor& images) override;

 private:
  std::pair<double, double> factor_, value_range_;
};

/// keras.layers.RandomInvert, made by RandomInvert(): in training, each image becomes
/// value_range's high minus itself when a uniform draw falls below a probability that is
/// itself drawn uniform in [lower, upper] (factor 1: probability one half).
class RandomInvertLayer : public ImagePreprocessingLayer {
 public:
  /// factor: f in [0, 1] (probabilities in [0, f]) or {lower, upper}; outside [0, 1]
  /// throws std::invalid_argument. value_range is kept as given (Keras does not sort it).
  explicit RandomInvertLayer(const FactorArg& factor = 1.0, const ColorOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "RandomInvert").
  static LayerPtr from_config(const Config& c);
  std::pair<double, double> factor() const { return factor_; }  ///< (lower, upper)

 protected:
  Tensor transform(const Tensor& images) override;

 private:
  std::pair<double, double> factor_, value_range_;
};

/// keras.layers.RandomGrayscale, made by RandomGrayscale(): in training, each image is
/// replaced with probability `factor` by its grayscale (0.2989 R + 0.587 G + 0.114 B) on
/// every channel. Images have 3 channels (RGB) or 1.
class RandomGrayscaleLayer : public ImagePreprocessingLayer {
 public:
  /// Throws std::invalid_argument unless 0 <= factor <= 1.
  explicit RandomGrayscaleLayer(double factor = 0.5, const ColorOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "RandomGrayscale").
  static LayerPtr from_config(const Config& c);
  double factor() const { return factor_; }  ///< the probability of each image

 protected:
  Tensor transform(const Tensor& images) override;

 private:
  double factor_;
};

/// keras.layers.RandomBrightness: adds a random brightness delta to each image in training.
Ref<RandomBrightnessLayer> RandomBrightness(const FactorArg& factor, const ColorOptions& options = {});
/// keras.layers.RandomInvert: inverts images at random in training.
Ref<RandomInvertLayer> RandomInvert(const FactorArg& factor = 1.0, const ColorOptions& options = {});
/// keras.layers.RandomGrayscale: turns images gray at random in training.
Ref<RandomGrayscaleLayer> RandomGrayscale(double factor = 0.5, const ColorOptions& options = {});

}  // namespace keras::layers
