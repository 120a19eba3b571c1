// cublas.cuh - (CUDA-internal, included by gpu/*.cu only) cuBLAS, loaded when a device
// context is first created rather than linked: a process that never touches a GPU never
// maps libcublas/libcublasLt (their relocation alone costs ~60 MB of resident memory).
//
// The entry points the backend calls are looked up once with dlsym, typed from the
// declarations of cublas_v2.h, so a call through the table is checked by the compiler as
// a direct call would be.
#pragma once
#include <cublas_v2.h>

#include <cstdint>

namespace keras::core::cuda {

/// The cuBLAS entry points the backend uses.
struct CublasApi {
  decltype(&cublasCreate_v2) create = nullptr;
  decltype(&cublasSetStream_v2) set_stream = nullptr;
  decltype(&cublasSetMathMode) set_math_mode = nullptr;
  decltype(&cublasSgemm_v2) sgemm = nullptr;
  decltype(&cublasDgemm_v2) dgemm = nullptr;
  decltype(&cublasSgemmStridedBatched) sgemm_strided_batched = nullptr;
  decltype(&cublasDgemmStridedBatched) dgemm_strided_batched = nullptr;
  decltype(&cublasCgemm_v2) cgemm = nullptr;  ///< complex64 (gpu/complex_matmul.cu)
  decltype(&cublasZgemm_v2) zgemm = nullptr;  ///< complex128
  decltype(&cublasCgemmStridedBatched) cgemm_strided_batched = nullptr;
  decltype(&cublasZgemmStridedBatched) zgemm_strided_batched = nullptr;
  /// cublasGemmEx (its C entry point: cublas_v2.h adds C++ overloads by compute type)
  cublasStatus_t (*gemm_ex)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int, const void*,
                            const void*, cudaDataType, int, const void*, cudaDataType, int, const void*, void*,
                            cudaDataType, int, cublasComputeType_t, cublasGemmAlgo_t) = nullptr;
  /// cublasGemmStridedBatchedEx (likewise)
  cublasStatus_t (*gemm_strided_batched_ex)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int,
                                            const void*, const void*, cudaDataType, int, long long, const void*,
                                            cudaDataType, int, long long, const void*, void*, cudaDataType, int,
                                            long long, int, cublasComputeType_t, cublasGemmAlgo_t) = nullptr;
  decltype(&cublasStrsm_v2) strsm = nullptr;  ///< solve_triangular (gpu/linalg.cu)
  decltype(&cublasDtrsm_v2) dtrsm = nullptr;
  decltype(&cublasStrsmBatched) strsm_batched = nullptr;  ///< solve_triangular of a batch
  decltype(&cublasDtrsmBatched) dtrsm_batched = nullptr;
};

/// The table, loaded at the first call (thread-safe). Throws CudaError naming the library
/// and the loader's message when libcublas cannot be loaded or lacks an entry point.
const CublasApi& cublas_api();

/// The stride between consecutive batches' offsets when they form one progression (no
/// broadcast, or one operand broadcast whole: a strided-batched GEMM); -1 otherwise.
inline int64_t uniform_stride(const int64_t* off, int64_t batch) {
  if (batch <= 1) return 0;
  const int64_t s = off[1] - off[0];
  for (int64_t b = 2; b < batch; ++b)
    if (off[b] - off[b - 1] != s) return -1;
  return s;
}

/// Throws CudaError naming `call`, the device and the status unless `s` is success.
void check_cublas(cublasStatus_t s, const char* call, int device);

}  // namespace keras::core::cuda
