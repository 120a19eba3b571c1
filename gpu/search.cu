// search.cu - the CUDA kernel of searchsorted (launcher declared in gpu/kernels.h): one
// thread per value bisects the sorted sequence with the steps of libstdc++'s
// std::lower_bound / std::upper_bound, which the CPU kernel (core/cpu/search.cpp) calls, so
// both devices give the same position for every value, NaN included (left: 0, right: n),
// and even for a sequence that is not sorted.
#include <cstdint>
#include <type_traits>

#include "gpu/context.cuh"
#include "gpu/kernels.h"
#include "gpu/math_scalar.cuh"

namespace keras::core::cuda {
namespace {

template <class T>
__global__ void search_kernel(const T* seq, int64_t n, const T* vals, int32_t* out, int64_t m, bool right) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < m; i += int64_t(gridDim.x) * blockDim.x) {
    out[i] = static_cast<int32_t>(search_position(seq, n, vals[i], right));
  }
}

}  // namespace

void search_sorted(Dt dt, const void* seq, int64_t n, const void* vals, int32_t* out, int64_t m, bool right,
                   int device) {
  if (m == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>)
      search_kernel<T><<<grid_for(m), kBlock, 0, st>>>(static_cast<const T*>(seq), n, static_cast<const T*>(vals),
                                                       out, m, right);
  });
  check_launch("searchsorted", device);
}

}  // namespace keras::core::cuda
