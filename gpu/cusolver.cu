// cusolver.cu - loads cuSOLVER on first use and keeps one handle per device
// (gpu/cusolver.cuh).
#include "gpu/cusolver.cuh"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gpu/context.cuh"
#include "gpu/library.cuh"

namespace keras::core::cuda {
namespace {

template <class P>
void bind_pair(const CudaLibrary& lib, P& p, const char* name) {
  lib.bind(p.s, std::string("cusolverDnS") + name);
  lib.bind(p.d, std::string("cusolverDnD") + name);
}

CusolverApi load() {
  const CudaLibrary lib("cuSOLVER", "cusolver", CUSOLVER_VER_MAJOR, "linear algebra");
  CusolverApi api;  // the library stays open for the process, as its handles do
  lib.bind(api.create, "cusolverDnCreate");
  lib.bind(api.set_stream, "cusolverDnSetStream");
  bind_pair(lib, api.potrf_size, "potrf_bufferSize");
  bind_pair(lib, api.potrf, "potrf");
  bind_pair(lib, api.potrf_batched, "potrfBatched");
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
  lib.bind(api.create_params, "cusolverDnCreateParams");
  lib.bind(api.destroy_params, "cusolverDnDestroyParams");
  lib.bind(api.xgeev_size, "cusolverDnXgeev_bufferSize");
  lib.bind(api.xgeev, "cusolverDnXgeev");
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
