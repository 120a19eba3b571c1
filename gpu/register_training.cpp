// register_training.cpp - the CUDA backend's optimizer updates (host code for the
// launchers of gpu/kernels.h): Adam, SGD, decoupled weight decay and the other fused rules
// of core/training_rules.h. The learning rate, the iteration and Nadam's u_product stay
// on the device: the kernels read them there and compute the bias corrections and rule
// constants with the CPU's functions (core/optimizer_math.h), so no update synchronizes.
#include <cstdint>

#include "core/autodiff.h"
#include "core/dispatch.h"
#include "core/training_rules.h"
#include "gpu/kernels.h"
#include "gpu/register_util.h"

namespace keras::core::cuda {
namespace {

// The device pointers of the scalar inputs from index `lr` on: the learning rate (float32
// or float64: the ops check), then, where the op has them, the iteration (int64) and
// Nadam's u_product (float64).
StepScalars scalars(const OpCall& c, size_t lr) {
  StepScalars s;
  s.lr = c.in(lr).raw_data();
  s.lr_f64 = c.in(lr).dtype() == DType::float64;
  if (c.inputs.size() > lr + 1) s.iteration = c.in(lr + 1).data<int64_t>();
  if (c.inputs.size() > lr + 2) s.u_product = c.in(lr + 2).data<double>();
  return s;
}

void* slot(const OpCall& c, size_t i) {
  if (i >= c.attrs.resources.size()) return nullptr;
  return Variable::from_resource(c.attrs.resources[i]).value_for_update().raw_mutable_data();
}

void adam_kernel(OpCall& c) {
  const Tensor& g = c.in(0);
  require(c, g.dtype());
  adam(dt_of(g.dtype()), slot(c, 0), g.raw_data(), slot(c, 1), slot(c, 2), slot(c, 3), g.size(), scalars(c, 1),
       c.attrs.alpha, c.attrs.beta, c.attrs.gamma, device_of(c));
}

void sgd_kernel(OpCall& c) {
  const Tensor& g = c.in(0);
  require(c, g.dtype());
  sgd(dt_of(g.dtype()), slot(c, 0), g.raw_data(), slot(c, 1), g.size(), scalars(c, 1), c.attrs.alpha, c.attrs.flag,
      device_of(c));
}

void weight_decay_kernel(OpCall& c) {
  Variable var = Variable::from_resource(c.attrs.resources[0]);
  require(c, var.dtype());
  decay(dt_of(var.dtype()), slot(c, 0), var.shape().num_elements(), scalars(c, 0), c.attrs.alpha, device_of(c));
}

// The other fused rules (core/training_rules.h): one kernel, constants on the device.
void rule_kernel(OpCall& c) {
  namespace tr = training_rules;
  const Tensor& g = c.in(0);
  require(c, g.dtype());
  void* s[tr::kMaxSlots] = {};
  for (int i = 0; i < tr::kMaxSlots; ++i) {
    const int r = tr::resource_of_slot(c, i);
    if (r >= 0) s[i] = slot(c, size_t(r));
  }
  optimizer_rule(tr::rule_of(c.op), dt_of(g.dtype()), slot(c, 0), g.raw_data(), s, g.size(), scalars(c, 1),
                 tr::params_of(c), device_of(c));
}

}  // namespace

void register_training_kernels() {
  const auto& f = kFloatTypes;
  add_kernel(OpId::ApplyAdam, adam_kernel, f);
  add_kernel(OpId::ApplySgd, sgd_kernel, f);
  add_kernel(OpId::ApplyWeightDecay, weight_decay_kernel, f);
  for (int r = 0; r < int(training_rules::Rule::Count); ++r)
    add_kernel(training_rules::op_of(training_rules::Rule(r)), rule_kernel, f);
}

}  // namespace keras::core::cuda
