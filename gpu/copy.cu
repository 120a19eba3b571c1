// copy.cu - the data-movement kernels (launchers declared in gpu/kernels.h): one strided
// copy that serves transpose, strided_slice, broadcast_to, tile, pad and concatenate
// (gpu/register_shape.cpp builds each one's strides), and the row gather of `gather`.
#include <cstdint>
#include <type_traits>

#include "gpu/context.cuh"
#include "gpu/kernels.h"

namespace keras::core::cuda {
namespace {

// Elements moved as opaque words of their size.
struct alignas(16) Word16 {
  unsigned long long lo, hi;
};

template <class W>
__global__ void copy_kernel(Copy d, const W* src, W* dst, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = i, so = 0, dso = 0;
    for (int k = d.rank - 1; k >= 0; --k) {
      const int64_t q = rest % d.dims[k];
      rest /= d.dims[k];
      so += q * d.src_strides[k];
      dso += q * d.dst_strides[k];
    }
    dst[dso] = src[so];
  }
}

template <class W>
__global__ void gather_kernel(const W* params, const void* idx, bool idx64, W* out, int64_t outer, int64_t n,
                              int64_t ni, int64_t inner) {
  const int64_t total = outer * ni * inner;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t e = i % inner, j = (i / inner) % ni, o = i / (inner * ni);
    const int64_t v = idx64 ? static_cast<const int64_t*>(idx)[j] : static_cast<const int32_t*>(idx)[j];
    out[i] = params[(o * n + v) * inner + e];
  }
}

template <class F>
void by_width(int elem_bytes, F f) {
  switch (elem_bytes) {
    case 1: return f(uint8_t{});
    case 2: return f(uint16_t{});
    case 4: return f(uint32_t{});
    case 8: return f(uint64_t{});
    default: return f(Word16{});
  }
}

}  // namespace

void strided_copy(int elem_bytes, const Copy& d, const void* src, void* dst, int device) {
  int64_t n = 1;
  for (int k = 0; k < d.rank; ++k) n *= d.dims[k];
  if (n == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_width(elem_bytes, [&](auto tag) {
    using W = decltype(tag);
    copy_kernel<W><<<grid_for(n), kBlock, 0, st>>>(d, static_cast<const W*>(src), static_cast<W*>(dst), n);
  });
  check_launch("strided copy", device);
}

void gather_rows(int elem_bytes, const void* params, const void* idx, bool idx64, void* out, int64_t outer,
                 int64_t n, int64_t ni, int64_t inner, int device) {
  const int64_t total = outer * ni * inner;
  if (total == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_width(elem_bytes, [&](auto tag) {
    using W = decltype(tag);
    gather_kernel<W><<<grid_for(total), kBlock, 0, st>>>(static_cast<const W*>(params), idx, idx64,
                                                         static_cast<W*>(out), outer, n, ni, inner);
  });
  check_launch("gather", device);
}

}  // namespace keras::core::cuda

namespace keras::core::cuda {
namespace {

template <class W>
__global__ void take_along_kernel(const W* x, const void* idx, bool idx64, W* y, int64_t outer, int64_t n, int64_t k,
                                  int64_t inner) {
  const int64_t total = outer * k * inner;
  for (int64_t u = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; u < total; u += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = u % inner, o = u / (k * inner);
    int64_t v = idx64 ? static_cast<const int64_t*>(idx)[u] : static_cast<const int32_t*>(idx)[u];
    if (v < 0) v += n;
    y[u] = x[(o * n + v) * inner + i];
  }
}

template <class T>
__device__ void atomic_add(T* p, T v) {
  if constexpr (std::is_same_v<T, int64_t>) {
    atomicAdd(reinterpret_cast<unsigned long long*>(p), static_cast<unsigned long long>(v));  // wraps
  } else if constexpr (std::is_same_v<T, uint8_t>) {
    // No byte atomics: a compare-and-swap of the aligned word holding *p (inside the same
    // 256-byte allocation granule), the other three bytes written back unchanged; the
    // byte wraps mod 256 as the CPU's uint8 sum, exact in any order.
    auto* w = reinterpret_cast<unsigned int*>(reinterpret_cast<uintptr_t>(p) & ~uintptr_t(3));
    const unsigned sh = unsigned(reinterpret_cast<uintptr_t>(p) & 3) * 8;
    unsigned old = *w, assumed;
    do {
      assumed = old;
      const unsigned byte = (((assumed >> sh) & 0xffu) + unsigned(v)) & 0xffu;
      old = atomicCAS(w, assumed, (assumed & ~(0xffu << sh)) | (byte << sh));
    } while (old != assumed);
  } else {
    atomicAdd(p, v);
  }
}

template <class T>
__global__ void segment_sum_kernel(const T* data, const void* ids, bool ids64, T* y, int64_t n, int64_t inner) {
  const int64_t total = n * inner;
  for (int64_t u = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; u < total; u += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = u / inner, j = u % inner;
    const int64_t s = ids64 ? static_cast<const int64_t*>(ids)[i] : static_cast<const int32_t*>(ids)[i];
    atomic_add(y + s * inner + j, data[u]);
  }
}

}  // namespace

void take_along(int elem_bytes, const void* x, const void* idx, bool idx64, void* y, int64_t outer, int64_t n,
                int64_t k, int64_t inner, int device) {
  const int64_t total = outer * k * inner;
  if (total == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  by_width(elem_bytes, [&](auto tag) {
    using W = decltype(tag);
    take_along_kernel<W><<<grid_for(total), kBlock, 0, st>>>(static_cast<const W*>(x), idx, idx64, static_cast<W*>(y),
                                                             outer, n, k, inner);
  });
  check_launch("take_along_axis", device);
}

void segment_sum(Dt dt, const void* data, const void* ids, bool ids64, void* y, int64_t n, int64_t segments,
                 int64_t inner, int device) {
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  const size_t bytes = size_t(segments * inner) * (dt == Dt::u8 ? 1 : (dt == Dt::f32 || dt == Dt::i32 ? 4 : 8));
  check(cudaMemsetAsync(y, 0, bytes, ctx.stream), "cudaMemsetAsync(unsorted_segment_sum)", device);
  const int64_t total = n * inner;
  if (total == 0) return;
  by_dt(dt, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>)
      segment_sum_kernel<T><<<grid_for(total), kBlock, 0, ctx.stream>>>(static_cast<const T*>(data), ids, ids64,
                                                                        static_cast<T*>(y), n, inner);
  });
  check_launch("unsorted_segment_sum", device);
}

}  // namespace keras::core::cuda
