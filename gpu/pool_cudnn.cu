// pool_cudnn.cu - float32 max and average pooling on cuDNN (gpu/pool_cudnn.cuh), in the
// tensors' own channels_last layout (NHWC / NDHWC descriptors by strides).
//
// Taken only where the result is the CPU's (core/cpu/pool.cpp):
// - the windows: cuDNN pads pl cells on both sides; cudnn_window (gpu/cudnn.cu) accepts
//   the op only when that gives Window's count of windows, so every window reads the
//   same input cells as on the CPU (TensorFlow's "same" pads the extra cell after);
// - max: padding takes no part; NaN is not propagated (CUDNN_NOT_PROPAGATE_NAN: the
//   CPU's rule, NaN never wins; TensorFlow's GPU kernels propagate NaN by default,
//   TF_ENABLE_MAXPOOL_NANPROP, its CPU kernel does not), and the result is then raised
//   to the lowest finite value, the CPU's start: a window of NaN and -inf gives the
//   lowest value there too;
// - average: CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING divides by the cells inside the
//   input, the CPU's divisor (equal up to rounding: cuDNN's order of the sum is its own).
#include <cstdint>

#include <cuda/std/limits>

#include "core/cuda_backend.h"
#include "gpu/context.cuh"
#include "gpu/cudnn.cuh"
#include "gpu/pool_cudnn.cuh"

namespace keras::core::cuda {
namespace {

// The tensor and pooling descriptors of one pooling; all set only when `ok`.
struct PoolDescs {
  const CudnnApi& api;
  int device;
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnPoolingDescriptor_t pool = nullptr;
  bool ok = false;

  PoolDescs(const CudnnApi& a, const Window& w, cudnnPoolingMode_t mode, int dev) : api(a), device(dev) {
    const CudnnWindow cw = cudnn_window(w);
    if (!cw.ok || w.c != w.oc) return;
    for (int i = 0; i < cw.sp; ++i)
      if (cw.dil[i] != 1 || cw.pad[i] >= cw.size[i]) return;  // every window holds an input cell
    const int nb = cw.sp + 2;
    int xd[5], xs[5], yd[5], ys[5];
    cudnn_nhwc(cw, w.n, w.c, w.in, xd, xs);
    cudnn_nhwc(cw, w.n, w.c, w.out, yd, ys);
    check_cudnn(api.create_tensor(&x), "cudnnCreateTensorDescriptor", device);
    check_cudnn(api.create_tensor(&y), "cudnnCreateTensorDescriptor", device);
    check_cudnn(api.set_tensor(x, CUDNN_DATA_FLOAT, nb, xd, xs), "cudnnSetTensorNdDescriptor", device);
    check_cudnn(api.set_tensor(y, CUDNN_DATA_FLOAT, nb, yd, ys), "cudnnSetTensorNdDescriptor", device);
    // The pooling descriptor lives in cuDNN 9's libcudnn_ops, loaded by the library at
    // first use: where it cannot be, or cuDNN refuses the window, the direct kernel runs.
    if (api.create_pool(&pool) != CUDNN_STATUS_SUCCESS) {
      pool = nullptr;
      return;
    }
    ok = api.set_pool(pool, mode, CUDNN_NOT_PROPAGATE_NAN, cw.sp, cw.size, cw.pad, cw.stride) == CUDNN_STATUS_SUCCESS;
  }
  ~PoolDescs() {
    if (pool) api.destroy_pool(pool);
    if (y) api.destroy_tensor(y);
    if (x) api.destroy_tensor(x);
  }
  PoolDescs(const PoolDescs&) = delete;
  PoolDescs& operator=(const PoolDescs&) = delete;
};

const CudnnApi* pooling_api() {
  const CudnnApi* api = cudnn_api();
  return api != nullptr && api->pooling ? api : nullptr;
}

// y = max(y, lowest finite value); NaN (an all-NaN window) becomes the lowest value too.
__global__ void raise_to_lowest_kernel(float* y, int64_t total) {
  const float lowest = ::cuda::std::numeric_limits<float>::lowest();
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = y[i] > lowest ? y[i] : lowest;
}

// False when cuDNN reports the case unsupported (nothing ran); throws on other failures.
bool ran(cudnnStatus_t s, const char* call, int device) {
  if (s == CUDNN_STATUS_NOT_SUPPORTED) return false;
  check_cudnn(s, call, device);
  return true;
}

constexpr float kOne = 1.0f, kZero = 0.0f;

}  // namespace

bool cudnn_pool_forward(bool max, const Window& w, const float* x, float* y, int device) {
  const CudnnApi* api = pooling_api();
  if (api == nullptr) return false;
  DeviceGuard guard(device);
  PoolDescs d(*api, w, max ? CUDNN_POOLING_MAX : CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, device);
  if (!d.ok) return false;
  if (!ran(api->pool_forward(cudnn_handle(device), d.pool, &kOne, d.x, x, &kZero, d.y, y), "cudnnPoolingForward",
           device))
    return false;
  if (max) {
    const int64_t total = w.n * w.out[0] * w.out[1] * w.out[2] * w.c;
    raise_to_lowest_kernel<<<grid_for(total), kBlock, 0, context(device).stream>>>(y, total);
    check_launch("max_pool (cuDNN, lowest value)", device);
  }
  return true;
}

bool cudnn_avg_pool_backward(const Window& w, const float* dy, float* dx, int device) {
  const CudnnApi* api = pooling_api();
  if (api == nullptr) return false;
  DeviceGuard guard(device);
  PoolDescs d(*api, w, CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, device);
  if (!d.ok) return false;
  // cudnnPoolingBackward takes the forward pass's x and y as well, which an average does
  // not read: dy stands for y (its shape), scratch memory of x's size for x.
  DeviceScratch x(size_t(w.n * w.in[0] * w.in[1] * w.in[2] * w.c) * sizeof(float), device);
  return ran(api->pool_backward(cudnn_handle(device), d.pool, &kOne, d.y, dy, d.y, dy, d.x, x.as<float>(), &kZero,
                                d.x, dx),
             "cudnnPoolingBackward", device);
}

}  // namespace keras::core::cuda
