// training.cpp - the fused optimizer kernels of core/training.h (CPU).
#include "core/training.h"

#include "core/dispatch.h"
#include "core/init.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/cpu/isa.h"
#include "core/cpu/parallel.h"
#include "core/training_rules.h"

namespace keras::core::cpu {
namespace {

// The updates run the vector kernels of the active ISA (core/cpu/simd/training.cpp), over
// chunks of the parameters in parallel.
template <class T>
void sgd_kernel(T* w, const T* g, T* m, int64_t n, T lr, T mom, bool nesterov) {
  auto f = isa_kernels().of<T>().sgd;
  parallel_for(n, kElementwiseGrain, [=](int64_t b, int64_t e) {
    f(w + b, g + b, m ? m + b : nullptr, e - b, lr, mom, nesterov);
  });
}

template <class T>
void adam_kernel(T* w, const T* g, T* m, T* v, T* vh, int64_t n, T alpha, T b1, T b2, T eps) {
  auto f = isa_kernels().of<T>().adam;
  parallel_for(n, kElementwiseGrain, [=](int64_t b, int64_t e) {
    f(w + b, g + b, m + b, v + b, vh ? vh + b : nullptr, e - b, alpha, b1, b2, eps);
  });
}

template <class T>
void decay_kernel(T* w, int64_t n, T k) {
  auto f = isa_kernels().of<T>().decay;
  parallel_for(n, kElementwiseGrain, [=](int64_t b, int64_t e) { f(w + b, e - b, k); });
}

template <class T>
T* data_of(const OpCall& c, size_t i) {
  if (i >= c.attrs.resources.size()) return nullptr;
  return Variable::from_resource(c.attrs.resources[i]).value_for_update().mutable_data<T>();
}

double scalar(const Tensor& t) {
  return t.dtype() == DType::float32 ? double(*t.data<float>()) : *t.data<double>();
}

void sgd_op(OpCall& c) {
  const Tensor& g = c.in(0);
  const double lr = scalar(c.in(1)), mom = c.attrs.alpha;
  const int64_t n = g.size();
  if (g.dtype() == DType::float32)
    sgd_kernel<float>(data_of<float>(c, 0), g.data<float>(), data_of<float>(c, 1), n, float(lr), float(mom), c.attrs.flag);
  else
    sgd_kernel<double>(data_of<double>(c, 0), g.data<double>(), data_of<double>(c, 1), n, lr, mom, c.attrs.flag);
}

void adam_op(OpCall& c) {
  const Tensor& g = c.in(0);
  const double lr = scalar(c.in(1)), b1 = c.attrs.alpha, b2 = c.attrs.beta, eps = c.attrs.gamma;
  const double alpha = training_rules::adam_alpha(lr, *c.in(2).data<int64_t>(), b1, b2);
  const int64_t n = g.size();
  if (g.dtype() == DType::float32)
    adam_kernel<float>(data_of<float>(c, 0), g.data<float>(), data_of<float>(c, 1), data_of<float>(c, 2),
                       data_of<float>(c, 3), n, float(alpha), float(b1), float(b2), float(eps));
  else
    adam_kernel<double>(data_of<double>(c, 0), g.data<double>(), data_of<double>(c, 1), data_of<double>(c, 2),
                        data_of<double>(c, 3), n, alpha, b1, b2, eps);
}

void weight_decay_op(OpCall& c) {
  // var -= var * (lr * wd), the product lr * wd rounded in the variable's dtype (as the
  // composite ops of Optimizer::apply_gradients)
  const double lr = scalar(c.in(0)), wd = c.attrs.alpha;
  Variable var = Variable::from_resource(c.attrs.resources[0]);
  const int64_t n = var.shape().num_elements();
  const double k = training_rules::weight_decay_factor(var.dtype() == DType::float32, lr, wd);
  if (var.dtype() == DType::float32) decay_kernel(data_of<float>(c, 0), n, float(k));
  else decay_kernel(data_of<double>(c, 0), n, k);
}

// The other rules (core/training_rules.h): the constants once, then the rule's vector
// kernel over chunks in parallel (each element depends only on its own inputs).
template <class T>
void rule_kernel(OpCall& c, const std::array<double, training_rules::kMaxConstants>& k64) {
  namespace tr = training_rules;
  T k[tr::kMaxConstants];
  for (int i = 0; i < tr::kMaxConstants; ++i) k[i] = T(k64[size_t(i)]);
  T* s[tr::kMaxSlots] = {};
  for (int i = 0; i < tr::kMaxSlots; ++i) {
    const int r = tr::resource_of_slot(c, i);
    if (r >= 0) s[i] = data_of<T>(c, size_t(r));
  }
  T* w = data_of<T>(c, 0);
  const T* g = c.in(0).data<T>();
  auto f = isa_kernels().of<T>().rule[int(tr::rule_of(c.op))];
  parallel_for(c.in(0).size(), kElementwiseGrain, [&](int64_t b, int64_t e) {
    T* sb[tr::kMaxSlots];
    for (int i = 0; i < tr::kMaxSlots; ++i) sb[i] = s[i] ? s[i] + b : nullptr;
    f(w + b, g + b, sb, e - b, k);
  });
}

void rule_op(OpCall& c) {
  const DType dt = c.in(0).dtype();
  const int64_t it = c.inputs.size() > 2 ? *c.in(2).data<int64_t>() : 0;
  const double u_product = c.inputs.size() > 3 ? *c.in(3).data<double>() : 1.0;
  const auto k = training_rules::constants(c, dt, scalar(c.in(1)), it, u_product);
  if (dt == DType::float32) rule_kernel<float>(c, k);
  else rule_kernel<double>(c, k);
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_training_kernels() {
  using namespace cpu;
  register_kernel(OpId::ApplySgd, Device::Kind::CPU, sgd_op);
  register_kernel(OpId::ApplyAdam, Device::Kind::CPU, adam_op);
  register_kernel(OpId::ApplyWeightDecay, Device::Kind::CPU, weight_decay_op);
  for (int r = 0; r < int(training_rules::Rule::Count); ++r)
    register_kernel(training_rules::op_of(training_rules::Rule(r)), Device::Kind::CPU, rule_op);
}

}  // namespace keras::core
