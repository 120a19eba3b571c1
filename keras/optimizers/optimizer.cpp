// optimizer.cpp - the Optimizer base (clipping, weight decay, constraints, the iteration
// count, learning rate as a variable or schedule, overwrite_with_gradient variables);
// MultiOptimizer is in multi_optimizer.cpp.
#include "keras/optimizers.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>

#include "core/variable_options.h"
#include "core/ops.h"
#include "core/training.h"
#include "keras/optimizers/optimizer_util.h"
#include "core/control_flow.h"
#include "core/function.h"
#include "keras/layers/layer.h"
#include "core/device_scope.h"

namespace keras::optimizers {
namespace ops = core::ops;
using core::DType;
using core::Shape;

namespace {
// Whether this call of apply_gradients applies the accumulated gradients: every `steps`-th
// call ((iterations + 1) % steps == 0), as a tensor, so a traced step decides at run time.
Tensor accumulation_update_step(const Tensor& it, double steps) {
  return ops::equal(ops::mod(ops::add(it, ops::scalar_like(it, 1.0)), ops::scalar_like(it, steps)),
                    ops::scalar_like(it, 0.0));
}
}  // namespace

// ---- Optimizer --------------------------------------------------------------------------
Optimizer::Optimizer(std::string class_name, const OptimizerOptions& o)
    : class_name_(std::move(class_name)),
      name_(o.name.empty() ? layers::snake_case(class_name_) : o.name),
      options_(o),
      iterations_(ops::zeros({}, DType::int64), name_ + "/iteration", false),
      replicas_(distribute::current()) {
  if (!o.learning_rate.schedule)
    learning_rate_ = Variable(core::constant(o.learning_rate.value, DType::float64), name_ + "/learning_rate", false);
  auto check = [&](const std::optional<double>& v, const char* what) {
    if (v && !(*v >= 0.0 && std::isfinite(*v)))
      throw std::invalid_argument(name_ + ": expected " + what + " >= 0, but received " + std::to_string(*v));
  };
  check(o.weight_decay, "weight_decay");
  check(o.clipnorm, "clipnorm");
  check(o.clipvalue, "clipvalue");
  check(o.global_clipnorm, "global_clipnorm");
  if (o.use_ema && !(o.ema_momentum >= 0 && o.ema_momentum <= 1))
    throw std::invalid_argument(name_ + ": expected ema_momentum in [0, 1], but received " + std::to_string(o.ema_momentum));
  if (o.use_ema && o.ema_overwrite_frequency && *o.ema_overwrite_frequency < 1)
    throw std::invalid_argument(name_ + ": expected ema_overwrite_frequency >= 1 or none, but received " +
                                std::to_string(*o.ema_overwrite_frequency));
  if (o.gradient_accumulation_steps && *o.gradient_accumulation_steps < 2)
    throw std::invalid_argument(name_ + ": expected gradient_accumulation_steps >= 2 or none, but received " +
                                std::to_string(*o.gradient_accumulation_steps));
  if (o.loss_scale_factor && !(std::isfinite(*o.loss_scale_factor) && *o.loss_scale_factor > 0))
    throw std::invalid_argument(name_ + ": expected loss_scale_factor > 0, but received " +
                                std::to_string(*o.loss_scale_factor));
  if (o.clipnorm && o.global_clipnorm)
    throw std::invalid_argument(name_ + ": only one of clipnorm and global_clipnorm can be set");
  if (!o.learning_rate.schedule && !(o.learning_rate.value >= 0))
    throw std::invalid_argument(name_ + ": expected learning_rate >= 0, but received " +
                                std::to_string(o.learning_rate.value));
}

Optimizer::~Optimizer() = default;

int64_t Optimizer::iterations() const {
  const int64_t raw = iterations_.value().item<int64_t>();
  return options_.gradient_accumulation_steps ? raw / *options_.gradient_accumulation_steps : raw;
}
namespace {
// Keras's MultiOptimizer has no learning rate of its own: reading or setting one raises.
void refuse_multi(const Optimizer& o, const char* what) {
  if (dynamic_cast<const MultiOptimizer*>(&o))
    throw std::logic_error(o.name() + ": the learning rate cannot be " + what +
                           " on a MultiOptimizer; use those of the optimizers it holds (optimizers())");
}
}  // namespace

double Optimizer::learning_rate() const {
  refuse_multi(*this, "read");
  // Keras evaluates a schedule at the count of apply calls, also when gradients accumulate.
  return options_.learning_rate.schedule ? (*options_.learning_rate.schedule)(iterations_.value().item<int64_t>())
                                         : learning_rate_.value().item<double>();
}
Tensor Optimizer::current_learning_rate() const {
  return options_.learning_rate.schedule ? (*options_.learning_rate.schedule)(iterations_.value()) : learning_rate_.value();
}
void Optimizer::set_learning_rate(double lr) {
  if (learning_rate_.defined()) refuse_multi(*this, "set");
  if (!(lr >= 0)) throw std::invalid_argument(name_ + ": expected learning_rate >= 0, but received " + std::to_string(lr));
  options_.learning_rate = LearningRate(lr);
  const Tensor value = core::constant(lr, DType::float64);
  if (learning_rate_.defined()) learning_rate_.assign(value);
  else learning_rate_ = Variable(value, name_ + "/learning_rate", false);
}
// Keras's iterations as a tensor: the count of apply calls, divided by the accumulation steps.
Tensor Optimizer::iterations_tensor() const {
  const Tensor it = iterations_.value();  // (a GPU counter stays on its device)
  if (!options_.gradient_accumulation_steps) return it;
  return ops::floor_divide(it, ops::scalar_like(it, double(*options_.gradient_accumulation_steps)));
}
Tensor Optimizer::step_count(DType dtype) const {
  const Tensor it = iterations_tensor();
  return ops::cast(ops::add(it, ops::scalar_like(it, 1.0)), dtype);
}
void Optimizer::set_loss_scale_factor(std::optional<double> factor) {
  if (factor && !(std::isfinite(*factor) && *factor > 0))
    throw std::invalid_argument(name_ + ": expected loss_scale_factor > 0, but received " + std::to_string(*factor));
  options_.loss_scale_factor = factor;
}
Tensor Optimizer::scale_loss(const Tensor& loss) const {
  if (!options_.loss_scale_factor) return loss;
  return ops::multiply(loss, ops::scalar_like(loss, *options_.loss_scale_factor));
}

std::vector<Variable> Optimizer::variables() const {
  std::vector<Variable> out = {iterations_};
  out.insert(out.end(), slots_.begin(), slots_.end());
  return out;
}

void Optimizer::to(core::Device device) {
  for (Variable v : variables()) core::move_variable(v, device);
  if (learning_rate_.defined()) core::move_variable(learning_rate_, device);
}

void Optimizer::build(const std::vector<Variable>&) {}
std::optional<double> Optimizer::weight_decay_of(const Variable&) const { return options_.weight_decay; }

void Optimizer::build_variables(const std::vector<Variable>& vars) {
  std::vector<Variable> fresh;
  for (const Variable& x : vars) {
    bool known = false;
    for (const Variable& b : built_) known = known || b.same_as(x);
    for (const Variable& b : fresh) known = known || b.same_as(x);
    if (!known) fresh.push_back(x);
  }
  if (!fresh.empty()) {
    core::InitScope init;  // slots are made and initialized once, outside any traced step
    // The step counter and the learning rate feed every update kernel with the variables:
    // they live on the device of the first variable built (slots follow their variables).
    if (built_.empty() && iterations_.value().device() != fresh.front().value().device()) {
      core::move_variable(iterations_, fresh.front().value().device());
      if (learning_rate_.defined()) core::move_variable(learning_rate_, fresh.front().value().device());
    }
    built_.insert(built_.end(), fresh.begin(), fresh.end());
    // Keras's base build first (the averages, then the accumulators), then the subclass's.
    if (options_.use_ema)
      for (const Variable& x : fresh) averages_.push_back(add_variable_from_reference(x, "average"));
    if (options_.gradient_accumulation_steps)
      for (const Variable& x : fresh) accumulators_.push_back(add_variable_from_reference(x, "gradient_accumulator"));
    build(fresh);
  }
}

void Optimizer::set_iterations(int64_t n) {
  if (n < 0) throw std::invalid_argument(name_ + ": expected iterations >= 0, but received " + std::to_string(n));
  iterations_.assign(ops::fill({}, double(n), DType::int64));
}

Variable Optimizer::add_variable(const Tensor& initial, const std::string& name) {
  Variable v(initial, name_ + "/" + name, false);
  slots_.push_back(v);
  return v;
}

Variable Optimizer::add_variable_from_reference(const Variable& ref, const std::string& name) {
  Variable v(ops::zeros_like(ref.value()), name_ + "/" + ref.name() + "_" + name, false);
  slots_.push_back(v);
  return v;
}

size_t Optimizer::index_of(const Variable& var) const {
  for (size_t i = 0; i < built_.size(); ++i)
    if (built_[i].same_as(var)) return i;
  throw std::logic_error(name_ + ": variable '" + var.name() + "' was not built");
}

void Optimizer::apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars) {
  if (grads.size() != vars.size())
    throw std::invalid_argument(name_ + ": apply_gradients received " + std::to_string(grads.size()) +
                                " gradients for " + std::to_string(vars.size()) + " variables");
  std::vector<Tensor> g;
  std::vector<Variable> v;
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    if (grads[i].shape() != vars[i].shape())
      throw std::invalid_argument(name_ + ": the gradient for variable '" + vars[i].name() + "' has shape " +
                                  grads[i].shape().str() + ", expected " + vars[i].shape().str());
    g.push_back(grads[i]);
    v.push_back(vars[i]);
  }
  if (g.empty() && !grads.empty())
    throw std::invalid_argument(name_ + ": no gradients provided for any variable (" +
                                std::to_string(vars.size()) + " variables)");
  build_variables(v);  // slots for variables seen for the first time (overwritten ones too, as Keras)
  overwrite_with_gradients(g, v);
  if (g.empty()) {
    iterations_.assign_add(core::constant(int64_t{1}));
    return;
  }
  // Distributed: the replicas' gradients are summed (each replica's loss was scaled by its
  // share of the global batch) before clipping, as one host node in a traced step.
  if (replicas_ && replicas_->num_replicas() > 1) g = distribute::all_reduce(replicas_, g, distribute::ReduceOp::SUM);
  if (options_.loss_scale_factor)
    for (Tensor& t : g) t = ops::divide(t, ops::scalar_like(t, *options_.loss_scale_factor));
  if (options_.gradient_accumulation_steps) {
    // Keras: every `steps`-th call applies the mean of the accumulated gradients and zeroes
    // the accumulators; the other calls add to them. A cond, so a traced step keeps both.
    const double steps = double(*options_.gradient_accumulation_steps);
    const Tensor is_update = accumulation_update_step(iterations_.value(), steps);
    std::vector<Variable*> acc;
    for (const Variable& x : v) acc.push_back(&accumulators_[index_of(x)]);
    auto done = [] { return std::vector<Tensor>{core::constant(0.0f)}; };
    ops::cond(
        is_update,
        [&] {
          std::vector<Tensor> mean;
          for (size_t i = 0; i < g.size(); ++i)
            mean.push_back(ops::divide(ops::add(g[i], acc[i]->value()), ops::scalar_like(g[i], steps)));
          update_variables(std::move(mean), v);
          for (Variable* a : acc) a->assign(ops::zeros_like(a->value()));
          return done();
        },
        [&] {
          for (size_t i = 0; i < g.size(); ++i) acc[i]->assign_add(g[i]);
          return done();
        });
  } else {
    update_variables(std::move(g), v);
  }
  if (options_.use_ema) update_averages();
  for (Variable& x : v)
    if (x.constraint()) x.assign(x.constraint()(x.value()));  // Keras: after the update
  iterations_.assign_add(core::constant(int64_t{1}));
}

// Keras's _overwrite_variables_directly_with_gradients: a variable with
// overwrite_with_gradient takes its gradient as its new value (float8 training's scales and
// amax histories) and leaves the update; with gradient accumulation it takes the maximum
// of the accumulated ones at each update step. Distributed, the replicas' values are
// averaged (the scales agree on every replica; a history's newest entry becomes an
// average of the replicas' maxima).
void Optimizer::overwrite_with_gradients(std::vector<Tensor>& g, std::vector<Variable>& v) {
  std::vector<Tensor> og;
  std::vector<Variable> ov;
  for (size_t i = g.size(); i-- > 0;) {
    if (!core::variable_options::overwrite_with_gradient(v[i])) continue;
    og.insert(og.begin(), g[i]);
    ov.insert(ov.begin(), v[i]);
    g.erase(g.begin() + std::ptrdiff_t(i));
    v.erase(v.begin() + std::ptrdiff_t(i));
  }
  if (og.empty()) return;
  if (replicas_ && replicas_->num_replicas() > 1) og = distribute::all_reduce(replicas_, og, distribute::ReduceOp::MEAN);
  if (!options_.gradient_accumulation_steps) {
    for (size_t i = 0; i < og.size(); ++i) ov[i].assign(ops::cast(og[i], ov[i].dtype()));
    return;
  }
  const Tensor is_update =
      accumulation_update_step(iterations_.value(), double(*options_.gradient_accumulation_steps));
  for (size_t i = 0; i < og.size(); ++i) {
    Variable& acc = accumulators_[index_of(ov[i])];
    const Tensor high = ops::maximum(og[i], acc.value());
    ov[i].assign(ops::where(is_update, high, ov[i].value()));
    acc.assign(ops::where(is_update, ops::zeros_like(high), high));
  }
}

void Optimizer::update_variables(std::vector<Tensor> g, std::vector<Variable>& v) {
  // Clipping (Keras order: clipnorm per gradient, global_clipnorm, clipvalue), with ops:
  // g * clip / max(norm, clip) leaves a gradient whose norm is within the bound unchanged.
  auto norm_of = [](const Tensor& t) { return ops::sum(ops::square(t)); };  // squared
  auto scale_to = [](Tensor& t, const Tensor& squared_norm, double clip) {
    Tensor n = ops::sqrt(ops::cast(squared_norm, t.dtype()));
    t = ops::multiply(t, ops::divide(ops::scalar_like(n, clip), ops::maximum(n, ops::scalar_like(n, clip))));
  };
  if (options_.clipnorm)
    for (Tensor& t : g) scale_to(t, norm_of(t), *options_.clipnorm);
  if (options_.global_clipnorm) {
    Tensor total;
    for (const Tensor& t : g) {
      Tensor sq = ops::cast(norm_of(t), DType::float64);
      total = total.defined() ? ops::add(total, sq) : sq;
    }
    for (Tensor& t : g) scale_to(t, total, *options_.global_clipnorm);
  }
  if (options_.clipvalue)
    for (Tensor& t : g) t = ops::clip(t, -*options_.clipvalue, *options_.clipvalue);

  prepare_step();
  const Tensor lr = current_learning_rate();
  std::map<DType, Tensor> lr_as;  // the rate in each variable dtype, cast once
  for (size_t i = 0; i < g.size(); ++i) {
    Tensor& lr_i = lr_as[v[i].dtype()];
    if (!lr_i.defined()) lr_i = lr.dtype() == v[i].dtype() ? lr : ops::cast(lr, v[i].dtype());
    const std::optional<double> wd = weight_decay_of(v[i]);
    if (wd && *wd > 0) {
      if (core::training::fused(v[i], g[i]))
        core::training::apply_weight_decay(v[i], lr_i, *wd);
      else
        v[i].assign_sub(ops::multiply(v[i].value(), ops::multiply(lr_i, ops::scalar_like(lr_i, *wd))));
    }
    update_step(g[i], v[i], lr_i);
  }
}

// Keras's _update_model_variables_moving_average (every built variable, at every call),
// then, every ema_overwrite_frequency iterations, the variables take their averages.
void Optimizer::update_averages() {
  const Tensor it = iterations_tensor();
  const Tensor not_first = ops::not_equal(it, ops::scalar_like(it, 0.0));
  std::optional<Tensor> overwrite;
  if (options_.ema_overwrite_frequency) {
    const double f = double(*options_.ema_overwrite_frequency);
    overwrite = ops::equal(ops::mod(ops::add(it, ops::scalar_like(it, 1.0)), ops::scalar_like(it, f)),
                           ops::scalar_like(it, 0.0));
  }
  for (size_t i = 0; i < built_.size(); ++i) {
    Variable& var = built_[i];
    Variable& avg = averages_[i];
    const Tensor x = var.value();
    const Tensor m = ops::multiply(ops::cast(not_first, x.dtype()), ops::scalar_like(x, options_.ema_momentum));
    const Tensor updated = ops::add(ops::multiply(m, avg.value()), ops::multiply(ops::subtract(ops::scalar_like(m, 1.0), m), x));
    avg.assign(updated);
    if (overwrite) var.assign(ops::where(*overwrite, updated, x));
  }
}

void Optimizer::finalize_variable_values(const std::vector<Variable>& vars) {
  if (!options_.use_ema) return;
  for (const Variable& x : vars)
    for (size_t i = 0; i < built_.size(); ++i)
      if (built_[i].same_as(x)) built_[i].assign(averages_[i].value());
}

bool Optimizer::swap_ema_weights() {
  if (!options_.use_ema) return false;
  for (size_t i = 0; i < built_.size(); ++i) {
    const Tensor current = built_[i].value();  // (assign replaces the value: this one stays)
    built_[i].assign(averages_[i].value());
    averages_[i].assign(current);
  }
  return true;
}

void Optimizer::reset_ema_to_variables() {
  if (!options_.use_ema) return;
  for (size_t i = 0; i < built_.size(); ++i) averages_[i].assign(built_[i].value());
}

Config Optimizer::base_config() const {
  Config c = Config::object();
  c["name"] = name_;
  if (options_.learning_rate.schedule) {
    c["learning_rate"] = serialize_schedule(*options_.learning_rate.schedule);
  } else {
    c["learning_rate"] = options_.learning_rate.value;  // kept in step with set_learning_rate
  }
  auto opt = [](const std::optional<double>& v) { return v ? Value(*v) : Value(); };
  c["weight_decay"] = opt(options_.weight_decay);
  c["clipnorm"] = opt(options_.clipnorm);
  c["clipvalue"] = opt(options_.clipvalue);
  c["global_clipnorm"] = opt(options_.global_clipnorm);
  auto opt_int = [](const std::optional<int64_t>& v) { return v ? Value(*v) : Value(); };
  c["use_ema"] = options_.use_ema;
  c["ema_momentum"] = options_.ema_momentum;
  c["ema_overwrite_frequency"] = opt_int(options_.ema_overwrite_frequency);
  c["loss_scale_factor"] = opt(options_.loss_scale_factor);
  c["gradient_accumulation_steps"] = opt_int(options_.gradient_accumulation_steps);
  return c;
}

Config Optimizer::get_config() const { return base_config(); }


}  // namespace keras::optimizers
