// gaussian_noise.h - GaussianNoise (keras.layers.GaussianNoise): adds zero-centered
// Gaussian noise of standard deviation `stddev` in training; the identity in inference.
//
//   auto g = keras::layers::GaussianNoise(0.1, {.seed = 7});
#pragma once

#include "keras/layers/layer.h"
#include "keras/layers/seed_generator.h"

namespace keras::layers {

/// Options of GaussianNoise (the keyword arguments of keras.layers.GaussianNoise besides
/// stddev).
struct GaussianNoiseOptions {
  int64_t seed = -1;  ///< -1 = unseeded (Keras: None); a seed gives a reproducible sequence
  /// Layer name (default: generated, gaussian_noise, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// The additive Gaussian noise layer (keras.layers.GaussianNoise), made by GaussianNoise();
/// passes masks on.
class GaussianNoiseLayer : public Layer {
 public:
  /// Throws std::invalid_argument unless 0 <= stddev <= 1 (Keras's check).
  explicit GaussianNoiseLayer(double stddev, const GaussianNoiseOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "GaussianNoise").
  static LayerPtr from_config(const Config& c);
  const SeedGenerator* seed_generator() const override { return &seeds_; }

  /// Standard deviation of the noise (Keras `stddev`).
  double stddev() const { return stddev_; }

 private:
  double stddev_;
  GaussianNoiseOptions o_;
  SeedGenerator seeds_;
};

/// keras.layers.GaussianNoise: x + N(0, stddev^2) noise in training; the identity in
/// inference.
Ref<GaussianNoiseLayer> GaussianNoise(double stddev, const GaussianNoiseOptions& options = {});

}  // namespace keras::layers
