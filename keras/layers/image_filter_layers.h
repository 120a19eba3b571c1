// image_filter_layers.h - image layers that filter pixel values (Keras 3's keras.layers):
//   Equalization        histogram equalization of each channel (over the whole batch, as
//                       Keras), in training
//   RandomGaussianBlur  a Gaussian blur of random sigma, applied to each image with a
//                       random chance, in training
//   RandomErasing       a random rectangle of each image replaced by a fill value (or
//                       noise), with a random chance, in training
// As every random image layer (image_preprocessing.h): channels_last images, the identity
// in inference, integer images become float32.
//
//   auto eq = keras::layers::Equalization({.value_range = {0, 1}});
//   auto blur = keras::layers::RandomGaussianBlur({.factor = 0.5, .kernel_size = 5});
#pragma once
#include <optional>
#include <vector>

#include "keras/layers/color_layers.h"
#include "keras/layers/conv.h"

namespace keras::layers {

/// Options of Equalization (keras.layers.Equalization's keyword arguments).
struct EqualizationOptions {
  /// The range of the images' values (Keras `value_range`, default (0, 255)).
  std::pair<double, double> value_range{0, 255};
  /// Histogram bins (Keras `bins`, default 256, >= 1).
  int64_t bins = 256;
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, equalization, equalization_1, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// keras.layers.Equalization, made by Equalization(): in training, each channel's values
/// (in [0, 255] units of value_range) over the whole batch are binned into `bins` bins and
/// mapped through the rounded, normalized cumulative histogram; a channel whose values
/// fill at most one bin is kept.
class EqualizationLayer : public ImagePreprocessingLayer {
 public:
  /// bins < 1 and an empty value_range throw std::invalid_argument.
  explicit EqualizationLayer(const EqualizationOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "Equalization").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor transform(const Tensor& images) override;

 private:
  std::pair<double, double> value_range_;
  int64_t bins_;
};

/// Options of RandomGaussianBlur (keras.layers.RandomGaussianBlur's keyword arguments).
struct RandomGaussianBlurOptions {
  /// The chance that an image is blurred: drawn per image uniform in [lower, upper]; f in
  /// [0, 1] gives [0, f] (Keras `factor`, default 1: a chance of one half on average).
  FactorArg factor = 1.0;
  /// The kernel's height and width, odd (Keras `kernel_size`, default 3).
  SpatialArg kernel_size = 3;
  /// The blur's standard deviations, drawn per batch uniform in [lower, upper]; f in [0, 1]
  /// gives [0, f] (Keras `sigma`, default 1).
  FactorArg sigma = 1.0;
  /// The range outputs are clipped to (Keras `value_range`, default (0, 255); kept as given).
  std::pair<double, double> value_range{0, 255};
  int64_t seed = -1;          ///< -1 = unseeded (Keras: None)
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, random_gaussian_blur, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// keras.layers.RandomGaussianBlur, made by RandomGaussianBlur(): in training, per batch
/// two standard deviations are drawn (plus 1e-6), each image is blurred (a kernel_size
/// Gaussian, zero "same" padding) when a uniform draw falls below its drawn chance, and
/// every image is clipped to value_range.
class RandomGaussianBlurLayer : public ImagePreprocessingLayer {
 public:
  /// Factors outside [0, 1] and even kernel sizes throw std::invalid_argument.
  explicit RandomGaussianBlurLayer(const RandomGaussianBlurOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "RandomGaussianBlur").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor transform(const Tensor& images) override;

 private:
  std::pair<double, double> factor_, sigma_, value_range_;
  std::vector<int64_t> kernel_size_;
};

/// Options of RandomErasing (keras.layers.RandomErasing's keyword arguments).
struct RandomErasingOptions {
  /// The chance that an image is erased: drawn per image uniform in [lower, upper]; f in
  /// [0, 1] gives [0, f] (Keras `factor`, default 1).
  FactorArg factor = 1.0;
  /// The rectangle's sides as fractions of the image's: sqrt of draws in [lower, upper],
  /// one per side (Keras `scale`, default (0.02, 0.33)).
  FactorArg scale = FactorArg(0.02, 0.33);
  /// The erased values: none (Keras's None) for normal noise times value_range's high;
  /// one number; or one per channel (3). Clipped to value_range.
  std::optional<std::vector<double>> fill_value{};
  /// The range of the images' values (Keras `value_range`, default (0, 255); kept as given).
  std::pair<double, double> value_range{0, 255};
  int64_t seed = -1;          ///< -1 = unseeded (Keras: None)
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, random_erasing, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// keras.layers.RandomErasing, made by RandomErasing(): in training, per image a rectangle
/// of sides sqrt(s) * width and sqrt(s) * height (s drawn in `scale` per side), placed
/// uniformly, takes the fill value when a uniform draw falls below the image's drawn
/// chance (Keras's draws and masks: corners are not rounded).
class RandomErasingLayer : public ImagePreprocessingLayer {
 public:
  /// Factors outside [0, 1] and a fill_value of another length than 1 or 3 throw
  /// std::invalid_argument.
  explicit RandomErasingLayer(const RandomErasingOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "RandomErasing").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor transform(const Tensor& images) override;

 private:
  std::pair<double, double> factor_, scale_, value_range_;
  std::optional<std::vector<double>> fill_value_;
};

/// keras.layers.Equalization: histogram equalization per channel, in training.
Ref<EqualizationLayer> Equalization(const EqualizationOptions& options = {});
/// keras.layers.RandomGaussianBlur: blurs images with a random chance, in training.
Ref<RandomGaussianBlurLayer> RandomGaussianBlur(const RandomGaussianBlurOptions& options = {});
/// keras.layers.RandomErasing: erases a random rectangle of images with a random chance,
/// in training.
Ref<RandomErasingLayer> RandomErasing(const RandomErasingOptions& options = {});

}  // namespace keras::layers
