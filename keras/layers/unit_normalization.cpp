#include "keras/layers/unit_normalization.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ops.h"

namespace keras::layers {
namespace ops = core::ops;

UnitNormalizationLayer::UnitNormalizationLayer(const UnitNormalizationOptions& o)
    : Layer("UnitNormalization", detail::layer_options_of(o)), o_(o) {
  supports_masking_ = true;
  if (o.axis.is_none() || o.axis.axes().empty())
    throw std::invalid_argument(name() + ": expected an int or a non-empty list of ints for axis, but received " +
                                o.axis.str());
}

std::vector<int64_t> UnitNormalizationLayer::axes_for(int64_t r, const std::string& shape) const {
  std::vector<int64_t> axes;
  for (int64_t a : o_.axis.axes()) {
    if (a < -r || a >= r)
      throw std::invalid_argument(name() + ": axis " + o_.axis.str() + " is out of bounds for input shape " + shape);
    axes.push_back(a < 0 ? a + r : a);
  }
  return axes;
}

Tensor UnitNormalizationLayer::call(const Tensor& input, bool) {
  Tensor x = core::is_floating(input.dtype()) ? input : ops::cast(input, dtype());
  const auto axes = axes_for(x.shape().rank(), shape_str(spec_of(x.shape())));
  Tensor s = ops::sum(ops::square(x), axes, true);
  return ops::multiply(x, ops::rsqrt(ops::maximum(s, ops::scalar_like(s, 1e-24))));
}

std::vector<ShapeSpec> UnitNormalizationLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  axes_for(int64_t(shapes.at(0).size()), shape_str(shapes.at(0)));
  return {shapes.at(0)};
}

Config UnitNormalizationLayer::get_config() const {
  Config c = base_config();
  c["axis"] = o_.axis.to_config();
  return c;
}

LayerPtr UnitNormalizationLayer::from_config(const Config& c) {
  UnitNormalizationOptions o;
  detail::read_base_options(c, o);
  o.axis = AxisArg::from_config(c.get("axis", -1));
  return make<UnitNormalizationLayer>(o);
}

Ref<UnitNormalizationLayer> UnitNormalization(const UnitNormalizationOptions& o) {
  return make<UnitNormalizationLayer>(o);
}

}  // namespace keras::layers
