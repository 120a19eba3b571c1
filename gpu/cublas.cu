// cublas.cu - loads cuBLAS on first use (gpu/cublas.cuh).
#include "gpu/cublas.cuh"

#include <dlfcn.h>

#include <string>

#include "gpu/context.cuh"

namespace keras::core::cuda {
namespace {

// The library of the major version the backend was compiled against; the unversioned
// name only exists with the toolkit's development files. When neither is on the loader's
// path, the directory of the loaded CUDA runtime is tried: toolkits keep both together.
void* open_cublas(std::string& tried) {
  const std::string soname = "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR);
  std::string names[] = {soname, "libcublas.so"};
  for (const auto& n : names) {
    if (void* h = dlopen(n.c_str(), RTLD_NOW | RTLD_LOCAL)) return h;
    tried += (tried.empty() ? "" : "; ") + std::string(dlerror());
  }
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&cudaGetDeviceCount), &info) != 0 && info.dli_fname != nullptr) {
    std::string dir = info.dli_fname;
    dir.erase(dir.find_last_of('/') + 1);
    if (!dir.empty()) {
      if (void* h = dlopen((dir + soname).c_str(), RTLD_NOW | RTLD_LOCAL)) return h;
      tried += "; " + std::string(dlerror());
    }
  }
  return nullptr;
}

template <class F>
void bind(void* lib, F& fn, const char* symbol) {
  fn = reinterpret_cast<F>(dlsym(lib, symbol));
  if (fn == nullptr)
    throw CudaError(std::string("cuBLAS: the loaded libcublas lacks ") + symbol +
                    " (built against cuBLAS " + std::to_string(CUBLAS_VER_MAJOR) + ")");
}

CublasApi load() {
  std::string tried;
  void* lib = open_cublas(tried);
  if (lib == nullptr)
    throw CudaError("cuBLAS: cannot load libcublas.so." + std::to_string(CUBLAS_VER_MAJOR) +
                    " (needed for matrix products on a GPU): " + tried);
  CublasApi api;  // the handle stays open for the process: cuBLAS handles live as long
  bind(lib, api.create, "cublasCreate_v2");
  bind(lib, api.set_stream, "cublasSetStream_v2");
  bind(lib, api.set_math_mode, "cublasSetMathMode");
  bind(lib, api.sgemm, "cublasSgemm_v2");
  bind(lib, api.dgemm, "cublasDgemm_v2");
  bind(lib, api.sgemm_strided_batched, "cublasSgemmStridedBatched");
  bind(lib, api.dgemm_strided_batched, "cublasDgemmStridedBatched");
  bind(lib, api.cgemm, "cublasCgemm_v2");
  bind(lib, api.zgemm, "cublasZgemm_v2");
  bind(lib, api.cgemm_strided_batched, "cublasCgemmStridedBatched");
  bind(lib, api.zgemm_strided_batched, "cublasZgemmStridedBatched");
  bind(lib, api.gemm_ex, "cublasGemmEx");
  bind(lib, api.gemm_strided_batched_ex, "cublasGemmStridedBatchedEx");
  bind(lib, api.strsm, "cublasStrsm_v2");
  bind(lib, api.dtrsm, "cublasDtrsm_v2");
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
