// adaptive.cpp - RMSprop, Nadam, Adagrad, Adadelta, Adamax, Ftrl and Lion: one fused update
// op each where a kernel fits (core/training.h), else the same formulas written with ops (the
// fused kernels compute them in the same order, so both paths agree bit for bit on the CPU).
#include "keras/optimizers.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>

#include "core/ops.h"
#include "core/training.h"
#include "keras/optimizers/optimizer_util.h"

namespace keras::optimizers {
namespace ops = core::ops;
using core::DType;
using core::Shape;

// ---- helpers for the optimizers below ----------------------------------------------------
namespace {
using detail::expect;
bool finite_nonneg(double v) { return std::isfinite(v) && v >= 0; }
bool unit_open(double v) { return v >= 0 && v < 1; }  // [0, 1)
}  // namespace

// ---- RMSprop ------------------------------------------------------------------------------
RMSpropOptimizer::RMSpropOptimizer(const RMSpropOptions& o) : Optimizer("RMSprop", base_options(o, "rmsprop")), o_(o) {
  expect(o.rho >= 0 && o.rho <= 1, name(), "rho in [0, 1]", "rho", o.rho);
  expect(finite_nonneg(o.momentum), name(), "momentum >= 0", "momentum", o.momentum);
  expect(finite_nonneg(o.epsilon), name(), "epsilon >= 0", "epsilon", o.epsilon);
}

void RMSpropOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) {
    velocities_.push_back(add_variable_from_reference(v, "velocity"));
    if (o_.momentum > 0) momentums_.push_back(add_variable_from_reference(v, "momentum"));
    if (o_.centered) average_grads_.push_back(add_variable_from_reference(v, "average_gradient"));
  }
}

void RMSpropOptimizer::update_step(const Tensor& g, Variable& var, const Tensor& lr) {
  const size_t i = index_of(var);
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  Variable& vel = velocities_[i];
  Variable* mom = o_.momentum > 0 ? &momentums_[i] : nullptr;
  Variable* avg = o_.centered ? &average_grads_[i] : nullptr;
  if (core::training::fused(var, g))
    return core::training::apply_rmsprop(var, g, vel, mom, avg, lr, o_.rho, o_.momentum, o_.epsilon);
  vel.assign(ops::add(ops::multiply(vel.value(), k(o_.rho)), ops::multiply(ops::square(g), k(1 - o_.rho))));
  Tensor denominator;
  if (avg) {
    avg->assign(ops::add(ops::multiply(avg->value(), k(o_.rho)), ops::multiply(g, k(1 - o_.rho))));
    denominator = ops::add(ops::subtract(vel.value(), ops::square(avg->value())), k(o_.epsilon));
  } else {
    denominator = ops::add(vel.value(), k(o_.epsilon));
  }
  Tensor increment = ops::divide(ops::multiply(g, lr), ops::sqrt(denominator));
  if (mom) {
    mom->assign(ops::add(ops::multiply(mom->value(), k(o_.momentum)), increment));
    var.assign_sub(mom->value());
  } else {
    var.assign_sub(increment);
  }
}

Config RMSpropOptimizer::get_config() const {
  Config c = base_config();
  c["rho"] = o_.rho;
  c["momentum"] = o_.momentum;
  c["epsilon"] = o_.epsilon;
  c["centered"] = o_.centered;
  return c;
}

// ---- Nadam --------------------------------------------------------------------------------
NadamOptimizer::NadamOptimizer(const NadamOptions& o) : Optimizer("Nadam", base_options(o, "nadam")), o_(o) {
  expect(unit_open(o.beta_1), name(), "beta_1 in [0, 1)", "beta_1", o.beta_1);
  expect(unit_open(o.beta_2), name(), "beta_2 in [0, 1)", "beta_2", o.beta_2);
  expect(finite_nonneg(o.epsilon), name(), "epsilon >= 0", "epsilon", o.epsilon);
}

void NadamOptimizer::build(const std::vector<Variable>& vars) {
  if (!u_product_.defined()) u_product_ = add_variable(core::constant(1.0, DType::float64), "u_product");
  for (const Variable& v : vars) {
    m_.push_back(add_variable_from_reference(v, "momentum"));
    v_.push_back(add_variable_from_reference(v, "velocity"));
  }
}

void NadamOptimizer::prepare_step() {
  const Tensor t = step_count(DType::float64);
  auto k64 = [&](double x) { return ops::scalar_like(t, x); };  // float64, on the step's device
  const Tensor u_t = ops::multiply(k64(o_.beta_1), ops::subtract(k64(1), ops::multiply(k64(0.5), ops::power(k64(0.96), t))));
  u_product_.assign(ops::multiply(u_product_.value(), u_t));
}

void NadamOptimizer::update_step(const Tensor& g, Variable& var, const Tensor& lr) {
  const size_t i = index_of(var);
  const double b1 = o_.beta_1, b2 = o_.beta_2;
  Variable &m = m_[i], &v = v_[i];
  if (core::training::fused(var, g))
    return core::training::apply_nadam(var, g, m, v, lr, b1, b2, o_.epsilon, iterations_tensor(),
                                       u_product_.value());
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  // u_t = b1 (1 - 0.5 * 0.96^t); u_product_ holds u_1 ... u_t (advanced by prepare_step).
  const Tensor t = step_count(DType::float64);
  auto k64 = [&](double x) { return ops::scalar_like(t, x); };  // float64, on the step's device
  auto u_at = [&](const Tensor& s) { return ops::multiply(k64(b1), ops::subtract(k64(1), ops::multiply(k64(0.5), ops::power(k64(0.96), s)))); };
  const Tensor u_t = u_at(t), u_t1 = u_at(ops::add(t, k64(1)));
  const Tensor u_prod_t = u_product_.value(), u_prod_t1 = ops::multiply(u_prod_t, u_t1);
  auto in_dtype = [&](const Tensor& x) { return ops::cast(x, g.dtype()); };
  const Tensor c_m = in_dtype(ops::divide(u_t1, ops::subtract(k64(1), u_prod_t1)));
  const Tensor c_g = in_dtype(ops::divide(ops::subtract(k64(1), u_t), ops::subtract(k64(1), u_prod_t)));
  const Tensor c_v = in_dtype(ops::divide(k64(1), ops::subtract(k64(1), ops::power(k64(b2), t))));
  m.assign_add(ops::multiply(ops::subtract(g, m.value()), k(1 - b1)));
  v.assign_add(ops::multiply(ops::subtract(ops::square(g), v.value()), k(1 - b2)));
  Tensor m_hat = ops::add(ops::multiply(m.value(), c_m), ops::multiply(g, c_g));
  Tensor v_hat = ops::multiply(v.value(), c_v);
  var.assign_sub(ops::divide(ops::multiply(m_hat, lr), ops::add(ops::sqrt(v_hat), k(o_.epsilon))));
}

Config NadamOptimizer::get_config() const {
  Config c = base_config();
  c["beta_1"] = o_.beta_1;
  c["beta_2"] = o_.beta_2;
  c["epsilon"] = o_.epsilon;
  return c;
}

// ---- Adagrad ------------------------------------------------------------------------------
AdagradOptimizer::AdagradOptimizer(const AdagradOptions& o) : Optimizer("Adagrad", base_options(o, "adagrad")), o_(o) {
  expect(finite_nonneg(o.initial_accumulator_value), name(), "initial_accumulator_value >= 0",
         "initial_accumulator_value", o.initial_accumulator_value);
  expect(finite_nonneg(o.epsilon), name(), "epsilon >= 0", "epsilon", o.epsilon);
}

void AdagradOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) {
    Variable acc = add_variable_from_reference(v, "accumulator");
    acc.assign(ops::full_like(v.value(), o_.initial_accumulator_value));
    accumulators_.push_back(acc);
  }
}

void AdagradOptimizer::update_step(const Tensor& g, Variable& var, const Tensor& lr) {
  Variable& acc = accumulators_[index_of(var)];
  if (core::training::fused(var, g)) return core::training::apply_adagrad(var, g, acc, lr, o_.epsilon);
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  acc.assign_add(ops::square(g));
  var.assign_sub(ops::divide(ops::multiply(g, lr), ops::sqrt(ops::add(acc.value(), k(o_.epsilon)))));
}

Config AdagradOptimizer::get_config() const {
  Config c = base_config();
  c["initial_accumulator_value"] = o_.initial_accumulator_value;
  c["epsilon"] = o_.epsilon;
  return c;
}

// ---- Adadelta -----------------------------------------------------------------------------
AdadeltaOptimizer::AdadeltaOptimizer(const AdadeltaOptions& o)
    : Optimizer("Adadelta", base_options(o, "adadelta")), o_(o) {
  expect(o.rho >= 0 && o.rho <= 1, name(), "rho in [0, 1]", "rho", o.rho);
  expect(finite_nonneg(o.epsilon), name(), "epsilon >= 0", "epsilon", o.epsilon);
}

void AdadeltaOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) {
    accumulated_grads_.push_back(add_variable_from_reference(v, "accumulated_grad"));
    accumulated_deltas_.push_back(add_variable_from_reference(v, "accumulated_delta_var"));
  }
}

void AdadeltaOptimizer::update_step(const Tensor& g, Variable& var, const Tensor& lr) {
  const size_t i = index_of(var);
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  auto rms = [&](const Tensor& x) { return ops::sqrt(ops::add(x, k(o_.epsilon))); };
  Variable &ag = accumulated_grads_[i], &ad = accumulated_deltas_[i];
  if (core::training::fused(var, g)) return core::training::apply_adadelta(var, g, ag, ad, lr, o_.rho, o_.epsilon);
  ag.assign(ops::add(ops::multiply(ag.value(), k(o_.rho)), ops::multiply(ops::square(g), k(1 - o_.rho))));
  Tensor delta = ops::neg(ops::divide(ops::multiply(rms(ad.value()), g), rms(ag.value())));
  ad.assign(ops::add(ops::multiply(ad.value(), k(o_.rho)), ops::multiply(ops::square(delta), k(1 - o_.rho))));
  var.assign_add(ops::multiply(delta, lr));
}

Config AdadeltaOptimizer::get_config() const {
  Config c = base_config();
  c["rho"] = o_.rho;
  c["epsilon"] = o_.epsilon;
  return c;
}

// ---- Adamax -------------------------------------------------------------------------------
AdamaxOptimizer::AdamaxOptimizer(const AdamaxOptions& o) : Optimizer("Adamax", base_options(o, "adamax")), o_(o) {
  expect(unit_open(o.beta_1), name(), "beta_1 in [0, 1)", "beta_1", o.beta_1);
  expect(o.beta_2 >= 0 && o.beta_2 <= 1, name(), "beta_2 in [0, 1]", "beta_2", o.beta_2);
  expect(finite_nonneg(o.epsilon), name(), "epsilon >= 0", "epsilon", o.epsilon);
}

void AdamaxOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) {
    m_.push_back(add_variable_from_reference(v, "momentum"));
    u_.push_back(add_variable_from_reference(v, "norm"));
  }
}

void AdamaxOptimizer::update_step(const Tensor& g, Variable& var, const Tensor& lr) {
  const size_t i = index_of(var);
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  Variable &m = m_[i], &u = u_[i];
  if (core::training::fused(var, g))
    return core::training::apply_adamax(var, g, m, u, lr, o_.beta_1, o_.beta_2, o_.epsilon,
                                        iterations_tensor());
  m.assign_add(ops::multiply(ops::subtract(g, m.value()), k(1 - o_.beta_1)));
  u.assign(ops::maximum(ops::multiply(u.value(), k(o_.beta_2)), ops::abs(g)));
  const Tensor scale = ops::divide(lr, ops::subtract(k(1), ops::power(k(o_.beta_1), step_count(g.dtype()))));
  var.assign_sub(ops::divide(ops::multiply(m.value(), scale), ops::add(u.value(), k(o_.epsilon))));
}

Config AdamaxOptimizer::get_config() const {
  Config c = base_config();
  c["beta_1"] = o_.beta_1;
  c["beta_2"] = o_.beta_2;
  c["epsilon"] = o_.epsilon;
  return c;
}

// ---- Ftrl ---------------------------------------------------------------------------------
FtrlOptimizer::FtrlOptimizer(const FtrlOptions& o) : Optimizer("Ftrl", base_options(o, "ftrl")), o_(o) {
  expect(finite_nonneg(o.initial_accumulator_value), name(), "initial_accumulator_value >= 0",
         "initial_accumulator_value", o.initial_accumulator_value);
  expect(std::isfinite(o.learning_rate_power) && o.learning_rate_power <= 0, name(), "learning_rate_power <= 0",
         "learning_rate_power", o.learning_rate_power);
  expect(finite_nonneg(o.l1_regularization_strength), name(), "l1_regularization_strength >= 0",
         "l1_regularization_strength", o.l1_regularization_strength);
  expect(finite_nonneg(o.l2_regularization_strength), name(), "l2_regularization_strength >= 0",
         "l2_regularization_strength", o.l2_regularization_strength);
  expect(finite_nonneg(o.l2_shrinkage_regularization_strength), name(), "l2_shrinkage_regularization_strength >= 0",
         "l2_shrinkage_regularization_strength", o.l2_shrinkage_regularization_strength);
  expect(finite_nonneg(o.beta), name(), "beta >= 0", "beta", o.beta);
}

void FtrlOptimizer::build(const std::vector<Variable>& vars) {
  // Checked once, when the slots are made (the rate cannot change sign afterwards unless
  // set_learning_rate is called, which checks >= 0).
  if (!options().learning_rate.schedule && !(learning_rate() > 0))
    throw std::invalid_argument(name() + ": expected learning_rate > 0, but received " + Value(learning_rate()).to_json());
  for (const Variable& v : vars) {
    Variable acc = add_variable_from_reference(v, "accumulator");
    acc.assign(ops::full_like(v.value(), o_.initial_accumulator_value));
    accumulators_.push_back(acc);
    linears_.push_back(add_variable_from_reference(v, "linear"));
  }
}

void FtrlOptimizer::update_step(const Tensor& g, Variable& var, const Tensor& lr) {
  const size_t i = index_of(var);
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  Variable &acc = accumulators_[i], &linear = linears_[i];
  if (core::training::fused(var, g))
    return core::training::apply_ftrl(var, g, acc, linear, lr,
                                      {o_.learning_rate_power, o_.l1_regularization_strength,
                                       o_.l2_regularization_strength, o_.l2_shrinkage_regularization_strength,
                                       o_.beta});
  const double p = -o_.learning_rate_power;
  const Tensor l2 = ops::add(k(o_.l2_regularization_strength), ops::divide(k(o_.beta / 2.0), lr));
  Tensor w = var.value();
  Tensor g_shrunk = ops::add(g, ops::multiply(w, k(2 * o_.l2_shrinkage_regularization_strength)));
  Tensor new_acc = ops::add(acc.value(), ops::square(g));
  Tensor new_acc_p = ops::power(new_acc, k(p));
  Tensor sigma = ops::divide(ops::subtract(new_acc_p, ops::power(acc.value(), k(p))), lr);
  linear.assign_add(ops::subtract(g_shrunk, ops::multiply(sigma, w)));
  Tensor quadratic = ops::add(ops::divide(new_acc_p, lr), ops::multiply(k(2), l2));
  Tensor lin = linear.value();
  Tensor clipped = ops::clip(lin, -o_.l1_regularization_strength, o_.l1_regularization_strength);
  var.assign(ops::divide(ops::subtract(clipped, lin), quadratic));
  acc.assign(new_acc);
}

Config FtrlOptimizer::get_config() const {
  Config c = base_config();
  c["learning_rate_power"] = o_.learning_rate_power;
  c["initial_accumulator_value"] = o_.initial_accumulator_value;
  c["l1_regularization_strength"] = o_.l1_regularization_strength;
  c["l2_regularization_strength"] = o_.l2_regularization_strength;
  c["l2_shrinkage_regularization_strength"] = o_.l2_shrinkage_regularization_strength;
  c["beta"] = o_.beta;
  return c;
}

// ---- Lion ---------------------------------------------------------------------------------
LionOptimizer::LionOptimizer(const LionOptions& o) : Optimizer("Lion", base_options(o, "lion")), o_(o) {
  expect(o.beta_1 > 0 && o.beta_1 <= 1, name(), "beta_1 in (0, 1]", "beta_1", o.beta_1);
  expect(o.beta_2 >= 0 && o.beta_2 <= 1, name(), "beta_2 in [0, 1]", "beta_2", o.beta_2);
}

void LionOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) momentums_.push_back(add_variable_from_reference(v, "momentum"));
}

void LionOptimizer::update_step(const Tensor& g, Variable& var, const Tensor& lr) {
  Variable& m = momentums_[index_of(var)];
  if (core::training::fused(var, g)) return core::training::apply_lion(var, g, m, lr, o_.beta_1, o_.beta_2);
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  Tensor direction = ops::sign(ops::add(ops::multiply(m.value(), k(o_.beta_1)), ops::multiply(g, k(1 - o_.beta_1))));
  var.assign_sub(ops::multiply(direction, lr));
  m.assign(ops::add(ops::multiply(m.value(), k(o_.beta_2)), ops::multiply(g, k(1 - o_.beta_2))));
}

Config LionOptimizer::get_config() const {
  Config c = base_config();
  c["beta_1"] = o_.beta_1;
  c["beta_2"] = o_.beta_2;
  return c;
}

}  // namespace keras::optimizers
