// fused_conv.cpp - FusedConv (TensorFlow's _FusedConv2D): conv(x, kernel) + bias, then an
// optional relu, in one kernel (core/cpu/conv.cpp: for float32 one oneDNN primitive adds the
// bias, and the relu runs on each batch slice right after it). The graph pass of core/fusion_matmul.cpp makes it from
// traced conv -> add -> relu chains (a Conv layer with activation "relu").
//   FusedConv  inputs {x (batch, *spatial, channels), kernel (*size, channels / groups,
//              filters) [, bias (filters,)]}; Attrs as Conv's (strides, begin, end, axes =
//              dilation); Attrs.k: 0 = no activation, 1 = relu
// Its gradient is the composed version's (DESIGN.md rule 5): relu's rule on the result,
// then conv's rule and the bias's sum over every axis but the channels.
#include <string>

#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"
#include "core/ops/conv_util.h"

namespace keras::core {
namespace {

void infer_fused_conv(OpCall& c) {
  const Tensor &x = c.in(0), &k = c.in(1);
  expect_dtype(c, x, "inputs", {DType::float32, DType::float64});
  expect_same_dtype(c, x, k);
  const Shape y = conv_util::conv_shape(c, x.shape(), k.shape());
  if (c.inputs.size() == 3) {
    expect_same_dtype(c, x, c.in(2));
    const Shape want{y[y.rank() - 1]};
    if (c.in(2).shape() != want)
      throw_invalid(std::string(c.name()) + ": expected a bias of shape " + want.str() + ", but received " +
                    c.in(2).shape().str());
  }
  if (c.attrs.k != 0 && c.attrs.k != 1)
    throw_invalid(std::string(c.name()) + ": unknown activation code " + std::to_string(c.attrs.k));
  c.set_output(0, y, x.dtype());
}

std::vector<Tensor> fused_conv_grad(const GradContext& c) {
  Tensor dz = c.grad();
  if (c.attrs.k == 1) dz = ops::multiply(dz, ops::sign(c.out()));  // relu's rule (the result is >= 0)
  const Tensor g[1] = {dz};
  GradContext cc{OpId::Conv, c.attrs, c.inputs.subspan(0, 2), c.outputs, g, c.needed.subspan(0, 2)};
  std::vector<Tensor> out = conv_grad(cc);
  if (c.inputs.size() == 3) {
    ops::Axes batch_and_spatial;
    for (int64_t i = 0; i + 1 < dz.rank(); ++i) batch_and_spatial.push_back(i);
    out.push_back(c.needs(2) ? ops::sum(dz, batch_and_spatial) : Tensor());
  }
  return out;
}

}  // namespace

void define_fused_conv_ops() {
  define_op(OpId::FusedConv, infer_fused_conv);
  define_grad(OpId::FusedConv, fused_conv_grad);
}

namespace ops {

Tensor fused_conv(const Tensor& inputs, const Tensor& kernel, const Tensor& bias, bool relu,
                  const SpatialArg& strides, const std::string& padding, const SpatialArg& dilation_rate) {
  conv_util::checked_channels_first("fused_conv", {&inputs, &kernel}, "channels_last");
  Attrs a = conv_util::conv_attrs("fused_conv", inputs, kernel, strides, padding, dilation_rate);
  a.k = relu ? 1 : 0;
  if (bias.defined()) return dispatch(OpId::FusedConv, {inputs, kernel, bias}, a);
  return dispatch(OpId::FusedConv, {inputs, kernel}, a);
}

}  // namespace ops
}  // namespace keras::core
