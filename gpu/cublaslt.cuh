// cublaslt.cuh - (CUDA-internal, included by gpu/*.cu only) cuBLASLt, loaded on first use
// as cuBLAS is (gpu/cublas.cuh), for the products whose epilogue it fuses: FusedMatMul's
// bias and relu run inside the GEMM kernel instead of as a second pass over the result.
// Where the library is missing, lacks an entry point, KERAS_CPP_CUBLASLT=0 is set, or its
// heuristics offer no algorithm for a case, the caller keeps cuBLAS and its own epilogue.
#pragma once
#include <cublasLt.h>

namespace keras::core::cuda {

/// The cuBLASLt entry points the backend uses (typed from cublasLt.h).
struct CublasLtApi {
  decltype(&cublasLtCreate) create = nullptr;
  decltype(&cublasLtMatmulDescCreate) desc_create = nullptr;
  decltype(&cublasLtMatmulDescSetAttribute) desc_set = nullptr;
  decltype(&cublasLtMatmulDescDestroy) desc_destroy = nullptr;
  decltype(&cublasLtMatrixLayoutCreate) layout_create = nullptr;
  decltype(&cublasLtMatrixLayoutDestroy) layout_destroy = nullptr;
  decltype(&cublasLtMatmulPreferenceCreate) pref_create = nullptr;
  decltype(&cublasLtMatmulPreferenceSetAttribute) pref_set = nullptr;
  decltype(&cublasLtMatmulPreferenceDestroy) pref_destroy = nullptr;
  decltype(&cublasLtMatmulAlgoGetHeuristic) heuristic = nullptr;
  decltype(&cublasLtMatmul) matmul = nullptr;
};

/// The table, or null when cuBLASLt is off (KERAS_CPP_CUBLASLT=0) or cannot be loaded
/// (decided once, thread-safe).
const CublasLtApi* cublaslt_api();

}  // namespace keras::core::cuda
