// training.cpp - the fused optimizer update ops (core/training.h): their checks and the
// calls. Kernels: core/cpu/training.cpp.
//   ApplySgd          resources {var[, velocity]}, inputs {grad, lr}; alpha = momentum,
//                     flag = nesterov
//   ApplyAdam         resources {var, m, v[, vhat]}, inputs {grad, lr, iteration};
//                     alpha = beta1, beta = beta2, gamma = epsilon
//   ApplyWeightDecay  resources {var}, inputs {lr}; alpha = weight decay
// None has outputs; all change state.
#include <atomic>
#include <stdexcept>
#include <string>

#include "core/dispatch.h"
#include "core/init.h"
#include "core/training.h"
#include "core/training_rules.h"

namespace keras::core {
namespace {

const Variable var_of(const OpCall& c, size_t i) { return Variable::from_resource(c.attrs.resources.at(i)); }

void check_scalar(const OpCall& c, const Tensor& t, const char* arg, std::initializer_list<DType> dtypes) {
  expect_dtype(c, t, arg, dtypes);
  if (t.size() != 1)
    throw_invalid(std::string(c.name()) + ": expected " + arg + " to be a scalar, but received shape " +
                  t.shape().str());
}

void check_update(OpCall& c, size_t grad_index, size_t first_scalar) {
  const Variable var = var_of(c, 0);
  for (size_t i = 1; i < c.attrs.resources.size(); ++i) {
    const Variable slot = var_of(c, i);
    if (slot.shape() != var.shape() || slot.dtype() != var.dtype())
      throw_invalid(std::string(c.name()) + ": slot '" + slot.name() + "' has shape " + slot.shape().str() +
                    " and dtype " + dtype_name(slot.dtype()) + ", but variable '" + var.name() + "' has shape " +
                    var.shape().str() + " and dtype " + dtype_name(var.dtype()));
  }
  if (grad_index < c.inputs.size()) {
    const Tensor& g = c.in(grad_index);
    if (g.shape() != var.shape() || g.dtype() != var.dtype())
      throw_invalid("optimizer: the gradient for variable '" + var.name() + "' has shape " + g.shape().str() +
                    " and dtype " + dtype_name(g.dtype()) + ", expected shape " + var.shape().str() + " and dtype " +
                    dtype_name(var.dtype()));
  }
  check_scalar(c, c.in(first_scalar), "the learning rate", kFloatTypes);
  c.num_outputs = 0;
}

void infer_sgd(OpCall& c) { check_update(c, 0, 1); }
void infer_adam(OpCall& c) {
  check_update(c, 0, 1);
  check_scalar(c, c.in(2), "the iteration count", {DType::int64});
}
void infer_weight_decay(OpCall& c) { check_update(c, c.inputs.size(), 0); }

Attrs update_attrs(std::initializer_list<const Variable*> vars) {
  Attrs a;
  for (const Variable* v : vars)
    if (v) a.resources.push_back(v->resource());
  return a;
}
}  // namespace

void define_training_ops() {
  for (OpId op : {OpId::ApplySgd, OpId::ApplyAdam, OpId::ApplyWeightDecay}) set_op_flags(op, kWritesState);
  define_op(OpId::ApplySgd, infer_sgd);
  define_op(OpId::ApplyAdam, infer_adam);
  define_op(OpId::ApplyWeightDecay, infer_weight_decay);
  training_rules::define_rule_ops();
}

namespace training {

namespace {
std::atomic<bool> fused_enabled{true};
}

bool set_fused_enabled(bool enabled) { return fused_enabled.exchange(enabled); }

bool fused(const Variable& var, const Tensor& grad) {
  const Tensor& v = var.current();
  return fused_enabled.load() && is_floating(v.dtype()) && grad.defined() && grad.dtype() == v.dtype() &&
         grad.device() == v.device() && op_def(OpId::ApplyAdam).kernels[size_t(v.device().kind)] != nullptr;
}

void apply_sgd(Variable& var, const Tensor& grad, const Tensor& lr, double momentum, bool nesterov,
               Variable* velocity) {
  Attrs a = update_attrs({&var, momentum != 0 ? velocity : nullptr});
  a.alpha = momentum;
  a.flag = nesterov;
  dispatch(OpId::ApplySgd, {grad, lr}, a);
}

void apply_adam(Variable& var, const Tensor& grad, Variable& m, Variable& v, Variable* vhat, const Tensor& lr,
                double beta1, double beta2, double epsilon, const Tensor& iteration) {
  Attrs a = update_attrs({&var, &m, &v, vhat});
  a.alpha = beta1;
  a.beta = beta2;
  a.gamma = epsilon;
  dispatch(OpId::ApplyAdam, {grad, lr, iteration}, a);
}

void apply_weight_decay(Variable& var, const Tensor& lr, double wd) {
  Attrs a = update_attrs({&var});
  a.alpha = wd;
  dispatch(OpId::ApplyWeightDecay, {lr}, a);
}

}  // namespace training
}  // namespace keras::core
