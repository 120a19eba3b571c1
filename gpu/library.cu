// library.cu - CudaLibrary (gpu/library.cuh): dlopen and dlsym with clear errors.
#include <cuda_runtime.h>
#include <dlfcn.h>

#include <string>

#include "core/cuda_backend.h"
#include "gpu/library.cuh"

namespace keras::core::cuda {

CudaLibrary::CudaLibrary(const char* what, const char* file, int major, const char* purpose)
    : what_(what), file_(file), major_(major) {
  const std::string soname = "lib" + file_ + ".so." + std::to_string(major);
  std::string tried;
  for (const std::string& n : {soname, "lib" + file_ + ".so"}) {
    if ((handle_ = dlopen(n.c_str(), RTLD_NOW | RTLD_LOCAL)) != nullptr) return;
    tried += (tried.empty() ? "" : "; ") + std::string(dlerror());
  }
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&cudaGetDeviceCount), &info) != 0 && info.dli_fname != nullptr) {
    std::string dir = info.dli_fname;
    dir.erase(dir.find_last_of('/') + 1);
    if (!dir.empty()) {
      if ((handle_ = dlopen((dir + soname).c_str(), RTLD_NOW | RTLD_LOCAL)) != nullptr) return;
      tried += "; " + std::string(dlerror());
    }
  }
  throw CudaError(what_ + ": cannot load " + soname + " (needed for " + purpose + " on a GPU): " + tried);
}

void* CudaLibrary::find(const std::string& symbol) const {
  void* p = dlsym(handle_, symbol.c_str());
  if (p == nullptr)
    throw CudaError(what_ + ": the loaded lib" + file_ + " lacks " + symbol + " (built against " + what_ + " " +
                    std::to_string(major_) + ")");
  return p;
}

}  // namespace keras::core::cuda
