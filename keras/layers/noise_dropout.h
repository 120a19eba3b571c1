// noise_dropout.h - GaussianDropout and AlphaDropout (keras.layers.GaussianDropout,
// keras.layers.AlphaDropout): multiplicative noise and SELU-preserving dropout in
// training; the identity in inference.
//
//   auto g = keras::layers::GaussianDropout(0.2, {.seed = 7});
//   auto a = keras::layers::AlphaDropout(0.1);
#pragma once

#include "keras/layers/layer.h"
#include "keras/layers/seed_generator.h"

namespace keras::layers {

/// Options of GaussianDropout and AlphaDropout (their keyword arguments besides rate).
struct NoiseDropoutOptions {
  /// AlphaDropout only: the shape of the mask, broadcast against the input (-1 = the
  /// input's size, Keras's None); empty = the input's shape.
  ShapeSpec noise_shape{};
  int64_t seed = -1;  ///< -1 = unseeded (Keras: None); a seed gives a reproducible sequence
  /// Layer name (default: generated, gaussian_dropout / alpha_dropout, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layers have no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// keras.layers.GaussianDropout, made by GaussianDropout(): in training, x times noise
/// drawn from N(1, rate / (1 - rate)); passes masks on.
class GaussianDropoutLayer : public Layer {
 public:
  /// Throws std::invalid_argument unless 0 <= rate <= 1 (Keras's check; rate 1 then
  /// raises in training, where the noise's variance is infinite).
  explicit GaussianDropoutLayer(double rate, const NoiseDropoutOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "GaussianDropout").
  static LayerPtr from_config(const Config& c);
  const SeedGenerator* seed_generator() const override { return &seeds_; }
  double rate() const { return rate_; }  ///< Keras `rate`

 private:
  double rate_;
  NoiseDropoutOptions o_;
  SeedGenerator seeds_;
};

/// keras.layers.AlphaDropout, made by AlphaDropout(): in training, each unit is set with
/// probability `rate` to SELU's negative saturation value -alpha * scale, then the result is
/// mapped by a * x + b so that the mean and variance of a SELU activation's output are kept
/// (a = ((1 - rate) (1 + rate alpha'^2))^-1/2, b = -a alpha' rate); passes masks on.
class AlphaDropoutLayer : public Layer {
 public:
  /// Throws std::invalid_argument unless 0 <= rate <= 1, and for noise_shape sizes other
  /// than positive or -1.
  explicit AlphaDropoutLayer(double rate, const NoiseDropoutOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "AlphaDropout").
  static LayerPtr from_config(const Config& c);
  const SeedGenerator* seed_generator() const override { return &seeds_; }
  double rate() const { return rate_; }  ///< Keras `rate`

 private:
  double rate_;
  NoiseDropoutOptions o_;
  SeedGenerator seeds_;
};

/// keras.layers.GaussianDropout: x * N(1, rate / (1 - rate)) noise in training; the
/// identity in inference.
Ref<GaussianDropoutLayer> GaussianDropout(double rate, const NoiseDropoutOptions& options = {});
/// keras.layers.AlphaDropout: dropout that keeps SELU's self-normalization in training;
/// the identity in inference.
Ref<AlphaDropoutLayer> AlphaDropout(double rate, const NoiseDropoutOptions& options = {});

}  // namespace keras::layers
