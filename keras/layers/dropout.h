// dropout.h - Dropout (keras.layers.Dropout): in training, zeroes each unit with
// probability `rate` and scales the kept ones by 1 / (1 - rate) (inverted dropout); in
// inference, the identity.
//
//   auto d = keras::layers::Dropout(0.5);
//   auto t = keras::layers::Dropout(0.2, {.noise_shape = {-1, 1, -1}, .seed = 42});
//
// A seeded layer draws a reproducible sequence of masks (one per training call); an
// unseeded one draws from core's global generator (core::ops::set_random_seed).
#pragma once

#include "keras/layers/layer.h"
#include "keras/layers/seed_generator.h"

namespace keras::layers {

/// Options of Dropout (the keyword arguments of keras.layers.Dropout besides rate).
struct DropoutOptions {
  /// Shape of the mask, broadcast against the input (-1 = the input's size, Keras's
  /// None); empty = the input's shape.
  ShapeSpec noise_shape{};
  int64_t seed = -1;  ///< -1 = unseeded (Keras: None)
  /// Layer name (default: generated, dropout, dropout_1, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// The dropout layer (keras.layers.Dropout), made by Dropout(); passes masks on.
class DropoutLayer : public Layer {
 public:
  /// Throws std::invalid_argument unless 0 <= rate < 1, and for noise_shape sizes other
  /// than positive or -1.
  explicit DropoutLayer(double rate, const DropoutOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "Dropout").
  static LayerPtr from_config(const Config& c);
  const SeedGenerator* seed_generator() const override { return &seeds_; }

  /// Fraction of the units dropped in training (Keras `rate`).
  double rate() const { return rate_; }

 private:
  double rate_;
  DropoutOptions o_;
  SeedGenerator seeds_;
};

/// keras.layers.Dropout: in training zeroes each unit with probability rate and scales the
/// rest by 1 / (1 - rate); the identity in inference.
Ref<DropoutLayer> Dropout(double rate, const DropoutOptions& options = {});

namespace detail {
/// x with each cell of a mask of shape mask_shape (broadcast against x) zeroed with
/// probability rate and the kept ones scaled by 1 / (1 - rate); one draw of `seeds`.
/// (Dropout, SpatialDropout1D/2D/3D.)
Tensor drop(const Tensor& x, double rate, const Shape& mask_shape, SeedGenerator& seeds);
}  // namespace detail

}  // namespace keras::layers
