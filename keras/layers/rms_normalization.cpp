#include "keras/layers/rms_normalization.h"
#include "keras/layers/options_base.h"

#include <algorithm>
#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/core_layers_util.h"
#include "keras/layers/norm_axes_internal.h"

namespace keras::layers {
namespace ops = core::ops;

RMSNormalizationLayer::RMSNormalizationLayer(const RMSNormalizationOptions& o)
    : Layer("RMSNormalization", detail::layer_options_of(o)),
      o_(o) {
  // Keras 3's RMSNormalization does not support masking: a mask stops here (with the warning).
  if (o.axis.is_none() || o.axis.axes().empty())
    throw std::invalid_argument(name() + ": expected an int or a non-empty list of ints for axis, but received " +
                                o.axis.str());
  if (!(o.epsilon >= 0.0))
    throw std::invalid_argument(name() + ": expected epsilon >= 0, but received epsilon=" + detail::num(o.epsilon));
}

void RMSNormalizationLayer::build(const ShapeSpec& s) {
  axes_ = detail::normalized_axes(name(), o_.axis, s);
  std::vector<int64_t> pshape;
  bshape_.assign(s.size(), 1);
  input_spec.ndim = static_cast<int64_t>(s.size());
  input_spec.axes.clear();
  for (int64_t a : axes_) {
    const int64_t d = s[static_cast<size_t>(a)];
    pshape.push_back(d);
    bshape_[static_cast<size_t>(a)] = d;
    input_spec.axes[a] = d;
  }
  scale = add_weight("scale", Shape(pshape), {.initializer = initializers::get("ones")});
}

Tensor RMSNormalizationLayer::call(const Tensor& x, bool) {
  const int64_t r = x.shape().rank();
  // scale spans the normalized axes; it broadcasts as is when they are the trailing ones.
  const bool trailing = axes_.back() == r - 1 && axes_.front() == r - static_cast<int64_t>(axes_.size());
  Tensor s = trailing ? scale.value() : ops::reshape(scale.value(), bshape_);
  return ops::rms_normalization(x, s, axes_, o_.epsilon);
}

std::vector<ShapeSpec> RMSNormalizationLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  return {shapes.at(0)};
}

Config RMSNormalizationLayer::get_config() const {
  Config c = base_config();
  if (built()) {
    std::vector<int64_t> given = o_.axis.axes();
    std::sort(given.begin(), given.end());
    c["axis"] = Value(given);
  } else {
    c["axis"] = o_.axis.to_config();
  }
  c["epsilon"] = o_.epsilon;
  return c;
}

LayerPtr RMSNormalizationLayer::from_config(const Config& c) {
  RMSNormalizationOptions o;
  detail::read_base_options(c, o);
  o.axis = AxisArg::from_config(c.get("axis", -1));
  o.epsilon = c.get("epsilon", 1e-6).as_double();
  return make<RMSNormalizationLayer>(o);
}

Ref<RMSNormalizationLayer> RMSNormalization(const RMSNormalizationOptions& o) {
  return make<RMSNormalizationLayer>(o);
}

}  // namespace keras::layers
