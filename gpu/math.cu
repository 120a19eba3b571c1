// math.cu - CUDA kernels of the elementwise math ops (core/ops.def's math block, Erf ..
// Lcm; launchers declared in gpu/kernels.h): the float unary functions, signbit,
// bitwise_invert, and the binary float and integer ops with broadcasting (the Strided
// offsets of gpu/elementwise.cuh). The rules are those of the CPU kernels
// (core/cpu/math.cpp): erfinv, i0 and bessel_i1 run core/kernel_math.h's code in double
// and round to the dtype; the other float functions are CUDA's (the CPU's are xsimd's or
// libm's: the same values within the last bits); shift amounts clamp to [0, bits - 1];
// gcd and lcm work on magnitudes in unsigned arithmetic (lcm wraps like a product); an
// integer fmod by -1 gives 0 (no INT_MIN trap).
#include <cstdint>
#include <type_traits>

#include "core/kernel_math.h"
#include "gpu/context.cuh"
#include "gpu/elementwise.cuh"
#include "gpu/kernels.h"
#include "gpu/math_scalar.cuh"

namespace keras::core::cuda {
namespace {

// ---- unary ------------------------------------------------------------------------------
template <class T>
__global__ void float_math_kernel(MathOp op, const T* x, T* y, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = float_math(op, x[i]);
}

template <class T>
__global__ void signbit_kernel(const T* x, bool* y, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    if constexpr (std::is_floating_point_v<T>) y[i] = signbit(x[i]);
    else if constexpr (std::is_signed_v<T>) y[i] = x[i] < T(0);
    else y[i] = false;
  }
}

template <class T>
__global__ void invert_kernel(const T* x, T* y, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = T(~x[i]);
}

// ---- binary -----------------------------------------------------------------------------
template <class T>
__global__ void math_binary_kernel(MathOp op, const T* a, const T* b, T* out, Strided s, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const Offsets o = offsets_of(s, i, 2);
    if constexpr (std::is_floating_point_v<T>) out[i] = float_binary(op, a[o.o[0]], b[o.o[1]]);
    else out[i] = int_binary(op, a[o.o[0]], b[o.o[1]]);
  }
}

}  // namespace

void math_unary(MathOp op, Dt dt, const void* x, void* y, int64_t n, int device) {
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    if (op == MathOp::SignBit) {
      signbit_kernel<T><<<grid_for(n), kBlock, 0, st>>>(static_cast<const T*>(x), static_cast<bool*>(y), n);
    } else if (op == MathOp::BitwiseInvert) {
      if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
        invert_kernel<T><<<grid_for(n), kBlock, 0, st>>>(static_cast<const T*>(x), static_cast<T*>(y), n);
    } else if constexpr (std::is_floating_point_v<T>) {
      float_math_kernel<T><<<grid_for(n), kBlock, 0, st>>>(op, static_cast<const T*>(x), static_cast<T*>(y), n);
    }
  });
  check_launch("math_unary", device);
}

void math_binary(MathOp op, Dt dt, const void* a, const void* b, void* out, const Strided& s, int device) {
  const int64_t n = count_of(s);
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>)
      math_binary_kernel<T><<<grid_for(n), kBlock, 0, st>>>(op, static_cast<const T*>(a), static_cast<const T*>(b),
                                                            static_cast<T*>(out), s, n);
  });
  check_launch("math_binary", device);
}

}  // namespace keras::core::cuda
