// attention.h - Attention (keras.layers.Attention): dot-product (Luong) or concat
// attention of a query over a value (and key).
//
//   auto att = keras::layers::Attention({.use_scale = true});
//   Tensor y = (*att)({query, value});        // key = value; or {query, value, key}
//   auto [y2, scores] = ...                    // see below
//
// Inputs: query (batch, Tq, dim), value (batch, Tv, dim), key (batch, Tv, dim). Masks:
// those of the query and the value (their keras_mask(), e.g. from
// Embedding(mask_zero = true), or CallArgs::masks): masked values get no weight, masked
// query rows give zeros; the output carries the query's mask. Keyword call arguments
// (CallArgs::kwargs): "use_causal_mask" (bool: position i attends to j <= i only) and
// "return_attention_scores" (bool: a second output, the softmax weights (batch, Tq, Tv)).
#pragma once
#include "keras/layers/dropout.h"
#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of Attention (the keyword arguments of keras.layers.Attention).
struct AttentionOptions {
  bool use_scale = false;          ///< a learned scalar multiplies the scores
  std::string score_mode = "dot";  ///< "dot" or "concat" (sum(tanh(query + key)))
  double dropout = 0.0;            ///< on the attention weights, in training
  int64_t seed = -1;               ///< -1 = unseeded (Keras: None)
  /// Layer name (default: generated, attention, attention_1, ...).
  std::string name{};
  /// Whether scale and concat_score_weight are trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
};

/// Dot-product or concat attention of a query over a value and key
/// (keras.layers.Attention), made by Attention(); the base of AdditiveAttentionLayer.
class AttentionLayer : public Layer {
 public:
  /// Throws std::invalid_argument for a score_mode other than "dot" or "concat".
  explicit AttentionLayer(const AttentionOptions& options = {});
  void build(const std::vector<ShapeSpec>& input_shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "Attention").
  static LayerPtr from_config(const Config& c);
  const SeedGenerator* seed_generator() const override { return dropout_->seed_generator(); }

  ///@{
  /// The learned scalar scale (use_scale) and concat score weight (score_mode "concat"),
  /// defined once built when used.
  Variable scale, concat_score_weight;
  ///@}

 protected:
  /// For subclasses: the class name they register under.
  AttentionLayer(std::string class_name, const AttentionOptions& options);
  /// The scores (batch, Tq, Tv) of query (batch, Tq, dim) against key (batch, Tv, dim).
  virtual Tensor scores(const Tensor& query, const Tensor& key) const;
  /// Throws std::invalid_argument unless there are 2 or 3 inputs and, when masks are given,
  /// one per input.
  void check_inputs_list(size_t n, const std::vector<Tensor>& masks) const;
  /// The options the layer was made with.
  AttentionOptions o_;

 private:
  Ref<DropoutLayer> dropout_;
};

/// keras.layers.Attention: inputs {query, value} or {query, value, key}; returns the
/// attention output (batch, Tq, dim), and the scores with return_attention_scores.
Ref<AttentionLayer> Attention(const AttentionOptions& options = {});

namespace detail {
/// Keras's causal mask (1, Tq, Tv): true where the column index <= the row index.
Tensor causal_mask(int64_t tq, int64_t tv);
/// A keyword call argument that must be a bool (false when absent).
bool bool_kwarg(const std::string& layer, const Config& kwargs, const char* key);
}  // namespace detail

}  // namespace keras::layers
