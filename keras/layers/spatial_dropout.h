// spatial_dropout.h - SpatialDropout1D/2D/3D (keras.layers): Dropout of whole feature maps.
// In training, each channel of each sample (channels_last: the last axis) is zeroed with
// probability `rate` over all its spatial positions, the kept ones scaled by
// 1 / (1 - rate); in inference, the identity. Seeded as Dropout (seed_generator.h).
//
//   auto d = keras::layers::SpatialDropout2D(0.2, {.seed = 7});
#pragma once
#include "keras/layers/layer.h"
#include "keras/layers/seed_generator.h"

namespace keras::layers {

/// Options of SpatialDropout1D/2D/3D (keyword arguments of keras.layers.SpatialDropout*D
/// besides rate).
struct SpatialDropoutOptions {
  std::string data_format{};  ///< 2D/3D: "channels_last" or "channels_first" (default: config::image_data_format())
  int64_t seed = -1;          ///< -1 = unseeded (Keras: None)
  /// Layer name (default: generated, spatial_dropout2d, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// Dropout of whole channels over 1, 2 or 3 spatial axes (Keras's BaseSpatialDropout); made
/// by SpatialDropout1D/2D/3D.
class SpatialDropoutLayer : public Layer {
 public:
  /// Throws std::invalid_argument unless 0 <= rate < 1, for a rank other than 1-3, or for
  /// "channels_first".
  SpatialDropoutLayer(int rank, double rate, const SpatialDropoutOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// SpatialDropout{Rank}D).
  template <int Rank>
  static LayerPtr from_config(const Config& c);
  const SeedGenerator* seed_generator() const override { return &seeds_; }

  /// Fraction of the channels dropped in training (Keras `rate`).
  double rate() const { return rate_; }

 private:
  bool channels_first() const { return o_.data_format == "channels_first"; }
  int rank_;
  double rate_;
  SpatialDropoutOptions o_;
  SeedGenerator seeds_;
};

/// keras.layers.SpatialDropout1D: drops whole channels of (batch, steps, channels) in
/// training.
Ref<SpatialDropoutLayer> SpatialDropout1D(double rate, const SpatialDropoutOptions& options = {});
/// keras.layers.SpatialDropout2D: drops whole channels of (batch, height, width, channels)
/// in training.
Ref<SpatialDropoutLayer> SpatialDropout2D(double rate, const SpatialDropoutOptions& options = {});
/// keras.layers.SpatialDropout3D: drops whole channels of (batch, depth, height, width,
/// channels) in training.
Ref<SpatialDropoutLayer> SpatialDropout3D(double rate, const SpatialDropoutOptions& options = {});

}  // namespace keras::layers
