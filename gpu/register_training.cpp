// register_training.cpp - the CUDA backend's optimizer updates (host code for the
// launchers of gpu/kernels.h): Adam, SGD, decoupled weight decay and the other fused rules
// of core/training_rules.h. The learning rate and the iteration are read on the host
// (scalars), the bias corrections and rule constants computed there as the CPU does.
#include <cmath>
#include <cstdint>

#include "core/autodiff.h"
#include "core/dispatch.h"
#include "core/training_rules.h"
#include "gpu/kernels.h"
#include "gpu/register_util.h"

namespace keras::core::cuda {
namespace {

double host_scalar(const Tensor& t) {
  const Tensor h = t.cpu();
  switch (h.dtype()) {
    case DType::float32: return *h.data<float>();
    case DType::float64: return *h.data<double>();
    case DType::int64: return double(*h.data<int64_t>());
    default: return double(*h.data<int32_t>());
  }
}

void* slot(const OpCall& c, size_t i) {
  if (i >= c.attrs.resources.size()) return nullptr;
  return Variable::from_resource(c.attrs.resources[i]).value_for_update().raw_mutable_data();
}

void adam_kernel(OpCall& c) {
  const Tensor& g = c.in(0);
  require(c, g.dtype());
  const double lr = host_scalar(c.in(1)), b1 = c.attrs.alpha, b2 = c.attrs.beta, eps = c.attrs.gamma;
  const double t = host_scalar(c.in(2)) + 1.0;
  const double alpha = lr * std::sqrt(1.0 - std::pow(b2, t)) / (1.0 - std::pow(b1, t));
  adam(dt_of(g.dtype()), slot(c, 0), g.raw_data(), slot(c, 1), slot(c, 2), slot(c, 3), g.size(), alpha, b1, b2, eps,
       device_of(c));
}

void sgd_kernel(OpCall& c) {
  const Tensor& g = c.in(0);
  require(c, g.dtype());
  sgd(dt_of(g.dtype()), slot(c, 0), g.raw_data(), slot(c, 1), g.size(), host_scalar(c.in(1)), c.attrs.alpha,
      c.attrs.flag, device_of(c));
}

void weight_decay_kernel(OpCall& c) {
  Variable var = Variable::from_resource(c.attrs.resources[0]);
  require(c, var.dtype());
  const double lr = host_scalar(c.in(0)), wd = c.attrs.alpha;
  const double k = var.dtype() == DType::float32 ? double(float(lr) * float(wd)) : lr * wd;  // as the CPU
  decay(dt_of(var.dtype()), slot(c, 0), var.shape().num_elements(), k, device_of(c));
}

// The other fused rules (core/training_rules.h): constants on the host, one kernel.
void rule_kernel(OpCall& c) {
  namespace tr = training_rules;
  const Tensor& g = c.in(0);
  require(c, g.dtype());
  const int64_t it = c.inputs.size() > 2 ? int64_t(host_scalar(c.in(2))) : 0;
  const double u_product = c.inputs.size() > 3 ? host_scalar(c.in(3)) : 1.0;
  const auto k = tr::constants(c, g.dtype(), host_scalar(c.in(1)), it, u_product);
  void* s[tr::kMaxSlots] = {};
  for (int i = 0; i < tr::kMaxSlots; ++i) {
    const int r = tr::resource_of_slot(c, i);
    if (r >= 0) s[i] = slot(c, size_t(r));
  }
  optimizer_rule(int(tr::rule_of(c.op)), dt_of(g.dtype()), slot(c, 0), g.raw_data(), s, g.size(), k.data(),
                 device_of(c));
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
