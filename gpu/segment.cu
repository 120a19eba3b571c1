// segment.cu - CUDA kernels of unsorted_segment_max / _min / _prod (launcher declared in
// gpu/kernels.h). data is seen as (n, inner) and the output as (segments, inner): the
// output starts at the reduction's identity (the lowest / highest finite value, 1: what
// an empty segment keeps, as on the CPU, core/cpu/segment.cpp), then one thread per data
// element folds it into its segment's element with a compare-and-swap loop (uint8 through
// the aligned 32-bit word that holds it). max and min propagate NaN (a NaN stays once
// folded in) and are exact in any order, as are integer products (wrapping, unsigned
// arithmetic); float products are rounded in the order the threads arrive, so they may
// differ from the CPU's row order in their last bits (or where an intermediate product
// overflows), and a segment of -0 and +0 may keep either zero.
#include <cstdint>
#include <cstring>
#include <type_traits>

#include <cuda/std/limits>

#include "gpu/context.cuh"
#include "gpu/kernels.h"
#include "gpu/math_scalar.cuh"

namespace keras::core::cuda {
namespace {

template <class T>
__device__ void atomic_fold(SegOp op, T* p, T v) {
  if constexpr (sizeof(T) == 1) {
    // The aligned word holding *p (inside the same 256-byte-aligned allocation granule);
    // the other three bytes are written back unchanged.
    auto* w = reinterpret_cast<unsigned int*>(reinterpret_cast<uintptr_t>(p) & ~uintptr_t(3));
    const unsigned sh = unsigned(reinterpret_cast<uintptr_t>(p) & 3) * 8;
    unsigned old = *w;
    while (true) {
      const T cur = T((old >> sh) & 0xffu);
      const T next = segment_fold(op, cur, v);
      if (next == cur) return;
      const unsigned nw = (old & ~(0xffu << sh)) | (unsigned(next) << sh);
      const unsigned prev = atomicCAS(w, old, nw);
      if (prev == old) return;
      old = prev;
    }
  } else {
    using B = std::conditional_t<sizeof(T) == 4, unsigned int, unsigned long long>;
    B* w = reinterpret_cast<B*>(p);
    B old = *w;
    while (true) {
      T cur;
      memcpy(&cur, &old, sizeof(T));
      const T next = segment_fold(op, cur, v);
      B nb;
      memcpy(&nb, &next, sizeof(T));
      if (nb == old) return;
      const B prev = atomicCAS(w, old, nb);
      if (prev == old) return;
      old = prev;
    }
  }
}

template <class T>
__global__ void init_kernel(SegOp op, T* y, int64_t n) {
  const T v = op == SegOp::Max ? ::cuda::std::numeric_limits<T>::lowest()
                               : (op == SegOp::Min ? ::cuda::std::numeric_limits<T>::max() : T(1));
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = v;
}

template <class T>
__global__ void fold_kernel(SegOp op, const T* x, const void* ids, bool ids64, T* y, int64_t total, int64_t inner) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t row = i / inner, k = i % inner;
    const int64_t id = ids64 ? static_cast<const int64_t*>(ids)[row] : static_cast<const int32_t*>(ids)[row];
    atomic_fold(op, y + id * inner + k, x[i]);
  }
}

}  // namespace

void segment_reduce(SegOp op, Dt dt, const void* data, const void* ids, bool ids64, void* y, int64_t n,
                    int64_t segments, int64_t inner, int device) {
  const int64_t out = segments * inner, total = n * inner;
  if (out == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      init_kernel<T><<<grid_for(out), kBlock, 0, st>>>(op, static_cast<T*>(y), out);
      if (total > 0)
        fold_kernel<T><<<grid_for(total), kBlock, 0, st>>>(op, static_cast<const T*>(data), ids, ids64,
                                                           static_cast<T*>(y), total, inner);
    }
  });
  check_launch("segment_reduce", device);
}

}  // namespace keras::core::cuda
