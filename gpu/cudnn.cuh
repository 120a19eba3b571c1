// cudnn.cuh - (CUDA-internal, included by gpu/*.cu only) cuDNN, loaded on first use as
// cuBLAS is (gpu/cublas.cuh): a program that never runs a convolution on a GPU never maps
// libcudnn. Where the library is missing, or KERAS_CPP_CUDNN=0 is set, the convolutions
// run on the direct kernels of gpu/window.cu instead (the same results up to rounding).
#pragma once
#include <cudnn.h>

namespace keras::core::cuda {

/// The cuDNN entry points the backend uses (typed from cudnn.h).
struct CudnnApi {
  decltype(&cudnnCreate) create = nullptr;
  decltype(&cudnnSetStream) set_stream = nullptr;
  decltype(&cudnnGetErrorString) error_string = nullptr;
  decltype(&cudnnCreateTensorDescriptor) create_tensor = nullptr;
  decltype(&cudnnSetTensorNdDescriptor) set_tensor = nullptr;
  decltype(&cudnnDestroyTensorDescriptor) destroy_tensor = nullptr;
  decltype(&cudnnCreateFilterDescriptor) create_filter = nullptr;
  decltype(&cudnnSetFilterNdDescriptor) set_filter = nullptr;
  decltype(&cudnnDestroyFilterDescriptor) destroy_filter = nullptr;
  decltype(&cudnnCreateConvolutionDescriptor) create_conv = nullptr;
  decltype(&cudnnSetConvolutionNdDescriptor) set_conv = nullptr;
  decltype(&cudnnSetConvolutionGroupCount) set_groups = nullptr;
  decltype(&cudnnSetConvolutionMathType) set_math = nullptr;
  decltype(&cudnnDestroyConvolutionDescriptor) destroy_conv = nullptr;
  decltype(&cudnnGetConvolutionForwardAlgorithm_v7) forward_algos = nullptr;
  decltype(&cudnnGetConvolutionForwardWorkspaceSize) forward_workspace = nullptr;
  decltype(&cudnnConvolutionForward) forward = nullptr;
  decltype(&cudnnGetConvolutionBackwardDataAlgorithm_v7) backward_data_algos = nullptr;
  decltype(&cudnnGetConvolutionBackwardDataWorkspaceSize) backward_data_workspace = nullptr;
  decltype(&cudnnConvolutionBackwardData) backward_data = nullptr;
  decltype(&cudnnGetConvolutionBackwardFilterAlgorithm_v7) backward_filter_algos = nullptr;
  decltype(&cudnnGetConvolutionBackwardFilterWorkspaceSize) backward_filter_workspace = nullptr;
  decltype(&cudnnConvolutionBackwardFilter) backward_filter = nullptr;
};

/// The table, or null when cuDNN is off (KERAS_CPP_CUDNN=0) or cannot be loaded (decided
/// once, thread-safe).
const CudnnApi* cudnn_api();

/// The loaded library (dlopen's handle) for entry points bound elsewhere (batch
/// normalization: gpu/batch_norm_cudnn.cu), or null exactly when cudnn_api() is.
void* cudnn_library();

/// The cuDNN handle of `device`, bound to its stream (created at first use; thread-safe).
/// Only valid when cudnn_api() is not null.
cudnnHandle_t cudnn_handle(int device);

/// Throws CudaError naming `call`, the device and cuDNN's message unless `s` is success.
void check_cudnn(cudnnStatus_t s, const char* call, int device);

}  // namespace keras::core::cuda
