#include "keras/layers/activity_regularization.h"

#include <cmath>
#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/args.h"
#include "keras/layers/core_layers_util.h"

namespace keras::layers {
namespace ops = core::ops;

ActivityRegularizationLayer::ActivityRegularizationLayer(const ActivityRegularizationOptions& o)
    : Layer("ActivityRegularization", LayerOptions{o.name, o.trainable, false, DType::float32, o.input_shape}),
      o_(o) {
  for (auto [arg, v] : {std::pair<const char*, double>{"l1", o.l1}, {"l2", o.l2}})
    if (!(v >= 0.0) || std::isinf(v))
      throw std::invalid_argument(name() + ": invalid value for argument " + arg +
                                  ": expected a non-negative float, but received " + arg + "=" +
                                  detail::num(v));
}

Tensor ActivityRegularizationLayer::call(const Tensor& x, bool) {
  Tensor loss = ops::scalar_like(x, 0.0);
  if (o_.l1 != 0.0) loss = ops::add(loss, ops::multiply(ops::scalar_like(x, o_.l1), ops::sum(ops::abs(x))));
  if (o_.l2 != 0.0) loss = ops::add(loss, ops::multiply(ops::scalar_like(x, o_.l2), ops::sum(ops::square(x))));
  add_loss(loss);
  return x;
}

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
  LayerOptions base = layer_options_from(c);
  ActivityRegularizationOptions o;
  o.name = base.name;
  o.trainable = base.trainable;
  o.input_shape = base.input_shape;
  o.l1 = c.get("l1", 0.0).as_double();
  o.l2 = c.get("l2", 0.0).as_double();
  return make<ActivityRegularizationLayer>(o);
}

Ref<ActivityRegularizationLayer> ActivityRegularization(const ActivityRegularizationOptions& o) {
  return make<ActivityRegularizationLayer>(o);
}

}  // namespace keras::layers
