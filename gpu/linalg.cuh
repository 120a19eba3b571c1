// linalg.cuh - (CUDA-internal) what gpu/linalg_solve.cu and gpu/linalg_decomp.cu share:
// the float/double choice of a cuSOLVER or cuBLAS entry point, batched transposes and
// identities (row-major tensors against column-major cuSOLVER), device-to-device
// copies, and the read back of the per-matrix info codes.
#pragma once
#include <cstdint>
#include <type_traits>
#include <vector>

#include "gpu/context.cuh"
#include "gpu/cusolver.cuh"
#include "gpu/linalg_kernels.h"

namespace keras::core::cuda::linalg {

/// The float32 or float64 routine of a pair.
template <class T, class P>
auto pick(const P& p) {
  if constexpr (std::is_same_v<T, float>) return p.s;
  else return p.d;
}

/// dst[b][j][i] = src[b][i][j]: `count` (rows, cols) matrices, batch strides in elements.
template <class T>
__global__ void transpose_kernel(const T* src, T* dst, int64_t count, int64_t rows, int64_t cols,
                                 int64_t src_stride, int64_t dst_stride) {
  const int64_t per = rows * cols, total = count * per;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < total; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t b = t / per, i = (t % per) / cols, j = t % cols;
    dst[b * dst_stride + j * rows + i] = src[b * src_stride + i * cols + j];
  }
}
template <class T>
void transpose(const T* src, T* dst, int64_t count, int64_t rows, int64_t cols, int64_t src_stride,
               int64_t dst_stride, const DeviceContext& ctx) {
  const int64_t total = count * rows * cols;
  if (total == 0) return;
  transpose_kernel<T><<<grid_for(total), kBlock, 0, ctx.stream>>>(src, dst, count, rows, cols, src_stride, dst_stride);
  check_launch("linalg transpose", ctx.device);
}

/// `count` (rows, cols) identities back to back (the factors of empty matrices).
template <class T>
__global__ void identity_kernel(T* p, int64_t count, int64_t rows, int64_t cols) {
  const int64_t total = count * rows * cols;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < total; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t e = t % (rows * cols);
    p[t] = T(e / cols == e % cols);
  }
}
template <class T>
void identity(T* p, int64_t count, int64_t rows, int64_t cols, const DeviceContext& ctx) {
  const int64_t total = count * rows * cols;
  if (total == 0) return;
  identity_kernel<T><<<grid_for(total), kBlock, 0, ctx.stream>>>(p, count, rows, cols);
  check_launch("linalg identity", ctx.device);
}

/// Copies `elements` values of T on the device's stream.
template <class T>
void copy(const void* src, T* dst, int64_t elements, const DeviceContext& ctx) {
  if (elements == 0) return;
  check(cudaMemcpyAsync(dst, src, size_t(elements) * sizeof(T), cudaMemcpyDeviceToDevice, ctx.stream),
        "cudaMemcpyAsync (linalg)", ctx.device);
}

/// The first nonzero of `count` device infos (a synchronizing read back).
inline LinalgInfo first_failure(const int* info, int64_t count, const DeviceContext& ctx) {
  if (count == 0) return {};
  std::vector<int> h(static_cast<size_t>(count));
  count_device_to_host(ctx.device);
  check(cudaMemcpy(h.data(), info, h.size() * sizeof(int), cudaMemcpyDeviceToHost), "cudaMemcpy (linalg info)",
        ctx.device);
  for (size_t b = 0; b < h.size(); ++b)
    if (h[b] != 0) return {int64_t(b), h[b]};
  return {};
}

/// Zero-filled device ints (one info per matrix).
inline void zero_ints(int* p, int64_t count, const DeviceContext& ctx) {
  if (count > 0)
    check(cudaMemsetAsync(p, 0, size_t(count) * sizeof(int), ctx.stream), "cudaMemsetAsync (linalg)", ctx.device);
}

}  // namespace keras::core::cuda::linalg
