// spectral_normalization.h - SpectralNormalization (keras.layers.SpectralNormalization):
// wraps a layer with a `kernel` (Dense, the convolutions, ...) or `embeddings` weight and,
// in training, divides that weight by its largest singular value before the layer runs,
// estimated by power iteration from a persistent vector u (Miyato et al., 2018):
//   W2 = reshape(W, (-1, n)); repeat power_iterations times:
//     v = normalize(u W2^T); u = normalize(v W2)
//   sigma = v W2 u^T;  W <- W / sigma;  vector_u <- u
// The weight and vector_u are assigned (state, as Keras's), then the layer runs; in
// inference the layer runs on the stored weight. An all-zero weight is left as it is.
//
//   auto sn = keras::layers::SpectralNormalization(keras::layers::Dense(10));
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of SpectralNormalization (its keyword arguments besides the layer).
struct SpectralNormalizationOptions {
  int64_t power_iterations = 1;  ///< power-iteration steps per training call (Keras, >= 1)
  /// Layer name (default: generated, spectral_normalization, ...).
  std::string name{};
  /// Whether the wrapped layer's weights are trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// Spectral normalization of a wrapped layer's kernel, made by SpectralNormalization().
/// Weights: vector_u (1, n) (not trainable), then the wrapped layer's (Keras lists the
/// kernel first: its `get_weights()` order is kernel, vector_u, the layer's others).
class SpectralNormalizationLayer : public Layer {
 public:
  /// Throws std::invalid_argument for a null layer or power_iterations < 1.
  explicit SpectralNormalizationLayer(LayerPtr layer, const SpectralNormalizationOptions& options = {});
  /// Builds the wrapped layer; throws std::invalid_argument when it has no weight named
  /// kernel or embeddings.
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "SpectralNormalization").
  static LayerPtr from_config(const Config& c);

  /// The wrapped layer.
  const LayerPtr& layer() const { return layer_; }
  /// The wrapped layer's normalized weight (defined once built).
  Variable kernel;
  /// The power iteration's vector (1, kernel's last size), defined once built.
  Variable vector_u;

 private:
  LayerPtr layer_;
  SpectralNormalizationOptions o_;
};

/// keras.layers.SpectralNormalization: normalizes the wrapped layer's kernel by its
/// spectral norm in training.
Ref<SpectralNormalizationLayer> SpectralNormalization(LayerPtr layer, const SpectralNormalizationOptions& options = {});

}  // namespace keras::layers
