// conv_cudnn.cuh - (CUDA-internal) float32 convolutions on cuDNN for gpu/window.cu's
// launchers; each returns false, doing nothing, where cuDNN does not take the case (cuDNN
// off or missing, a padding cuDNN cannot express), and the launcher runs its direct kernel.
#pragma once
#include "gpu/kernels.h"

namespace keras::core::cuda {

/// y (n, *out, oc) = conv(x, k) (k in Keras's layout: *k, c / groups, oc).
bool cudnn_conv_forward(const Window& w, const float* x, const float* k, float* y, int device);
/// dx (n, *in, c) from dy and k.
bool cudnn_conv_backward_data(const Window& w, const float* dy, const float* k, float* dx, int device);
/// dk (Keras's layout) from x and dy.
bool cudnn_conv_backward_filter(const Window& w, const float* x, const float* dy, float* dk, int device);

}  // namespace keras::core::cuda
