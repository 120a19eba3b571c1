// cufft.cu - loads cuFFT on first use and keeps its plans (gpu/cufft.cuh).
#include "gpu/cufft.cuh"

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "gpu/context.cuh"
#include "gpu/library.cuh"

namespace keras::core::cuda {
namespace {

CufftApi load() {
  const CudaLibrary lib("cuFFT", "cufft", CUFFT_VER_MAJOR, "fft");
  CufftApi api;  // the library stays open for the process, as its plans do
  lib.bind(api.create, "cufftCreate");
  lib.bind(api.destroy, "cufftDestroy");
  lib.bind(api.set_auto_allocation, "cufftSetAutoAllocation");
  lib.bind(api.make_plan_many64, "cufftMakePlanMany64");
  lib.bind(api.set_work_area, "cufftSetWorkArea");
  lib.bind(api.set_stream, "cufftSetStream");
  lib.bind(api.exec_z2z, "cufftExecZ2Z");
  return api;
}

const char* result_name(cufftResult r) {
  switch (r) {
    case CUFFT_INVALID_PLAN: return "CUFFT_INVALID_PLAN";
    case CUFFT_ALLOC_FAILED: return "CUFFT_ALLOC_FAILED";
    case CUFFT_INVALID_VALUE: return "CUFFT_INVALID_VALUE";
    case CUFFT_INTERNAL_ERROR: return "CUFFT_INTERNAL_ERROR";
    case CUFFT_EXEC_FAILED: return "CUFFT_EXEC_FAILED";
    case CUFFT_SETUP_FAILED: return "CUFFT_SETUP_FAILED";
    case CUFFT_INVALID_SIZE: return "CUFFT_INVALID_SIZE";
    case CUFFT_NOT_SUPPORTED: return "CUFFT_NOT_SUPPORTED";
    default: return "cuFFT error";
  }
}

void check_cufft(cufftResult r, const char* call, int device) {
  if (r != CUFFT_SUCCESS)
    throw CudaError(std::string(call) + " failed on device " + device_name(device) + ": " + result_name(r) +
                    " (status " + std::to_string(int(r)) + ")");
}

struct Plan {
  cufftHandle handle = 0;
  std::size_t work_bytes = 0;
};

// The plans of every device, by (device, n, rows); the mutex also serializes their use
// (a plan's stream and work area are set per transform).
struct PlanCache {
  std::mutex mu;
  std::map<std::pair<int, std::pair<int64_t, int64_t>>, Plan> plans;
  std::map<int, int> per_device;
};
PlanCache& cache() {
  static PlanCache* c = new PlanCache;  // never destroyed: plans may outlive static teardown
  return *c;
}

constexpr int kMaxPlansPerDevice = 64;

Plan make_plan(const CufftApi& api, int64_t n, int64_t rows, int device) {
  Plan p;
  check_cufft(api.create(&p.handle), "cufftCreate", device);
  long long len = n;
  const cufftResult r0 = api.set_auto_allocation(p.handle, 0);
  const cufftResult r1 = r0 != CUFFT_SUCCESS ? r0
                                             : api.make_plan_many64(p.handle, 1, &len, nullptr, 1, n, nullptr, 1, n,
                                                                    CUFFT_Z2Z, rows, &p.work_bytes);
  if (r1 != CUFFT_SUCCESS) {
    api.destroy(p.handle);
    check_cufft(r1, "cufftMakePlanMany64", device);
  }
  return p;
}

}  // namespace

const CufftApi& cufft_api() {
  static const CufftApi api = load();  // a failed load throws and is retried next time
  return api;
}

void z2z(void* data, int64_t rows, int64_t n, bool inverse, int device) {
  if (rows == 0 || n == 0) return;
  const CufftApi& api = cufft_api();
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  PlanCache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  const auto key = std::make_pair(device, std::make_pair(n, rows));
  auto it = c.plans.find(key);
  if (it == c.plans.end()) {
    if (c.per_device[device] >= kMaxPlansPerDevice) {  // drop this device's plans once no transform uses them
      check(cudaStreamSynchronize(st), "cudaStreamSynchronize", device);
      for (auto p = c.plans.begin(); p != c.plans.end();) {
        if (p->first.first == device) {
          api.destroy(p->second.handle);
          p = c.plans.erase(p);
        } else {
          ++p;
        }
      }
      c.per_device[device] = 0;
    }
    it = c.plans.emplace(key, make_plan(api, n, rows, device)).first;
    ++c.per_device[device];
  }
  const Plan& p = it->second;
  DeviceScratch work(p.work_bytes, device);
  check_cufft(api.set_stream(p.handle, st), "cufftSetStream", device);
  check_cufft(api.set_work_area(p.handle, work.as<void>()), "cufftSetWorkArea", device);
  auto* z = static_cast<cufftDoubleComplex*>(data);
  check_cufft(api.exec_z2z(p.handle, z, z, inverse ? CUFFT_INVERSE : CUFFT_FORWARD), "cufftExecZ2Z", device);
}

}  // namespace keras::core::cuda
