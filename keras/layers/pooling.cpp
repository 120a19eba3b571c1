#include "keras/layers/pooling.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "keras/layers/data_format.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
std::string pooling_class(PoolingLayer::Kind kind, int rank) {
  if (rank < 1 || rank > 3)
    throw std::invalid_argument("Pooling: expected 1, 2 or 3 spatial axes, but received rank " + std::to_string(rank));
  return std::string(kind == PoolingLayer::Kind::max ? "MaxPooling" : "AveragePooling") + std::to_string(rank) + "D";
}
}  // namespace

PoolingLayer::PoolingLayer(Kind kind, int rank, const SpatialArg& pool_size, const PoolingOptions& o)
    : Layer(pooling_class(kind, rank), detail::layer_options_of(o)),
      kind_(kind),
      rank_(rank),
      o_(o) {
  const std::string n = name();
  pool_size_ = detail::spatial_values(n, "pool_size", pool_size, rank, 1);
  strides_ = o.strides ? detail::spatial_values(n, "strides", *o.strides, rank, 1) : pool_size_;
  o_.data_format = detail::data_format_of(n, o.data_format);
  if (o.padding != "valid" && o.padding != "same")
    throw std::invalid_argument(n + ": the `padding` argument must be one of \"valid\", \"same\". Received: padding=\"" +
                                o.padding + "\"");
  input_spec.ndim = rank + 2;
}

Tensor PoolingLayer::call(const Tensor& x, bool) {
  const Tensor last = detail::to_channels_last(x, channels_first());
  return detail::to_channels_first(kind_ == Kind::max ? ops::max_pool(last, pool_size_, strides_, o_.padding)
                                                      : ops::average_pool(last, pool_size_, strides_, o_.padding),
                                   channels_first());
}

std::vector<ShapeSpec> PoolingLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  ShapeSpec s = detail::to_channels_last(shapes.at(0), channels_first());
  for (int i = 0; i < rank_; ++i) {
    const size_t u = size_t(i);
    s[u + 1] = detail::window_output(s[u + 1], pool_size_[u], strides_[u], 1, o_.padding);
  }
  return {detail::to_channels_first(s, channels_first())};
}

Config PoolingLayer::get_config() const {
  Config c = base_config();
  c["pool_size"] = Value(pool_size_);
  c["padding"] = o_.padding;
  c["strides"] = Value(strides_);
  c["data_format"] = o_.data_format;
  return c;
}

template <PoolingLayer::Kind K, int Rank>
LayerPtr PoolingLayer::from_config(const Config& c) {
  PoolingOptions o;
  detail::read_base_options(c, o);
  Value strides = c.get("strides", Value());
  if (!strides.is_null()) o.strides = detail::spatial_from(strides);
  o.padding = c.get("padding", "valid").as_string();
  Value df = c.get("data_format", Value());
  if (!df.is_null()) o.data_format = df.as_string();
  return make<PoolingLayer>(K, Rank, detail::spatial_from(c.get("pool_size", 2)), o);
}
using K = PoolingLayer::Kind;
template LayerPtr PoolingLayer::from_config<K::max, 1>(const Config&);
template LayerPtr PoolingLayer::from_config<K::max, 2>(const Config&);
template LayerPtr PoolingLayer::from_config<K::max, 3>(const Config&);
template LayerPtr PoolingLayer::from_config<K::average, 1>(const Config&);
template LayerPtr PoolingLayer::from_config<K::average, 2>(const Config&);
template LayerPtr PoolingLayer::from_config<K::average, 3>(const Config&);

Ref<PoolingLayer> MaxPooling1D(const SpatialArg& p, const PoolingOptions& o) { return make<PoolingLayer>(K::max, 1, p, o); }
Ref<PoolingLayer> MaxPooling2D(const SpatialArg& p, const PoolingOptions& o) { return make<PoolingLayer>(K::max, 2, p, o); }
Ref<PoolingLayer> MaxPooling3D(const SpatialArg& p, const PoolingOptions& o) { return make<PoolingLayer>(K::max, 3, p, o); }
Ref<PoolingLayer> AveragePooling1D(const SpatialArg& p, const PoolingOptions& o) {
  return make<PoolingLayer>(K::average, 1, p, o);
}
Ref<PoolingLayer> AveragePooling2D(const SpatialArg& p, const PoolingOptions& o) {
  return make<PoolingLayer>(K::average, 2, p, o);
}
Ref<PoolingLayer> AveragePooling3D(const SpatialArg& p, const PoolingOptions& o) {
  return make<PoolingLayer>(K::average, 3, p, o);
}

}  // namespace keras::layers
