// flash_attention.cu - the CUDA kernels of flash_attention and flash_attention_grad
// (core/attention.h; launchers declared in gpu/attention.h): attention that never holds a
// (T, S) matrix, in memory O(B N T) beyond the inputs and outputs. One warp per row, its
// lanes splitting the head dimension; every dot product is summed in double by the warp's
// fixed butterfly, so results do not change from run to run, and no atomics are used.
// - forward: one warp per query row walks the keys with a running max and sum (online
//   softmax), accumulating exp(l - max) v in the output row (rescaled as the max grows),
//   then divides by the sum; lse = max + log(sum) and the float64 stats (max, sum).
// - backward: one warp per query row makes dq (its weights again from the stats:
//   p = exp(l - max) / sum, ds = scale * p * (dout . v - rowsum(dout * out) + dlse), 0 where
//   masked, dq = sum ds k); one warp per key row makes dk and dv over its G query heads in
//   order and every query (dv = sum p dout, dk = sum ds q).
// A causal call keeps keys s <= t without a mask tensor; without a mask the keys past a
// query (weights exactly 0) are skipped.
#include <cmath>
#include <cstdint>
#include <cuda/std/limits>
#include <type_traits>

#include "gpu/attention.h"
#include "gpu/context.cuh"
#include "gpu/warp.cuh"

namespace keras::core::cuda {
namespace {

constexpr int kWarps = 8;  // rows per block

// One call's sizes and options, on the device.
template <class T>
struct FlashArgs {
  AttentionDims d;
  T scale, mask_value;
  const bool* mask;  // null: none
  bool causal;

  __device__ int64_t q_at(int64_t b, int64_t t, int64_t n) const { return ((b * d.T + t) * d.N + n) * d.H; }
  __device__ int64_t o_at(int64_t b, int64_t t, int64_t n) const { return ((b * d.T + t) * d.N + n) * d.Hv; }
  __device__ int64_t k_at(int64_t b, int64_t s, int64_t kv) const { return ((b * d.S + s) * d.K + kv) * d.H; }
  __device__ int64_t v_at(int64_t b, int64_t s, int64_t kv) const { return ((b * d.S + s) * d.K + kv) * d.Hv; }
  // Whether query t of pair (b, n) keeps key s.
  __device__ bool keep(int64_t b, int64_t n, int64_t t, int64_t s) const {
    if (causal && s > t) return false;
    if (!mask) return true;
    return mask[(((d.mB == 1 ? 0 : b) * d.mN + (d.mN == 1 ? 0 : n)) * d.T + t) * d.S + s];
  }
  // The end of the keys query t reads (the causal mask alone: up to t).
  __device__ int64_t key_end(int64_t t) const { return causal && !mask ? (t + 1 < d.S ? t + 1 : d.S) : d.S; }
  // The logit of query row q for key row k: scale * q . k (rounded to T, as the CPU's
  // product), mask_value where masked.
  __device__ double logit(const T* q, const T* k, bool kept) const;
};

template <class T>
__device__ double dot(const T* x, const T* y, int64_t n) {  // every lane holds the sum
  double s = 0.0;
  for (int64_t h = threadIdx.x; h < n; h += 32) s += double(x[h]) * double(y[h]);
  return warp_sum(s);
}

template <class T>
__device__ double FlashArgs<T>::logit(const T* q, const T* k, bool kept) const {
  const T l = T(dot(q, k, d.H));  // (every lane runs the sum, kept or not)
  return kept ? double(l * scale) : double(mask_value);
}

template <class T>
__global__ void forward_kernel(FlashArgs<T> a, const T* q, const T* k, const T* v, T* out, T* lse, double* stats) {
  const AttentionDims& d = a.d;
  const int64_t rows = d.B * d.N * d.T;  // row r = (b * N + n) * T + t, as lse
  const double inf = ::cuda::std::numeric_limits<double>::infinity();
  for (int64_t r = int64_t(blockIdx.x) * kWarps + threadIdx.y; r < rows; r += int64_t(gridDim.x) * kWarps) {
    const int64_t p = r / d.T, t = r % d.T, b = p / d.N, n = p % d.N, kv = n / (d.N / d.K);
    const T* qr = q + a.q_at(b, t, n);
    T* orow = out + a.o_at(b, t, n);
    for (int64_t h = threadIdx.x; h < d.Hv; h += 32) orow[h] = T(0);
    double mx = -inf, sum = 0.0;
    for (int64_t s = 0, e = a.key_end(t); s < e; ++s) {
      const double l = a.logit(qr, k + a.k_at(b, s, kv), a.keep(b, n, t, s));
      const double mt = l > mx ? l : mx;
      const double corr = mx == -inf ? 0.0 : exp(mx - mt), w = exp(l - mt);
      sum = sum * corr + w;
      mx = mt;
      const T* vr = v + a.v_at(b, s, kv);
      for (int64_t h = threadIdx.x; h < d.Hv; h += 32) orow[h] = T(double(orow[h]) * corr + w * double(vr[h]));
    }
    const double inv = sum > 0 ? 1.0 / sum : 0.0;
    for (int64_t h = threadIdx.x; h < d.Hv; h += 32) orow[h] = T(double(orow[h]) * inv);
    if (threadIdx.x == 0) {
      lse[r] = sum > 0 ? T(mx + log(sum)) : -::cuda::std::numeric_limits<T>::infinity();
      stats[2 * r] = mx;
      stats[2 * r + 1] = sum;
    }
  }
}

// The weight p of query row r for a logit l, from the forward's stats.
__device__ double weight(const double* stats, int64_t r, double l) {
  const double sum = stats[2 * r + 1];
  return sum > 0 ? exp(l - stats[2 * r]) / sum : 0.0;
}

template <class T>
__global__ void dq_kernel(FlashArgs<T> a, const T* dout, const T* q, const T* k, const T* v, const T* out,
                          const double* stats, const T* dlse, T* dq) {
  const AttentionDims& d = a.d;
  const int64_t rows = d.B * d.N * d.T;
  for (int64_t r = int64_t(blockIdx.x) * kWarps + threadIdx.y; r < rows; r += int64_t(gridDim.x) * kWarps) {
    const int64_t p = r / d.T, t = r % d.T, b = p / d.N, n = p % d.N, kv = n / (d.N / d.K);
    const T *qr = q + a.q_at(b, t, n), *dor = dout + a.o_at(b, t, n);
    const double shift = dot(dor, out + a.o_at(b, t, n), d.Hv) - double(dlse[r]);
    T* dqr = dq + a.q_at(b, t, n);
    for (int64_t h = threadIdx.x; h < d.H; h += 32) dqr[h] = T(0);
    for (int64_t s = 0, e = a.key_end(t); s < e; ++s) {
      const bool kept = a.keep(b, n, t, s);
      const T* kr = k + a.k_at(b, s, kv);
      const double w = weight(stats, r, a.logit(qr, kr, kept));
      if (!kept) continue;  // ds = 0
      const double ds = double(a.scale) * w * (dot(dor, v + a.v_at(b, s, kv), d.Hv) - shift);
      for (int64_t h = threadIdx.x; h < d.H; h += 32) dqr[h] = T(double(dqr[h]) + ds * double(kr[h]));
    }
  }
}

template <class T>
__global__ void dkv_kernel(FlashArgs<T> a, const T* dout, const T* q, const T* k, const T* v, const T* out,
                           const double* stats, const T* dlse, T* dk, T* dv) {
  const AttentionDims& d = a.d;
  const int64_t rows = d.B * d.K * d.S, G = d.N / d.K;  // key row r = (b * K + kv) * S + s
  for (int64_t r = int64_t(blockIdx.x) * kWarps + threadIdx.y; r < rows; r += int64_t(gridDim.x) * kWarps) {
    const int64_t b = r / (d.K * d.S), kv = r / d.S % d.K, s = r % d.S;
    const T *kr = k + a.k_at(b, s, kv), *vr = v + a.v_at(b, s, kv);
    T *dkr = dk + a.k_at(b, s, kv), *dvr = dv + a.v_at(b, s, kv);
    for (int64_t h = threadIdx.x; h < d.H; h += 32) dkr[h] = T(0);
    for (int64_t h = threadIdx.x; h < d.Hv; h += 32) dvr[h] = T(0);
    for (int64_t n = kv * G; n < (kv + 1) * G; ++n)
      for (int64_t t = a.causal && !a.mask ? s : 0; t < d.T; ++t) {
        const int64_t row = (b * d.N + n) * d.T + t;
        const bool kept = a.keep(b, n, t, s);
        const T *qr = q + a.q_at(b, t, n), *dor = dout + a.o_at(b, t, n);
        const double w = weight(stats, row, a.logit(qr, kr, kept));
        for (int64_t h = threadIdx.x; h < d.Hv; h += 32) dvr[h] = T(double(dvr[h]) + w * double(dor[h]));
        if (!kept) continue;
        const double shift = dot(dor, out + a.o_at(b, t, n), d.Hv) - double(dlse[row]);
        const double ds = double(a.scale) * w * (dot(dor, vr, d.Hv) - shift);
        for (int64_t h = threadIdx.x; h < d.H; h += 32) dkr[h] = T(double(dkr[h]) + ds * double(qr[h]));
      }
  }
}

unsigned blocks_for(int64_t rows) {
  const int64_t blocks = (rows + kWarps - 1) / kWarps;
  return unsigned(blocks > 65535 * 8 ? 65535 * 8 : blocks);
}

template <class T>
FlashArgs<T> args_of(const AttentionDims& d, double scale, double mask_value, const bool* mask, bool causal) {
  return FlashArgs<T>{d, T(scale), T(mask_value), mask, causal};
}

}  // namespace

void flash_attention_forward(Dt dt, const AttentionDims& d, double scale, double mask_value, bool causal, const void* q,
                             const void* k, const void* v, const bool* mask, void* out, void* lse, double* stats,
                             int device) {
  const int64_t rows = d.B * d.N * d.T;
  if (rows == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>)
      forward_kernel<T><<<blocks_for(rows), dim3(32, kWarps), 0, st>>>(
          args_of<T>(d, scale, mask_value, mask, causal), static_cast<const T*>(q), static_cast<const T*>(k),
          static_cast<const T*>(v), static_cast<T*>(out), static_cast<T*>(lse), stats);
  });
  check_launch("flash_attention", device);
}

void flash_attention_backward(Dt dt, const AttentionDims& d, double scale, double mask_value, bool causal,
                              const void* dout, const void* q, const void* k, const void* v, const void* out,
                              const double* stats, const void* dlse, const bool* mask, void* dq, void* dk, void* dv,
                              int device) {
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  const int64_t q_rows = d.B * d.N * d.T, k_rows = d.B * d.K * d.S;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const FlashArgs<T> a = args_of<T>(d, scale, mask_value, mask, causal);
      const T *g = static_cast<const T*>(dout), *qp = static_cast<const T*>(q), *kp = static_cast<const T*>(k),
              *vp = static_cast<const T*>(v), *op = static_cast<const T*>(out), *dl = static_cast<const T*>(dlse);
      if (q_rows > 0)
        dq_kernel<T>
            <<<blocks_for(q_rows), dim3(32, kWarps), 0, st>>>(a, g, qp, kp, vp, op, stats, dl, static_cast<T*>(dq));
      if (k_rows > 0)
        dkv_kernel<T><<<blocks_for(k_rows), dim3(32, kWarps), 0, st>>>(a, g, qp, kp, vp, op, stats, dl,
                                                                       static_cast<T*>(dk), static_cast<T*>(dv));
    }
  });
  check_launch("flash_attention_grad", device);
}

}  // namespace keras::core::cuda
