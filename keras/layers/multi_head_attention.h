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

/// Options of MultiHeadAttention (the keyword arguments of keras.layers.MultiHeadAttention
/// besides num_heads and key_dim).
struct MultiHeadAttentionOptions {
  std::optional<int64_t> value_dim{};  ///< unset: key_dim
  double dropout = 0.0;                ///< on the attention weights, in training
  /// Whether the projections have biases (Keras `use_bias`, default true).
  bool use_bias = true;
  /// Multiply the heads' outputs by a sigmoid gate projected from the query, before the
  /// output projection (Keras `use_gate`, default false; sublayer "gate").
  bool use_gate = false;
  ShapeSpec output_shape{};            ///< the output's last axes; empty: the query's last axis
  std::vector<int64_t> attention_axes{};  ///< empty: every axis between batch and features
  /// Query position i attends to key position j only when |i - j| < sliding_window
  /// (Keras `sliding_window`, default none; a symmetric band, causal with
  /// "use_causal_mask").
  std::optional<int64_t> sliding_window{};
  /// Initializer of the projection kernels (default glorot_uniform).
  InitializerArg kernel_initializer = "glorot_uniform";
  /// Initializer of the projection biases (default zeros).
  InitializerArg bias_initializer = "zeros";
  ///@{
  /// Penalties on the projection kernels and biases and on the layer's outputs (Keras
  /// `kernel_regularizer`, `bias_regularizer`, `activity_regularizer`; none by default).
  RegularizerArg kernel_regularizer{}, bias_regularizer{}, activity_regularizer{};
  ///@}
  ///@{
  /// Constraints applied to the projection kernels and biases after each optimizer step
  /// (none by default).
  ConstraintArg kernel_constraint{}, bias_constraint{};
  ///@}
  int64_t seed = -1;  ///< dropout's seed; -1 = unseeded
  /// true: attend by tiles with core/attention.h's flash_attention (no (batch, heads, T, S)
  /// weights in the forward or backward pass; float32 or float64, other
  /// projections raise; dropout and returned scores raise, as Keras); unset or false: the
  /// fused op (Keras `flash_attention`, default None, not in the config, as Keras).
  std::optional<bool> flash_attention{};
  /// Layer name (default: generated, multi_head_attention, multi_head_attention_1, ...).
  std::string name{};
  /// Whether the projections are trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
};

/// Multi-head attention (keras.layers.MultiHeadAttention), made by MultiHeadAttention().
class MultiHeadAttentionLayer : public Layer {
 public:
  /// Throws std::invalid_argument unless num_heads, key_dim and value_dim are positive and
  /// output_shape is valid.
  MultiHeadAttentionLayer(int64_t num_heads, int64_t key_dim, const MultiHeadAttentionOptions& options = {});
  void build(const std::vector<ShapeSpec>& input_shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "MultiHeadAttention").
  static LayerPtr from_config(const Config& c);
  const SeedGenerator* seed_generator() const override { return dropout_->seed_generator(); }

  /// Number of attention heads (Keras `num_heads`).
  int64_t num_heads() const { return num_heads_; }
  /// Size of each head for query and key (Keras `key_dim`).
  int64_t key_dim() const { return key_dim_; }
  /// Size of each head for value (Keras `value_dim`; key_dim when not given).
  int64_t value_dim() const { return value_dim_; }
  ///@{
  /// The projections (defined once built; gate_dense only with use_gate).
  Ref<EinsumDenseLayer> query_dense, key_dense, gate_dense, value_dense, output_dense;
  ///@}

 private:
  int64_t num_heads_, key_dim_, value_dim_;
  MultiHeadAttentionOptions o_;
  std::vector<int64_t> attention_axes_;  // resolved at build
  std::string dot_product_equation_, combine_equation_;
  Ref<SoftmaxLayer> softmax_;
  Ref<DropoutLayer> dropout_;
};

/// keras.layers.MultiHeadAttention: inputs {query, value}, {query, value, key} or {query,
/// value, key, attention_mask}; output of the query's shape (or output_shape).
Ref<MultiHeadAttentionLayer> MultiHeadAttention(int64_t num_heads, int64_t key_dim,
                                                const MultiHeadAttentionOptions& options = {});

}  // namespace keras::layers
