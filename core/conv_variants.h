// conv_variants.h - transposed, depthwise and separable convolutions (keras.ops
// conv_transpose, depthwise_conv, separable_conv), compositions of the conv ops of
// core/ops.h (core/ops/conv_transpose.cpp, core/ops/depthwise_conv.cpp). Included by
// keras/keras.h.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "core/ops.h"

namespace keras::core::ops {

/// Keras 3's keras.ops.conv_transpose (channels_last, 1 to 3 spatial axes): the transpose
/// of conv (conv_backprop_input, whose gradients it shares), kernels (*kernel_size,
/// filters, in_channels) as Keras stores them; output (batch, *out, filters) with, per
/// axis and k = (size - 1) * dilation + 1: "valid": (in - 1) * stride + k + output_padding
/// (default max(k, stride) - k); "same": in * stride, or (in - 1) * stride + k % 2 +
/// output_padding when given. output_padding < stride; padding as TensorFlow's
/// conv_transpose (the conv of that output size gives back the input's size, else a
/// clear error).
Tensor conv_transpose(const Tensor& inputs, const Tensor& kernel, const SpatialArg& strides = 1,
                      const std::string& padding = "valid",
                      const std::optional<SpatialArg>& output_padding = std::nullopt,
                      const std::string& data_format = "channels_last", const SpatialArg& dilation_rate = 1);
/// conv_transpose's output length on one spatial axis (Keras's rule above; -1, unknown,
/// stays -1; an int64 overflow throws std::invalid_argument).
int64_t conv_transpose_output_length(int64_t in, int64_t kernel_size, int64_t stride, int64_t dilation,
                                     const std::string& padding, std::optional<int64_t> output_padding);
/// Keras 3's keras.ops.depthwise_conv (1 or 2 spatial axes): kernel (*kernel_size,
/// channels, depth_multiplier); output channel c * depth_multiplier + m convolves input
/// channel c with kernel[..., c, m] (conv with groups = channels). padding "valid" or
/// "same"; strides and dilation may both exceed 1 (as Keras's TensorFlow backend).
Tensor depthwise_conv(const Tensor& inputs, const Tensor& kernel, const SpatialArg& strides = 1,
                      const std::string& padding = "valid", const std::string& data_format = "channels_last",
                      const SpatialArg& dilation_rate = 1);
/// keras.ops.separable_conv: depthwise_conv, then a 1x1 conv with pointwise_kernel
/// (1, ..., channels * depth_multiplier, filters).
Tensor separable_conv(const Tensor& inputs, const Tensor& depthwise_kernel, const Tensor& pointwise_kernel,
                      const SpatialArg& strides = 1, const std::string& padding = "valid",
                      const std::string& data_format = "channels_last", const SpatialArg& dilation_rate = 1);
}  // namespace keras::core::ops
