// batch_norm.h - fused batch normalization over the last axis (TensorFlow's
// FusedBatchNormV3 and FusedBatchNormGradV3, channels_last). Included by core/ops.h.
//
// Each is one op (core/ops/batch_norm.cpp) with a CPU kernel (core/cpu/batch_norm.cpp) and
// a CUDA kernel (cuDNN's batch normalization, or direct kernels: gpu/batch_norm.cu). The
// channels are the last axis of x (rank >= 1); every other axis is a batch axis, so x is
// seen as (rows, channels). scale, offset, mean and variance are (channels,) vectors of
// x's dtype (float32 or float64). Bad input raises std::invalid_argument naming the op,
// the argument, what was expected and what was received.
#pragma once
#include "core/tensor.h"

namespace keras::core::ops {

/// The outputs of fused_batch_norm.
struct FusedBatchNorm {
  ///@{
  /// y (x's shape); the batch mean and the population (biased) batch variance, (channels,);
  /// inv_std = 1 / sqrt(variance + epsilon), (channels,), what the gradient reuses.
  Tensor y, mean, variance, inv_std;
  ///@}
};

/// Training-mode batch normalization: y = (x - mean) * inv_std * scale + offset with the
/// batch's own statistics (TensorFlow's FusedBatchNormV3 with is_training=true, without
/// its running averages: callers keep their own). epsilon >= 0 and finite. An input with
/// no rows gives NaN statistics and an empty y. Differentiable in x, scale and offset
/// (gradients flowing into mean, variance and inv_std are honoured), to any order.
FusedBatchNorm fused_batch_norm(const Tensor& x, const Tensor& scale, const Tensor& offset, double epsilon);

/// Inference-mode batch normalization with given statistics:
/// y = (x - mean) / sqrt(variance + epsilon) * scale + offset. Differentiable in every input.
Tensor fused_batch_norm_inference(const Tensor& x, const Tensor& scale, const Tensor& offset, const Tensor& mean,
                                  const Tensor& variance, double epsilon);

/// The outputs of fused_batch_norm_grad.
struct FusedBatchNormGrad {
  ///@{
  /// The gradients of x, scale and offset.
  Tensor dx, dscale, doffset;
  ///@}
};

/// The backward pass (TensorFlow's FusedBatchNormGradV3) from the output gradient dy, the
/// forward's x, scale, mean and inv_std. training: mean and inv_std are the batch's (x's
/// gradient goes through them); else they are constants. dmean and dvariance (training
/// only, both or neither): gradients that flowed into the forward's mean and variance
/// outputs, added to dx. Differentiable in every input (second-order gradients).
FusedBatchNormGrad fused_batch_norm_grad(const Tensor& dy, const Tensor& x, const Tensor& scale, const Tensor& mean,
                                         const Tensor& inv_std, bool training, const Tensor& dmean = {},
                                         const Tensor& dvariance = {});

}  // namespace keras::core::ops
