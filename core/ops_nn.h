// ops_nn.h - the rest of Keras 3's keras.ops.nn (core/ops/nn_compose.cpp,
// core/ops/nn_layout.cpp): losses, normalizations, attention, encodings, block
// rearrangements and sliding windows. Each is a composition of the ops of core/ops.h, as
// in Keras's TensorFlow backend, so its gradient is that of its parts (differentiable
// again, on every device). Included by core/ops.h.
//
// Bad input raises std::invalid_argument naming the op, what it expected and what it
// received (shapes, dtypes). Dtypes follow keras.ops (TensorFlow backend); see each.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace keras::core::ops {

// ---- losses (keras.ops.binary_crossentropy & co., per element / per sample) -----------
/// target and output of the same shape and floating dtype. Probabilities are clipped to
/// [1e-7, 1 - 1e-7] (Keras's epsilon); from_logits uses the stable sigmoid form.
Tensor binary_crossentropy(const Tensor& target, const Tensor& output, bool from_logits = false);
/// Sums over `axis`; probabilities are first divided by their sum along axis.
Tensor categorical_crossentropy(const Tensor& target, const Tensor& output, bool from_logits = false,
                                int64_t axis = -1);
/// target: integer class ids of output's shape without its last axis (or with a trailing
/// axis of size 1); ids outside [0, classes) raise. Only the last axis (axis -1 or rank-1),
/// as Keras.
Tensor sparse_categorical_crossentropy(const Tensor& target, const Tensor& output, bool from_logits = false,
                                       int64_t axis = -1);

// ---- statistics and normalization -------------------------------------------------------
/// The result of moments.
struct Moments {
  ///@{
  /// The mean and the (biased) variance.
  Tensor mean, variance;
  ///@}
};
/// tf.nn.moments: mean and (biased) variance over `axes`; integer inputs give integer
/// results (TensorFlow's integer mean). `synchronized` has no meaning on one device and
/// is accepted for Keras's signature.
Moments moments(const Tensor& x, const std::vector<int64_t>& axes, bool keepdims = false,
                bool synchronized = false);
/// (x - mean) / sqrt(variance + epsilon) * scale + offset; mean, variance, offset, scale
/// are 1-d along `axis` (or broadcast to x for axis -1); offset/scale may be undefined.
Tensor batch_normalization(const Tensor& x, const Tensor& mean, const Tensor& variance, int64_t axis,
                           const Tensor& offset = {}, const Tensor& scale = {}, double epsilon = 1e-3);
/// Normalizes over `axis` (one or several axes); gamma/beta of those axes' shape or
/// undefined; epsilon defaults to 1e-7 (Keras's backend epsilon). Integer inputs are
/// computed in float32 and cast back, as keras.ops.
Tensor layer_normalization(const Tensor& x, const Tensor& gamma = {}, const Tensor& beta = {},
                           const std::vector<int64_t>& axis = {-1}, std::optional<double> epsilon = std::nullopt);
/// x * rsqrt(mean(x^2, axis) + epsilon) * scale.
Tensor rms_normalization(const Tensor& x, const Tensor& scale = {}, const std::vector<int64_t>& axis = {-1},
                         std::optional<double> epsilon = std::nullopt);
/// x / max(||x||_order, epsilon) along axis (order 2: x * min(rsqrt(sum x^2), 1/epsilon)).
/// order >= 1; floating x.
Tensor normalize(const Tensor& x, int64_t axis = -1, int64_t order = 2, std::optional<double> epsilon = std::nullopt);

// ---- encodings, metrics ------------------------------------------------------------------
/// inputs: integer ids, (batch, n) or (n,); 1 where an id occurs (ids outside [0,
/// num_classes) are ignored, as one_hot). axis places the class axis.
Tensor multi_hot(const Tensor& inputs, int64_t num_classes, int64_t axis = -1, DType dtype = DType::float32);
/// bool (batch,): whether predictions[i, targets[i]] is among the k largest of row i (ties
/// count as in, tf.math.in_top_k); a non-finite row or an id out of range gives false.
Tensor in_top_k(const Tensor& targets, const Tensor& predictions, int64_t k);
/// Peak signal-to-noise ratio over all elements: 20 log10(max_val) - 10 log10(mse).
/// Integer inputs give float32.
Tensor psnr(const Tensor& x1, const Tensor& x2, double max_val);

// ---- attention ------------------------------------------------------------------------------
/// Options of dot_product_attention (keras.ops.dot_product_attention's keyword arguments).
struct DotProductAttentionOptions {
  Tensor bias{};                   ///< added to the logits (B, N, T, S) (broadcast)
  Tensor mask{};                   ///< bool, broadcast to (B, N, T, S): false = masked out
  std::optional<double> scale{};   ///< default 1 / sqrt(H)
  bool is_causal = false;          ///< query t sees keys s <= t
  /// true: core/attention.h's flash_attention (tiles with an online softmax, no (B, N, T,
  /// S) tensor; no bias; float32 or float64, another dtype raises);
  /// unset or false: one fused_attention node, or the composition
  std::optional<bool> flash_attention{};
};
/// query (B, T, N, H), key and value (B, S, K, H) with N a multiple of K (grouped-query
/// attention repeats the key/value heads): softmax(q k^T * scale + bias, masked) v,
/// (B, T, N, H).
Tensor dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                             const DotProductAttentionOptions& o = {});

// ---- rearrangements and windows ------------------------------------------------------------
/// Keras's data_format names: true for "channels_first", false for "channels_last";
/// anything else raises std::invalid_argument naming op and what it received.
bool is_channels_first(const std::string& data_format, const std::string& op);
/// A channels_first tensor (batch, channels, *spatial) in the channels_last layout (batch,
/// *spatial, channels) (a transpose; rank 2 and below unchanged).
Tensor channels_to_last(const Tensor& x);
/// The inverse of channels_to_last: (batch, *spatial, channels) -> (batch, channels,
/// *spatial).
Tensor channels_to_first(const Tensor& x);
/// tf.nn.depth_to_space / space_to_depth on (N, H, W, C) ("channels_last") or (N, C, H, W).
Tensor depth_to_space(const Tensor& x, int64_t block_size, const std::string& data_format = "channels_last");
/// The inverse of depth_to_space: (N, H, W, C) -> (N, H / b, W / b, C * b * b) for
/// channels_last.
Tensor space_to_depth(const Tensor& x, int64_t block_size, const std::string& data_format = "channels_last");
/// tf.signal.frame along the last axis: (..., n) -> (..., frames, sequence_length), frames
/// = 1 + (n - sequence_length) / sequence_stride (0 when n < sequence_length).
Tensor extract_sequences(const Tensor& x, int64_t sequence_length, int64_t sequence_stride);
/// torch.nn.Unfold (im2col) on (N, C, H, W): (N, C * kh * kw, L); fold (col2im) is its
/// adjoint: overlapping entries are summed into (N, C, oh, ow). Each size is {h, w} or one
/// number for both.
Tensor unfold(const Tensor& x, const std::vector<int64_t>& kernel_size, const std::vector<int64_t>& dilation = {1},
              const std::vector<int64_t>& padding = {0}, const std::vector<int64_t>& stride = {1});
/// torch.nn.Fold (col2im): the adjoint of unfold (see above).
Tensor fold(const Tensor& x, const std::vector<int64_t>& output_size, const std::vector<int64_t>& kernel_size,
            const std::vector<int64_t>& dilation = {1}, const std::vector<int64_t>& padding = {0},
            const std::vector<int64_t>& stride = {1});
/// Pools of PyTorch's adaptive rule: output cell i of an axis of length n covers
/// [floor(i n / out), ceil((i + 1) n / out)). inputs (batch, *spatial, channels) with 1 to
/// 3 spatial axes ("channels_last") or (batch, channels, *spatial); output_size one value
/// per spatial axis or one for all.
Tensor adaptive_average_pool(const Tensor& inputs, const std::vector<int64_t>& output_size,
                             const std::string& data_format = "channels_last");
/// The same with max pooling.
Tensor adaptive_max_pool(const Tensor& inputs, const std::vector<int64_t>& output_size,
                         const std::string& data_format = "channels_last");

// ---- decoding -----------------------------------------------------------------------------
/// keras.ops.ctc_decode: inputs (batch, steps, classes) logits, sequence_lengths (batch,)
/// integer. "greedy" (tf.nn.ctc_greedy_decoder: the best class per step, repeats merged
/// when merge_repeated, blanks dropped) or "beam_search" (tf.nn.ctc_beam_search_decoder's
/// prefix beam search over log-softmax scores, beam_width beams, top_paths best).
/// mask_index is the blank class (negative counts from the end). Returns decoded
/// (top_paths, batch, steps) int32 padded with -1 (greedy: top_paths 1) and scores
/// (batch, top_paths): greedy the negative sum of each step's largest logit, beam search
/// each path's log-probability; float32 (float64 for float64 inputs). Not differentiable;
/// runs on the host, also as one node of a traced graph (core/ops/ctc_decode.cpp).
struct CtcDecoded {
  ///@{
  /// Decoded label sequences and their scores (see above).
  Tensor decoded, scores;
  ///@}
};
/// keras.ops.ctc_decode (described above CtcDecoded).
CtcDecoded ctc_decode(const Tensor& inputs, const Tensor& sequence_lengths, const std::string& strategy = "greedy",
                      int64_t beam_width = 100, int64_t top_paths = 1, bool merge_repeated = true,
                      int64_t mask_index = 0);

}  // namespace keras::core::ops
