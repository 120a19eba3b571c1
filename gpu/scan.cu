// scan.cu - CUDA kernels of cumsum and cumprod (launcher declared in gpu/kernels.h). x is
// seen as (outer, n, inner) around the scanned axis; one thread walks one line down the
// axis, folding each element into the previous result in the CPU kernel's order
// (core/cpu/scan.cpp), so float results have the same bits; integers wrap around (the
// arithmetic is unsigned, without undefined behaviour).
#include <cstdint>
#include <type_traits>

#include "gpu/context.cuh"
#include "gpu/kernels.h"
#include "gpu/math_scalar.cuh"

namespace keras::core::cuda {
namespace {

template <class T>
__global__ void scan_kernel(bool prod, const T* x, T* y, int64_t lines, int64_t n, int64_t inner) {
  for (int64_t l = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; l < lines; l += int64_t(gridDim.x) * blockDim.x) {
    const int64_t base = (l / inner) * n * inner + l % inner;
    T acc = x[base];
    y[base] = acc;
    for (int64_t j = 1; j < n; ++j) {
      acc = scan_step(prod, acc, x[base + j * inner]);
      y[base + j * inner] = acc;
    }
  }
}

}  // namespace

void scan(bool prod, Dt dt, const void* x, void* y, int64_t outer, int64_t n, int64_t inner, int device) {
  const int64_t lines = outer * inner;
  if (lines == 0 || n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>)
      scan_kernel<T><<<grid_for(lines), kBlock, 0, st>>>(prod, static_cast<const T*>(x), static_cast<T*>(y), lines,
                                                         n, inner);
  });
  check_launch("scan", device);
}

}  // namespace keras::core::cuda
