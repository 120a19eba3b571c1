// group_query_attention.h - GroupQueryAttention (keras.layers.GroupQueryAttention, whose
// Python class is GroupedQueryAttention):
// multi-head attention where groups of query heads share one key and value head
// (num_query_heads / num_key_value_heads queries per key-value head). Sublayers, in
// Keras's order: EinsumDense "query" (kernel (dim, num_query_heads, head_dim)), "key" and
// "value" ((dim, num_key_value_heads, head_dim)), with use_gate "gate" (sigmoid,
// (dim, num_query_heads, head_dim)), and "attention_output" ((num_query_heads, head_dim,
// dim)); biases on the heads' axes.
//
//   auto gqa = keras::layers::GroupQueryAttention(16, 8, 2);   // head_dim, 8 query heads
//   Tensor y = (*gqa)({query, value});                            //   sharing 2 key-value heads
//
// Inputs: query (batch, Tq, dim), value (batch, Tv, dim_v), optional key (batch, Tv,
// dim_k), optional attention_mask (batch, Tq, Tv) of bools, as MultiHeadAttention's. The
// keras masks of query, value and key, the causal mask, a sliding window (|i - j| <
// sliding_window) and attention_mask are and-ed as Keras does. Keyword call arguments:
// "use_causal_mask", "return_attention_scores" (a second output, the weights (batch,
// num_query_heads, Tq, Tv)).
#pragma once
#include <optional>

#include "keras/layers/activation_layers.h"
#include "keras/layers/args.h"
#include "keras/layers/dropout.h"
#include "keras/layers/einsum_dense.h"
#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of GroupQueryAttention (the keyword arguments of keras.layers.GroupQueryAttention
/// besides head_dim, num_query_heads and num_key_value_heads).
struct GroupQueryAttentionOptions {
  double dropout = 0.0;  ///< on the attention weights, in training
  /// Whether the projections have biases (Keras `use_bias`, default true).
  bool use_bias = true;
  /// Multiply the attention output by a sigmoid gate projected from the query (Keras
  /// `use_gate`, default false).
  bool use_gate = false;
  /// Positions i and j attend to each other only when |i - j| < sliding_window (Keras
  /// `sliding_window`, default none).
  std::optional<int64_t> sliding_window{};
  /// Initializer of the projection kernels (default glorot_uniform).
  InitializerArg kernel_initializer = "glorot_uniform";
  /// Initializer of the projection biases (default zeros).
  InitializerArg bias_initializer = "zeros";
  ///@{
  /// Penalties on the projection kernels and biases and on the layer's outputs (none by
  /// default).
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
  /// Layer name (default: generated, grouped_query_attention, ...).
  std::string name{};
  /// Whether the projections are trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
};

/// Grouped-query attention (keras.layers.GroupQueryAttention), made by
/// GroupQueryAttention().
class GroupQueryAttentionLayer : public Layer {
 public:
  /// Throws std::invalid_argument unless the sizes are positive, num_query_heads is a
  /// multiple of num_key_value_heads and sliding_window (when given) is positive.
  GroupQueryAttentionLayer(int64_t head_dim, int64_t num_query_heads, int64_t num_key_value_heads,
                             const GroupQueryAttentionOptions& options = {});
  void build(const std::vector<ShapeSpec>& input_shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "GroupQueryAttention",
  /// the class name Keras writes in its files).
  static LayerPtr from_config(const Config& c);
  const SeedGenerator* seed_generator() const override { return dropout_->seed_generator(); }

  int64_t head_dim() const { return head_dim_; }                        ///< Keras `head_dim`
  int64_t num_query_heads() const { return num_query_heads_; }          ///< Keras `num_query_heads`
  int64_t num_key_value_heads() const { return num_key_value_heads_; }  ///< Keras `num_key_value_heads`
  ///@{
  /// The projections (defined once built; gate_dense only with use_gate).
  Ref<EinsumDenseLayer> query_dense, key_dense, gate_dense, value_dense, output_dense;
  ///@}

 private:
  int64_t head_dim_, num_query_heads_, num_key_value_heads_;
  GroupQueryAttentionOptions o_;
  Ref<SoftmaxLayer> softmax_;
  Ref<DropoutLayer> dropout_;
};

/// keras.layers.GroupQueryAttention: inputs {query, value}, {query, value, key} or {query,
/// value, key, attention_mask}; output of the query's shape.
Ref<GroupQueryAttentionLayer> GroupQueryAttention(int64_t head_dim, int64_t num_query_heads,
                                                      int64_t num_key_value_heads,
                                                      const GroupQueryAttentionOptions& options = {});

}  // namespace keras::layers
