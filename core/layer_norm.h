// layer_norm.h - fused layer normalization over the last axis (the forward pass of
// Keras's LayerNormalization with axis -1, and its backward pass), each one op with a CPU
// kernel (core/cpu/layer_norm.cpp). x is seen as (rows, C), C its last axis; each row is
// normalized by its own mean and (biased) variance. scale and offset are (C,) vectors of
// x's dtype (float32 or float64). Bad input raises std::invalid_argument naming the op,
// the argument, what was expected and what was received.
#pragma once
#include "core/tensor.h"

namespace keras::core::ops {

/// Whether fused_layer_norm has a kernel for x's device and dtype (layers and
/// keras::ops::layer_normalization compose the same computation from other ops where not).
bool fused_layer_norm_supported(const Tensor& x);

/// The outputs of fused_layer_norm.
struct FusedLayerNorm {
  ///@{
  /// y (x's shape); each row's mean and inv_std = 1 / sqrt(variance + epsilon), both of
  /// x's shape with the last axis 1, what the gradient reuses.
  Tensor y, mean, inv_std;
  ///@}
};

/// y = (x - mean) * inv_std * scale + offset over the last axis (the statistics in
/// double; a constant row gives the offset exactly). epsilon >= 0 and finite. Rows of no elements give NaN statistics. Differentiable in x,
/// scale and offset (gradients flowing into mean and inv_std are honoured), to any order.
FusedLayerNorm fused_layer_norm(const Tensor& x, const Tensor& scale, const Tensor& offset, double epsilon);

/// The outputs of fused_layer_norm_grad.
struct FusedLayerNormGrad {
  ///@{
  /// The gradients of x, scale and offset.
  Tensor dx, dscale, doffset;
  ///@}
};

/// The backward pass from the output gradient dy, the forward's x, scale, mean and
/// inv_std: with xhat = (x - mean) * inv_std, h = dy * scale and C the row length,
/// dx = inv_std * (h - mean_row(h) - xhat * mean_row(h * xhat)), dscale = sum_rows(dy *
/// xhat), doffset = sum_rows(dy). dmean and dinv_std (both or neither, the shape of mean):
/// gradients that flowed into the forward's statistics, added to dx as dmean / C -
/// dinv_std * inv_std^3 * (x - mean) / C. Differentiable in every input.
FusedLayerNormGrad fused_layer_norm_grad(const Tensor& dy, const Tensor& x, const Tensor& scale, const Tensor& mean,
                                         const Tensor& inv_std, const Tensor& dmean = {},
                                         const Tensor& dinv_std = {});

}  // namespace keras::core::ops
