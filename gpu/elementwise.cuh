// elementwise.cuh - (CUDA-internal, included by gpu/*.cu only) the device helpers the
// elementwise kernel families share: the offsets of output element i in up to three
// broadcast inputs (Strided, gpu/kernels.h), the element count of a Strided, and the
// CPU's conversion of one value (float -> integer saturates, NaN -> 0; to bool: != 0).
#pragma once
#include <cstdint>
#include <type_traits>

#include <cuda/std/limits>

#include "gpu/kernels.h"

namespace keras::core::cuda {

/// Element offsets of output element i in each of the first `inputs` operands of s.
struct Offsets {
  int64_t o[3];
};

__device__ inline Offsets offsets_of(const Strided& s, int64_t i, int inputs) {
  Offsets r{{0, 0, 0}};
  for (int d = s.rank - 1; d >= 0; --d) {
    const int64_t q = i % s.dims[d];
    i /= s.dims[d];
    for (int k = 0; k < inputs; ++k) r.o[k] += q * s.strides[k][d];
  }
  return r;
}

/// The number of output elements of s.
inline int64_t count_of(const Strided& s) {
  int64_t n = 1;
  for (int d = 0; d < s.rank; ++d) n *= s.dims[d];
  return n;
}

/// v converted to D as the CPU's cast does.
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
