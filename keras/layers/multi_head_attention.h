// multi_head_attention.h - MultiHeadAttention (keras.layers.MultiHeadAttention): the
// query, key and value projected per head by EinsumDense sublayers named "query", "key",
// "value" (kernels (dim, num_heads, key_dim / value_dim), biases (num_heads, dim)),
// scaled dot-product attention over attention_axes, and the heads projected back by
// "attention_output" (kernel (num_heads, value_dim, out)): Keras's weights, in Keras's
// order and shapes.
//
//   auto mha = keras::layers::MultiHeadAttention(4, 16);
//   Tensor y = (*mha)({query, value});                  // key = value
//   Tensor y2 = (*mha)({query, value, key});
//   auto outs = (*mha)({query, value, key, attention_mask},
//                      {.kwargs = kw});                 // kw: {"return_attention_scores": true}
//
// Inputs: query (batch, Tq, ..., dim), value (batch, Tv, ..., dim_v), optional key
// (batch, Tv, ..., dim_k), optional attention_mask (batch, Tq, Tv) of bools (the 4th
// input; pass value again as key when there is none). The keras masks of query, value and
// key (Embedding(mask_zero = true)) are combined with attention_mask as Keras does
// (query_mask[:, :, None] & value_mask[:, None, :] & key_mask[:, None, :]). Keyword call
// arguments: "use_causal_mask" (bool), "return_attention_scores" (bool: a second output,
// the weights (batch, num_heads, Tq, Tv)). Rows that are masked everywhere get zero
// weights (Keras's masked Softmax), or uniform ones where Keras takes its
// dot_product_attention path (no dropout, no scores returned, one attention axis).
#pragma once
#include <optional>

#include "keras/layers/activation_layers.h"
#include "keras/layers/args.h"
#include "keras/layers/dropout.h"
#include "keras/layers/einsum_dense.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct MultiHeadAttentionOptions {
  std::optional<int64_t> value_dim{};  ///< unset: key_dim
  double dropout = 0.0;                ///< on the attention weights, in training
  bool use_bias = true;
  ShapeSpec output_shape{};            ///< the output's last axes; empty: the query's last axis
  std::vector<int64_t> attention_axes{};  ///< empty: every axis between batch and features
  InitializerArg kernel_initializer = "glorot_uniform";
  InitializerArg bias_initializer = "zeros";
  RegularizerArg kernel_regularizer{}, bias_regularizer{}, activity_regularizer{};
  ConstraintArg kernel_constraint{}, bias_constraint{};
  int64_t seed = -1;  ///< dropout's seed; -1 = unseeded
  std::string name{};
  bool trainable = true;
};

class MultiHeadAttentionLayer : public Layer {
 public:
  MultiHeadAttentionLayer(int64_t num_heads, int64_t key_dim, const MultiHeadAttentionOptions& options = {});
  void build(const std::vector<ShapeSpec>& input_shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);
  const SeedGenerator* seed_generator() const override { return dropout_->seed_generator(); }

  int64_t num_heads() const { return num_heads_; }
  int64_t key_dim() const { return key_dim_; }
  int64_t value_dim() const { return value_dim_; }
  /// The projections (defined once built).
  Ref<EinsumDenseLayer> query_dense, key_dense, value_dense, output_dense;

 private:
  int64_t num_heads_, key_dim_, value_dim_;
  MultiHeadAttentionOptions o_;
  std::vector<int64_t> attention_axes_;  // resolved at build
  std::string dot_product_equation_, combine_equation_;
  Ref<SoftmaxLayer> softmax_;
  Ref<DropoutLayer> dropout_;
};

Ref<MultiHeadAttentionLayer> MultiHeadAttention(int64_t num_heads, int64_t key_dim,
                                                const MultiHeadAttentionOptions& options = {});

}  // namespace keras::layers
