// batch_norm_cudnn.cu - float32 batch normalization on cuDNN (gpu/batch_norm_cudnn.cuh).
// x (rows, ch) channels_last is cuDNN's packed NCHW tensor (rows, ch, 1, 1), normalized
// per channel over N x H x W = rows (CUDNN_BATCHNORM_SPATIAL); scale, offset and the
// statistics are (1, ch, 1, 1). The entry points are bound from the library gpu/cudnn.cu
// loaded, once; without them the direct kernels run.
#include <dlfcn.h>

#include <climits>

#include "gpu/batch_norm_cudnn.cuh"
#include "gpu/context.cuh"
#include "gpu/cudnn.cuh"

namespace keras::core::cuda {
namespace {

struct BnApi {
  decltype(&cudnnSetTensor4dDescriptor) set_4d = nullptr;
  decltype(&cudnnBatchNormalizationForwardTraining) forward_training = nullptr;
  decltype(&cudnnBatchNormalizationForwardInference) forward_inference = nullptr;
  decltype(&cudnnBatchNormalizationBackward) backward = nullptr;
};

template <class F>
bool bind(void* lib, F& fn, const char* symbol) {
  fn = reinterpret_cast<F>(dlsym(lib, symbol));
  return fn != nullptr;
}

const BnApi* bn_api() {
  static const BnApi* api = []() -> const BnApi* {
    void* lib = cudnn_library();
    if (lib == nullptr) return nullptr;
    static BnApi a;
    const bool ok = bind(lib, a.set_4d, "cudnnSetTensor4dDescriptor") &&
                    bind(lib, a.forward_training, "cudnnBatchNormalizationForwardTraining") &&
                    bind(lib, a.forward_inference, "cudnnBatchNormalizationForwardInference") &&
                    bind(lib, a.backward, "cudnnBatchNormalizationBackward");
    return ok ? &a : nullptr;
  }();
  return api;
}

// The data and parameter descriptors of one call, destroyed at scope end.
struct Descs {
  const CudnnApi& api;
  int device;
  cudnnTensorDescriptor_t x = nullptr, p = nullptr;
  Descs(const CudnnApi& a, const BnApi& bn, int64_t rows, int64_t ch, int dev) : api(a), device(dev) {
    check_cudnn(api.create_tensor(&x), "cudnnCreateTensorDescriptor", device);
    check_cudnn(api.create_tensor(&p), "cudnnCreateTensorDescriptor", device);
    check_cudnn(bn.set_4d(x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, int(rows), int(ch), 1, 1),
                "cudnnSetTensor4dDescriptor", device);
    check_cudnn(bn.set_4d(p, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, int(ch), 1, 1), "cudnnSetTensor4dDescriptor",
                device);
  }
  ~Descs() {
    if (x != nullptr) api.destroy_tensor(x);
    if (p != nullptr) api.destroy_tensor(p);
  }
  Descs(const Descs&) = delete;
  Descs& operator=(const Descs&) = delete;
};

bool fits(int64_t rows, int64_t ch) { return rows <= INT_MAX && ch <= INT_MAX && rows * ch <= INT_MAX; }

// var *= (rows - 1) / rows: cuDNN's running variance is the unbiased one.
__global__ void debias_kernel(float* var, int64_t ch, float k) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < ch; i += int64_t(gridDim.x) * blockDim.x)
    var[i] *= k;
}

}  // namespace

bool cudnn_batch_norm_available() { return bn_api() != nullptr; }

bool cudnn_batch_norm_train(int64_t rows, int64_t ch, double eps, const float* x, const float* scale,
                            const float* offset, float* y, float* mean, float* var, float* inv_std, int device) {
  const CudnnApi* api = cudnn_api();
  const BnApi* bn = bn_api();
  if (api == nullptr || bn == nullptr || !fits(rows, ch) || rows < 2 || eps < CUDNN_BN_MIN_EPSILON) return false;
  const Descs d(*api, *bn, rows, ch, device);
  const float one = 1.0f, zero = 0.0f;
  // exponentialAverageFactor 1: the "running" outputs are this batch's mean and unbiased
  // variance (cleared first: cuDNN scales their old contents by 0, and 0 * NaN is NaN).
  DeviceScratch running_mean(size_t(ch) * sizeof(float), device);
  const cudaStream_t s = context(device).stream;
  check(cudaMemsetAsync(running_mean.as<float>(), 0, size_t(ch) * sizeof(float), s), "cudaMemsetAsync", device);
  check(cudaMemsetAsync(var, 0, size_t(ch) * sizeof(float), s), "cudaMemsetAsync", device);
  check_cudnn(bn->forward_training(cudnn_handle(device), CUDNN_BATCHNORM_SPATIAL, &one, &zero, d.x, x, d.x, y, d.p,
                                   scale, offset, 1.0, running_mean.as<float>(), var, eps, mean, inv_std),
              "cudnnBatchNormalizationForwardTraining", device);
  debias_kernel<<<grid_for(ch), kBlock, 0, s>>>(var, ch, float(double(rows - 1) / double(rows)));
  check_launch("fused_batch_norm (variance)", device);
  return true;
}

bool cudnn_batch_norm_inference(int64_t rows, int64_t ch, double eps, const float* x, const float* scale,
                                const float* offset, const float* mean, const float* var, float* y, int device) {
  const CudnnApi* api = cudnn_api();
  const BnApi* bn = bn_api();
  if (api == nullptr || bn == nullptr || !fits(rows, ch) || eps < CUDNN_BN_MIN_EPSILON) return false;
  const Descs d(*api, *bn, rows, ch, device);
  const float one = 1.0f, zero = 0.0f;
  check_cudnn(bn->forward_inference(cudnn_handle(device), CUDNN_BATCHNORM_SPATIAL, &one, &zero, d.x, x, d.x, y, d.p,
                                    scale, offset, mean, var, eps),
              "cudnnBatchNormalizationForwardInference", device);
  return true;
}

bool cudnn_batch_norm_backward(int64_t rows, int64_t ch, const float* dy, const float* x, const float* scale,
                               const float* mean, const float* inv_std, float* dx, float* dscale, float* doffset,
                               int device) {
  const CudnnApi* api = cudnn_api();
  const BnApi* bn = bn_api();
  if (api == nullptr || bn == nullptr || !fits(rows, ch) || rows < 2) return false;
  const Descs d(*api, *bn, rows, ch, device);
  const float one = 1.0f, zero = 0.0f;
  // With the saved mean and inv_std given, cuDNN does not use epsilon (any allowed value).
  const double eps = CUDNN_BN_MIN_EPSILON > 1e-5 ? CUDNN_BN_MIN_EPSILON : 1e-5;
  check_cudnn(bn->backward(cudnn_handle(device), CUDNN_BATCHNORM_SPATIAL, &one, &zero, &one, &zero, d.x, x, d.x, dy,
                           d.x, dx, d.p, scale, dscale, doffset, eps, mean, inv_std),
              "cudnnBatchNormalizationBackward", device);
  return true;
}

}  // namespace keras::core::cuda
