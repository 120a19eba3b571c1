// batch_norm_cudnn.cuh - (CUDA-internal) float32 batch normalization on cuDNN
// (gpu/batch_norm_cudnn.cu). Each returns false, having done nothing, when cuDNN is off
// or missing, lacks the entry points, or the call does not fit it (sizes beyond int,
// epsilon below CUDNN_BN_MIN_EPSILON, fewer than two rows in training): the caller then
// runs the direct kernels. The device is current and the sizes are non-zero.
#pragma once
#include <cstdint>

namespace keras::core::cuda {

/// Whether cuDNN is loaded with the batch-normalization entry points (bound once).
bool cudnn_batch_norm_available();

/// Batch statistics only: cuDNN's running averages are not Keras's (the layer keeps its
/// own moving averages); the variance comes out unbiased and is made biased here.
bool cudnn_batch_norm_train(int64_t rows, int64_t ch, double eps, const float* x, const float* scale,
                            const float* offset, float* y, float* mean, float* var, float* inv_std, int device);
/// Inference with the given statistics.
bool cudnn_batch_norm_inference(int64_t rows, int64_t ch, double eps, const float* x, const float* scale,
                                const float* offset, const float* mean, const float* var, float* y, int device);
/// The training-mode backward pass from the saved mean and inv_std (dx, dscale, doffset).
bool cudnn_batch_norm_backward(int64_t rows, int64_t ch, const float* dy, const float* x, const float* scale,
                               const float* mean, const float* inv_std, float* dx, float* dscale, float* doffset,
                               int device);

}  // namespace keras::core::cuda
