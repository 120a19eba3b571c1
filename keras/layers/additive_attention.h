// additive_attention.h - AdditiveAttention (keras.layers.AdditiveAttention): Bahdanau
// attention, scores = sum(scale * tanh(query + key)) over the feature axis, with a learned
// scale of size dim (use_scale). Called as Attention (attention.h): inputs {query,
// value} or {query, value, key}, masks, kwargs "use_causal_mask" and
// "return_attention_scores".
#pragma once
#include "keras/layers/attention.h"

namespace keras::layers {

/// Options of AdditiveAttention (the keyword arguments of keras.layers.AdditiveAttention).
struct AdditiveAttentionOptions {
  /// Learn a scale of size dim applied inside the scores (Keras `use_scale`, default true).
  bool use_scale = true;
  /// Fraction of the attention weights dropped in training (Keras `dropout`, default 0).
  double dropout = 0.0;
  /// Seed of the dropout (-1: unseeded, Keras's None).
  int64_t seed = -1;
  /// Layer name (default: generated, additive_attention, additive_attention_1, ...).
  std::string name{};
  /// Whether the scale is trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
};

/// Bahdanau-style additive attention (keras.layers.AdditiveAttention), made by
/// AdditiveAttention(); called as AttentionLayer.
class AdditiveAttentionLayer : public AttentionLayer {
 public:
  /// Takes the options as given (no argument can be invalid).
  explicit AdditiveAttentionLayer(const AdditiveAttentionOptions& options = {});
  void build(const std::vector<ShapeSpec>& input_shapes) override;
  Config get_config() const override;  ///< Attention's keys without score_mode
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "AdditiveAttention").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor scores(const Tensor& query, const Tensor& key) const override;
};

/// keras.layers.AdditiveAttention: scores = sum(scale * tanh(query + key)); inputs {query,
/// value} or {query, value, key}.
Ref<AdditiveAttentionLayer> AdditiveAttention(const AdditiveAttentionOptions& options = {});

}  // namespace keras::layers
