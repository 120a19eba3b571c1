// attention.h - fused scaled dot-product attention over (batch, seq, heads, head_dim)
// tensors (the computation of keras.ops.dot_product_attention and of MultiHeadAttention
// without dropout), forward and backward each one op with a CPU kernel
// (core/cpu/attention.cpp): per (batch, head), the logits, their softmax and the weighted
// values are made in one pass over a scratch block of T x S logits, never stored as a
// (B, N, T, S) tensor. Bad input raises std::invalid_argument naming the op, the argument,
// what was expected and what was received.
#pragma once
#include "core/tensor.h"

namespace keras::core::ops {

/// Whether fused_attention has kernels (forward and backward) for q's device and dtype
/// (float32 or float64); where not, callers compose the same computation from other ops.
bool fused_attention_supported(const Tensor& q);

/// The outputs of fused_attention.
struct FusedAttention {
  ///@{
  /// out (B, T, N, Hv), and lse (B, N, T): each query row's log-sum-exp of its logits, what
  /// the backward pass reuses.
  Tensor out, lse;
  ///@}
};

/// out[b, t, n] = sum_s softmax_s(l[b, n, t, :]) v[b, s, n], with the logits
/// l[b, n, t, s] = scale * q[b, t, n] . k[b, s, n], replaced by mask_value where `mask`
/// (bool, (B or 1, N or 1, T, S); undefined: none) is false. q (B, T, N, H), k (B, S, N,
/// H) and v (B, S, N, Hv) of one float dtype. A row masked everywhere gets uniform weights
/// (its logits all mask_value), as the composition; S = 0 gives zero rows and lse -inf.
/// Differentiable in q, k and v (gradients flowing into lse are honoured), to any order.
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
/// lse (undefined: none), with the forward's inputs and out: with p = softmax of the logits
/// (made again), dv = p^T dout, dp = dout v^T, ds = p * (dp - rowsum(dout * out) + dlse)
/// (0 where masked), dq = scale * ds k, dk = scale * ds^T q. Differentiable in dout, q, k,
/// v and dlse (out is taken as the forward's: its own gradient is zero).
FusedAttentionGrad fused_attention_grad(const Tensor& dout, const Tensor& q, const Tensor& k, const Tensor& v,
                                        const Tensor& out, const Tensor& dlse, const Tensor& mask, double scale,
                                        double mask_value);

}  // namespace keras::core::ops
