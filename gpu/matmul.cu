// matmul.cu - batched matrix products (launcher declared in gpu/kernels.h): float32 and
// float64 on cuBLAS (default math: no TF32, so float32 products are full precision,
// unless core::enable_tensor_float_32_execution turned TF32 on),
// int32 and int64 with a plain kernel in wrapping arithmetic, as the CPU kernel.
//
// Row-major operands meet column-major cuBLAS through the identity C^T = B^T A^T: a
// row-major (r, c) matrix is a column-major (c, r) one, so the call computes C^T with the
// operands swapped and each transpose flag kept.
#include <cstdint>
#include <type_traits>
#include <vector>

#include "core/debugging.h"
#include "gpu/context.cuh"
#include "gpu/cublas.cuh"
#include "gpu/kernels.h"

namespace keras::core::cuda {
namespace {

template <class T>
void blas(const DeviceContext& ctx, const T* a, const T* b, T* c, int64_t batch, const int64_t* a_off,
          const int64_t* b_off, int64_t m, int64_t n, int64_t k, bool ta, bool tb) {
  const T one = 1, zero = 0;
  const cublasOperation_t op_a = ta ? CUBLAS_OP_T : CUBLAS_OP_N, op_b = tb ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int64_t lda = ta ? m : k, ldb = tb ? k : n, ldc = n;
  const int64_t sa = uniform_stride(a_off, batch), sb = uniform_stride(b_off, batch);
  // TensorFloat-32 (core::enable_tensor_float_32_execution): float32 products through
  // cublasGemmEx with the TF32 compute type, per call (the handle's math mode stays FP32).
  const bool tf32 = std::is_same_v<T, float> && tensor_float_32_execution_enabled();
  auto gemm = [&](const T* pa, const T* pb, T* pc) {
    cublasStatus_t s;
    if (tf32)
      s = cublas_api().gemm_ex(ctx.cublas, op_b, op_a, int(n), int(m), int(k), &one, pb, CUDA_R_32F, int(ldb), pa,
                               CUDA_R_32F, int(lda), &zero, pc, CUDA_R_32F, int(ldc), CUBLAS_COMPUTE_32F_FAST_TF32,
                               CUBLAS_GEMM_DEFAULT);
    else if constexpr (std::is_same_v<T, float>)
      s = cublas_api().sgemm(ctx.cublas, op_b, op_a, int(n), int(m), int(k), &one, pb, int(ldb), pa, int(lda), &zero, pc,
                      int(ldc));
    else
      s = cublas_api().dgemm(ctx.cublas, op_b, op_a, int(n), int(m), int(k), &one, pb, int(ldb), pa, int(lda), &zero, pc,
                      int(ldc));
    check_cublas(s, "cublas gemm", ctx.device);
  };
  if (batch == 1) return gemm(a + a_off[0], b + b_off[0], c);
  if (sa >= 0 && sb >= 0) {
    cublasStatus_t s;
    if (tf32)
      s = cublas_api().gemm_strided_batched_ex(ctx.cublas, op_b, op_a, int(n), int(m), int(k), &one, b + b_off[0],
                                               CUDA_R_32F, int(ldb), sb, a + a_off[0], CUDA_R_32F, int(lda), sa, &zero,
                                               c, CUDA_R_32F, int(ldc), m * n, int(batch), CUBLAS_COMPUTE_32F_FAST_TF32,
                                               CUBLAS_GEMM_DEFAULT);
    else if constexpr (std::is_same_v<T, float>)
      s = cublas_api().sgemm_strided_batched(ctx.cublas, op_b, op_a, int(n), int(m), int(k), &one, b + b_off[0], int(ldb), sb,
                                    a + a_off[0], int(lda), sa, &zero, c, int(ldc), m * n, int(batch));
    else
      s = cublas_api().dgemm_strided_batched(ctx.cublas, op_b, op_a, int(n), int(m), int(k), &one, b + b_off[0], int(ldb), sb,
                                    a + a_off[0], int(lda), sa, &zero, c, int(ldc), m * n, int(batch));
    check_cublas(s, "cublas gemm (strided batched)", ctx.device);
    return;
  }
  for (int64_t i = 0; i < batch; ++i) gemm(a + a_off[i], b + b_off[i], c + i * m * n);
}

template <class T>
__global__ void int_matmul_kernel(const T* a, const T* b, T* c, const int64_t* a_off, const int64_t* b_off,
                                  int64_t batch, int64_t m, int64_t n, int64_t k, bool ta, bool tb) {
  using U = std::make_unsigned_t<T>;
  const int64_t total = batch * m * n;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t bt = i / (m * n), r = (i / n) % m, col = i % n;
    const T* pa = a + a_off[bt];
    const T* pb = b + b_off[bt];
    U acc = 0;
    for (int64_t j = 0; j < k; ++j) {
      const T x = ta ? pa[j * m + r] : pa[r * k + j];
      const T y = tb ? pb[col * k + j] : pb[j * n + col];
      acc = U(acc + U(x) * U(y));
    }
    c[i] = T(acc);
  }
}

template <class T>
void integer(const DeviceContext& ctx, const T* a, const T* b, T* c, int64_t batch, const int64_t* a_off,
             const int64_t* b_off, int64_t m, int64_t n, int64_t k, bool ta, bool tb) {
  // The offsets go to the device once per call (small: one pair per batch).
  int64_t* dev = nullptr;
  const size_t bytes = size_t(batch) * sizeof(int64_t);
  check(cudaMalloc(&dev, 2 * bytes), "cudaMalloc(matmul offsets)", ctx.device);
  try {
    count_host_to_device(ctx.device);
    check(cudaMemcpy(dev, a_off, bytes, cudaMemcpyHostToDevice), "cudaMemcpy(matmul offsets)", ctx.device);
    count_host_to_device(ctx.device);
    check(cudaMemcpy(dev + batch, b_off, bytes, cudaMemcpyHostToDevice), "cudaMemcpy(matmul offsets)", ctx.device);
    const int64_t total = batch * m * n;
    int_matmul_kernel<T><<<grid_for(total), kBlock, 0, ctx.stream>>>(a, b, c, dev, dev + batch, batch, m, n, k, ta,
                                                                     tb);
    check_launch("matmul (integer)", ctx.device);
  } catch (...) {
    cudaFree(dev);
    throw;
  }
  check(cudaFree(dev), "cudaFree(matmul offsets)", ctx.device);
}

}  // namespace

void matmul(Dt dt, const void* a, const void* b, void* c, int64_t batch, const int64_t* a_off,
            const int64_t* b_off, int64_t m, int64_t n, int64_t k, bool ta, bool tb, int device) {
  if (batch == 0 || m == 0 || n == 0) return;
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  if (k == 0) {  // an empty contraction: zeros
    check(cudaMemsetAsync(c, 0, size_t(batch * m * n) * (dt == Dt::f32 || dt == Dt::i32 ? 4 : 8), ctx.stream),
          "cudaMemsetAsync(matmul)", device);
    return;
  }
  switch (dt) {
    case Dt::f32:
      return blas(ctx, static_cast<const float*>(a), static_cast<const float*>(b), static_cast<float*>(c), batch,
                  a_off, b_off, m, n, k, ta, tb);
    case Dt::f64:
      return blas(ctx, static_cast<const double*>(a), static_cast<const double*>(b), static_cast<double*>(c), batch,
                  a_off, b_off, m, n, k, ta, tb);
    case Dt::i32:
      return integer(ctx, static_cast<const int32_t*>(a), static_cast<const int32_t*>(b), static_cast<int32_t*>(c),
                     batch, a_off, b_off, m, n, k, ta, tb);
    case Dt::i64:
      return integer(ctx, static_cast<const int64_t*>(a), static_cast<const int64_t*>(b), static_cast<int64_t*>(c),
                     batch, a_off, b_off, m, n, k, ta, tb);
    default: throw CudaError("matmul: no CUDA kernel for this dtype");
  }
}

}  // namespace keras::core::cuda
