// cudnn.cu - loads cuDNN on first use and keeps one handle per device (gpu/cudnn.cuh).
#include "gpu/cudnn.cuh"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

#include "gpu/context.cuh"

namespace keras::core::cuda {
namespace {

void* g_library = nullptr;  // set once by load(), under cudnn_api()'s static initialization

template <class F>
bool bind(void* lib, F& fn, const char* symbol) {
  fn = reinterpret_cast<F>(dlsym(lib, symbol));
  return fn != nullptr;
}

// The library of the major version the backend was compiled against, then the
// unversioned name (toolkits with the development files).
const CudnnApi* load() {
  if (const char* env = std::getenv("KERAS_CPP_CUDNN"); env != nullptr && std::strcmp(env, "0") == 0) return nullptr;
  void* lib = nullptr;
  for (const std::string& name : {"libcudnn.so." + std::to_string(CUDNN_MAJOR), std::string("libcudnn.so")})
    if ((lib = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL)) != nullptr) break;
  if (lib == nullptr) return nullptr;
  static CudnnApi api;  // the library stays open for the process, as the handles live
  const bool ok = bind(lib, api.create, "cudnnCreate") && bind(lib, api.set_stream, "cudnnSetStream") &&
                  bind(lib, api.error_string, "cudnnGetErrorString") &&
                  bind(lib, api.create_tensor, "cudnnCreateTensorDescriptor") &&
                  bind(lib, api.set_tensor, "cudnnSetTensorNdDescriptor") &&
                  bind(lib, api.destroy_tensor, "cudnnDestroyTensorDescriptor") &&
                  bind(lib, api.create_filter, "cudnnCreateFilterDescriptor") &&
                  bind(lib, api.set_filter, "cudnnSetFilterNdDescriptor") &&
                  bind(lib, api.destroy_filter, "cudnnDestroyFilterDescriptor") &&
                  bind(lib, api.create_conv, "cudnnCreateConvolutionDescriptor") &&
                  bind(lib, api.set_conv, "cudnnSetConvolutionNdDescriptor") &&
                  bind(lib, api.set_groups, "cudnnSetConvolutionGroupCount") &&
                  bind(lib, api.set_math, "cudnnSetConvolutionMathType") &&
                  bind(lib, api.destroy_conv, "cudnnDestroyConvolutionDescriptor") &&
                  bind(lib, api.forward_algos, "cudnnGetConvolutionForwardAlgorithm_v7") &&
                  bind(lib, api.forward_workspace, "cudnnGetConvolutionForwardWorkspaceSize") &&
                  bind(lib, api.forward, "cudnnConvolutionForward") &&
                  bind(lib, api.backward_data_algos, "cudnnGetConvolutionBackwardDataAlgorithm_v7") &&
                  bind(lib, api.backward_data_workspace, "cudnnGetConvolutionBackwardDataWorkspaceSize") &&
                  bind(lib, api.backward_data, "cudnnConvolutionBackwardData") &&
                  bind(lib, api.backward_filter_algos, "cudnnGetConvolutionBackwardFilterAlgorithm_v7") &&
                  bind(lib, api.backward_filter_workspace, "cudnnGetConvolutionBackwardFilterWorkspaceSize") &&
                  bind(lib, api.backward_filter, "cudnnConvolutionBackwardFilter");
  if (!ok) return nullptr;  // a library without these entry points: the direct kernels
  g_library = lib;
  return &api;
}

}  // namespace

const CudnnApi* cudnn_api() {
  static const CudnnApi* api = load();
  return api;
}

void* cudnn_library() { return cudnn_api() != nullptr ? g_library : nullptr; }

cudnnHandle_t cudnn_handle(int device) {
  static std::mutex mu;
  static std::unordered_map<int, cudnnHandle_t> handles;
  std::lock_guard<std::mutex> lock(mu);
  auto it = handles.find(device);
  if (it != handles.end()) return it->second;
  const CudnnApi& api = *cudnn_api();
  DeviceGuard guard(device);
  cudnnHandle_t h = nullptr;
  check_cudnn(api.create(&h), "cudnnCreate", device);
  check_cudnn(api.set_stream(h, context(device).stream), "cudnnSetStream", device);
  return handles.emplace(device, h).first->second;
}

void check_cudnn(cudnnStatus_t s, const char* call, int device) {
  if (s == CUDNN_STATUS_SUCCESS) return;
  const CudnnApi* api = cudnn_api();
  throw CudaError(std::string(call) + " failed on " + device_name(device) + ": " +
                  (api != nullptr ? api->error_string(s) : "cuDNN error"));
}

}  // namespace keras::core::cuda
