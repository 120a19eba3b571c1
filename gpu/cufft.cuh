// cufft.cuh - (CUDA-internal, included by gpu/*.cu only) cuFFT, loaded at the first
// transform rather than linked, as cuBLAS is (gpu/cublas.cuh): a process that never
// runs an FFT on a GPU never maps libcufft (close to 300 MB of library).
//
// The entry points are looked up once with dlsym, typed from cufft.h's declarations.
// Plans are cached per device and (length, batch); their work areas come from the
// caching allocator at each transform, so a cached plan holds no work memory.
#pragma once
#include <cufft.h>

#include <cstdint>

namespace keras::core::cuda {

/// The cuFFT entry points the backend uses.
struct CufftApi {
  decltype(&cufftCreate) create = nullptr;
  decltype(&cufftDestroy) destroy = nullptr;
  decltype(&cufftSetAutoAllocation) set_auto_allocation = nullptr;
  decltype(&cufftMakePlanMany64) make_plan_many64 = nullptr;
  decltype(&cufftSetWorkArea) set_work_area = nullptr;
  decltype(&cufftSetStream) set_stream = nullptr;
  decltype(&cufftExecZ2Z) exec_z2z = nullptr;
};

/// The table, loaded at the first call (thread-safe). Throws CudaError naming the library
/// and the loader's message when libcufft cannot be loaded or lacks an entry point.
const CufftApi& cufft_api();

/// Transforms, in place on the device's stream, `rows` contiguous rows of n interleaved
/// double-precision complex values: forward (exponent -2 pi i jk / n) or inverse (+),
/// both unnormalized. The plan for (device, n, rows) is made at its first use and kept
/// (up to 64 per device; the 65th empties the cache after the stream drains).
void z2z(void* data, int64_t rows, int64_t n, bool inverse, int device);

}  // namespace keras::core::cuda
