// color_jitter.h - RandomColorJitter (keras.layers.RandomColorJitter): RandomBrightness,
// RandomContrast, RandomSaturation and RandomHue applied in that order, each where its
// factor is given, in training.
//
//   auto jitter = keras::layers::RandomColorJitter({.brightness_factor = 0.2,
//                                                   .contrast_factor = 0.3, .seed = 7});
#pragma once
#include <optional>

#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

/// Options of RandomColorJitter (keras.layers.RandomColorJitter's keyword arguments).
struct RandomColorJitterOptions {
  /// The range of the images' values, given to every part (Keras `value_range`, default
  /// (0, 255)).
  std::pair<double, double> value_range{0, 255};
  ///@{
  /// Each part's factor (its own layer's rule); none: the part is left out (Keras's
  /// default None for all four).
  std::optional<FactorArg> brightness_factor{}, contrast_factor{}, saturation_factor{}, hue_factor{};
  ///@}
  int64_t seed = -1;          ///< -1 = unseeded (Keras: None); given to every part
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, random_color_jitter, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// keras.layers.RandomColorJitter, made by RandomColorJitter() (see above). The parts are
/// sublayers (their draws are saved with the model's generators).
class RandomColorJitterLayer : public ImagePreprocessingLayer {
 public:
  /// Invalid factors throw std::invalid_argument naming the part's argument.
  explicit RandomColorJitterLayer(const RandomColorJitterOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "RandomColorJitter").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor transform(const Tensor& images) override;

 private:
  RandomColorJitterOptions options_;
  std::vector<LayerPtr> parts_;
};

/// keras.layers.RandomColorJitter: random brightness, contrast, saturation and hue.
Ref<RandomColorJitterLayer> RandomColorJitter(const RandomColorJitterOptions& options = {});

}  // namespace keras::layers
