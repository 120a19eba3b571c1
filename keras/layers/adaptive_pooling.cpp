#include "keras/layers/adaptive_pooling.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/conv_geometry.h"

#include "keras/settings.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
std::string class_of(int rank, bool max) {
  return std::string(max ? "AdaptiveMaxPooling" : "AdaptiveAveragePooling") + std::to_string(rank) + "D";
}
}  // namespace

AdaptivePoolingLayer::AdaptivePoolingLayer(int rank, bool max, const SpatialArg& output_size,
                                           const AdaptivePoolingOptions& o)
    : Layer(class_of(rank, max), detail::layer_options_of(o)),
      rank_(rank),
      max_(max),
      o_(o) {
  if (rank < 1 || rank > 3)
    throw std::invalid_argument(name() + ": expected 1, 2 or 3 spatial axes, but received rank=" +
                                std::to_string(rank));
  output_size_ = detail::spatial_values(name(), "output_size", output_size, rank, 1);
  if (o_.data_format.empty()) o_.data_format = config::image_data_format();
  if (o_.data_format != "channels_last" && o_.data_format != "channels_first")
    throw std::invalid_argument(name() + ": invalid data_format: " + o_.data_format +
                                ". Expected 'channels_first' or 'channels_last'.");
}

Tensor AdaptivePoolingLayer::call(const Tensor& x, bool) {
  if (x.shape().rank() != rank_ + 2)
    throw std::invalid_argument(name() + ": expected ndim=" + std::to_string(rank_ + 2) +
                                ", but received input with shape " + x.shape().str());
  return max_ ? ops::adaptive_max_pool(x, output_size_, o_.data_format)
              : ops::adaptive_average_pool(x, output_size_, o_.data_format);
}

std::vector<ShapeSpec> AdaptivePoolingLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  const ShapeSpec& s = shapes.at(0);
  if (int64_t(s.size()) != rank_ + 2)
    throw std::invalid_argument(name() + ": expected ndim=" + std::to_string(rank_ + 2) +
                                ", but received input with shape " + shape_str(s));
  ShapeSpec out{s[0]};
  const bool last = o_.data_format == "channels_last";
  if (!last) out.push_back(s[1]);
  out.insert(out.end(), output_size_.begin(), output_size_.end());
  if (last) out.push_back(s.back());
  return {out};
}

Config AdaptivePoolingLayer::get_config() const {
  Config c = base_config();
  c["output_size"] = Value(output_size_);
  c["data_format"] = o_.data_format;
  return c;
}

LayerPtr AdaptivePoolingLayer::from_config_of(int rank, bool max, const Config& c) {
  AdaptivePoolingOptions o;
  detail::read_base_options(c, o);
  const Value df = c.get("data_format", Value());
  if (!df.is_null()) o.data_format = df.as_string();
  return make<AdaptivePoolingLayer>(rank, max, detail::spatial_from(c.at("output_size")), o);
}

Ref<AdaptivePoolingLayer> AdaptiveAveragePooling1D(const SpatialArg& s, const AdaptivePoolingOptions& o) {
  return make<AdaptivePoolingLayer>(1, false, s, o);
}
Ref<AdaptivePoolingLayer> AdaptiveAveragePooling2D(const SpatialArg& s, const AdaptivePoolingOptions& o) {
  return make<AdaptivePoolingLayer>(2, false, s, o);
}
Ref<AdaptivePoolingLayer> AdaptiveAveragePooling3D(const SpatialArg& s, const AdaptivePoolingOptions& o) {
  return make<AdaptivePoolingLayer>(3, false, s, o);
}
Ref<AdaptivePoolingLayer> AdaptiveMaxPooling1D(const SpatialArg& s, const AdaptivePoolingOptions& o) {
  return make<AdaptivePoolingLayer>(1, true, s, o);
}
Ref<AdaptivePoolingLayer> AdaptiveMaxPooling2D(const SpatialArg& s, const AdaptivePoolingOptions& o) {
  return make<AdaptivePoolingLayer>(2, true, s, o);
}
Ref<AdaptivePoolingLayer> AdaptiveMaxPooling3D(const SpatialArg& s, const AdaptivePoolingOptions& o) {
  return make<AdaptivePoolingLayer>(3, true, s, o);
}

}  // namespace keras::layers
