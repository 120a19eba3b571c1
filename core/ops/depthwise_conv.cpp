// depthwise_conv.cpp - keras.ops.depthwise_conv and keras.ops.separable_conv as grouped
// convolutions: the conv op with groups = channels (oneDNN's depthwise kernels for
// float32), so they share conv's kernels and gradient rules (core/ops/conv.cpp).
//
// A Keras depthwise kernel (*size, channels, multiplier) read row-major as (*size, 1,
// channels * multiplier) is conv's grouped kernel: group c holds the filters c * multiplier
// + m, which see input channel c alone.
#include <string>

#include "core/conv_variants.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/conv_util.h"

namespace keras::core::ops {

Tensor depthwise_conv(const Tensor& x, const Tensor& kernel, const SpatialArg& strides, const std::string& padding,
                      const std::string& data_format, const SpatialArg& dilation_rate) {
  using namespace conv_util;
  const char* op = "depthwise_conv";
  if (checked_channels_first(op, {&x, &kernel}, data_format))
    return channels_to_first(depthwise_conv(channels_to_last(x), kernel, strides, padding, "channels_last",
                                            dilation_rate));
  const int64_t r = x.rank() - 2;
  if (r < 1 || r > 2)
    throw_invalid(std::string(op) + ": expected inputs of rank 3 or 4 (batch, 1 or 2 spatial axes, channels), "
                  "but received shape " + x.shape().str());
  if (padding != "valid" && padding != "same")
    throw_invalid(std::string(op) + ": expected padding \"valid\" or \"same\", but received \"" + padding + "\"");
  const Shape& k = kernel.shape();
  if (k.rank() != r + 2 || k[r] != x.shape()[r + 1])
    throw_invalid(std::string(op) + ": expected a kernel of rank " + std::to_string(r + 2) +
                  " (kernel_size..., channels = " + std::to_string(x.shape()[r + 1]) +
                  ", depth_multiplier) for inputs of shape " + x.shape().str() + ", but received kernel shape " +
                  k.str());
  Attrs a;
  a.strides = per_axis(op, "strides", strides, x);
  a.axes = per_axis(op, "dilation_rate", dilation_rate, x);
  std::vector<int64_t> grouped(k.dims().begin(), k.dims().begin() + r);
  for (int64_t s : grouped)
    if (s < 1)
      throw_invalid(std::string(op) + ": expected a kernel size >= 1, but received kernel shape " + k.str());
  resolve_padding(op, padding, x.shape(), grouped, a.axes, a);
  grouped.push_back(1);
  grouped.push_back(k[r] * k[r + 1]);
  // (Not through ops::conv: strides and dilation may exceed 1 together here.)
  return dispatch(OpId::Conv, {x, reshape(kernel, grouped)}, a);
}

Tensor separable_conv(const Tensor& x, const Tensor& depthwise_kernel, const Tensor& pointwise_kernel,
                      const SpatialArg& strides, const std::string& padding, const std::string& data_format,
                      const SpatialArg& dilation_rate) {
  if (conv_util::checked_channels_first("separable_conv", {&x, &depthwise_kernel, &pointwise_kernel}, data_format))
    return channels_to_first(separable_conv(channels_to_last(x), depthwise_kernel, pointwise_kernel, strides, padding,
                                            "channels_last", dilation_rate));
  Tensor y = depthwise_conv(x, depthwise_kernel, strides, padding, data_format, dilation_rate);
  const int64_t r = y.rank() - 2;
  const Shape& p = pointwise_kernel.shape();
  bool ok = p.rank() == r + 2 && p[r] == y.shape()[r + 1];
  for (int64_t i = 0; ok && i < r; ++i) ok = p[i] == 1;
  if (!ok)
  {
    std::string want = "(";
    for (int64_t i = 0; i < r; ++i) want += "1, ";
    throw_invalid("separable_conv: expected a pointwise_kernel of shape " + want +
                  std::to_string(y.shape()[r + 1]) + ", filters) (channels * depth_multiplier = " +
                  std::to_string(y.shape()[r + 1]) + "), but received shape " + p.str());
  }
  return conv(y, pointwise_kernel);
}

}  // namespace keras::core::ops
