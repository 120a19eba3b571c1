// cublas.cu - loads cuBLAS on first use (gpu/cublas.cuh).
#include "gpu/cublas.cuh"

#include <string>

#include "gpu/context.cuh"
#include "gpu/library.cuh"

namespace keras::core::cuda {
namespace {

CublasApi load() {
  const CudaLibrary lib("cuBLAS", "cublas", CUBLAS_VER_MAJOR, "matrix products");
  CublasApi api;  // the handle stays open for the process: cuBLAS handles live as long
  lib.bind(api.create, "cublasCreate_v2");
  lib.bind(api.set_stream, "cublasSetStream_v2");
  lib.bind(api.set_math_mode, "cublasSetMathMode");
  lib.bind(api.sgemm, "cublasSgemm_v2");
  lib.bind(api.dgemm, "cublasDgemm_v2");
  lib.bind(api.sgemm_strided_batched, "cublasSgemmStridedBatched");
  lib.bind(api.dgemm_strided_batched, "cublasDgemmStridedBatched");
  lib.bind(api.cgemm, "cublasCgemm_v2");
  lib.bind(api.zgemm, "cublasZgemm_v2");
  lib.bind(api.cgemm_strided_batched, "cublasCgemmStridedBatched");
  lib.bind(api.zgemm_strided_batched, "cublasZgemmStridedBatched");
  lib.bind(api.gemm_ex, "cublasGemmEx");
  lib.bind(api.gemm_strided_batched_ex, "cublasGemmStridedBatchedEx");
  lib.bind(api.strsm, "cublasStrsm_v2");
  lib.bind(api.dtrsm, "cublasDtrsm_v2");
  lib.bind(api.strsm_batched, "cublasStrsmBatched");
  lib.bind(api.dtrsm_batched, "cublasDtrsmBatched");
  return api;
}

const char* status_name(cublasStatus_t s) {
  switch (s) {
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    default: return "cuBLAS error";
  }
}

}  // namespace

const CublasApi& cublas_api() {
  static const CublasApi api = load();  // a failed load throws and is retried next time
  return api;
}

void check_cublas(cublasStatus_t s, const char* call, int device) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw CudaError(std::string(call) + " failed on device " + device_name(device) + ": " + status_name(s) +
                    " (status " + std::to_string(int(s)) + ")");
}

}  // namespace keras::core::cuda
