// convert.cuh - (CUDA-internal) one element converted as the CPU's cast converts it:
// to bool, v != 0; float to integer saturating, NaN to 0; otherwise a C++ conversion.
#pragma once
#include <cuda/std/limits>

#include <type_traits>

namespace keras::core::cuda {

template <class D, class S>
__device__ D convert_one(S v) {
  if constexpr (std::is_same_v<D, bool>) {
    return v != S(0);
  } else if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D>) {
    if (v != v) return D(0);
    if (v <= static_cast<S>(::cuda::std::numeric_limits<D>::lowest())) return ::cuda::std::numeric_limits<D>::lowest();
    if (v >= static_cast<S>(::cuda::std::numeric_limits<D>::max())) return ::cuda::std::numeric_limits<D>::max();
    return static_cast<D>(v);
  } else {
    return static_cast<D>(v);
  }
}

}  // namespace keras::core::cuda
