// attention_geom.h - the sizes of an attention call and where each (batch, head) pair's
// matrices start inside the (B, seq, heads, head_dim) tensors, shared by the fused
// (core/cpu/attention.cpp) and flash (core/cpu/flash_attention.cpp) kernels. Internal to
// core's CPU kernels.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/cpu/gemm.h"
#include "core/tensor.h"

namespace keras::core::cpu {

// Query head n reads key and value head n / G (K heads of keys and values, G = N / K query
// heads each).
struct AttentionGeom {
  int64_t B, T, S, N, K, H, Hv, G;
  int64_t mB = 0, mN = 0;  // the mask's first two extents (0: no mask)
  AttentionGeom(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor* mask)
      : B(q.shape()[0]),
        T(q.shape()[1]),
        S(k.shape()[1]),
        N(q.shape()[2]),
        K(k.shape()[2]),
        H(q.shape()[3]),
        Hv(v.shape()[3]),
        G(N / K) {
    if (mask) mB = mask->shape()[0], mN = mask->shape()[1];
  }
  int64_t q_at(int64_t b, int64_t n) const { return (b * T * N + n) * H; }       // q, dq (row stride N * H)
  int64_t k_at(int64_t b, int64_t n) const { return (b * S * K + n / G) * H; }   // k, dk (row stride K * H)
  int64_t v_at(int64_t b, int64_t n) const { return (b * S * K + n / G) * Hv; }  // v, dv (row stride K * Hv)
  int64_t o_at(int64_t b, int64_t n) const { return (b * T * N + n) * Hv; }      // out, dout
  int64_t mask_at(int64_t b, int64_t n) const { return ((mB == 1 ? 0 : b) * mN + (mN == 1 ? 0 : n)) * T * S; }
  int64_t ldq() const { return N * H; }
  int64_t ldo() const { return N * Hv; }
  int64_t ldk() const { return K * H; }
  int64_t ldv() const { return K * Hv; }
  // Tasks of `work` multiply-adds each: at least 2^16 multiply-adds per task.
  static int64_t grain_of(int64_t work) {
    return std::max<int64_t>(1, (int64_t(1) << 16) / std::max<int64_t>(1, work));
  }
  int64_t grain() const { return grain_of(T * S * (H + Hv)); }
};

// C = op(A) B when `first`, else C += op(A) B (the product made in `part`, then added).
template <class T>
void gemm_accumulate(bool first, bool ta, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b,
                     int64_t ldb, T* c, int64_t ldc, std::vector<T>& part) {
  if (first) return batch_gemm(ta, false, m, n, k, a, lda, b, ldb, c, ldc);
  part.resize(size_t(m * n));
  batch_gemm(ta, false, m, n, k, a, lda, b, ldb, part.data(), n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) c[i * ldc + j] += part[size_t(i * n + j)];
}

}  // namespace keras::core::cpu
