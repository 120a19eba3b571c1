// batch_norm.cu - the CUDA launchers of the fused batch-normalization ops (gpu/batch_norm.h):
// float32 on cuDNN where it fits (gpu/batch_norm_cudnn.cu), else, and for float64 or with
// KERAS_CPP_CUDNN=0, the direct kernels below, which follow the CPU kernels
// (core/cpu/batch_norm.cpp): per-channel sums in double over fixed slices of rows
// (shifted by the first row for the variance), combined in slice order, then one
// elementwise pass per channel coefficients.
#include <algorithm>
#include <cstdint>

#include "gpu/batch_norm.h"
#include "gpu/batch_norm_cudnn.cuh"
#include "gpu/context.cuh"

namespace keras::core::cuda {
namespace {

constexpr int kTx = 32, kTy = 8;  // a block: 32 channels x 8 rows

// Slices of rows (gridDim.y), each summed by one block column.
int64_t slices_for(int64_t rows) { return std::min<int64_t>(256, std::max<int64_t>(1, (rows + 63) / 64)); }

// part[slice][0][c] and part[slice][1][c]: sums over the slice's rows of
//   Stats: (x - x[0]) and (x - x[0])^2;   Grad: dy and dy * (x - mean).
template <class T, bool kGrad>
__global__ void sums_kernel(const T* x, const T* dy, const T* mean, int64_t rows, int64_t ch, double* part) {
  __shared__ double sh[2][kTy][kTx];
  const int64_t c = int64_t(blockIdx.x) * kTx + threadIdx.x;
  double s = 0.0, q = 0.0;
  if (c < ch) {
    const double k = kGrad ? double(mean[c]) : double(x[c]);
    for (int64_t r = int64_t(blockIdx.y) * kTy + threadIdx.y; r < rows; r += int64_t(gridDim.y) * kTy) {
      const double d = double(x[r * ch + c]) - k;
      if (kGrad) {
        const double g = double(dy[r * ch + c]);
        s += g;
        q += g * d;
      } else {
        s += d;
        q += d * d;
      }
    }
  }
  sh[0][threadIdx.y][threadIdx.x] = s;
  sh[1][threadIdx.y][threadIdx.x] = q;
  __syncthreads();
  if (threadIdx.y == 0 && c < ch) {
    for (int i = 1; i < kTy; ++i) s += sh[0][i][threadIdx.x], q += sh[1][i][threadIdx.x];
    double* out = part + int64_t(blockIdx.y) * 2 * ch;
    out[c] = s;
    out[ch + c] = q;
  }
}

// Training statistics and the coefficients y = x * a + b.
template <class T>
__global__ void stats_kernel(const double* part, int64_t slices, const T* x, const T* scale, const T* offset,
                             int64_t rows, int64_t ch, double eps, T* mean, T* var, T* inv, T* a, T* b) {
  for (int64_t c = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; c < ch; c += int64_t(gridDim.x) * blockDim.x) {
    double s = 0.0, q = 0.0;
    for (int64_t i = 0; i < slices; ++i) s += part[i * 2 * ch + c], q += part[i * 2 * ch + ch + c];
    const double n = double(rows), ds = s / n;
    const double m = double(x[c]) + ds, v = fmax(0.0, q / n - ds * ds), iv = 1.0 / sqrt(v + eps);
    mean[c] = T(m), var[c] = T(v), inv[c] = T(iv);
    a[c] = T(double(scale[c]) * iv);
    b[c] = T(double(offset[c]) - m * double(scale[c]) * iv);
  }
}

template <class T>
__global__ void inference_coef_kernel(const T* scale, const T* offset, const T* mean, const T* var, int64_t ch,
                                      double eps, T* a, T* b) {
  for (int64_t c = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; c < ch; c += int64_t(gridDim.x) * blockDim.x) {
    const double s = double(scale[c]) / sqrt(double(var[c]) + eps);
    a[c] = T(s);
    b[c] = T(double(offset[c]) - double(mean[c]) * s);
  }
}

template <class T>
__global__ void affine_kernel(const T* x, const T* a, const T* b, int64_t n, int64_t ch, T* y) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t c = i % ch;
    y[i] = x[i] * a[c] + b[c];
  }
}

// The backward coefficients dx = a*dy + b*(x - mean) + d, and dscale, doffset. With
// `sums` null, dscale and doffset are already there (cuDNN's) and only dmean/dvar's
// terms are wanted (a = 0).
template <class T>
__global__ void grad_coef_kernel(const double* part, int64_t slices, const T* scale, const T* inv, const T* dmean,
                                 const T* dvar, int64_t rows, int64_t ch, bool training, T* dscale, T* doffset, T* a,
                                 T* b, T* d) {
  for (int64_t c = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; c < ch; c += int64_t(gridDim.x) * blockDim.x) {
    const double n = rows > 0 ? double(rows) : 1.0;
    double bj = 0.0, dj = 0.0;
    if (part != nullptr) {
      double sdy = 0.0, s = 0.0;
      for (int64_t i = 0; i < slices; ++i) sdy += part[i * 2 * ch + c], s += part[i * 2 * ch + ch + c];
      const double iv = double(inv[c]), gi = double(scale[c]) * iv;
      dscale[c] = T(s * iv);
      doffset[c] = T(sdy);
      a[c] = T(gi);
      if (training) bj = -gi * iv * iv * s / n, dj = -gi * sdy / n;
    } else {
      a[c] = T(0);
    }
    if (dmean != nullptr) dj += double(dmean[c]) / n, bj += 2.0 * double(dvar[c]) / n;
    b[c] = T(bj), d[c] = T(dj);
  }
}

// dx = a*dy + b*(x - mean) + d; `accumulate`: dx += b*(x - mean) + d (after cuDNN).
template <class T>
__global__ void grad_apply_kernel(const T* dy, const T* x, const T* mean, const T* a, const T* b, const T* d,
                                  int64_t n, int64_t ch, bool accumulate, T* dx) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t c = i % ch;
    const T v = b[c] * (x[i] - mean[c]) + d[c];
    dx[i] = accumulate ? dx[i] + v : a[c] * dy[i] + v;
  }
}

template <class T>
__global__ void fill_kernel(T* p, int64_t n, T v) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) p[i] = v;
}

template <class F>
void floats(Dt dt, F f) {
  if (dt == Dt::f32) f(float{});
  else f(double{});
}

}  // namespace

void batch_norm_train(Dt dt, int64_t rows, int64_t ch, double eps, const void* x, const void* scale,
                      const void* offset, void* y, void* mean, void* var, void* inv, int device) {
  if (ch == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t s = context(device).stream;
  floats(dt, [&](auto tag) {
    using T = decltype(tag);
    if (rows == 0) {  // no statistics: NaN, as the CPU kernel
      for (void* p : {mean, var, inv}) fill_kernel<T><<<grid_for(ch), kBlock, 0, s>>>(static_cast<T*>(p), ch, T(NAN));
      return;
    }
    if constexpr (sizeof(T) == 4)
      if (cudnn_batch_norm_train(rows, ch, eps, static_cast<const float*>(x), static_cast<const float*>(scale),
                                 static_cast<const float*>(offset), static_cast<float*>(y), static_cast<float*>(mean),
                                 static_cast<float*>(var), static_cast<float*>(inv), device))
        return;
    const int64_t slices = slices_for(rows);
    DeviceScratch part(size_t(slices * 2 * ch) * sizeof(double), device);
    DeviceScratch coef(size_t(2 * ch) * sizeof(T), device);
    T *a = coef.as<T>(), *b = a + ch;
    const dim3 grid(unsigned((ch + kTx - 1) / kTx), unsigned(slices)), block(kTx, kTy);
    sums_kernel<T, false><<<grid, block, 0, s>>>(static_cast<const T*>(x), nullptr, nullptr, rows, ch, part.as<double>());
    stats_kernel<T><<<grid_for(ch), kBlock, 0, s>>>(part.as<double>(), slices, static_cast<const T*>(x),
                                                    static_cast<const T*>(scale), static_cast<const T*>(offset), rows,
                                                    ch, eps, static_cast<T*>(mean), static_cast<T*>(var),
                                                    static_cast<T*>(inv), a, b);
    affine_kernel<T><<<grid_for(rows * ch), kBlock, 0, s>>>(static_cast<const T*>(x), a, b, rows * ch, ch,
                                                            static_cast<T*>(y));
  });
  check_launch("fused_batch_norm", device);
}

void batch_norm_inference(Dt dt, int64_t rows, int64_t ch, double eps, const void* x, const void* scale,
                          const void* offset, const void* mean, const void* var, void* y, int device) {
  if (rows == 0 || ch == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t s = context(device).stream;
  floats(dt, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (sizeof(T) == 4)
      if (cudnn_batch_norm_inference(rows, ch, eps, static_cast<const float*>(x), static_cast<const float*>(scale),
                                     static_cast<const float*>(offset), static_cast<const float*>(mean),
                                     static_cast<const float*>(var), static_cast<float*>(y), device))
        return;
    DeviceScratch coef(size_t(2 * ch) * sizeof(T), device);
    T *a = coef.as<T>(), *b = a + ch;
    inference_coef_kernel<T><<<grid_for(ch), kBlock, 0, s>>>(
        static_cast<const T*>(scale), static_cast<const T*>(offset), static_cast<const T*>(mean),
        static_cast<const T*>(var), ch, eps, a, b);
    affine_kernel<T><<<grid_for(rows * ch), kBlock, 0, s>>>(static_cast<const T*>(x), a, b, rows * ch, ch,
                                                            static_cast<T*>(y));
  });
  check_launch("fused_batch_norm_inference", device);
}

void batch_norm_backward(Dt dt, int64_t rows, int64_t ch, bool training, const void* dy, const void* x,
                         const void* scale, const void* mean, const void* inv, const void* dmean, const void* dvar,
                         void* dx, void* dscale, void* doffset, int device) {
  if (ch == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t s = context(device).stream;
  floats(dt, [&](auto tag) {
    using T = decltype(tag);
    const T *dyp = static_cast<const T*>(dy), *xp = static_cast<const T*>(x), *mp = static_cast<const T*>(mean);
    DeviceScratch coef(size_t(3 * ch) * sizeof(T), device);
    T *a = coef.as<T>(), *b = a + ch, *d = b + ch;
    bool done = false;
    if constexpr (sizeof(T) == 4)
      done = training && cudnn_batch_norm_backward(rows, ch, dyp, xp, static_cast<const float*>(scale), mp,
                                                   static_cast<const float*>(inv), static_cast<float*>(dx),
                                                   static_cast<float*>(dscale), static_cast<float*>(doffset), device);
    if (done) {  // cuDNN's dx, plus what flowed into the batch statistics
      if (dmean == nullptr) return;
      grad_coef_kernel<T><<<grid_for(ch), kBlock, 0, s>>>(
          nullptr, 0, static_cast<const T*>(scale), static_cast<const T*>(inv), static_cast<const T*>(dmean),
          static_cast<const T*>(dvar), rows, ch, training, nullptr, nullptr, a, b, d);
      grad_apply_kernel<T><<<grid_for(rows * ch), kBlock, 0, s>>>(dyp, xp, mp, a, b, d, rows * ch, ch, true,
                                                                  static_cast<T*>(dx));
      return;
    }
    const int64_t slices = slices_for(rows);
    DeviceScratch part(size_t(slices * 2 * ch) * sizeof(double), device);
    const dim3 grid(unsigned((ch + kTx - 1) / kTx), unsigned(slices)), block(kTx, kTy);
    sums_kernel<T, true><<<grid, block, 0, s>>>(xp, dyp, mp, rows, ch, part.as<double>());
    grad_coef_kernel<T><<<grid_for(ch), kBlock, 0, s>>>(
        part.as<double>(), slices, static_cast<const T*>(scale), static_cast<const T*>(inv),
        static_cast<const T*>(dmean), static_cast<const T*>(dvar), rows, ch, training, static_cast<T*>(dscale),
        static_cast<T*>(doffset), a, b, d);
    if (rows > 0)
      grad_apply_kernel<T><<<grid_for(rows * ch), kBlock, 0, s>>>(dyp, xp, mp, a, b, d, rows * ch, ch, false,
                                                                  static_cast<T*>(dx));
  });
  check_launch("fused_batch_norm_grad", device);
}

}  // namespace keras::core::cuda
