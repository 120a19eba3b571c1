// attention.cu - the CUDA kernels of fused_attention and fused_attention_grad
// (gpu/attention.h), the CPU kernel's steps (core/cpu/attention.cpp): the products on
// cuBLAS through gemm_batch, each (batch, head) pair's matrices read where they lie in the
// (B, seq, N, H) tensors (row stride N * H), one strided-batched call over the batch per
// head; the row work (mask, softmax, log-sum-exp; the backward's ds) one warp per query
// row, its sums in double combined by a fixed butterfly, so results do not change from run
// to run. dk and dv add the G query heads of a key/value head in head order (beta = 1 after
// the first), the CPU kernel's order.
// - forward: l = scale * q k^T (mask_value where masked) in probs, p = softmax of its
//   rows in place, lse = max + log(sum), out = p v;
// - backward: dp = dout v^T, ds = scale * p * (dp - (rowsum(dout * out) - dlse)) (0 where
//   masked), dq = ds k, dk = ds^T q, dv = p^T dout.
#include <cmath>
#include <cstdint>
#include <cuda/std/limits>
#include <type_traits>
#include <vector>

#include "gpu/attention.h"
#include "gpu/context.cuh"
#include "gpu/warp.cuh"

namespace keras::core::cuda {
namespace {

constexpr int kWarps = 8;  // query rows per block of the row kernels

// Where row r = (b * N + n) * T + t's mask row starts.
__device__ int64_t mask_row(const AttentionDims& d, int64_t r) {
  const int64_t p = r / d.T, t = r % d.T, b = p / d.N, n = p % d.N;
  return (((d.mB == 1 ? 0 : b) * d.mN + (d.mN == 1 ? 0 : n)) * d.T + t) * d.S;
}

// Each row of probs (the logits on entry): mask, softmax in place, lse.
template <class T>
__global__ void softmax_rows_kernel(AttentionDims d, T mask_value, const bool* mask, T* probs, T* lse) {
  const int64_t rows = d.B * d.N * d.T;
  for (int64_t r = int64_t(blockIdx.x) * kWarps + threadIdx.y; r < rows; r += int64_t(gridDim.x) * kWarps) {
    T* row = probs + r * d.S;
    const bool* m = mask ? mask + mask_row(d, r) : nullptr;
    T mx = -::cuda::std::numeric_limits<T>::infinity();
    for (int64_t j = threadIdx.x; j < d.S; j += 32) {
      T x = row[j];
      if (m && !m[j]) row[j] = x = mask_value;
      mx = x > mx ? x : mx;
    }
    mx = warp_max(mx);
    double s = 0.0;
    for (int64_t j = threadIdx.x; j < d.S; j += 32) {
      const T e = exp(row[j] - mx);
      row[j] = e;
      s += double(e);
    }
    s = warp_sum(s);
    const T inv = T(1.0 / s);
    for (int64_t j = threadIdx.x; j < d.S; j += 32) row[j] *= inv;
    if (threadIdx.x == 0) lse[r] = T(double(mx) + log(s));
  }
}

// Each row of ds (dp = dout v^T on entry): ds = scale * p * (dp - shift), 0 where masked,
// shift = rowsum(dout * out) - dlse.
template <class T>
__global__ void ds_rows_kernel(AttentionDims d, T scale, const T* dout, const T* out, const T* probs, const T* dlse,
                               const bool* mask, T* ds) {
  const int64_t rows = d.B * d.N * d.T;
  for (int64_t r = int64_t(blockIdx.x) * kWarps + threadIdx.y; r < rows; r += int64_t(gridDim.x) * kWarps) {
    const int64_t p = r / d.T, t = r % d.T, b = p / d.N, n = p % d.N;
    const int64_t o = ((b * d.T + t) * d.N + n) * d.Hv;  // the row of out and dout
    double dot = 0.0;
    for (int64_t h = threadIdx.x; h < d.Hv; h += 32) dot += double(dout[o + h]) * double(out[o + h]);
    dot = warp_sum(dot);
    const T shift = T(dot - double(dlse[r]));
    const T* pr = probs + r * d.S;
    T* dr = ds + r * d.S;
    const bool* m = mask ? mask + mask_row(d, r) : nullptr;
    for (int64_t j = threadIdx.x; j < d.S; j += 32) dr[j] = (m && !m[j]) ? T(0) : scale * (pr[j] * (dr[j] - shift));
  }
}

unsigned row_blocks(int64_t rows) {
  const int64_t blocks = (rows + kWarps - 1) / kWarps;
  return unsigned(blocks > 65535 * 8 ? 65535 * 8 : blocks);
}

// The element offsets of one head's matrices over the batch, for gemm_batch.
struct HeadOffsets {
  std::vector<int64_t> q, kv_k, kv_v, o, pair;
};
HeadOffsets head_offsets(const AttentionDims& d, int64_t n) {
  HeadOffsets h;
  const int64_t kv = n / (d.N / d.K);
  for (int64_t b = 0; b < d.B; ++b) {
    h.q.push_back((b * d.T * d.N + n) * d.H);
    h.kv_k.push_back((b * d.S * d.K + kv) * d.H);
    h.kv_v.push_back((b * d.S * d.K + kv) * d.Hv);
    h.o.push_back((b * d.T * d.N + n) * d.Hv);
    h.pair.push_back((b * d.N + n) * d.T * d.S);
  }
  return h;
}

// One product over the batch: C (m, n) at c_off += or = op(A) op(B).
void product(Dt dt, int64_t batch, int64_t m, int64_t n, int64_t k, bool ta, bool tb, const void* a,
             const std::vector<int64_t>& a_off, int64_t lda, const void* b, const std::vector<int64_t>& b_off,
             int64_t ldb, void* c, const std::vector<int64_t>& c_off, int64_t ldc, double alpha, double beta,
             int device) {
  GemmBatch g;
  g.m = m, g.n = n, g.k = k, g.ta = ta, g.tb = tb, g.lda = lda, g.ldb = ldb, g.ldc = ldc, g.batch = batch;
  g.a_off = a_off.data(), g.b_off = b_off.data(), g.c_off = c_off.data(), g.alpha = alpha, g.beta = beta;
  gemm_batch(dt, a, b, c, g, device);
}

size_t elem(Dt dt) { return dt == Dt::f32 ? 4 : 8; }

}  // namespace

void attention_forward(Dt dt, const AttentionDims& d, double scale, double mask_value, const void* q, const void* k,
                       const void* v, const bool* mask, void* out, void* lse, void* probs, int device) {
  const int64_t rows = d.B * d.N * d.T;
  if (rows == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  if (d.S == 0) {  // no keys: zero rows, lse -inf
    fill(dt, lse, rows, -HUGE_VAL, device);
    check(cudaMemsetAsync(out, 0, size_t(rows * d.Hv) * elem(dt), st), "cudaMemsetAsync(fused_attention)", device);
    return;
  }
  const int64_t ldq = d.N * d.H, ldk = d.K * d.H, ldv = d.K * d.Hv, ldo = d.N * d.Hv;
  for (int64_t n = 0; n < d.N; ++n) {  // l = scale * q k^T
    const HeadOffsets h = head_offsets(d, n);
    product(dt, d.B, d.T, d.S, d.H, false, true, q, h.q, ldq, k, h.kv_k, ldk, probs, h.pair, d.S, scale, 0.0, device);
  }
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>)
      softmax_rows_kernel<T><<<row_blocks(rows), dim3(32, kWarps), 0, st>>>(d, T(mask_value), mask,
                                                                             static_cast<T*>(probs), static_cast<T*>(lse));
  });
  check_launch("fused_attention", device);
  for (int64_t n = 0; n < d.N; ++n) {  // out = p v
    const HeadOffsets h = head_offsets(d, n);
    product(dt, d.B, d.T, d.Hv, d.S, false, false, probs, h.pair, d.S, v, h.kv_v, ldv, out, h.o, ldo, 1.0, 0.0, device);
  }
}

void attention_backward(Dt dt, const AttentionDims& d, double scale, const void* dout, const void* q, const void* k,
                        const void* v, const void* out, const void* probs, const void* dlse, const bool* mask,
                        void* dq, void* dk, void* dv, int device) {
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  if (d.N == 0) {  // no query heads: nothing reached the keys and values
    check(cudaMemsetAsync(dk, 0, size_t(d.B * d.S * d.K * d.H) * elem(dt), st), "cudaMemsetAsync(fused_attention_grad)",
          device);
    check(cudaMemsetAsync(dv, 0, size_t(d.B * d.S * d.K * d.Hv) * elem(dt), st),
          "cudaMemsetAsync(fused_attention_grad)", device);
    return;
  }
  const int64_t rows = d.B * d.N * d.T;
  const int64_t ldq = d.N * d.H, ldk = d.K * d.H, ldv = d.K * d.Hv, ldo = d.N * d.Hv;
  DeviceScratch ds(size_t(rows * d.S) * elem(dt), device);
  for (int64_t n = 0; n < d.N; ++n) {  // dp = dout v^T (into ds)
    const HeadOffsets h = head_offsets(d, n);
    product(dt, d.B, d.T, d.S, d.Hv, false, true, dout, h.o, ldo, v, h.kv_v, ldv, ds.as<void>(), h.pair, d.S, 1.0, 0.0,
            device);
  }
  if (rows > 0 && d.S > 0) {
    by_dt(dt, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_floating_point_v<T>)
        ds_rows_kernel<T><<<row_blocks(rows), dim3(32, kWarps), 0, st>>>(
            d, T(scale), static_cast<const T*>(dout), static_cast<const T*>(out), static_cast<const T*>(probs),
            static_cast<const T*>(dlse), mask, ds.as<T>());
    });
    check_launch("fused_attention_grad", device);
  }
  const int64_t G = d.N / d.K;
  for (int64_t n = 0; n < d.N; ++n) {
    const HeadOffsets h = head_offsets(d, n);
    const double beta = n % G == 0 ? 0.0 : 1.0;  // the first head of a group writes dk and dv
    // dq = ds k, dk (+)= ds^T q, dv (+)= p^T dout.
    product(dt, d.B, d.T, d.H, d.S, false, false, ds.as<void>(), h.pair, d.S, k, h.kv_k, ldk, dq, h.q, ldq, 1.0, 0.0,
            device);
    product(dt, d.B, d.S, d.H, d.T, true, false, ds.as<void>(), h.pair, d.S, q, h.q, ldq, dk, h.kv_k, ldk, 1.0, beta,
            device);
    product(dt, d.B, d.S, d.Hv, d.T, true, false, probs, h.pair, d.S, dout, h.o, ldo, dv, h.kv_v, ldv, 1.0, beta,
            device);
  }
}

}  // namespace keras::core::cuda
