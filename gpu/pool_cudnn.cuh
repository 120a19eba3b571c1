// pool_cudnn.cuh - (CUDA-internal) float32 pooling on cuDNN for gpu/window.cu's launchers;
// each returns false, doing nothing, where cuDNN does not take the case (cuDNN off or
// missing, a padding cuDNN cannot express, a window it refuses), and the launcher runs
// its direct kernel. max_pool's gradient has no cuDNN path: which of tied maxima cuDNN
// gives the gradient to is not documented, and the CPU's rule is the first in row-major
// order (gpu/window.cu keeps it).
#pragma once
#include "gpu/kernels.h"

namespace keras::core::cuda {

/// y (n, *out, c) = max_pool (`max`) or average_pool of x (n, *in, c); padding takes no
/// part in a max and is not counted in an average (Keras's "same").
bool cudnn_pool_forward(bool max, const Window& w, const float* x, float* y, int device);
/// dx (n, *in, c) = average_pool's gradient from dy (n, *out, c).
bool cudnn_avg_pool_backward(const Window& w, const float* dy, float* dx, int device);

}  // namespace keras::core::cuda
