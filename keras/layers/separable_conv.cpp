#include "keras/layers/separable_conv.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/conv_variants.h"
#include "keras/layers/conv_geometry.h"
#include "keras/layers/depthwise_conv.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
const char* separable_class(int rank) {
  if (rank < 1 || rank > 2)
    throw std::invalid_argument("SeparableConv: expected 1 or 2 spatial axes, but received rank " +
                                std::to_string(rank));
  static const char* names[] = {"SeparableConv1D", "SeparableConv2D"};
  return names[rank - 1];
}
}  // namespace

SeparableConvLayer::SeparableConvLayer(int rank, int64_t filters, const SpatialArg& kernel_size,
                                       const SeparableConvOptions& o)
    : Layer(separable_class(rank), detail::layer_options_of(o)),
      rank_(rank),
      filters_(filters),
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
  if (filters <= 0)
    throw std::invalid_argument(n + ": invalid value for argument `filters`. Expected a strictly positive value. "
                                "Received filters=" + std::to_string(filters) + ".");
  input_spec.min_ndim = rank + 2;
}

void SeparableConvLayer::build(const ShapeSpec& input_shape) {
  const ShapeSpec s = detail::conv_input(name(), rank_, input_shape, channels_first());
  std::vector<int64_t> dshape = kernel_size_, pshape(size_t(rank_), 1);
  dshape.push_back(s.back());
  dshape.push_back(o_.depth_multiplier);
  pshape.push_back(s.back() * o_.depth_multiplier);
  pshape.push_back(filters_);
  depthwise_kernel = add_weight("depthwise_kernel", Shape(dshape),
                                {o_.depthwise_initializer.ptr(), o_.depthwise_regularizer.ptr(),
                                 o_.depthwise_constraint.ptr()});
  pointwise_kernel = add_weight("pointwise_kernel", Shape(pshape),
                                {o_.pointwise_initializer.ptr(), o_.pointwise_regularizer.ptr(),
                                 o_.pointwise_constraint.ptr()});
  if (o_.use_bias)
    bias = add_weight("bias", Shape{filters_},
                      {o_.bias_initializer.ptr(), o_.bias_regularizer.ptr(), o_.bias_constraint.ptr()});
  input_spec = InputSpec{.ndim = rank_ + 2, .axes = {{channels_first() ? 1 : -1, s.back()}}};
}

Tensor SeparableConvLayer::call(const Tensor& x, bool) {
  Tensor y = ops::separable_conv(detail::to_channels_last(x, channels_first()), depthwise_kernel, pointwise_kernel, strides_, o_.padding, "channels_last",
                                 dilation_);
  if (o_.use_bias) y = ops::add(y, bias);
  return detail::activated(o_.activation, y, channels_first());
}

std::vector<ShapeSpec> SeparableConvLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  const bool first = channels_first();
  return {detail::to_channels_first(
      detail::depthwise_output_shape(detail::to_channels_last(shapes.at(0), first), kernel_size_, strides_, dilation_,
                                     o_.padding, filters_),
      first)};
}

Config SeparableConvLayer::get_config() const {
  Config c = base_config();
  c["depth_multiplier"] = static_cast<long long>(o_.depth_multiplier);
  c["filters"] = static_cast<long long>(filters_);
  detail::write_geometry(c, {kernel_size_, strides_, dilation_, o_.padding, o_.data_format});
  c["activation"] = to_config(o_.activation);
  c["use_bias"] = o_.use_bias;
  detail::write_weight_config(c, "depthwise", o_.depthwise_initializer, o_.depthwise_regularizer,
                              o_.depthwise_constraint);
  detail::write_weight_config(c, "pointwise", o_.pointwise_initializer, o_.pointwise_regularizer,
                              o_.pointwise_constraint);
  detail::write_weight_config(c, "bias", o_.bias_initializer, o_.bias_regularizer, o_.bias_constraint);
  c["activity_regularizer"] = to_config(o_.activity_regularizer);
  return c;
}

template <int Rank>
LayerPtr SeparableConvLayer::from_config(const Config& c) {
  SeparableConvOptions o;
  detail::read_base_options(c, o);
  detail::read_geometry(c, o);
  o.depth_multiplier = c.get("depth_multiplier", 1).as_int();
  o.activation = activation_from(c.get("activation", "linear"));
  o.use_bias = c.get("use_bias", true).as_bool();
  detail::read_weight_config(c, "depthwise", "glorot_uniform", o.depthwise_initializer, o.depthwise_regularizer,
                             o.depthwise_constraint);
  detail::read_weight_config(c, "pointwise", "glorot_uniform", o.pointwise_initializer, o.pointwise_regularizer,
                             o.pointwise_constraint);
  detail::read_weight_config(c, "bias", "zeros", o.bias_initializer, o.bias_regularizer, o.bias_constraint);
  o.activity_regularizer = regularizer_from(c.get("activity_regularizer", Value()));
  return make<SeparableConvLayer>(Rank, c.at("filters").as_int(), detail::spatial_from(c.at("kernel_size")), o);
}
template LayerPtr SeparableConvLayer::from_config<1>(const Config&);
template LayerPtr SeparableConvLayer::from_config<2>(const Config&);

Ref<SeparableConvLayer> SeparableConv1D(int64_t f, const SpatialArg& k, const SeparableConvOptions& o) {
  return make<SeparableConvLayer>(1, f, k, o);
}
Ref<SeparableConvLayer> SeparableConv2D(int64_t f, const SpatialArg& k, const SeparableConvOptions& o) {
  return make<SeparableConvLayer>(2, f, k, o);
}

}  // namespace keras::layers
