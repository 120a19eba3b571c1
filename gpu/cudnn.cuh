// cudnn.cuh - (CUDA-internal, included by gpu/*.cu only) cuDNN, loaded on first use as
// cuBLAS is (gpu/cublas.cuh): a program that never runs a convolution, a pooling or a
// fused recurrent op on a GPU never maps libcudnn. The recurrent ops have no other CUDA
// kernel: without cuDNN's RNN API they raise (gpu/cudnn_rnn.cu). Where the library is missing, or KERAS_CPP_CUDNN=0 is set, the
// convolutions and poolings run on the direct kernels of gpu/window.cu instead (the same
// results up to rounding). Also the window geometry the cuDNN callers share
// (gpu/conv_cudnn.cu, gpu/pool_cudnn.cu).
#pragma once
#include <cudnn.h>

#include <cstdint>

#include "gpu/kernels.h"

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
  // Pooling, bound apart: a library without these entry points still runs convolutions.
  decltype(&cudnnCreatePoolingDescriptor) create_pool = nullptr;
  decltype(&cudnnSetPoolingNdDescriptor) set_pool = nullptr;
  decltype(&cudnnDestroyPoolingDescriptor) destroy_pool = nullptr;
  decltype(&cudnnPoolingForward) pool_forward = nullptr;
  decltype(&cudnnPoolingBackward) pool_backward = nullptr;
  bool pooling = false;  ///< all five pooling entry points were found
  // The RNN API (v8; gpu/cudnn_rnn.cu), bound apart: a library without it still runs the
  // convolutions and poolings.
  decltype(&cudnnGetTensorNdDescriptor) get_tensor = nullptr;
  decltype(&cudnnCreateDropoutDescriptor) create_dropout = nullptr;
  decltype(&cudnnSetDropoutDescriptor) set_dropout = nullptr;
  decltype(&cudnnDestroyDropoutDescriptor) destroy_dropout = nullptr;
  decltype(&cudnnCreateRNNDescriptor) create_rnn = nullptr;
  decltype(&cudnnSetRNNDescriptor_v8) set_rnn = nullptr;
  decltype(&cudnnDestroyRNNDescriptor) destroy_rnn = nullptr;
  decltype(&cudnnCreateRNNDataDescriptor) create_rnn_data = nullptr;
  decltype(&cudnnSetRNNDataDescriptor) set_rnn_data = nullptr;
  decltype(&cudnnDestroyRNNDataDescriptor) destroy_rnn_data = nullptr;
  decltype(&cudnnGetRNNWeightSpaceSize) rnn_weight_space = nullptr;
  decltype(&cudnnGetRNNWeightParams) rnn_weight_params = nullptr;
  decltype(&cudnnGetRNNTempSpaceSizes) rnn_temp_space = nullptr;
  decltype(&cudnnRNNForward) rnn_forward = nullptr;
  decltype(&cudnnRNNBackwardData_v8) rnn_backward_data = nullptr;
  decltype(&cudnnRNNBackwardWeights_v8) rnn_backward_weights = nullptr;
  bool rnn = false;  ///< every RNN entry point above was found
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

/// A channels_last window op (Window: spatial axes padded to 3) in cuDNN's terms: 2
/// spatial axes for 1D and 2D ops (the leading unused axis dropped), 3 for 3D ones.
struct CudnnWindow {
  /// False where cuDNN cannot run the op as given: a count of windows that cuDNN's
  /// symmetric padding (pl on both sides) does not reproduce, or sizes past int.
  bool ok = false;
  int first = 0;  ///< the first of Window's three axes given to cuDNN
  int sp = 0;     ///< spatial axes given to cuDNN (2 or 3)
  int pad[3] = {0, 0, 0}, stride[3] = {1, 1, 1}, dil[3] = {1, 1, 1}, size[3] = {1, 1, 1};
};

/// The cuDNN geometry of `w`. Where TensorFlow's "same" pads one cell more after than
/// before, cuDNN's padding of pl on both sides gives the same windows (starting at
/// o * s - pl) exactly when its count of windows is Window's: then every window reads the
/// same input cells, and `ok` is set.
CudnnWindow cudnn_window(const Window& w);

/// Dims (N, C, spatial...) and strides of a channels_last tensor (n, *cells, c) for
/// cudnnSetTensorNdDescriptor (cw.sp + 2 entries each).
void cudnn_nhwc(const CudnnWindow& cw, int64_t n, int64_t c, const int64_t* cells, int* dims, int* strides);

}  // namespace keras::core::cuda
