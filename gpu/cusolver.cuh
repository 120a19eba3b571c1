// cusolver.cuh - (CUDA-internal, included by gpu/*.cu only) cuSOLVER's dense routines,
// loaded at the first linear-algebra op rather than linked, as cuBLAS (gpu/cublas.cuh):
// a process that never factors a matrix on a GPU never maps libcusolver.
//
// The entry points are looked up once with dlsym, typed from cusolverDn.h's declarations,
// and each device gets one cusolverDn handle bound to its stream (gpu/context.cuh), made
// at its first use.
#pragma once
#include <cusolverDn.h>

namespace keras::core::cuda {

/// A float/double pair of one cuSOLVER routine's entry points.
template <class FS, class FD>
struct Pair {
  FS s = nullptr;  ///< the float32 routine
  FD d = nullptr;  ///< the float64 routine
};
#define KERAS_CUSOLVER_PAIR(name) \
  Pair<decltype(&cusolverDnS##name), decltype(&cusolverDnD##name)>

/// The cuSOLVER entry points the backend uses.
struct CusolverApi {
  decltype(&cusolverDnCreate) create = nullptr;
  decltype(&cusolverDnSetStream) set_stream = nullptr;
  KERAS_CUSOLVER_PAIR(potrf_bufferSize) potrf_size;
  KERAS_CUSOLVER_PAIR(potrf) potrf;
  KERAS_CUSOLVER_PAIR(potrfBatched) potrf_batched;  ///< cholesky of a batch in one call
  KERAS_CUSOLVER_PAIR(getrf_bufferSize) getrf_size;
  KERAS_CUSOLVER_PAIR(getrf) getrf;
  KERAS_CUSOLVER_PAIR(getrs) getrs;
  KERAS_CUSOLVER_PAIR(geqrf_bufferSize) geqrf_size;
  KERAS_CUSOLVER_PAIR(geqrf) geqrf;
  KERAS_CUSOLVER_PAIR(orgqr_bufferSize) orgqr_size;
  KERAS_CUSOLVER_PAIR(orgqr) orgqr;
  KERAS_CUSOLVER_PAIR(gesvd_bufferSize) gesvd_size;
  KERAS_CUSOLVER_PAIR(gesvd) gesvd;
  KERAS_CUSOLVER_PAIR(syevd_bufferSize) syevd_size;
  KERAS_CUSOLVER_PAIR(syevd) syevd;
  decltype(&cusolverDnCreateParams) create_params = nullptr;    ///< eig (64-bit API)
  decltype(&cusolverDnDestroyParams) destroy_params = nullptr;
  decltype(&cusolverDnXgeev_bufferSize) xgeev_size = nullptr;
  decltype(&cusolverDnXgeev) xgeev = nullptr;
};
#undef KERAS_CUSOLVER_PAIR

/// The table, loaded at the first call (thread-safe). Throws CudaError naming the library
/// and the loader's message when libcusolver cannot be loaded or lacks an entry point.
const CusolverApi& cusolver_api();

/// The cusolverDn handle of `device` (bound to its context's stream), made at first use.
cusolverDnHandle_t cusolver_handle(int device);

/// Throws CudaError naming `call`, the device and the status unless `s` is success.
void check_cusolver(cusolverStatus_t s, const char* call, int device);

}  // namespace keras::core::cuda
