// attention.h - fused scaled dot-product attention over (batch, seq, heads, head_dim)
// tensors (the computation of keras.ops.dot_product_attention and of MultiHeadAttention
// without dropout), forward and backward each one op with a CPU kernel
// (core/cpu/attention.cpp): per (batch, head), the logits, their softmax and the weighted
// values in one pass, with no scale, mask or softmax op between the products. Bad input
// raises std::invalid_argument naming the op, the argument, what was expected and what
// was received.
#pragma once
#include "core/tensor.h"

namespace keras::core::ops {

/// Whether fused_attention has kernels (forward and backward) for q's device and dtype
/// (float32 or float64); where not, callers compose the same computation from other ops.
bool fused_attention_supported(const Tensor& q);

/// The outputs of fused_attention.
struct FusedAttention {
  ///@{
  /// out (B, T, N, Hv); lse (B, N, T), each query row's log-sum-exp of its logits; probs
  /// (B, N, T, S), the attention weights (what the backward pass reuses).
  Tensor out, lse, probs;
  ///@}
};

/// out[b, t, n] = sum_s softmax_s(l[b, n, t, :]) v[b, s, n], with the logits
/// l[b, n, t, s] = scale * q[b, t, n] . k[b, s, n / G], replaced by mask_value where `mask`
/// (bool, (B or 1, N or 1, T, S); undefined: none) is false. q (B, T, N, H), k (B, S, K,
/// H) and v (B, S, K, Hv) of one float dtype, K dividing N: each key/value head serves
/// G = N / K query heads in turn (grouped-query attention; K = N: one each). A row masked everywhere gets uniform weights
/// (its logits all mask_value), as the composition; S = 0 gives zero rows and lse -inf.
/// Differentiable in q, k and v (gradients flowing into lse are honoured; probs is for the
/// backward pass, gradients into it are not), to any order.
FusedAttention fused_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, double scale,
                               double mask_value);

/// The outputs of fused_attention_grad.
struct FusedAttentionGrad {
  ///@{
  /// The gradients of q, k and v.
  Tensor dq, dk, dv;
  ///@}
};

/// The backward pass from the output gradient dout and the gradient dlse that flowed into
/// lse (undefined: none), with the forward's inputs, out and probs p: dv = p^T dout,
/// dp = dout v^T, ds = p * (dp - rowsum(dout * out) + dlse) (0 where masked),
/// dq = scale * ds k, dk = scale * ds^T q. Differentiable in dout, q, k, v and dlse (out and
/// probs are taken as the forward's: their own gradients are zero).
FusedAttentionGrad fused_attention_grad(const Tensor& dout, const Tensor& q, const Tensor& k, const Tensor& v,
                                        const Tensor& out, const Tensor& probs, const Tensor& dlse, const Tensor& mask,
                                        double scale, double mask_value);

/// Whether flash_attention has kernels (forward and backward) for q's device and dtype
/// (float32 or float64, on the CPU and on CUDA devices).
bool flash_attention_supported(const Tensor& q);
/// The outputs of flash_attention.
struct FlashAttention {
  ///@{
  /// out (B, T, N, Hv) and lse (B, N, T) as fused_attention's; stats (B, N, T, 2) float64,
  /// each query row's logit max m and sum of exp(l - m), from which the backward pass
  /// makes the weights again.
  Tensor out, lse, stats;
  ///@}
};
/// fused_attention's result (the same arguments, and `causal`: query t keeps keys s <= t,
/// and-ed with `mask`) computed by tiles of queries and keys with an online softmax, so
/// that no (B, N, T, S) tensor exists, in the forward or the backward pass (which makes
/// each tile's weights again from `stats`): memory O(T + S) per (batch, head) instead of
/// O(T S), for one more q k^T product in the backward pass. Differentiable in q, k and v
/// (lse's gradient honoured), to any order.
FlashAttention flash_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, double scale,
                               double mask_value, bool causal = false);
/// The backward pass of flash_attention from dout and dlse (undefined: none), with the
/// forward's inputs, out and stats: fused_attention_grad's formulas, the weights made
/// again per tile.
FusedAttentionGrad flash_attention_grad(const Tensor& dout, const Tensor& q, const Tensor& k, const Tensor& v,
                                        const Tensor& out, const Tensor& stats, const Tensor& dlse, const Tensor& mask,
                                        double scale, double mask_value, bool causal = false);
}  // namespace keras::core::ops
