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
  api.pooling = bind(lib, api.create_pool, "cudnnCreatePoolingDescriptor") &&
                bind(lib, api.set_pool, "cudnnSetPoolingNdDescriptor") &&
                bind(lib, api.destroy_pool, "cudnnDestroyPoolingDescriptor") &&
                bind(lib, api.pool_forward, "cudnnPoolingForward") &&
                bind(lib, api.pool_backward, "cudnnPoolingBackward");
  api.rnn = bind(lib, api.get_tensor, "cudnnGetTensorNdDescriptor") &&
            bind(lib, api.create_dropout, "cudnnCreateDropoutDescriptor") &&
            bind(lib, api.set_dropout, "cudnnSetDropoutDescriptor") &&
            bind(lib, api.destroy_dropout, "cudnnDestroyDropoutDescriptor") &&
            bind(lib, api.create_rnn, "cudnnCreateRNNDescriptor") &&
            bind(lib, api.set_rnn, "cudnnSetRNNDescriptor_v8") &&
            bind(lib, api.destroy_rnn, "cudnnDestroyRNNDescriptor") &&
            bind(lib, api.create_rnn_data, "cudnnCreateRNNDataDescriptor") &&
            bind(lib, api.set_rnn_data, "cudnnSetRNNDataDescriptor") &&
            bind(lib, api.destroy_rnn_data, "cudnnDestroyRNNDataDescriptor") &&
            bind(lib, api.rnn_weight_space, "cudnnGetRNNWeightSpaceSize") &&
            bind(lib, api.rnn_weight_params, "cudnnGetRNNWeightParams") &&
            bind(lib, api.rnn_temp_space, "cudnnGetRNNTempSpaceSizes") &&
            bind(lib, api.rnn_forward, "cudnnRNNForward") &&
            bind(lib, api.rnn_backward_data, "cudnnRNNBackwardData_v8") &&
            bind(lib, api.rnn_backward_weights, "cudnnRNNBackwardWeights_v8");
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

CudnnWindow cudnn_window(const Window& w) {
  CudnnWindow cw;
  const int64_t limit = int64_t(1) << 31;  // cuDNN's descriptors take int sizes and strides
  if (w.n <= 0 || w.c <= 0 || w.oc <= 0 || w.n * w.in[0] * w.in[1] * w.in[2] * w.c >= limit ||
      w.n * w.out[0] * w.out[1] * w.out[2] * w.oc >= limit)
    return cw;
  cw.first = w.in[0] == 1 && w.out[0] == 1 && w.k[0] == 1 && w.pl[0] == 0 ? 1 : 0;
  cw.sp = 3 - cw.first;
  for (int i = 0; i < cw.sp; ++i) {
    const int a = cw.first + i;
    const int64_t span = w.d[a] * (w.k[a] - 1) + 1;
    if (w.in[a] + 2 * w.pl[a] < span || (w.in[a] + 2 * w.pl[a] - span) / w.s[a] + 1 != w.out[a]) return cw;
    cw.pad[i] = int(w.pl[a]), cw.stride[i] = int(w.s[a]), cw.dil[i] = int(w.d[a]), cw.size[i] = int(w.k[a]);
  }
  cw.ok = true;
  return cw;
}

void cudnn_nhwc(const CudnnWindow& cw, int64_t n, int64_t c, const int64_t* cells, int* dims, int* strides) {
  int64_t st = c;
  for (int i = cw.sp - 1; i >= 0; --i) {
    dims[2 + i] = int(cells[cw.first + i]);
    strides[2 + i] = int(st);
    st *= cells[cw.first + i];
  }
  dims[0] = int(n), strides[0] = int(st), dims[1] = int(c), strides[1] = 1;
}

}  // namespace keras::core::cuda
