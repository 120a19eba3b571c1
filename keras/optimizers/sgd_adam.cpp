// sgd_adam.cpp - SGD, Adam and AdamW: fused update ops where a kernel fits, ops otherwise.
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

// ---- SGD --------------------------------------------------------------------------------
SGDOptimizer::SGDOptimizer(const SGDOptions& o)
    : Optimizer("SGD", base_options(o)), o_(o) {
  if (!(o.momentum >= 0 && o.momentum <= 1))
    throw std::invalid_argument(name() + ": expected momentum in [0, 1], but received " + std::to_string(o.momentum));
}

void SGDOptimizer::build(const std::vector<Variable>& vars) {
  if (o_.momentum == 0) return;
  for (const Variable& v : vars) momentums_.push_back(add_variable_from_reference(v, "momentum"));
}

void SGDOptimizer::update_step(const Tensor& g, Variable& var, const Tensor& lr) {
  Variable* m = o_.momentum != 0 ? &momentums_[index_of(var)] : nullptr;
  if (core::training::fused(var, g)) return core::training::apply_sgd(var, g, lr, o_.momentum, o_.nesterov, m);
  Tensor glr = ops::multiply(g, lr);
  if (!m) return var.assign_sub(glr);
  Tensor mv = ops::subtract(ops::multiply(m->value(), ops::scalar_like(g, o_.momentum)), glr);
  m->assign(mv);
  if (o_.nesterov)
    var.assign_add(ops::subtract(ops::multiply(mv, ops::scalar_like(g, o_.momentum)), glr));
  else
    var.assign_add(mv);
}

Config SGDOptimizer::get_config() const {
  Config c = base_config();
  c["momentum"] = o_.momentum;
  c["nesterov"] = o_.nesterov;
  return c;
}

// ---- Adam / AdamW -------------------------------------------------------------------------
AdamOptimizer::AdamOptimizer(const AdamOptions& o, std::string class_name)
    : Optimizer(std::move(class_name), base_options(o)), o_(o) {
  if (!(o.beta_1 >= 0 && o.beta_1 < 1) || !(o.beta_2 >= 0 && o.beta_2 < 1) || !(o.epsilon >= 0))
    throw std::invalid_argument(name() + ": expected 0 <= beta_1, beta_2 < 1 and epsilon >= 0, but received beta_1=" +
                                std::to_string(o.beta_1) + ", beta_2=" + std::to_string(o.beta_2) +
                                ", epsilon=" + std::to_string(o.epsilon));
}

void AdamOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) {
    m_.push_back(add_variable_from_reference(v, "momentum"));
    v_.push_back(add_variable_from_reference(v, "velocity"));
    if (o_.amsgrad) vhat_.push_back(add_variable_from_reference(v, "velocity_hat"));
  }
}

void AdamOptimizer::update_step(const Tensor& g, Variable& var, const Tensor& lr) {
  const size_t i = index_of(var);
  detail::adam_update(var, g, m_[i], v_[i], o_.amsgrad ? &vhat_[i] : nullptr, lr, o_.beta_1, o_.beta_2, o_.epsilon,
                      iterations_tensor());
}

void detail::adam_update(Variable& var, const Tensor& g, Variable& m, Variable& v, Variable* vh, const Tensor& lr,
                         double beta_1, double beta_2, double epsilon, const Tensor& iterations) {
  if (core::training::fused(var, g))
    return core::training::apply_adam(var, g, m, v, vh, lr, beta_1, beta_2, epsilon, iterations);
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  const Tensor t = ops::cast(ops::add(iterations, ops::scalar_like(iterations, 1.0)), g.dtype());
  const Tensor alpha = ops::divide(ops::multiply(lr, ops::sqrt(ops::subtract(k(1), ops::power(k(beta_2), t)))),
                                   ops::subtract(k(1), ops::power(k(beta_1), t)));
  m.assign_add(ops::multiply(ops::subtract(g, m.value()), k(1 - beta_1)));
  v.assign_add(ops::multiply(ops::subtract(ops::square(g), v.value()), k(1 - beta_2)));
  Tensor vv = v.value();
  if (vh) {
    vh->assign(ops::maximum(vh->value(), vv));
    vv = vh->value();
  }
  var.assign_sub(ops::divide(ops::multiply(m.value(), alpha), ops::add(ops::sqrt(vv), k(epsilon))));
}

void detail::expect(bool ok, const std::string& opt, const char* what, const char* arg, double v) {
  if (!ok) throw std::invalid_argument(opt + ": expected " + what + ", but received " + arg + "=" + Value(v).to_json());
}

Config AdamOptimizer::get_config() const {
  Config c = base_config();
  c["beta_1"] = o_.beta_1;
  c["beta_2"] = o_.beta_2;
  c["epsilon"] = o_.epsilon;
  c["amsgrad"] = o_.amsgrad;
  return c;
}

}  // namespace keras::optimizers
