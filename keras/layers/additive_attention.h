// additive_attention.h - AdditiveAttention (keras.layers.AdditiveAttention): Bahdanau
// attention, scores = sum(scale * tanh(query + key)) over the feature axis, with a learned
// scale of size dim (use_scale). Called as Attention (attention.h): inputs {query,
// value} or {query, value, key}, masks, kwargs "use_causal_mask" and
// "return_attention_scores".
#pragma once
#include "keras/layers/attention.h"

namespace keras::layers {

struct AdditiveAttentionOptions {
  bool use_scale = true;
  double dropout = 0.0;
  int64_t seed = -1;
  std::string name{};
  bool trainable = true;
};

class AdditiveAttentionLayer : public AttentionLayer {
 public:
  explicit AdditiveAttentionLayer(const AdditiveAttentionOptions& options = {});
  void build(const std::vector<ShapeSpec>& input_shapes) override;
  Config get_config() const override;  ///< Attention's keys without score_mode
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor scores(const Tensor& query, const Tensor& key) const override;
};

Ref<AdditiveAttentionLayer> AdditiveAttention(const AdditiveAttentionOptions& options = {});

}  // namespace keras::layers
