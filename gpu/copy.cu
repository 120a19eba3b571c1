// copy.cu - the data-movement kernels (launchers declared in gpu/kernels.h): one strided
// copy that serves transpose, strided_slice, broadcast_to, tile, pad and concatenate
// (gpu/register_shape.cpp builds each one's strides), and the row gather of `gather`.
#include <cstdint>

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
