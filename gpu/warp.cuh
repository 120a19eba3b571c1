// warp.cuh - (CUDA-internal, included by gpu/*.cu only) reductions across the 32 lanes of
// a warp by a fixed butterfly (__shfl_xor_sync), so every lane holds the result and the
// order of the additions does not change from run to run.
#pragma once
#include <cuda_runtime.h>

namespace keras::core::cuda {

/// The sum of v over the warp's lanes (in double).
__device__ inline double warp_sum(double v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

/// The max of v over the warp's lanes; a NaN never wins (as the CPU's row max).
template <class T>
__device__ inline T warp_max(T v) {
  for (int o = 16; o > 0; o >>= 1) {
    const T w = __shfl_xor_sync(0xffffffffu, v, o);
    v = w > v ? w : v;
  }
  return v;
}

}  // namespace keras::core::cuda
