#include "keras/layers/time_distributed.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/args.h"
#include "keras/layers/registry.h"

namespace keras::layers {
namespace ops = core::ops;

TimeDistributedLayer::TimeDistributedLayer(LayerPtr layer, const TimeDistributedOptions& o)
    : Layer("TimeDistributed", detail::layer_options_of(o)),
      layer_(std::move(layer)) {
  if (!layer_)
    throw std::invalid_argument(name() + ": expected a layer to wrap, but received none");
  track_layer(layer_);
  input_spec.min_ndim = 3;
  supports_masking_ = true;
}

namespace {
// (batch, time, ...) -> (batch * time, ...) (unknown stays unknown).
ShapeSpec merged(const ShapeSpec& s) {
  ShapeSpec r(s.begin() + 1, s.end());
  r[0] = s[0] < 0 || s[1] < 0 ? -1 : s[0] * s[1];
  return r;
}
}  // namespace

void TimeDistributedLayer::build(const ShapeSpec& s) {
  if (s.size() < 3)
    throw std::invalid_argument(name() + ": expected an input of rank >= 3 (batch, time, ...), but received input "
                                "with shape " + shape_str(s));
  layer_->build_if_needed({merged(s)});
}

Tensor TimeDistributedLayer::call(const Tensor& x, bool training) {
  const std::vector<int64_t> d = x.shape().dims();
  std::vector<int64_t> flat(d.begin() + 1, d.end());
  flat[0] = d[0] * d[1];
  std::vector<Tensor> y = (*layer_)(std::vector<Tensor>{ops::reshape(x, flat)}, CallArgs{.training = training});
  if (y.size() != 1)
    throw std::invalid_argument(name() + ": the wrapped layer " + layer_->name() + " returned " +
                                std::to_string(y.size()) + " outputs; expected one");
  std::vector<int64_t> out = y[0].shape().dims();
  out[0] = d[1];
  out.insert(out.begin(), d[0]);
  return ops::reshape(y[0], out);
}

std::vector<ShapeSpec> TimeDistributedLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  const ShapeSpec& s = shapes.at(0);
  if (s.size() < 3)
    throw std::invalid_argument(name() + ": expected an input of rank >= 3 (batch, time, ...), but received input "
                                "with shape " + shape_str(s));
  ShapeSpec inner = s;
  inner.erase(inner.begin() + 1);
  inner[0] = -1;
  ShapeSpec o = layer_->compute_output_shape({inner}).at(0);
  o[0] = s[1];
  o.insert(o.begin(), s[0]);
  return {o};
}

Config TimeDistributedLayer::get_config() const {
  Config c = base_config();
  c["layer"] = serialize(*layer_);
  return c;
}

LayerPtr TimeDistributedLayer::from_config(const Config& c) {
  LayerOptions base = layer_options_from(c);
  return make<TimeDistributedLayer>(deserialize(c.at("layer")), TimeDistributedOptions{
                                                                     .name = base.name,
                                                                     .trainable = base.trainable,
                                                                     .input_shape = base.input_shape});
}

Ref<TimeDistributedLayer> TimeDistributed(LayerPtr layer, const TimeDistributedOptions& o) {
  return make<TimeDistributedLayer>(std::move(layer), o);
}

}  // namespace keras::layers
