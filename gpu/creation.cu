// creation.cu - CUDA kernels of range, linspace and eye (launchers declared in
// gpu/kernels.h), with the CPU kernels' arithmetic (core/cpu/creation.cpp): integer ranges
// exact in wrapping 64-bit arithmetic, float values computed in double (a product and a
// sum rounded separately, as on the CPU: no fused multiply-add) and converted to the dtype
// as a cast does.
#include <cstdint>
#include <type_traits>

#include "gpu/context.cuh"
#include "gpu/elementwise.cuh"
#include "gpu/kernels.h"

namespace keras::core::cuda {
namespace {

template <class T>
__global__ void int_range_kernel(T* y, int64_t n, uint64_t start, uint64_t delta) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = static_cast<T>(static_cast<int64_t>(start + uint64_t(i) * delta));
}

template <class T>
__global__ void float_range_kernel(T* y, int64_t n, double start, double delta) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = convert_one<T>(__dadd_rn(start, __dmul_rn(double(i), delta)));
}

template <class T>
__global__ void linspace_kernel(T* y, int64_t n, double start, double stop, double step) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    double v = (i == n - 1 && n > 1) ? stop : __dadd_rn(start, __dmul_rn(double(i), step));
    if constexpr (std::is_integral_v<T>) v = floor(v);
    y[i] = convert_one<T>(v);
  }
}

template <class T>
__global__ void eye_kernel(T* y, int64_t rows, int64_t cols) {
  const int64_t n = rows * cols;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = convert_one<T>(i / cols == i % cols ? 1.0 : 0.0);
}

}  // namespace

void range_fill(Dt dt, void* y, int64_t n, double start, double delta, int64_t istart, int64_t idelta, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>)
      float_range_kernel<T><<<grid_for(n), kBlock, 0, st>>>(static_cast<T*>(y), n, start, delta);
    else if constexpr (!std::is_same_v<T, bool>)
      int_range_kernel<T><<<grid_for(n), kBlock, 0, st>>>(static_cast<T*>(y), n, uint64_t(istart), uint64_t(idelta));
  });
  check_launch("range", device);
}

void linspace_fill(Dt dt, void* y, int64_t n, double start, double stop, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  const double step = n > 1 ? (stop - start) / static_cast<double>(n - 1) : 0.0;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    linspace_kernel<T><<<grid_for(n), kBlock, 0, st>>>(static_cast<T*>(y), n, start, stop, step);
  });
  check_launch("linspace", device);
}

void eye_fill(Dt dt, void* y, int64_t rows, int64_t cols, int device) {
  if (rows == 0 || cols == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    eye_kernel<T><<<grid_for(rows * cols), kBlock, 0, st>>>(static_cast<T*>(y), rows, cols);
  });
  check_launch("eye", device);
}

}  // namespace keras::core::cuda
