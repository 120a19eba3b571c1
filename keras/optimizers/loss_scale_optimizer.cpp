#include "keras/optimizers/loss_scale_optimizer.h"
#include "keras/optimizers/optimizer_util.h"

#include <cmath>
#include <stdexcept>

#include "core/variable_options.h"
#include "core/ops.h"

namespace keras::optimizers {
namespace ops = core::ops;
using core::DType;

LossScaleOptimizer::LossScaleOptimizer(OptimizerPtr inner, double initial_scale, int64_t dynamic_growth_steps,
                                       std::string name)
    : Optimizer("LossScaleOptimizer", OptimizerOptions{.learning_rate = LearningRate(0.0), .name = std::move(name)}),
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
  // All with ops, so the step traces into fit()'s train function: no host read decides.
  std::vector<Variable> updated;  // the variables with a gradient
  // (Constants are made on the scale's device, so the step runs where the model does.)
  Tensor finite = core::constant(true).to(scale_.value().device());
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    updated.push_back(vars[i]);
    if (grads[i].size() > 0) finite = ops::logical_and(finite, ops::all(ops::isfinite(grads[i])));
  }
  inner_->build_variables(updated);  // its slots exist before the snapshot below
  // Keras skips the inner step when a gradient is not finite (ops.cond). Here the step
  // always runs and every variable it may change (the model's, the inner optimizer's
  // iterations and slots) then takes where(finite, new, old): the same values, as tensors.
  std::vector<Variable> state = updated;
  for (const Variable& v : inner_->variables()) state.push_back(v);
  std::vector<Tensor> before;
  before.reserve(state.size());
  // Copies: a traced step's optimizer kernels may update a variable's buffer in place.
  for (const Variable& v : state) before.push_back(ops::copy(v.value()));
  std::vector<Tensor> unscaled;
  unscaled.reserve(grads.size());
  for (size_t i = 0; i < grads.size(); ++i) {
    const Tensor& g = grads[i];
    // (a variable overwritten with its "gradient", float8's scales, takes it as computed)
    const bool keep = !g.defined() || core::variable_options::overwrite_with_gradient(vars[i]);
    unscaled.push_back(keep ? g : ops::divide(g, ops::cast(scale_.value(), g.dtype())));
  }
  inner_->apply_gradients(unscaled, vars);
  for (size_t i = 0; i < state.size(); ++i) state[i].assign(ops::where(finite, state[i].value(), before[i]));
  Variable iterations = iterations_variable();  // the LSO's iterations are the inner optimizer's
  iterations.assign(inner_->iterations_variable().value());
  // Finite: the growth count advances, and the scale doubles after dynamic_growth_steps
  // finite steps in a row. Not finite: the scale halves and the count restarts.
  const Tensor counter = counter_.value(), scale = scale_.value();
  const Tensor grow = ops::logical_and(finite, ops::equal(counter, ops::scalar_like(counter, double(growth_steps_ - 1))));
  const Tensor zero = ops::zeros_like(counter);
  counter_.assign(ops::where(finite, ops::where(grow, zero, ops::add(counter, ops::scalar_like(counter, 1.0))), zero));
  scale_.assign(ops::where(grow, ops::multiply(scale, ops::scalar_like(scale, 2.0)),
                           ops::where(finite, scale, ops::multiply(scale, ops::scalar_like(scale, 0.5)))));
}

Tensor LossScaleOptimizer::scale_loss(const Tensor& loss) const {
  return ops::multiply(loss, ops::cast(scale_.value(), loss.dtype()));
}

double LossScaleOptimizer::dynamic_scale() const { return scale_.value().item<double>(); }
int64_t LossScaleOptimizer::step_counter() const { return counter_.value().item<int64_t>(); }

Config LossScaleOptimizer::get_config() const {
  Config c = Config::object();
  c["name"] = name();
  c["inner_optimizer"] = detail::keras_entry(*inner_);  // Keras's form (its loader needs the module)
  c["initial_scale"] = initial_scale_;
  c["dynamic_growth_steps"] = static_cast<long long>(growth_steps_);
  return c;
}

void LossScaleOptimizer::finalize_variable_values(const std::vector<Variable>& vars) {
  inner_->finalize_variable_values(vars);
}
bool LossScaleOptimizer::swap_ema_weights() { return inner_->swap_ema_weights(); }
void LossScaleOptimizer::reset_ema_to_variables() { inner_->reset_ema_to_variables(); }
bool LossScaleOptimizer::uses_ema() const { return inner_->uses_ema(); }

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
