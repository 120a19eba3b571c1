// attention_core.h - private helper of the multi-head attention layers' .cpp files
// (MultiHeadAttention, GroupedQueryAttention): Keras's _compute_attention on projected
// query, key and value. Not installed, not included by public headers.
#pragma once
#include <optional>
#include <string>

#include "keras/layers/activation_layers.h"
#include "keras/layers/dropout.h"

namespace keras::layers::detail {

/// Raises naming `layer` unless n (the inputs or their shapes) is 2, 3 or 4.
void check_attention_inputs(const std::string& layer, size_t n);
/// Raises naming `layer` for a sliding window that is given and not positive.
void check_sliding_window(const std::string& layer, std::optional<int64_t> window);
/// Keras's checks of `flash_attention = true`: raises naming `layer` when `dropout` > 0
/// (at construction) or when the call returns the attention scores.
void check_flash_attention(const std::string& layer, std::optional<bool> flash, double dropout,
                           bool return_scores = false);

/// Keras's _compute_attention_mask for the inputs {query, value}, {query, value, key} or
/// {query, value, key, attention_mask}: the keras masks of query (rows), value and key
/// (columns), the causal mask (kwarg "use_causal_mask"), a sliding window (|i - j| <
/// window) when given, and-ed with attention_mask; (batch, Tq, Tv) bools, or undefined.
/// Raises naming `layer` for another number of inputs or a malformed attention_mask.
Tensor attention_mask(const std::string& layer, const std::vector<Tensor>& xs, const CallContext& ctx,
                      std::optional<int64_t> sliding_window = std::nullopt);

/// What attend() needs besides the tensors.
struct AttendSpec {
  /// The scores' einsum equation and whether its operands are (key, query) rather than
  /// (query, key).
  std::string scores_equation;
  bool key_first = false;
  /// The einsum equation of (weights, value).
  std::string combine_equation;
  int64_t attention_axes = 1;  ///< how many trailing axes of the scores are attended over
  double scale = 1.0;          ///< the query's factor (1 / sqrt(head size))
  /// Query heads per key/value head (grouped-query attention): k and v are repeated this
  /// many times along their head axis, except on the fused op, which takes them as they are.
  int64_t kv_repeats = 1;
  /// Keras's dot_product_attention path (no dropout, no scores returned, rank-4
  /// projections): rows masked everywhere get uniform weights, and half inputs are
  /// normalized in float32. Otherwise the masked Softmax layer (such rows get zeros).
  bool fused_path = false;
  /// On the fused path, core/attention.h's flash_attention (tiles, no weights tensor)
  /// instead of fused_attention: float32 or float64, other dtypes raise.
  bool flash = false;
  SoftmaxLayer* softmax = nullptr;  ///< the layer's masked softmax over the attended axes
  DropoutLayer* dropout = nullptr;  ///< on the weights in training; null for none
  bool training = false;
};

/// The attention output (before the output projection) and the weights.
struct Attended {
  Tensor output, weights;
};

/// Scaled dot-product attention of projected q, k, v; `mask` (bool, broadcast over the
/// heads) keeps the positions where it is true; undefined for none.
Attended attend(const Tensor& q, const Tensor& k, const Tensor& v, Tensor mask, const AttendSpec& spec);

}  // namespace keras::layers::detail
