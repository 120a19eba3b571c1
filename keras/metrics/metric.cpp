// metric.cpp - the Metric base class.
#include "keras/metrics/metric.h"

#include <stdexcept>

#include "core/function.h"
#include "core/ops.h"
#include "keras/metrics/metrics_utils.h"
#include "keras/stateless_util.h"

namespace keras::metrics {

namespace ops = core::ops;

Metric::Metric(std::string name, DType dtype) : name_(std::move(name)), dtype_(dtype) {
  if (!core::is_floating(dtype))
    detail::fail(name_ + ": expected a floating-point dtype (float32 or float64), but received " +
                 core::dtype_name(dtype));
}

Metric::Metric(std::string name, DType dtype, IntegerStateAllowed) : name_(std::move(name)), dtype_(dtype) {
  if (!core::is_floating(dtype) && !core::is_integer(dtype))
    detail::fail(name_ + ": expected a floating-point or integer dtype, but received " + core::dtype_name(dtype));
}

Metric::~Metric() = default;

void Metric::reset_state() {
  for (auto& v : variables_) v.assign(ops::zeros_like(v.value()));  // on the variable's device
}

std::vector<Tensor> Metric::stateless_update_state(const std::vector<Tensor>& metric_variables, const Tensor& y_true,
                                                   const Tensor& y_pred, const Tensor& sample_weight) {
  core::StatelessScope scope(
      keras::detail::stateless_mapping(variables_, metric_variables, "metric_variables", class_name() + "().variables"));
  update_state(y_true, y_pred, sample_weight);
  return keras::detail::scope_values(scope, variables_);
}

Tensor Metric::stateless_result(const std::vector<Tensor>& metric_variables) const {
  core::StatelessScope scope(
      keras::detail::stateless_mapping(variables_, metric_variables, "metric_variables", class_name() + "().variables"));
  return result();
}

std::vector<Tensor> Metric::stateless_reset_state() {
  core::StatelessScope scope;
  reset_state();
  return keras::detail::scope_values(scope, variables_);
}

keras::Config Metric::get_config() const {
  keras::Config c = keras::Config::object();
  c["name"] = name_;
  c["dtype"] = core::dtype_name(dtype_);
  return c;
}

Tensor Metric::operator()(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  update_state(y_true, y_pred, sample_weight);
  return result();
}

Variable Metric::add_variable(const std::string& name, const Shape& shape, DType dtype) {
  Variable v(ops::zeros(shape, dtype), name_ + "/" + name, /*trainable=*/false);
  variables_.push_back(v);
  return v;
}

Tensor Metric::detach(const Tensor& x) const {
  if (!x.defined()) return x;
  const Tensor y = core::stop_gradient(x);
  if (variables_.empty()) return y;
  // Inside a traced step a value has no data to copy yet: a metric whose state is on
  // another device than its inputs then meets an op that names both devices.
  const core::Device d = variables_.front().current().device();
  return y.device() == d || core::is_tracing() ? y : y.to(d);
}

}  // namespace keras::metrics
