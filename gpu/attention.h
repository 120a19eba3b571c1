// attention.h - (engine-internal) the CUDA launchers of the fused and flash attention ops
// (core/attention.h), in plain C++ for gpu/register_attention.cpp. q (B, T, N, H),
// k (B, S, K, H), v (B, S, K, Hv), out and dout (B, T, N, Hv), lse and dlse (B, N, T), probs
// (B, N, T, S), mask (mB, mN, T, S) bool with mB in {1, B}, mN in {1, N} (or none); every
// pointer is device memory, the floats of element type dt (f32 or f64). Query head n reads
// key/value head n / (N / K).
#pragma once
#include <cstdint>

#include "gpu/kernels.h"

namespace keras::core::cuda {

struct AttentionDims {
  int64_t B = 0, T = 0, S = 0, N = 0, K = 1, H = 0, Hv = 0;
  int64_t mB = 0, mN = 0;  ///< the mask's first two extents (0: no mask)
};

/// fused_attention: out, lse and probs, with logits scale * q k^T (mask_value where the
/// mask is false).
void attention_forward(Dt dt, const AttentionDims& d, double scale, double mask_value, const void* q, const void* k,
                       const void* v, const bool* mask, void* out, void* lse, void* probs, int device);
/// fused_attention_grad: dq, dk and dv from the forward's out and probs.
void attention_backward(Dt dt, const AttentionDims& d, double scale, const void* dout, const void* q, const void* k,
                        const void* v, const void* out, const void* probs, const void* dlse, const bool* mask,
                        void* dq, void* dk, void* dv, int device);

/// flash_attention (gpu/flash_attention.cu): out, lse and stats (B, N, T, 2) float64 (each
/// query row's logit max and sum of exp(l - max)); `causal` keeps keys s <= t.
void flash_attention_forward(Dt dt, const AttentionDims& d, double scale, double mask_value, bool causal, const void* q,
                             const void* k, const void* v, const bool* mask, void* out, void* lse, double* stats,
                             int device);
/// flash_attention_grad: dq, dk and dv, the weights made again from the forward's stats.
void flash_attention_backward(Dt dt, const AttentionDims& d, double scale, double mask_value, bool causal,
                              const void* dout, const void* q, const void* k, const void* v, const void* out,
                              const double* stats, const void* dlse, const bool* mask, void* dq, void* dk, void* dv,
                              int device);

}  // namespace keras::core::cuda
