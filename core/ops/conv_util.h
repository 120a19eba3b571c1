// conv_util.h - (engine-internal) Keras's per-axis arguments and padding names, shared by
// the convolution ops (core/ops/conv.cpp, conv_transpose.cpp, depthwise_conv.cpp).
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/dispatch.h"
#include "core/ops.h"

namespace keras::core::conv_util {

// One value per spatial axis of x (batch, 1 to 3 spatial axes, channels); a single value
// is repeated; each >= min. Throws naming op and what otherwise.
std::vector<int64_t> per_axis(const char* op, const char* what, const ops::SpatialArg& v, const Tensor& x,
                              int64_t min = 1);
// Keras's padding names ("valid", "same", "causal") as explicit padding a.begin / a.end
// for inputs of shape x, windows `window` dilated by `dilation`, strides a.strides.
void resolve_padding(const char* op, const std::string& padding, const Shape& x, const std::vector<int64_t>& window,
                     const std::vector<int64_t>& dilation, Attrs& a);
// Throws unless every tensor is defined and data_format is one of Keras's two names;
// returns whether it is "channels_first" (the op then runs on channels_to_last(x)).
bool checked_channels_first(const char* op, std::initializer_list<const Tensor*> ts,
                            const std::string& data_format);
// Checks a Conv call's geometry (c.attrs: strides, begin, end, axes = dilation) for x and
// kernel shapes; returns the output shape. Throws std::invalid_argument naming c's op.
Shape conv_shape(const OpCall& c, const Shape& x, const Shape& k);
// A Conv's attributes from Keras's arguments, checked (errors name op).
Attrs conv_attrs(const char* op, const Tensor& x, const Tensor& kernel, const ops::SpatialArg& strides,
                 const std::string& padding, const ops::SpatialArg& dilation_rate);

}  // namespace keras::core::conv_util

namespace keras::core {
// The gradient rule of Conv and the other window ops (core/ops/conv.cpp).
std::vector<Tensor> conv_grad(const GradContext& c);
}  // namespace keras::core
