#include "keras/layers/zero_padding.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/args.h"
#include "keras/layers/conv.h"

#include "keras/layers/data_format.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
std::string zero_padding_class(int rank) {
  if (rank < 1 || rank > 3)
    throw std::invalid_argument("ZeroPadding: expected 1, 2 or 3 spatial axes, but received rank " +
                                std::to_string(rank));
  return "ZeroPadding" + std::to_string(rank) + "D";
}
}  // namespace

ZeroPaddingLayer::ZeroPaddingLayer(int rank, const SpatialPairsArg& padding, const ZeroPaddingOptions& o)
    : Layer(zero_padding_class(rank), detail::layer_options_of(o)),
      rank_(rank),
      o_(o) {
  padding_ = detail::spatial_pairs(name(), "padding", padding, rank);
  o_.data_format = detail::data_format_of(name(), o.data_format);
  input_spec.ndim = rank + 2;
}

Tensor ZeroPaddingLayer::call(const Tensor& x, bool) {
  std::vector<std::pair<int64_t, int64_t>> p(size_t(rank_ + 2), {0, 0});
  const size_t first_axis = channels_first() ? 2 : 1;
  for (size_t i = 0; i < padding_.size(); ++i) p[i + first_axis] = padding_[i];
  return ops::pad(x, p);
}

std::vector<ShapeSpec> ZeroPaddingLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  ShapeSpec s = shapes.at(0);
  const size_t first_axis = channels_first() ? 2 : 1;
  for (size_t i = 0; i < padding_.size() && i + first_axis < s.size(); ++i)
    if (s[i + first_axis] >= 0) s[i + first_axis] += padding_[i].first + padding_[i].second;
  return {s};
}

Config ZeroPaddingLayer::get_config() const {
  Config c = base_config();
  c["padding"] = detail::pairs_value(padding_);
  c["data_format"] = o_.data_format;
  return c;
}

template <int Rank>
LayerPtr ZeroPaddingLayer::from_config(const Config& c) {
  LayerOptions base = layer_options_from(c);
  ZeroPaddingOptions o{.name = base.name, .trainable = base.trainable, .input_shape = base.input_shape};
  Value df = c.get("data_format", Value());
  if (!df.is_null()) o.data_format = df.as_string();
  return make<ZeroPaddingLayer>(Rank, detail::pairs_from(c.get("padding", 1)), o);
}
template LayerPtr ZeroPaddingLayer::from_config<1>(const Config&);
template LayerPtr ZeroPaddingLayer::from_config<2>(const Config&);
template LayerPtr ZeroPaddingLayer::from_config<3>(const Config&);

Ref<ZeroPaddingLayer> ZeroPadding1D(const SpatialPairsArg& p, const ZeroPaddingOptions& o) {
  return make<ZeroPaddingLayer>(1, p, o);
}
Ref<ZeroPaddingLayer> ZeroPadding2D(const SpatialPairsArg& p, const ZeroPaddingOptions& o) {
  return make<ZeroPaddingLayer>(2, p, o);
}
Ref<ZeroPaddingLayer> ZeroPadding3D(const SpatialPairsArg& p, const ZeroPaddingOptions& o) {
  return make<ZeroPaddingLayer>(3, p, o);
}

}  // namespace keras::layers
