// batch_norm.h - (engine-internal) the CUDA launchers of the fused batch-normalization
// ops (core/batch_norm.h), in plain C++ for gpu/register_batch_norm.cpp. x is (rows, ch),
// ch the last axis; every pointer is device memory of the element type dt (f32 or f64).
// float32 runs on cuDNN's batch normalization when it is loaded (gpu/cudnn.cuh) and the
// call fits it, else (and for float64) on the direct kernels of gpu/batch_norm.cu.
#pragma once
#include <cstdint>

#include "gpu/kernels.h"

namespace keras::core::cuda {

/// fused_batch_norm: y, and the batch mean, biased variance and inv_std (ch each).
void batch_norm_train(Dt dt, int64_t rows, int64_t ch, double eps, const void* x, const void* scale,
                      const void* offset, void* y, void* mean, void* var, void* inv_std, int device);
/// fused_batch_norm_inference: y from the given mean and variance.
void batch_norm_inference(Dt dt, int64_t rows, int64_t ch, double eps, const void* x, const void* scale,
                          const void* offset, const void* mean, const void* var, void* y, int device);
/// fused_batch_norm_grad: dx, dscale, doffset; dmean and dvar null or both given (training).
void batch_norm_backward(Dt dt, int64_t rows, int64_t ch, bool training, const void* dy, const void* x,
                         const void* scale, const void* mean, const void* inv_std, const void* dmean,
                         const void* dvar, void* dx, void* dscale, void* doffset, int device);

}  // namespace keras::core::cuda
