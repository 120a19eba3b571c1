#include "keras/layers/activity_regularization.h"
#include "keras/layers/options_base.h"

#include <cmath>
#include <stdexcept>

#include "keras/layers/args.h"
#include "keras/layers/core_layers_util.h"

namespace keras::layers {

ActivityRegularizationLayer::ActivityRegularizationLayer(const ActivityRegularizationOptions& o)
    : Layer("ActivityRegularization",
            detail::layer_options_of(o)),
      o_(o) {
  supports_masking_ = true;
  for (auto [arg, v] : {std::pair<const char*, double>{"l1", o.l1}, {"l2", o.l2}})
    if (!(v >= 0.0) || std::isinf(v))
      throw std::invalid_argument(name() + ": invalid value for argument " + arg +
                                  ": expected a non-negative float, but received " + arg + "=" +
                                  detail::num(v));
  set_activity_regularizer(std::make_shared<regularizers::L1L2>(o.l1, o.l2));
}

// The penalty is the base layer's activity regularizer (Layer::operator()).
Tensor ActivityRegularizationLayer::call(const Tensor& x, bool) { return x; }

std::vector<ShapeSpec> ActivityRegularizationLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  return {shapes.at(0)};
}

Config ActivityRegularizationLayer::get_config() const {
  Config c = base_config();
  c["l1"] = o_.l1;
  c["l2"] = o_.l2;
  return c;
}

LayerPtr ActivityRegularizationLayer::from_config(const Config& c) {
  ActivityRegularizationOptions o;
  detail::read_base_options(c, o);
  o.l1 = c.get("l1", 0.0).as_double();
  o.l2 = c.get("l2", 0.0).as_double();
  return make<ActivityRegularizationLayer>(o);
}

Ref<ActivityRegularizationLayer> ActivityRegularization(const ActivityRegularizationOptions& o) {
  return make<ActivityRegularizationLayer>(o);
}

}  // namespace keras::layers
