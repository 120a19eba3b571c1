// nn.cu - softmax, log_softmax, the fused softmax cross-entropies and one_hot on CUDA
// (launchers declared in gpu/kernels.h), one thread per row, with the CPU kernels'
// arithmetic (core/cpu/nn.cpp): the row max, exponentials of the differences summed in
// double, the result scaled by the reciprocal of the sum (softmax) or shifted by the log
// of it (log_softmax, the cross-entropies).
#include <cstdint>
#include <type_traits>

#include <cuda/std/limits>

#include "gpu/context.cuh"
#include "gpu/kernels.h"

namespace keras::core::cuda {
namespace {

template <class T>
__global__ void softmax_kernel(bool lg, const T* x, T* y, int64_t outer, int64_t n, int64_t inner) {
  const int64_t rows = outer * inner;
  for (int64_t r = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; r < rows; r += int64_t(gridDim.x) * blockDim.x) {
    const int64_t base = (r / inner) * n * inner + (r % inner);
    T m = -::cuda::std::numeric_limits<T>::infinity();
    for (int64_t k = 0; k < n; ++k) {
      const T v = x[base + k * inner];
      m = v > m ? v : m;
    }
    double s = 0.0;
    for (int64_t k = 0; k < n; ++k) s += static_cast<double>(exp(x[base + k * inner] - m));
    if (lg) {
      const T ls = static_cast<T>(log(s));
      for (int64_t k = 0; k < n; ++k) y[base + k * inner] = (x[base + k * inner] - m) - ls;
    } else {
      const T inv = static_cast<T>(1.0 / s);
      for (int64_t k = 0; k < n; ++k) y[base + k * inner] = exp(x[base + k * inner] - m) * inv;
    }
  }
}

template <class T>
__device__ void row_stats(const T* p, int64_t classes, T& m, double& ls) {
  m = -::cuda::std::numeric_limits<T>::infinity();
  for (int64_t i = 0; i < classes; ++i) m = p[i] > m ? p[i] : m;
  double s = 0.0;
  for (int64_t i = 0; i < classes; ++i) s += static_cast<double>(exp(p[i] - m));
  ls = log(s);
}

template <class T, class L>
__global__ void sparse_xent_kernel(const L* lab, const T* x, T* out, int64_t rows, int64_t classes) {
  for (int64_t r = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; r < rows; r += int64_t(gridDim.x) * blockDim.x) {
    const T* p = x + r * classes;
    T m;
    double ls;
    row_stats(p, classes, m, ls);
    out[r] = static_cast<T>(ls - static_cast<double>(p[static_cast<int64_t>(lab[r])] - m));
  }
}

template <class T>
__global__ void dense_xent_kernel(const T* lab, const T* x, T* out, int64_t rows, int64_t classes) {
  for (int64_t r = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; r < rows; r += int64_t(gridDim.x) * blockDim.x) {
    if (classes == 0) {
      out[r] = T(0);
      continue;
    }
    const T* p = x + r * classes;
    const T* l = lab + r * classes;
    T m;
    double ls;
    row_stats(p, classes, m, ls);
    double loss = 0.0;
    for (int64_t i = 0; i < classes; ++i)
      if (l[i] != T(0)) loss += static_cast<double>(l[i]) * (ls - static_cast<double>(p[i] - m));
    out[r] = static_cast<T>(loss);
  }
}

template <class T, class I>
__global__ void one_hot_kernel(const I* idx, T* out, int64_t outer, int64_t depth, int64_t inner, T on, T off) {
  const int64_t total = outer * depth * inner;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t e = i % inner, d = (i / inner) % depth, o = i / (inner * depth);
    out[i] = static_cast<int64_t>(idx[o * inner + e]) == d ? on : off;
  }
}

}  // namespace

void softmax(Dt dt, bool log, const void* x, void* y, int64_t outer, int64_t n, int64_t inner, int device) {
  if (outer * n * inner == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  const int64_t rows = outer * inner;
  if (dt == Dt::f32)
    softmax_kernel<float><<<grid_for(rows), kBlock, 0, st>>>(log, static_cast<const float*>(x), static_cast<float*>(y),
                                                             outer, n, inner);
  else
    softmax_kernel<double><<<grid_for(rows), kBlock, 0, st>>>(log, static_cast<const double*>(x),
                                                              static_cast<double*>(y), outer, n, inner);
  check_launch("softmax", device);
}

void sparse_xent(Dt dt, Dt label_dt, const void* labels, const void* logits, void* loss, int64_t rows,
                 int64_t classes, int device) {
  if (rows == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      if (label_dt == Dt::i32)
        sparse_xent_kernel<T, int32_t><<<grid_for(rows), kBlock, 0, st>>>(
            static_cast<const int32_t*>(labels), static_cast<const T*>(logits), static_cast<T*>(loss), rows, classes);
      else
        sparse_xent_kernel<T, int64_t><<<grid_for(rows), kBlock, 0, st>>>(
            static_cast<const int64_t*>(labels), static_cast<const T*>(logits), static_cast<T*>(loss), rows, classes);
    }
  });
  check_launch("sparse_softmax_cross_entropy_with_logits", device);
}

void dense_xent(Dt dt, const void* labels, const void* logits, void* loss, int64_t rows, int64_t classes,
                int device) {
  if (rows == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  if (dt == Dt::f32)
    dense_xent_kernel<float><<<grid_for(rows), kBlock, 0, st>>>(
        static_cast<const float*>(labels), static_cast<const float*>(logits), static_cast<float*>(loss), rows, classes);
  else
    dense_xent_kernel<double><<<grid_for(rows), kBlock, 0, st>>>(static_cast<const double*>(labels),
                                                                 static_cast<const double*>(logits),
                                                                 static_cast<double*>(loss), rows, classes);
  check_launch("softmax_cross_entropy_with_logits", device);
}

void one_hot(Dt out_dt, Dt idx_dt, const void* idx, void* out, int64_t outer, int64_t depth, int64_t inner,
             double on, double off, int device) {
  const int64_t total = outer * depth * inner;
  if (total == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_dt(out_dt, [&](auto o_tag) {
    using T = decltype(o_tag);
    by_dt(idx_dt, [&](auto i_tag) {
      using I = decltype(i_tag);
      if constexpr (std::is_integral_v<I> && !std::is_same_v<I, bool>)
        one_hot_kernel<T, I><<<grid_for(total), kBlock, 0, st>>>(static_cast<const I*>(idx), static_cast<T*>(out),
                                                                 outer, depth, inner, static_cast<T>(on),
                                                                 static_cast<T>(off));
    });
  });
  check_launch("one_hot", device);
}

}  // namespace keras::core::cuda
