#include "keras/optimizers/loss_scale_optimizer.h"

#include <cmath>
#include <stdexcept>

#include "core/ops.h"

namespace keras::optimizers {
namespace ops = core::ops;
using core::DType;

LossScaleOptimizer::LossScaleOptimizer(OptimizerPtr inner, double initial_scale, int64_t dynamic_growth_steps,
                                       std::string name)
    : Optimizer("LossScaleOptimizer", OptimizerOptions{LearningRate(0.0), {}, {}, {}, {}, std::move(name)}),
      inner_(std::move(inner)),
      initial_scale_(initial_scale),
      growth_steps_(dynamic_growth_steps) {
  if (!inner_) throw std::invalid_argument(this->name() + ": expected an inner optimizer, but received null");
  if (!(initial_scale > 0.0 && std::isfinite(initial_scale)))
    throw std::invalid_argument(this->name() + ": expected initial_scale > 0, but received " + std::to_string(initial_scale));
  if (dynamic_growth_steps < 1)
    throw std::invalid_argument(this->name() + ": expected dynamic_growth_steps >= 1, but received " +
                                std::to_string(dynamic_growth_steps));
  counter_ = add_variable(ops::zeros({}, DType::int64), "step_counter");
  scale_ = add_variable(core::constant(initial_scale, DType::float32), "dynamic_scale");
}

void LossScaleOptimizer::apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars) {
  if (grads.size() != vars.size())
    throw std::invalid_argument(name() + ": apply_gradients received " + std::to_string(grads.size()) +
                                " gradients for " + std::to_string(vars.size()) + " variables");
  bool finite = true;
  for (const Tensor& g : grads)
    if (g.defined() && g.size() > 0) finite = finite && ops::all(ops::isfinite(g)).item<bool>();
  if (!finite) {  // skip the step, halve the scale
    counter_.assign(ops::zeros({}, DType::int64));
    scale_.assign(ops::multiply(scale_.value(), core::constant(0.5f)));
    return;
  }
  std::vector<Tensor> unscaled;
  unscaled.reserve(grads.size());
  for (const Tensor& g : grads)
    unscaled.push_back(g.defined() ? ops::divide(g, ops::cast(scale_.value(), g.dtype())) : g);
  inner_->apply_gradients(unscaled, vars);
  set_iterations(inner_->iterations());
  if (step_counter() == growth_steps_ - 1) {
    counter_.assign(ops::zeros({}, DType::int64));
    scale_.assign(ops::multiply(scale_.value(), core::constant(2.0f)));
  } else {
    counter_.assign(ops::add(counter_.value(), core::constant(int64_t{1})));
  }
}

Tensor LossScaleOptimizer::scale_loss(const Tensor& loss) const {
  return ops::multiply(loss, ops::cast(scale_.value(), loss.dtype()));
}

double LossScaleOptimizer::dynamic_scale() const { return scale_.value().item<double>(); }
int64_t LossScaleOptimizer::step_counter() const { return counter_.value().item<int64_t>(); }

Config LossScaleOptimizer::get_config() const {
  Config c = Config::object();
  c["name"] = name();
  c["inner_optimizer"] = serialize(*inner_);
  c["initial_scale"] = initial_scale_;
  c["dynamic_growth_steps"] = static_cast<long long>(growth_steps_);
  return c;
}

void LossScaleOptimizer::set_replicas(distribute::CrossReplicaPtr replicas) {
  Optimizer::set_replicas(replicas);
  inner_->set_replicas(std::move(replicas));
}

void LossScaleOptimizer::update_step(const Tensor&, Variable& var, const Tensor&) {
  throw std::logic_error(name() + ": update_step is done by the inner optimizer (variable '" + var.name() + "')");
}

std::shared_ptr<LossScaleOptimizer> make_loss_scale_optimizer(OptimizerPtr inner, double initial_scale,
                                                              int64_t dynamic_growth_steps) {
  return std::make_shared<LossScaleOptimizer>(std::move(inner), initial_scale, dynamic_growth_steps);
}

}  // namespace keras::optimizers
