// matmul.cu - batched matrix products (launchers matmul and gemm_batch, declared in
// gpu/kernels.h): float32 and float64 on cuBLAS (default math: no TF32, so float32 products are full precision,
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

// Runs of the batch: from `i`, the most products whose three offsets advance by constant
// steps (c's step nonzero, so no two products of a run write one matrix).
struct Run {
  int64_t len = 1, sa = 0, sb = 0, sc = 0;
};
Run run_at(const GemmBatch& g, int64_t i) {
  Run r;
  if (i + 1 >= g.batch) return r;
  r.sa = g.a_off[i + 1] - g.a_off[i], r.sb = g.b_off[i + 1] - g.b_off[i], r.sc = g.c_off[i + 1] - g.c_off[i];
  if (r.sc == 0) return r;
  r.len = 2;
  while (i + r.len < g.batch && g.a_off[i + r.len] - g.a_off[i + r.len - 1] == r.sa &&
         g.b_off[i + r.len] - g.b_off[i + r.len - 1] == r.sb && g.c_off[i + r.len] - g.c_off[i + r.len - 1] == r.sc)
    ++r.len;
  return r;
}

template <class T>
void blas(const DeviceContext& ctx, const T* a, const T* b, T* c, const GemmBatch& g) {
  const T alpha = T(g.alpha), beta = T(g.beta);
  const cublasOperation_t op_a = g.ta ? CUBLAS_OP_T : CUBLAS_OP_N, op_b = g.tb ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int m = int(g.m), n = int(g.n), k = int(g.k), lda = int(g.lda), ldb = int(g.ldb), ldc = int(g.ldc);
  // TensorFloat-32 (core::enable_tensor_float_32_execution): float32 products through
  // cublasGemmEx with the TF32 compute type, per call (the handle's math mode stays FP32).
  const bool tf32 = std::is_same_v<T, float> && tensor_float_32_execution_enabled();
  const auto& api = cublas_api();
  for (int64_t i = 0; i < g.batch;) {
    const Run r = run_at(g, i);
    const T *pa = a + g.a_off[i], *pb = b + g.b_off[i];
    T* pc = c + g.c_off[i];
    cublasStatus_t s;
    if (r.len == 1) {
      if (tf32)
        s = api.gemm_ex(ctx.cublas, op_b, op_a, n, m, k, &alpha, pb, CUDA_R_32F, ldb, pa, CUDA_R_32F, lda, &beta, pc,
                        CUDA_R_32F, ldc, CUBLAS_COMPUTE_32F_FAST_TF32, CUBLAS_GEMM_DEFAULT);
      else if constexpr (std::is_same_v<T, float>)
        s = api.sgemm(ctx.cublas, op_b, op_a, n, m, k, &alpha, pb, ldb, pa, lda, &beta, pc, ldc);
      else
        s = api.dgemm(ctx.cublas, op_b, op_a, n, m, k, &alpha, pb, ldb, pa, lda, &beta, pc, ldc);
      check_cublas(s, "cublas gemm", ctx.device);
    } else {
      const int count = int(r.len);
      if (tf32)
        s = api.gemm_strided_batched_ex(ctx.cublas, op_b, op_a, n, m, k, &alpha, pb, CUDA_R_32F, ldb, r.sb, pa,
                                        CUDA_R_32F, lda, r.sa, &beta, pc, CUDA_R_32F, ldc, r.sc, count,
                                        CUBLAS_COMPUTE_32F_FAST_TF32, CUBLAS_GEMM_DEFAULT);
      else if constexpr (std::is_same_v<T, float>)
        s = api.sgemm_strided_batched(ctx.cublas, op_b, op_a, n, m, k, &alpha, pb, ldb, r.sb, pa, lda, r.sa, &beta, pc,
                                      ldc, r.sc, count);
      else
        s = api.dgemm_strided_batched(ctx.cublas, op_b, op_a, n, m, k, &alpha, pb, ldb, r.sb, pa, lda, r.sa, &beta, pc,
                                      ldc, r.sc, count);
      check_cublas(s, "cublas gemm (strided batched)", ctx.device);
    }
    i += r.len;
  }
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
    case Dt::f64: {
      GemmBatch g;
      g.m = m, g.n = n, g.k = k, g.ta = ta, g.tb = tb, g.lda = ta ? m : k, g.ldb = tb ? k : n, g.ldc = n;
      g.batch = batch, g.a_off = a_off, g.b_off = b_off;
      std::vector<int64_t> c_off(static_cast<size_t>(batch));
      for (int64_t i = 0; i < batch; ++i) c_off[size_t(i)] = i * m * n;
      g.c_off = c_off.data();
      if (dt == Dt::f32) return blas(ctx, static_cast<const float*>(a), static_cast<const float*>(b), static_cast<float*>(c), g);
      return blas(ctx, static_cast<const double*>(a), static_cast<const double*>(b), static_cast<double*>(c), g);
    }
    case Dt::i32:
      return integer(ctx, static_cast<const int32_t*>(a), static_cast<const int32_t*>(b), static_cast<int32_t*>(c),
                     batch, a_off, b_off, m, n, k, ta, tb);
    case Dt::i64:
      return integer(ctx, static_cast<const int64_t*>(a), static_cast<const int64_t*>(b), static_cast<int64_t*>(c),
                     batch, a_off, b_off, m, n, k, ta, tb);
    default: throw CudaError("matmul: no CUDA kernel for this dtype");
  }
}

void gemm_batch(Dt dt, const void* a, const void* b, void* c, const GemmBatch& g, int device) {
  if (g.batch == 0 || g.m == 0 || g.n == 0) return;
  if (dt != Dt::f32 && dt != Dt::f64) throw CudaError("gemm_batch: expected float32 or float64 matrices");
  DeviceGuard guard(device);
  const DeviceContext& ctx = context(device);
  const size_t elem = dt == Dt::f32 ? 4 : 8;
  if (g.k == 0) {  // an empty contraction: C = beta C, for beta 0 (zeros) or 1 (unchanged)
    if (g.beta == 1.0) return;
    if (g.beta != 0.0) throw CudaError("gemm_batch: an empty contraction takes beta 0 or 1");
    for (int64_t i = 0; i < g.batch; ++i)
      check(cudaMemset2DAsync(static_cast<char*>(c) + size_t(g.c_off[i]) * elem, size_t(g.ldc) * elem, 0,
                              size_t(g.n) * elem, size_t(g.m), ctx.stream),
            "cudaMemset2DAsync(gemm_batch)", device);
    return;
  }
  if (dt == Dt::f32) return blas(ctx, static_cast<const float*>(a), static_cast<const float*>(b), static_cast<float*>(c), g);
  blas(ctx, static_cast<const double*>(a), static_cast<const double*>(b), static_cast<double*>(c), g);
}

}  // namespace keras::core::cuda
