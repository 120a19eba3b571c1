// lamb_adafactor.cpp - Lamb and Adafactor, written with ops (Keras 3's update formulas, in
// Keras's order of operations), so they run eagerly and traced alike.
#include <stdexcept>
#include <string>

#include "core/ops.h"
#include "keras/optimizers.h"
#include "keras/optimizers/optimizer_util.h"

namespace keras::optimizers {
namespace ops = core::ops;

namespace {
using detail::expect;
Tensor rms(const Tensor& x) { return ops::sqrt(ops::mean(ops::square(x))); }
}  // namespace

// ---- Lamb --------------------------------------------------------------------------------
LambOptimizer::LambOptimizer(const LambOptions& o) : Optimizer("Lamb", base_options(o, "lamb")), o_(o) {
  expect(o.beta_1 >= 0 && o.beta_1 < 1, name(), "beta_1 in [0, 1)", "beta_1", o.beta_1);
  expect(o.beta_2 >= 0 && o.beta_2 < 1, name(), "beta_2 in [0, 1)", "beta_2", o.beta_2);
  expect(o.epsilon >= 0, name(), "epsilon >= 0", "epsilon", o.epsilon);
}

void LambOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) {  // Keras interleaves them per variable
    momentums_.push_back(add_variable_from_reference(v, "momentum"));
    velocities_.push_back(add_variable_from_reference(v, "velocity"));
  }
}

void LambOptimizer::update_step(const Tensor& g, Variable& var, const Tensor& lr) {
  const size_t i = index_of(var);
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  const Tensor step = step_count(var.dtype());
  const Tensor beta_1_power = ops::power(k(o_.beta_1), step);
  const Tensor beta_2_power = ops::power(k(o_.beta_2), step);
  Variable& m = momentums_[i];
  Variable& v = velocities_[i];
  m.assign_add(ops::multiply(ops::subtract(g, m.value()), k(1 - o_.beta_1)));
  v.assign_add(ops::multiply(ops::subtract(ops::square(g), v.value()), k(1 - o_.beta_2)));
  const Tensor m_hat = ops::divide(m.value(), ops::subtract(k(1.0), beta_1_power));
  const Tensor v_sqrt = ops::add(ops::sqrt(ops::divide(v.value(), ops::subtract(k(1.0), beta_2_power))), k(o_.epsilon));
  const Tensor update = ops::divide(m_hat, v_sqrt);
  const Tensor w_norm = ops::sqrt(ops::sum(ops::square(var.value())));
  const Tensor g_norm = ops::sqrt(ops::sum(ops::square(update)));
  const Tensor zero = k(0.0), one = k(1.0);
  const Tensor ratio =
      ops::where(ops::greater(w_norm, zero), ops::where(ops::greater(g_norm, zero), ops::divide(w_norm, g_norm), one), one);
  var.assign_sub(ops::multiply(ops::multiply(ratio, lr), update));
}

Config LambOptimizer::get_config() const {
  Config c = base_config();
  c["beta_1"] = o_.beta_1;
  c["beta_2"] = o_.beta_2;
  c["epsilon"] = o_.epsilon;
  return c;
}

// ---- Adafactor ---------------------------------------------------------------------------
AdafactorOptimizer::AdafactorOptimizer(const AdafactorOptions& o)
    : Optimizer("Adafactor", base_options(o, "adafactor")), o_(o) {
  expect(o.epsilon_1 >= 0, name(), "epsilon_1 >= 0", "epsilon_1", o.epsilon_1);
  expect(o.epsilon_2 >= 0, name(), "epsilon_2 >= 0", "epsilon_2", o.epsilon_2);
  expect(o.clip_threshold > 0, name(), "clip_threshold > 0", "clip_threshold", o.clip_threshold);
}

void AdafactorOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) {
    const core::Shape& s = v.shape();
    if (s.rank() >= 2) {  // the last two axes are factored
      std::vector<int64_t> rows(s.dims().begin(), s.dims().end() - 1);
      std::vector<int64_t> cols(s.dims().begin(), s.dims().end() - 2);
      cols.push_back(s.dims().back());
      r_.push_back(add_variable(ops::zeros(core::Shape(rows), v.dtype()), v.name() + "_r"));
      c_.push_back(add_variable(ops::zeros(core::Shape(cols), v.dtype()), v.name() + "_c"));
    } else {
      r_.emplace_back();
      c_.emplace_back();
    }
    v_.push_back(add_variable_from_reference(v, "velocity"));
  }
}

void AdafactorOptimizer::update_step(const Tensor& g, Variable& var, const Tensor& lr_in) {
  const size_t i = index_of(var);
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  const Tensor step = step_count(var.dtype());
  const Tensor inv_sqrt_step = ops::divide(k(1.0), ops::sqrt(step));
  Tensor lr = lr_in;
  if (!options().learning_rate.schedule && o_.relative_step) lr = ops::minimum(lr, inv_sqrt_step);
  const Tensor rho_t = ops::minimum(lr, inv_sqrt_step);
  const Tensor alpha_t = ops::multiply(ops::maximum(k(o_.epsilon_2), rms(var.value())), rho_t);
  const Tensor regulated = ops::add(ops::square(g), k(o_.epsilon_1));
  const Tensor beta_2_t = ops::subtract(k(1.0), ops::power(step, k(o_.beta_2_decay)));
  const Tensor one_minus = ops::subtract(k(1.0), beta_2_t);
  Variable& v = v_[i];
  if (var.shape().rank() >= 2) {
    Variable& r = r_[i];
    Variable& c = c_[i];
    r.assign(ops::add(ops::multiply(beta_2_t, r.value()), ops::multiply(one_minus, ops::mean(regulated, {-1}))));
    c.assign(ops::add(ops::multiply(beta_2_t, c.value()), ops::multiply(one_minus, ops::mean(regulated, {-2}))));
    const Tensor row_share = ops::divide(r.value(), ops::mean(r.value(), {-1}, /*keepdims=*/true));
    v.assign(ops::multiply(ops::expand_dims(row_share, -1), ops::expand_dims(c.value(), -2)));
  } else {
    v.assign(ops::add(ops::multiply(beta_2_t, v.value()), ops::multiply(one_minus, regulated)));
  }
  const Tensor u = ops::divide(g, ops::sqrt(v.value()));
  const Tensor u_hat = ops::divide(u, ops::maximum(k(1.0), ops::divide(rms(u), k(o_.clip_threshold))));
  var.assign_sub(ops::multiply(alpha_t, u_hat));
}

Config AdafactorOptimizer::get_config() const {
  Config c = base_config();
  c["beta_2_decay"] = o_.beta_2_decay;
  c["epsilon_1"] = o_.epsilon_1;
  c["epsilon_2"] = o_.epsilon_2;
  c["clip_threshold"] = o_.clip_threshold;
  c["relative_step"] = o_.relative_step;
  return c;
}

}  // namespace keras::optimizers
