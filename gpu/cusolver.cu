// cusolver.cu - loads cuSOLVER on first use and keeps one handle per device
// (gpu/cusolver.cuh).
#include "gpu/cusolver.cuh"

#include <dlfcn.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gpu/context.cuh"

namespace keras::core::cuda {
namespace {

// The library of the major version the backend was compiled against (CUDA 13 ships
// cuSOLVER 12: libcusolver.so.12), then the development name, then the directory of the
// loaded CUDA runtime, where toolkits keep both.
void* open_cusolver(std::string& tried) {
  const std::string soname = "libcusolver.so." + std::to_string(CUSOLVER_VER_MAJOR);
  for (const std::string& n : {soname, std::string("libcusolver.so")}) {
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
void bind(void* lib, F& fn, const std::string& symbol) {
  fn = reinterpret_cast<F>(dlsym(lib, symbol.c_str()));
  if (fn == nullptr)
    throw CudaError("cuSOLVER: the loaded libcusolver lacks " + symbol + " (built against cuSOLVER " +
                    std::to_string(CUSOLVER_VER_MAJOR) + ")");
}
template <class P>
void bind_pair(void* lib, P& p, const char* name) {
  bind(lib, p.s, std::string("cusolverDnS") + name);
  bind(lib, p.d, std::string("cusolverDnD") + name);
}

CusolverApi load() {
  std::string tried;
  void* lib = open_cusolver(tried);
  if (lib == nullptr)
    throw CudaError("cuSOLVER: cannot load libcusolver.so." + std::to_string(CUSOLVER_VER_MAJOR) +
                    " (needed for linear algebra on a GPU): " + tried);
  CusolverApi api;  // the library stays open for the process, as its handles do
  bind(lib, api.create, "cusolverDnCreate");
  bind(lib, api.set_stream, "cusolverDnSetStream");
  bind_pair(lib, api.potrf_size, "potrf_bufferSize");
  bind_pair(lib, api.potrf, "potrf");
  bind_pair(lib, api.getrf_size, "getrf_bufferSize");
  bind_pair(lib, api.getrf, "getrf");
  bind_pair(lib, api.getrs, "getrs");
  bind_pair(lib, api.geqrf_size, "geqrf_bufferSize");
  bind_pair(lib, api.geqrf, "geqrf");
  bind_pair(lib, api.orgqr_size, "orgqr_bufferSize");
  bind_pair(lib, api.orgqr, "orgqr");
  bind_pair(lib, api.gesvd_size, "gesvd_bufferSize");
  bind_pair(lib, api.gesvd, "gesvd");
  bind_pair(lib, api.syevd_size, "syevd_bufferSize");
  bind_pair(lib, api.syevd, "syevd");
  bind(lib, api.create_params, "cusolverDnCreateParams");
  bind(lib, api.destroy_params, "cusolverDnDestroyParams");
  bind(lib, api.xgeev_size, "cusolverDnXgeev_bufferSize");
  bind(lib, api.xgeev, "cusolverDnXgeev");
  return api;
}

const char* status_name(cusolverStatus_t s) {
  switch (s) {
    case CUSOLVER_STATUS_NOT_INITIALIZED: return "CUSOLVER_STATUS_NOT_INITIALIZED";
    case CUSOLVER_STATUS_ALLOC_FAILED: return "CUSOLVER_STATUS_ALLOC_FAILED";
    case CUSOLVER_STATUS_INVALID_VALUE: return "CUSOLVER_STATUS_INVALID_VALUE";
    case CUSOLVER_STATUS_ARCH_MISMATCH: return "CUSOLVER_STATUS_ARCH_MISMATCH";
    case CUSOLVER_STATUS_EXECUTION_FAILED: return "CUSOLVER_STATUS_EXECUTION_FAILED";
    case CUSOLVER_STATUS_INTERNAL_ERROR: return "CUSOLVER_STATUS_INTERNAL_ERROR";
    case CUSOLVER_STATUS_NOT_SUPPORTED: return "CUSOLVER_STATUS_NOT_SUPPORTED";
    default: return "cuSOLVER error";
  }
}

}  // namespace

const CusolverApi& cusolver_api() {
  static const CusolverApi api = load();  // a failed load throws and is retried next time
  return api;
}

cusolverDnHandle_t cusolver_handle(int device) {
  static std::mutex mu;
  static auto* handles = new std::vector<cusolverDnHandle_t>();  // never destroyed
  const DeviceContext& ctx = context(device);                    // checks the device
  const CusolverApi& api = cusolver_api();
  std::lock_guard<std::mutex> lock(mu);
  if (handles->size() <= size_t(device)) handles->resize(size_t(device) + 1, nullptr);
  cusolverDnHandle_t& h = (*handles)[size_t(device)];
  if (h == nullptr) {
    DeviceGuard guard(device);
    cusolverDnHandle_t made = nullptr;
    check_cusolver(api.create(&made), "cusolverDnCreate", device);
    check_cusolver(api.set_stream(made, ctx.stream), "cusolverDnSetStream", device);
    h = made;
  }
  return h;
}

void check_cusolver(cusolverStatus_t s, const char* call, int device) {
  if (s != CUSOLVER_STATUS_SUCCESS)
    throw CudaError(std::string(call) + " failed on device " + device_name(device) + ": " + status_name(s) +
                    " (status " + std::to_string(int(s)) + ")");
}

}  // namespace keras::core::cuda
