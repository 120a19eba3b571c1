// complex_matmul.cu - matmul of complex64 / complex128 matrices on cuBLAS (launcher
// declared in gpu/complex_kernels.h): cublasCgemm / cublasZgemm, as matmul.cu calls
// Sgemm / Dgemm (row-major operands through C^T = B^T A^T, each transpose flag kept;
// transposes do not conjugate, as tf.matmul's transpose_a / transpose_b).
#include <cuComplex.h>

#include <cstdint>
#include <type_traits>

#include "gpu/complex_kernels.h"
#include "gpu/context.cuh"
#include "gpu/cublas.cuh"

namespace keras::core::cuda {
namespace {

template <class T>  // cuComplex or cuDoubleComplex
void gemm_batches(const DeviceContext& ctx, const T* a, const T* b, T* c, int64_t batch, const int64_t* a_off,
                  const int64_t* b_off, int64_t m, int64_t n, int64_t k, bool ta, bool tb) {
  constexpr bool single = std::is_same_v<T, cuComplex>;
  const T one{1, 0}, zero{0, 0};
  const cublasOperation_t op_a = ta ? CUBLAS_OP_T : CUBLAS_OP_N, op_b = tb ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int lda = int(ta ? m : k), ldb = int(tb ? k : n), ldc = int(n);
  const CublasApi& api = cublas_api();
  const int64_t sa = uniform_stride(a_off, batch), sb = uniform_stride(b_off, batch);
  if (batch > 1 && sa >= 0 && sb >= 0) {
    cublasStatus_t s;
    if constexpr (single)
      s = api.cgemm_strided_batched(ctx.cublas, op_b, op_a, int(n), int(m), int(k), &one, b + b_off[0], ldb, sb,
                                    a + a_off[0], lda, sa, &zero, c, ldc, m * n, int(batch));
    else
      s = api.zgemm_strided_batched(ctx.cublas, op_b, op_a, int(n), int(m), int(k), &one, b + b_off[0], ldb, sb,
                                    a + a_off[0], lda, sa, &zero, c, ldc, m * n, int(batch));
    return check_cublas(s, "cublas complex gemm (strided batched)", ctx.device);
  }
  for (int64_t i = 0; i < batch; ++i) {
    cublasStatus_t s;
    if constexpr (single)
      s = api.cgemm(ctx.cublas, op_b, op_a, int(n), int(m), int(k), &one, b + b_off[i], ldb, a + a_off[i], lda, &zero,
                    c + i * m * n, ldc);
    else
      s = api.zgemm(ctx.cublas, op_b, op_a, int(n), int(m), int(k), &one, b + b_off[i], ldb, a + a_off[i], lda, &zero,
                    c + i * m * n, ldc);
    check_cublas(s, "cublas complex gemm", ctx.device);
  }
}

}  // namespace

void complex_matmul(bool dbl, const void* a, const void* b, void* c, int64_t batch, const int64_t* a_off,
                    const int64_t* b_off, int64_t m, int64_t n, int64_t k, bool ta, bool tb, int device) {
  if (batch == 0 || m == 0 || n == 0) return;
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  if (k == 0) {  // an empty contraction: zeros
    check(cudaMemsetAsync(c, 0, size_t(batch * m * n) * (dbl ? 16 : 8), ctx.stream), "cudaMemsetAsync(matmul)",
          device);
    return;
  }
  if (dbl)
    gemm_batches(ctx, static_cast<const cuDoubleComplex*>(a), static_cast<const cuDoubleComplex*>(b),
                 static_cast<cuDoubleComplex*>(c), batch, a_off, b_off, m, n, k, ta, tb);
  else
    gemm_batches(ctx, static_cast<const cuComplex*>(a), static_cast<const cuComplex*>(b), static_cast<cuComplex*>(c),
                 batch, a_off, b_off, m, n, k, ta, tb);
}

}  // namespace keras::core::cuda
