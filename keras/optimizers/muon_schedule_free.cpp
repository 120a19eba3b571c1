// muon_schedule_free.cpp - Muon and ScheduleFreeAdamW, written with ops (Keras 3's update
// formulas, in Keras's order of operations), so they run eagerly and traced alike.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>
#include <stdexcept>
#include <string>

#include "core/ops.h"
#include "keras/optimizers.h"
#include "keras/optimizers/optimizer_util.h"

namespace keras::optimizers {
namespace ops = core::ops;

namespace {
using detail::expect;
Value optional_number(const std::optional<double>& v) { return v ? Value(*v) : Value(); }
}  // namespace

// ---- Muon --------------------------------------------------------------------------------
MuonOptimizer::MuonOptimizer(const MuonOptions& o) : Optimizer("Muon", base_options(o, "muon")), o_(o) {
  expect(o.adam_beta_1 >= 0 && o.adam_beta_1 < 1, name(), "adam_beta_1 in [0, 1)", "adam_beta_1", o.adam_beta_1);
  expect(o.adam_beta_2 >= 0 && o.adam_beta_2 < 1, name(), "adam_beta_2 in [0, 1)", "adam_beta_2", o.adam_beta_2);
  expect(o.epsilon >= 0, name(), "epsilon >= 0", "epsilon", o.epsilon);
  expect(o.ns_steps >= 0, name(), "ns_steps >= 0", "ns_steps", double(o.ns_steps));
  expect(o.adam_lr_ratio >= 0, name(), "adam_lr_ratio >= 0", "adam_lr_ratio", o.adam_lr_ratio);
  for (const std::string& r : o.exclude_layers) {
    try {
      std::regex check(r);
    } catch (const std::regex_error& e) {
      throw std::invalid_argument(name() + ": exclude_layers holds an invalid regular expression '" + r + "' (" +
                                  e.what() + ")");
    }
  }
}

bool MuonOptimizer::uses_adamw(const Variable& var) const {
  if (var.shape().rank() != 2) return true;
  std::string lower = var.name();
  for (char& ch : lower) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  if (o_.exclude_embeddings && lower.find("embedding") != std::string::npos) return true;
  for (const std::string& r : o_.exclude_layers)
    if (std::regex_search(var.name(), std::regex(r))) return true;
  return false;
}

void MuonOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) {
    momentums_.push_back(add_variable_from_reference(v, "momentum"));
    velocities_.push_back(uses_adamw(v) ? add_variable_from_reference(v, "velocity") : Variable());
  }
}

std::optional<double> MuonOptimizer::weight_decay_of(const Variable& var) const {
  // build() decided once per variable: only the AdamW-stepped ones have a velocity.
  return velocities_[index_of(var)].defined() ? o_.adam_weight_decay : o_.weight_decay;
}

// Keras's zeropower_via_newtonschulz5 on a matrix: the quintic iteration on x / |x|_F,
// on the transpose of a tall matrix.
Tensor MuonOptimizer::orthogonalized(const Tensor& g) const {
  const bool tall = g.shape()[0] > g.shape()[1];
  Tensor x = tall ? ops::transpose(g) : g;
  auto k = [&](double v) { return ops::scalar_like(x, v); };
  x = ops::divide(x, ops::add(ops::sqrt(ops::sum(ops::square(x))), k(1e-7)));
  for (int64_t s = 0; s < o_.ns_steps; ++s) {
    const Tensor a = ops::matmul(x, x, false, true);
    const Tensor b = ops::add(ops::multiply(k(o_.muon_b), a), ops::multiply(k(o_.muon_c), ops::matmul(a, a)));
    x = ops::add(ops::multiply(k(o_.muon_a), x), ops::matmul(b, x));
  }
  return tall ? ops::transpose(x) : x;
}

void MuonOptimizer::update_step(const Tensor& g, Variable& var, const Tensor& lr) {
  const size_t i = index_of(var);
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  Variable& m = momentums_[i];
  if (velocities_[i].defined()) {  // AdamW, at learning_rate * adam_lr_ratio
    return detail::adam_update(var, g, m, velocities_[i], nullptr, ops::multiply(lr, k(o_.adam_lr_ratio)),
                               o_.adam_beta_1, o_.adam_beta_2, o_.epsilon, iterations_tensor());
  }
  m.assign_add(ops::add(g, ops::multiply(m.value(), k(o_.momentum - 1))));
  const Tensor direction = o_.nesterov ? ops::add(g, ops::multiply(k(o_.momentum), m.value())) : m.value();
  Tensor update = ops::multiply(lr, orthogonalized(direction));
  if (o_.rms_rate) {
    const double longest = double(std::max(var.shape()[0], var.shape()[1]));
    update = ops::multiply(ops::multiply(update, k(std::sqrt(longest))), k(*o_.rms_rate));
  }
  var.assign_sub(update);
}

Config MuonOptimizer::get_config() const {
  Config c = base_config();
  c["adam_beta_1"] = o_.adam_beta_1;
  c["adam_beta_2"] = o_.adam_beta_2;
  c["epsilon"] = o_.epsilon;
  std::vector<Value> layers;
  for (const std::string& r : o_.exclude_layers) layers.emplace_back(r);
  c["exclude_layers"] = Value(layers);
  c["muon_a"] = o_.muon_a;
  c["muon_b"] = o_.muon_b;
  c["muon_c"] = o_.muon_c;
  c["adam_lr_ratio"] = o_.adam_lr_ratio;
  c["momentum"] = o_.momentum;
  c["ns_steps"] = o_.ns_steps;
  c["nesterov"] = o_.nesterov;
  c["exclude_embeddings"] = o_.exclude_embeddings;
  c["adam_weight_decay"] = optional_number(o_.adam_weight_decay);
  c["rms_rate"] = optional_number(o_.rms_rate);
  return c;
}

// ---- ScheduleFreeAdamW -------------------------------------------------------------------
ScheduleFreeAdamWOptimizer::ScheduleFreeAdamWOptimizer(const ScheduleFreeAdamWOptions& o)
    : Optimizer("ScheduleFreeAdamW", base_options(o, "schedule_free_adam_w")), o_(o) {
  expect(o.beta_1 > 0 && o.beta_1 < 1, name(), "beta_1 in (0, 1)", "beta_1", o.beta_1);
  expect(o.beta_2 >= 0 && o.beta_2 < 1, name(), "beta_2 in [0, 1)", "beta_2", o.beta_2);
  expect(o.epsilon >= 0, name(), "epsilon >= 0", "epsilon", o.epsilon);
  expect(o.warmup_steps >= 0, name(), "warmup_steps >= 0", "warmup_steps", double(o.warmup_steps));
}

void ScheduleFreeAdamWOptimizer::build(const std::vector<Variable>& vars) {
  for (const Variable& v : vars) {  // Keras interleaves them; z starts at the variable
    z_.push_back(add_variable(ops::copy(v.value()), v.name() + "_momentum"));
    velocities_.push_back(add_variable_from_reference(v, "velocity"));
  }
}

void ScheduleFreeAdamWOptimizer::update_step(const Tensor& g, Variable& var, const Tensor& lr_in) {
  const size_t i = index_of(var);
  auto k = [&](double x) { return ops::scalar_like(g, x); };
  const Tensor step = step_count(var.dtype());
  Tensor lr = lr_in;
  if (o_.warmup_steps > 0)
    lr = ops::multiply(lr, ops::minimum(ops::divide(step, k(double(o_.warmup_steps))), k(1.0)));
  Variable& z = z_[i];
  Variable& v = velocities_[i];
  const Tensor z_old = z.value();
  const Tensor bias_correction_2 = ops::subtract(k(1.0), ops::power(k(o_.beta_2), step));
  v.assign_add(ops::multiply(ops::subtract(ops::square(g), v.value()), k(1 - o_.beta_2)));
  const Tensor denom = ops::add(ops::sqrt(ops::divide(v.value(), bias_correction_2)), k(o_.epsilon));
  z.assign_sub(ops::divide(ops::multiply(lr, g), denom));
  const Tensor weight = ops::divide(k(1.0), step);
  const Tensor x_old = ops::divide(ops::subtract(var.value(), ops::multiply(k(1 - o_.beta_1), z_old)), k(o_.beta_1));
  const Tensor x_new = ops::add(ops::multiply(ops::subtract(k(1.0), weight), x_old), ops::multiply(weight, z.value()));
  var.assign(ops::add(ops::multiply(k(1 - o_.beta_1), z.value()), ops::multiply(k(o_.beta_1), x_new)));
}

Config ScheduleFreeAdamWOptimizer::get_config() const {
  Config c = base_config();
  c["beta_1"] = o_.beta_1;
  c["beta_2"] = o_.beta_2;
  c["epsilon"] = o_.epsilon;
  c["warmup_steps"] = o_.warmup_steps;
  return c;
}

}  // namespace keras::optimizers
