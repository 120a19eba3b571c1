#include "keras/layers/conv.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "keras/layers/kernel_bias_config.h"

#include "keras/layers/core_layers_util.h"
#include "keras/layers/data_format.h"

namespace keras::layers {
namespace ops = core::ops;

namespace detail {
std::vector<int64_t> spatial_values(const std::string& layer, const char* arg, const SpatialArg& v, int rank,
                                    int64_t min) {
  std::vector<int64_t> out = v.v;
  if (out.size() == 1) out.assign(size_t(rank), v.v[0]);
  if (out.size() != size_t(rank))
    throw std::invalid_argument(layer + ": the `" + arg + "` argument must be a tuple of " + std::to_string(rank) +
                                " integers. Received: " + arg + "=" + list_str(v.v));
  for (int64_t x : out)
    if (x < min)
      throw std::invalid_argument(layer + ": the `" + arg + "` argument must be a tuple of integers >= " +
                                  std::to_string(min) + ". Received: " + arg + "=" + list_str(v.v));
  return out;
}

int64_t window_output(int64_t in, int64_t window, int64_t stride, int64_t dilation, const std::string& padding) {
  if (in < 0) return -1;
  const int64_t eff = (window - 1) * dilation + 1;
  if (padding == "valid") return in >= eff ? (in - eff) / stride + 1 : 0;
  return in == 0 ? 0 : (in - 1) / stride + 1;  // same, causal
}

SpatialArg spatial_from(const Value& v) {
  if (v.type() == Value::Type::list) return SpatialArg(v.as_ints());
  return SpatialArg(v.as_int());
}
}  // namespace detail

namespace {
const char* conv_class(int rank) {
  if (rank < 1 || rank > 3)
    throw std::invalid_argument("Conv: expected 1, 2 or 3 spatial axes, but received rank " + std::to_string(rank));
  static const char* names[] = {"Conv1D", "Conv2D", "Conv3D"};
  return names[rank - 1];
}
}  // namespace

ConvLayer::ConvLayer(int rank, int64_t filters, const SpatialArg& kernel_size, const ConvOptions& o)
    : Layer(conv_class(rank), detail::layer_options_of(o)),
      rank_(rank),
      filters_(filters),
      o_(o) {
  const std::string n = name();
  kernel_size_ = detail::spatial_values(n, "kernel_size", kernel_size, rank, 1);
  strides_ = detail::spatial_values(n, "strides", o.strides, rank, 1);
  dilation_ = detail::spatial_values(n, "dilation_rate", o.dilation_rate, rank, 1);
  o_.data_format = detail::data_format_of(n, o.data_format);
  if (filters <= 0)
    throw std::invalid_argument(n + ": invalid value for argument `filters`. Expected a strictly positive value. "
                                "Received filters=" + std::to_string(filters));
  if (o.groups <= 0 || filters % o.groups != 0)
    throw std::invalid_argument(n + ": the number of filters must be evenly divisible by the number of groups. "
                                "Received: groups=" + std::to_string(o.groups) + ", filters=" + std::to_string(filters));
  if (o.padding != "valid" && o.padding != "same" && !(o.padding == "causal" && rank == 1))
    throw std::invalid_argument(n + ": the `padding` argument must be one of \"valid\", \"same\"" +
                                std::string(rank == 1 ? ", \"causal\"" : "") + ". Received: padding=\"" + o.padding + "\"");
  for (int i = 0; i < rank; ++i)
    if (strides_[size_t(i)] > 1 && dilation_[size_t(i)] > 1)
      throw std::invalid_argument(n + ": `strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                                  "Received: strides=" + detail::list_str(strides_) +
                                  " and dilation_rate=" + detail::list_str(dilation_));
  input_spec.min_ndim = rank + 2;
}

void ConvLayer::build(const ShapeSpec& input_shape) {
  const bool first = channels_first();
  const ShapeSpec s = detail::to_channels_last(input_shape, first);
  if (s.size() != size_t(rank_ + 2) || s.back() < 0)
    throw std::invalid_argument(name() + ": expected an input of rank " + std::to_string(rank_ + 2) + " (batch, " +
                                (first ? "channels, *spatial" : "*spatial, channels") +
                                ") with known channels, but received input shape " + shape_str(input_shape));
  const int64_t channels = s.back();
  if (channels % o_.groups != 0)
    throw std::invalid_argument(name() + ": the number of input channels must be evenly divisible by the number "
                                "of groups. Received groups=" + std::to_string(o_.groups) + ", but the input has " +
                                std::to_string(channels) + " channels (full input shape is " + shape_str(input_shape) +
                                ")");
  std::vector<int64_t> kshape = kernel_size_;
  kshape.push_back(channels / o_.groups);
  kshape.push_back(filters_);
  kernel = add_weight("kernel", Shape(kshape),
                      {o_.kernel_initializer.ptr(), o_.kernel_regularizer.ptr(), o_.kernel_constraint.ptr()});
  if (o_.use_bias)
    bias = add_weight("bias", Shape{filters_}, {o_.bias_initializer.ptr(), o_.bias_regularizer.ptr(),
                                                o_.bias_constraint.ptr()});
  input_spec = InputSpec{.ndim = rank_ + 2, .axes = {{first ? 1 : -1, channels}}};
}

Tensor ConvLayer::call(const Tensor& x, bool) {
  const bool first = channels_first();
  Tensor y = ops::conv(detail::to_channels_last(x, first), kernel, strides_, o_.padding, "channels_last", dilation_);
  if (o_.use_bias) y = ops::add(y, bias);
  return detail::activated(o_.activation, y, first);
}

std::vector<ShapeSpec> ConvLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  ShapeSpec s = detail::to_channels_last(shapes.at(0), channels_first());
  for (int i = 0; i < rank_; ++i) {
    const size_t u = size_t(i);
    s[u + 1] = detail::window_output(s[u + 1], kernel_size_[u], strides_[u], dilation_[u], o_.padding);
  }
  s.back() = filters_;
  return {detail::to_channels_first(s, channels_first())};
}

Config ConvLayer::get_config() const {
  Config c = base_config();
  c["filters"] = static_cast<long long>(filters_);
  c["kernel_size"] = Value(kernel_size_);
  c["strides"] = Value(strides_);
  c["padding"] = o_.padding;
  c["data_format"] = o_.data_format;
  c["dilation_rate"] = Value(dilation_);
  c["groups"] = static_cast<long long>(o_.groups);
  detail::write_kernel_bias_config(c, o_);
  return c;
}


template <int Rank>
LayerPtr ConvLayer::from_config(const Config& c) {
  ConvOptions o;
  detail::read_base_options(c, o);
  o.strides = detail::spatial_from(c.get("strides", 1));
  o.padding = c.get("padding", "valid").as_string();
  Value df = c.get("data_format", Value());
  if (!df.is_null()) o.data_format = df.as_string();
  o.dilation_rate = detail::spatial_from(c.get("dilation_rate", 1));
  o.groups = c.get("groups", 1).as_int();
  detail::read_kernel_bias_config(c, o);
  return make<ConvLayer>(Rank, c.at("filters").as_int(), detail::spatial_from(c.at("kernel_size")), o);
}
template LayerPtr ConvLayer::from_config<1>(const Config&);
template LayerPtr ConvLayer::from_config<2>(const Config&);
template LayerPtr ConvLayer::from_config<3>(const Config&);

Ref<ConvLayer> Conv1D(int64_t filters, const SpatialArg& k, const ConvOptions& o) { return make<ConvLayer>(1, filters, k, o); }
Ref<ConvLayer> Conv2D(int64_t filters, const SpatialArg& k, const ConvOptions& o) { return make<ConvLayer>(2, filters, k, o); }
Ref<ConvLayer> Conv3D(int64_t filters, const SpatialArg& k, const ConvOptions& o) { return make<ConvLayer>(3, filters, k, o); }

}  // namespace keras::layers
