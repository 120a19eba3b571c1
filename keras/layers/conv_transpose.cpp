#include "keras/layers/conv_transpose.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/conv_variants.h"
#include "keras/layers/conv_geometry.h"
#include "keras/layers/kernel_bias_config.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
const char* conv_transpose_class(int rank) {
  if (rank < 1 || rank > 3)
    throw std::invalid_argument("ConvTranspose: expected 1, 2 or 3 spatial axes, but received rank " +
                                std::to_string(rank));
  static const char* names[] = {"Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"};
  return names[rank - 1];
}
}  // namespace

ConvTransposeLayer::ConvTransposeLayer(int rank, int64_t filters, const SpatialArg& kernel_size,
                                       const ConvTransposeOptions& o)
    : Layer(conv_transpose_class(rank),
            detail::layer_options_of(o)),
      rank_(rank),
      filters_(filters),
      o_(o) {
  const std::string n = name();
  detail::ConvGeometry g =
      detail::conv_geometry(n, rank, kernel_size, o.strides, o.padding, o.data_format, o.dilation_rate, false);
  kernel_size_ = g.kernel_size;
  strides_ = g.strides;
  dilation_ = g.dilation;
  o_.data_format = g.data_format;
  if (filters <= 0)
    throw std::invalid_argument(n + ": invalid value for argument `filters`. Expected a strictly positive value. "
                                "Received filters=" + std::to_string(filters));
  if (o.output_padding) {
    output_padding_ = detail::spatial_values(n, "output_padding", *o.output_padding, rank, 0);
    for (int i = 0; i < rank; ++i)
      if ((*output_padding_)[size_t(i)] >= strides_[size_t(i)])
        throw std::invalid_argument(n + ": `output_padding` must be strictly less than `strides` for all "
                                    "dimensions. At dimension " + std::to_string(i) + ", `output_padding` is " +
                                    std::to_string((*output_padding_)[size_t(i)]) + " but `strides` is " +
                                    std::to_string(strides_[size_t(i)]) + ". Received: output_padding=" +
                                    detail::list_str(*output_padding_) + ", strides=" + detail::list_str(strides_));
  }
  input_spec.min_ndim = rank + 2;
}

void ConvTransposeLayer::build(const ShapeSpec& input_shape) {
  const ShapeSpec s = detail::conv_input(name(), rank_, input_shape, channels_first());
  std::vector<int64_t> kshape = kernel_size_;
  kshape.push_back(filters_);
  kshape.push_back(s.back());
  kernel = add_weight("kernel", Shape(kshape),
                      {o_.kernel_initializer.ptr(), o_.kernel_regularizer.ptr(), o_.kernel_constraint.ptr()});
  if (o_.use_bias)
    bias = add_weight("bias", Shape{filters_},
                      {o_.bias_initializer.ptr(), o_.bias_regularizer.ptr(), o_.bias_constraint.ptr()});
  input_spec = InputSpec{.ndim = rank_ + 2, .axes = {{channels_first() ? 1 : -1, s.back()}}};
}

Tensor ConvTransposeLayer::call(const Tensor& x, bool) {
  std::optional<SpatialArg> op;
  if (output_padding_) op = SpatialArg(*output_padding_);
  Tensor y = ops::conv_transpose(detail::to_channels_last(x, channels_first()), kernel, strides_, o_.padding, op, "channels_last", dilation_);
  if (o_.use_bias) y = ops::add(y, bias);
  return detail::activated(o_.activation, y, channels_first());
}

std::vector<ShapeSpec> ConvTransposeLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  ShapeSpec s = detail::to_channels_last(shapes.at(0), channels_first());
  for (int i = 0; i < rank_; ++i) {
    const size_t u = size_t(i);
    s[u + 1] = ops::conv_transpose_output_length(
        s[u + 1], kernel_size_[u], strides_[u], dilation_[u], o_.padding,
        output_padding_ ? std::optional<int64_t>((*output_padding_)[u]) : std::nullopt);
  }
  s.back() = filters_;
  return {detail::to_channels_first(s, channels_first())};
}

Config ConvTransposeLayer::get_config() const {
  Config c = base_config();
  c["filters"] = static_cast<long long>(filters_);
  detail::write_geometry(c, {kernel_size_, strides_, dilation_, o_.padding, o_.data_format});
  c["output_padding"] = output_padding_ ? Value(*output_padding_) : Value();
  detail::write_kernel_bias_config(c, o_);
  return c;
}

template <int Rank>
LayerPtr ConvTransposeLayer::from_config(const Config& c) {
  ConvTransposeOptions o;
  detail::read_base_options(c, o);
  detail::read_geometry(c, o);
  Value op = c.get("output_padding", Value());
  if (!op.is_null()) o.output_padding = detail::spatial_from(op);
  detail::read_kernel_bias_config(c, o);
  return make<ConvTransposeLayer>(Rank, c.at("filters").as_int(), detail::spatial_from(c.at("kernel_size")), o);
}
template LayerPtr ConvTransposeLayer::from_config<1>(const Config&);
template LayerPtr ConvTransposeLayer::from_config<2>(const Config&);
template LayerPtr ConvTransposeLayer::from_config<3>(const Config&);

Ref<ConvTransposeLayer> Conv1DTranspose(int64_t f, const SpatialArg& k, const ConvTransposeOptions& o) {
  return make<ConvTransposeLayer>(1, f, k, o);
}
Ref<ConvTransposeLayer> Conv2DTranspose(int64_t f, const SpatialArg& k, const ConvTransposeOptions& o) {
  return make<ConvTransposeLayer>(2, f, k, o);
}
Ref<ConvTransposeLayer> Conv3DTranspose(int64_t f, const SpatialArg& k, const ConvTransposeOptions& o) {
  return make<ConvTransposeLayer>(3, f, k, o);
}

}  // namespace keras::layers
