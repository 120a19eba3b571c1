// conv_transpose.cpp - keras.ops.conv_transpose: Keras's output size
// (compute_conv_transpose_output_shape) and TensorFlow's padding for it, run as
// conv_backprop_input, whose kernels and gradient rule it shares (core/ops/conv.cpp).
//
// A transposed convolution of x (batch, *in, channels) with a Keras kernel (*size,
// filters, channels) is the gradient, with respect to its input, of the convolution of an
// input of shape (batch, *out, filters) by the same kernel read as (*size, in_channels =
// filters, filters = channels): no new kernel and no new op.
#include <algorithm>
#include <string>

#include "core/conv_variants.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/conv_util.h"

namespace keras::core::ops {
namespace {

constexpr const char* kOp = "conv_transpose";

std::string dims_str(const std::vector<int64_t>& v) { return Shape(v).str(); }

// a * b + c, or an error when it does not fit an int64.
int64_t checked_mul_add(int64_t a, int64_t b, int64_t c) {
  int64_t p = 0, s = 0;
  if (__builtin_mul_overflow(a, b, &p) || __builtin_add_overflow(p, c, &s))
    throw_invalid(std::string(kOp) + ": the output size overflows int64 (input size " + std::to_string(a) +
                  ", stride or dilation " + std::to_string(b) + ")");
  return s;
}

}  // namespace

// Keras's _get_output_shape_given_tf_padding.
int64_t conv_transpose_output_length(int64_t in, int64_t size, int64_t stride, int64_t dilation,
                                     const std::string& padding, std::optional<int64_t> output_padding) {
  if (in < 0) return -1;
  const int64_t k = checked_mul_add(size - 1, dilation, 1);
  if (padding == "valid")
    return checked_mul_add(in - 1, stride, checked_mul_add(1, k, output_padding.value_or(std::max(k, stride) - k)));
  if (!output_padding) return checked_mul_add(in, stride, 0);
  return checked_mul_add(in - 1, stride, k % 2 + *output_padding);
}

Tensor conv_transpose(const Tensor& x, const Tensor& kernel, const SpatialArg& strides, const std::string& padding,
                      const std::optional<SpatialArg>& output_padding, const std::string& data_format,
                      const SpatialArg& dilation_rate) {
  using namespace conv_util;
  if (checked_channels_first(kOp, {&x, &kernel}, data_format))
    return channels_to_first(
        conv_transpose(channels_to_last(x), kernel, strides, padding, output_padding, "channels_last", dilation_rate));
  if (padding != "valid" && padding != "same")
    throw_invalid(std::string(kOp) + ": expected padding \"valid\" or \"same\", but received \"" + padding + "\"");
  Attrs a;
  a.strides = per_axis(kOp, "strides", strides, x);
  a.axes = per_axis(kOp, "dilation_rate", dilation_rate, x);
  std::vector<int64_t> opad;
  if (output_padding) opad = per_axis(kOp, "output_padding", *output_padding, x, 0);
  const int64_t r = x.rank() - 2;
  const Shape& k = kernel.shape();
  if (k.rank() != r + 2)
    throw_invalid(std::string(kOp) + ": expected a kernel of rank " + std::to_string(r + 2) +
                  " (kernel_size..., filters, in_channels) for inputs of shape " + x.shape().str() +
                  ", but received kernel shape " + k.str());
  if (k[r + 1] != x.shape()[r + 1])
    throw_invalid(std::string(kOp) + ": expected the kernel's last axis (in_channels) to equal the inputs' " +
                  std::to_string(x.shape()[r + 1]) + " channels (inputs of shape " + x.shape().str() +
                  "), but received kernel shape " + k.str());
  std::vector<int64_t> size(k.dims().begin(), k.dims().begin() + r);
  for (int64_t i = 0; i < r; ++i) {
    const size_t u = size_t(i);
    if (size[u] < 1 || k[r] < 1)
      throw_invalid(std::string(kOp) + ": expected a kernel size and filters >= 1, but received kernel shape " +
                    k.str());
    if (a.strides[u] > 1 && a.axes[u] > 1)
      throw_invalid(std::string(kOp) + ": strides > 1 with dilation_rate > 1 is not supported (as in Keras), "
                    "received strides " + dims_str(a.strides) + " and dilation_rate " + dims_str(a.axes));
    if (output_padding && opad[u] >= a.strides[u])
      throw_invalid(std::string(kOp) + ": expected every output_padding to be smaller than its stride, but "
                    "received output_padding " + dims_str(opad) + " and strides " + dims_str(a.strides));
  }
  std::vector<int64_t> out{x.shape()[0]};
  for (int64_t i = 0; i < r; ++i)
    out.push_back(conv_transpose_output_length(
        x.shape()[i + 1], size[size_t(i)], a.strides[size_t(i)], a.axes[size_t(i)], padding,
        output_padding ? std::optional<int64_t>(opad[size_t(i)]) : std::nullopt));
  out.push_back(k[r]);
  for (int64_t i = 1; i <= r; ++i)
    if (out[size_t(i)] > (int64_t(1) << 48))
      throw_invalid(std::string(kOp) + ": the output size overflows (" + std::to_string(out[size_t(i)]) +
                    " cells on spatial axis " + std::to_string(i - 1) + ")");
  const Shape out_shape(out);
  resolve_padding(kOp, padding, out_shape, size, a.axes, a);
  // TensorFlow's check: the convolution of the output must give back the input's size
  // (not so for "same" with an even window and no output padding to fill it).
  for (int64_t i = 0; i < r; ++i) {
    const size_t u = size_t(i);
    const int64_t eff = (size[u] - 1) * a.axes[u] + 1, padded = out[u + 1] + a.begin[u] + a.end[u];
    const int64_t back = padded < eff ? 0 : (padded - eff) / a.strides[u] + 1;
    if (back != x.shape()[i + 1])
      throw_invalid(std::string(kOp) + ": padding \"" + padding + "\" with output_padding " +
                    (output_padding ? dims_str(opad) : std::string("None")) + " gives an output of shape " +
                    out_shape.str() + ", whose convolution by the kernel of shape " + k.str() + " has " +
                    std::to_string(back) + " cells on spatial axis " + std::to_string(i) +
                    ", not the inputs' " + std::to_string(x.shape()[i + 1]) + " (inputs of shape " +
                    x.shape().str() + ")");
  }
  a.shape = out;
  return dispatch(OpId::ConvBackpropInput, {x, kernel}, a);
}

}  // namespace keras::core::ops
