#include "keras/layers/depthwise_conv.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/conv_variants.h"
#include "keras/layers/conv_geometry.h"

namespace keras::layers {
namespace ops = core::ops;

namespace detail {
ShapeSpec depthwise_output_shape(ShapeSpec s, const std::vector<int64_t>& kernel_size,
                                 const std::vector<int64_t>& strides, const std::vector<int64_t>& dilation,
                                 const std::string& padding, int64_t channels_out) {
  for (size_t u = 0; u < kernel_size.size(); ++u)
    s[u + 1] = window_output(s[u + 1], kernel_size[u], strides[u], dilation[u], padding);
  s.back() = channels_out;
  return s;
}
}  // namespace detail

namespace {
const char* depthwise_class(int rank) {
  if (rank < 1 || rank > 2)
    throw std::invalid_argument("DepthwiseConv: expected 1 or 2 spatial axes, but received rank " +
                                std::to_string(rank));
  static const char* names[] = {"DepthwiseConv1D", "DepthwiseConv2D"};
  return names[rank - 1];
}
}  // namespace

DepthwiseConvLayer::DepthwiseConvLayer(int rank, const SpatialArg& kernel_size, const DepthwiseConvOptions& o)
    : Layer(depthwise_class(rank), detail::layer_options_of(o)),
      rank_(rank),
      o_(o) {
  const std::string n = name();
  detail::ConvGeometry g =
      detail::conv_geometry(n, rank, kernel_size, o.strides, o.padding, o.data_format, o.dilation_rate, true);
  kernel_size_ = g.kernel_size;
  strides_ = g.strides;
  dilation_ = g.dilation;
  o_.data_format = g.data_format;
  if (o.depth_multiplier <= 0)
    throw std::invalid_argument(n + ": invalid value for argument `depth_multiplier`. Expected a strictly positive "
                                "value. Received depth_multiplier=" + std::to_string(o.depth_multiplier) + ".");
  input_spec.min_ndim = rank + 2;
}

void DepthwiseConvLayer::build(const ShapeSpec& input_shape) {
  const ShapeSpec s = detail::conv_input(name(), rank_, input_shape, channels_first());
  std::vector<int64_t> kshape = kernel_size_;
  kshape.push_back(s.back());
  kshape.push_back(o_.depth_multiplier);
  kernel = add_weight("kernel", Shape(kshape),
                      {o_.depthwise_initializer.ptr(), o_.depthwise_regularizer.ptr(), o_.depthwise_constraint.ptr()});
  if (o_.use_bias)
    bias = add_weight("bias", Shape{s.back() * o_.depth_multiplier},
                      {o_.bias_initializer.ptr(), o_.bias_regularizer.ptr(), o_.bias_constraint.ptr()});
  input_spec = InputSpec{.ndim = rank_ + 2, .axes = {{channels_first() ? 1 : -1, s.back()}}};
}

Tensor DepthwiseConvLayer::call(const Tensor& x, bool) {
  Tensor y = ops::depthwise_conv(detail::to_channels_last(x, channels_first()), kernel, strides_, o_.padding, "channels_last", dilation_);
  if (o_.use_bias) y = ops::add(y, bias);
  return detail::activated(o_.activation, y, channels_first());
}

std::vector<ShapeSpec> DepthwiseConvLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  const bool first = channels_first();
  const ShapeSpec s = detail::to_channels_last(shapes.at(0), first);
  return {detail::to_channels_first(detail::depthwise_output_shape(s, kernel_size_, strides_, dilation_, o_.padding,
                                                                   s.back() < 0 ? -1 : s.back() * o_.depth_multiplier),
                                    first)};
}

Config DepthwiseConvLayer::get_config() const {
  Config c = base_config();
  c["depth_multiplier"] = static_cast<long long>(o_.depth_multiplier);
  detail::write_geometry(c, {kernel_size_, strides_, dilation_, o_.padding, o_.data_format});
  c["activation"] = to_config(o_.activation);
  c["use_bias"] = o_.use_bias;
  detail::write_weight_config(c, "depthwise", o_.depthwise_initializer, o_.depthwise_regularizer,
                              o_.depthwise_constraint);
  detail::write_weight_config(c, "bias", o_.bias_initializer, o_.bias_regularizer, o_.bias_constraint);
  c["activity_regularizer"] = to_config(o_.activity_regularizer);
  return c;
}

template <int Rank>
LayerPtr DepthwiseConvLayer::from_config(const Config& c) {
  DepthwiseConvOptions o;
  detail::read_base_options(c, o);
  detail::read_geometry(c, o);
  o.depth_multiplier = c.get("depth_multiplier", 1).as_int();
  o.activation = activation_from(c.get("activation", "linear"));
  o.use_bias = c.get("use_bias", true).as_bool();
  detail::read_weight_config(c, "depthwise", "glorot_uniform", o.depthwise_initializer, o.depthwise_regularizer,
                             o.depthwise_constraint);
  detail::read_weight_config(c, "bias", "zeros", o.bias_initializer, o.bias_regularizer, o.bias_constraint);
  o.activity_regularizer = regularizer_from(c.get("activity_regularizer", Value()));
  return make<DepthwiseConvLayer>(Rank, detail::spatial_from(c.at("kernel_size")), o);
}
template LayerPtr DepthwiseConvLayer::from_config<1>(const Config&);
template LayerPtr DepthwiseConvLayer::from_config<2>(const Config&);

Ref<DepthwiseConvLayer> DepthwiseConv1D(const SpatialArg& k, const DepthwiseConvOptions& o) {
  return make<DepthwiseConvLayer>(1, k, o);
}
Ref<DepthwiseConvLayer> DepthwiseConv2D(const SpatialArg& k, const DepthwiseConvOptions& o) {
  return make<DepthwiseConvLayer>(2, k, o);
}

}  // namespace keras::layers
