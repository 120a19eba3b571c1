// conv_cudnn.cu - float32 convolutions on cuDNN (gpu/conv_cudnn.cuh): activations in
// their own channels_last layout (an NHWC / NDHWC tensor descriptor by strides), the
// Keras kernel (*k, c / groups, oc) reordered to cuDNN's KRSC filter layout for each call
// (and the kernel gradient back), cross-correlation as TensorFlow's, groups, dilation,
// FMA math (no TF32 unless enabled: float32 stays float32, as cuBLAS), and among the
// algorithms cuDNN's heuristics rank, the first deterministic one that runs.
#include <cstdint>
#include <vector>

#include "core/cuda_backend.h"
#include "core/debugging.h"
#include "gpu/context.cuh"
#include "gpu/conv_cudnn.cuh"
#include "gpu/cudnn.cuh"

namespace keras::core::cuda {
namespace {

// Device memory from the caching allocator for one call.
struct Scratch {
  void* p = nullptr;
  size_t bytes = 0;
  int device = 0;
  Scratch(size_t n, int dev) : bytes(n), device(dev) { p = n > 0 ? allocate(n, dev) : nullptr; }
  ~Scratch() {
    if (p != nullptr) deallocate(p, bytes, device);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
};

// (taps, ig, oc) <-> (oc, taps, ig).
__global__ void reorder_kernel(const float* src, float* dst, int64_t taps, int64_t ig, int64_t oc, bool to_krsc) {
  const int64_t total = taps * ig * oc;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t f = i % oc, c = (i / oc) % ig, t = i / (oc * ig);  // i: the Keras index
    const int64_t krsc = (f * taps + t) * ig + c;
    if (to_krsc) dst[krsc] = src[i];
    else dst[i] = src[krsc];
  }
}

// The descriptors of one convolution; nullptr-free only when `ok`.
struct Descs {
  const CudnnApi& api;
  int device;
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnFilterDescriptor_t k = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  bool ok = false;

  Descs(const CudnnApi& a, const Window& w, int dev) : api(a), device(dev) {
    const CudnnWindow cw = cudnn_window(w);
    if (!cw.ok) return;
    const int sp = cw.sp, nb = sp + 2;
    int kd[5], xd[5], xs[5], yd[5], ys[5];
    cudnn_nhwc(cw, w.n, w.c, w.in, xd, xs);
    cudnn_nhwc(cw, w.n, w.oc, w.out, yd, ys);
    kd[0] = int(w.oc), kd[1] = int(w.c / w.groups);
    for (int i = 0; i < sp; ++i) kd[2 + i] = cw.size[i];
    check_cudnn(api.create_tensor(&x), "cudnnCreateTensorDescriptor", device);
    check_cudnn(api.create_tensor(&y), "cudnnCreateTensorDescriptor", device);
    check_cudnn(api.create_filter(&k), "cudnnCreateFilterDescriptor", device);
    check_cudnn(api.create_conv(&conv), "cudnnCreateConvolutionDescriptor", device);
    check_cudnn(api.set_tensor(x, CUDNN_DATA_FLOAT, nb, xd, xs), "cudnnSetTensorNdDescriptor", device);
    check_cudnn(api.set_tensor(y, CUDNN_DATA_FLOAT, nb, yd, ys), "cudnnSetTensorNdDescriptor", device);
    check_cudnn(api.set_filter(k, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC, nb, kd), "cudnnSetFilterNdDescriptor", device);
    check_cudnn(api.set_conv(conv, sp, cw.pad, cw.stride, cw.dil, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
                "cudnnSetConvolutionNdDescriptor", device);
    check_cudnn(api.set_groups(conv, int(w.groups)), "cudnnSetConvolutionGroupCount", device);
    // FMA math keeps float32 exact; TF32 (core::enable_tensor_float_32_execution) lets
    // cuDNN's default math round the inputs to TF32 on tensor cores (Ampere and later).
    check_cudnn(api.set_math(conv, tensor_float_32_execution_enabled() ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH),
                "cudnnSetConvolutionMathType", device);
    ok = true;
  }
  ~Descs() {
    if (conv) api.destroy_conv(conv);
    if (k) api.destroy_filter(k);
    if (y) api.destroy_tensor(y);
    if (x) api.destroy_tensor(x);
  }
  Descs(const Descs&) = delete;
  Descs& operator=(const Descs&) = delete;
};

// The first deterministic algorithm of cuDNN's ranking that it can run (else the first
// it can run), or -1.
template <class Perf>
int pick(const Perf* perf, int count) {
  for (int i = 0; i < count; ++i)
    if (perf[i].status == CUDNN_STATUS_SUCCESS && perf[i].determinism == CUDNN_DETERMINISTIC) return i;
  for (int i = 0; i < count; ++i)
    if (perf[i].status == CUDNN_STATUS_SUCCESS) return i;
  return -1;
}

// The kernel in cuDNN's layout (a copy reordered on the device).
struct KrscKernel : Scratch {
  KrscKernel(const Window& w, const float* k, int device) : Scratch(size_t(w.k[0] * w.k[1] * w.k[2] * (w.c / w.groups) * w.oc) * sizeof(float), device) {
    const int64_t taps = w.k[0] * w.k[1] * w.k[2], ig = w.c / w.groups;
    if (p == nullptr) return;
    reorder_kernel<<<grid_for(taps * ig * w.oc), kBlock, 0, context(device).stream>>>(k, static_cast<float*>(p), taps,
                                                                                      ig, w.oc, true);
    check_launch("conv (kernel to cuDNN's layout)", device);
  }
};

// cuDNN is there and the groups divide the channels (cudnn_window checks the rest).
bool usable(const Window& w) { return w.groups > 0 && w.c % w.groups == 0 && cudnn_api() != nullptr; }

// One pass: the descriptors, cuDNN's ranked algorithms (algos(h, d, count, &n, perf)), the
// workspace of the chosen one (workspace(h, d, algo, &bytes)), then run(h, d, algo, ws,
// bytes). False, with nothing run, where cuDNN does not take the case.
template <class Perf, class Algos, class Workspace, class Run>
bool run_pass(const Window& w, int device, Algos algos, Workspace workspace, Run run) {
  if (!usable(w)) return false;
  DeviceGuard guard(device);
  Descs d(*cudnn_api(), w, device);
  if (!d.ok) return false;
  cudnnHandle_t h = cudnn_handle(device);
  Perf perf[16];
  int n = 0;
  algos(h, d, 16, &n, perf);
  const int a = pick(perf, n);
  if (a < 0) return false;
  size_t bytes = 0;
  workspace(h, d, perf[a].algo, &bytes);
  Scratch ws(bytes, device);
  run(h, d, perf[a].algo, ws.p, bytes);
  return true;
}

constexpr float kOne = 1.0f, kZero = 0.0f;

}  // namespace

bool cudnn_conv_forward(const Window& w, const float* x, const float* k, float* y, int device) {
  const CudnnApi* api = cudnn_api();
  return run_pass<cudnnConvolutionFwdAlgoPerf_t>(
      w, device,
      [&](cudnnHandle_t h, const Descs& d, int want, int* n, cudnnConvolutionFwdAlgoPerf_t* perf) {
        check_cudnn(api->forward_algos(h, d.x, d.k, d.conv, d.y, want, n, perf),
                    "cudnnGetConvolutionForwardAlgorithm_v7", device);
      },
      [&](cudnnHandle_t h, const Descs& d, cudnnConvolutionFwdAlgo_t algo, size_t* bytes) {
        check_cudnn(api->forward_workspace(h, d.x, d.k, d.conv, d.y, algo, bytes),
                    "cudnnGetConvolutionForwardWorkspaceSize", device);
      },
      [&](cudnnHandle_t h, const Descs& d, cudnnConvolutionFwdAlgo_t algo, void* ws, size_t bytes) {
        KrscKernel kk(w, k, device);
        check_cudnn(api->forward(h, &kOne, d.x, x, d.k, kk.p, d.conv, algo, ws, bytes, &kZero, d.y, y),
                    "cudnnConvolutionForward", device);
      });
}

bool cudnn_conv_backward_data(const Window& w, const float* dy, const float* k, float* dx, int device) {
  const CudnnApi* api = cudnn_api();
  return run_pass<cudnnConvolutionBwdDataAlgoPerf_t>(
      w, device,
      [&](cudnnHandle_t h, const Descs& d, int want, int* n, cudnnConvolutionBwdDataAlgoPerf_t* perf) {
        check_cudnn(api->backward_data_algos(h, d.k, d.y, d.conv, d.x, want, n, perf),
                    "cudnnGetConvolutionBackwardDataAlgorithm_v7", device);
      },
      [&](cudnnHandle_t h, const Descs& d, cudnnConvolutionBwdDataAlgo_t algo, size_t* bytes) {
        check_cudnn(api->backward_data_workspace(h, d.k, d.y, d.conv, d.x, algo, bytes),
                    "cudnnGetConvolutionBackwardDataWorkspaceSize", device);
      },
      [&](cudnnHandle_t h, const Descs& d, cudnnConvolutionBwdDataAlgo_t algo, void* ws, size_t bytes) {
        KrscKernel kk(w, k, device);
        check_cudnn(api->backward_data(h, &kOne, d.k, kk.p, d.y, dy, d.conv, algo, ws, bytes, &kZero, d.x, dx),
                    "cudnnConvolutionBackwardData", device);
      });
}

bool cudnn_conv_backward_filter(const Window& w, const float* x, const float* dy, float* dk, int device) {
  const CudnnApi* api = cudnn_api();
  return run_pass<cudnnConvolutionBwdFilterAlgoPerf_t>(
      w, device,
      [&](cudnnHandle_t h, const Descs& d, int want, int* n, cudnnConvolutionBwdFilterAlgoPerf_t* perf) {
        check_cudnn(api->backward_filter_algos(h, d.x, d.y, d.conv, d.k, want, n, perf),
                    "cudnnGetConvolutionBackwardFilterAlgorithm_v7", device);
      },
      [&](cudnnHandle_t h, const Descs& d, cudnnConvolutionBwdFilterAlgo_t algo, size_t* bytes) {
        check_cudnn(api->backward_filter_workspace(h, d.x, d.y, d.conv, d.k, algo, bytes),
                    "cudnnGetConvolutionBackwardFilterWorkspaceSize", device);
      },
      [&](cudnnHandle_t h, const Descs& d, cudnnConvolutionBwdFilterAlgo_t algo, void* ws, size_t bytes) {
        const int64_t taps = w.k[0] * w.k[1] * w.k[2], ig = w.c / w.groups;
        Scratch krsc(size_t(taps * ig * w.oc) * sizeof(float), device);
        check_cudnn(api->backward_filter(h, &kOne, d.x, x, d.y, dy, d.conv, algo, ws, bytes, &kZero, d.k, krsc.p),
                    "cudnnConvolutionBackwardFilter", device);
        reorder_kernel<<<grid_for(taps * ig * w.oc), kBlock, 0, context(device).stream>>>(
            static_cast<const float*>(krsc.p), dk, taps, ig, w.oc, false);
        check_launch("conv_backprop_filter (kernel from cuDNN's layout)", device);
      });
}

}  // namespace keras::core::cuda
