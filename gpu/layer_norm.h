// layer_norm.h - (engine-internal) the CUDA launchers of the fused layer-normalization
// ops (core/layer_norm.h), in plain C++ for gpu/register_batch_norm.cpp. x is (rows, ch),
// ch the last axis, each row normalized by its own statistics; every pointer is device
// memory of the element type dt (f32 or f64); mean, inv_std, dmean and dinv_std hold one
// value per row.
#pragma once
#include <cstdint>

#include "gpu/kernels.h"

namespace keras::core::cuda {

/// fused_layer_norm: y, and each row's mean and inv_std.
void layer_norm_forward(Dt dt, int64_t rows, int64_t ch, double eps, const void* x, const void* scale,
                        const void* offset, void* y, void* mean, void* inv_std, int device);
/// fused_layer_norm_grad: dx, dscale, doffset; dmean and dinv_std null or both given.
void layer_norm_backward(Dt dt, int64_t rows, int64_t ch, const void* dy, const void* x, const void* scale,
                         const void* mean, const void* inv_std, const void* dmean, const void* dinv_std, void* dx,
                         void* dscale, void* doffset, int device);

}  // namespace keras::core::cuda
