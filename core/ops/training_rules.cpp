// training_rules.cpp - the ops of the fused rules beyond SGD and Adam (core/training.h,
// core/training_rules.h): one table of what each takes, one check, one place that computes
// a step's constants. Every op: resources {var, slots...}, inputs {grad, lr[, iteration
// [, u_product]]}, no outputs, changes state.
//   ApplyRmsprop   alpha = rho, beta = momentum, gamma = epsilon; flag: momentum slot,
//                  flag2: centered (average gradient slot)
//   ApplyNadam     alpha = beta1, beta = beta2, gamma = epsilon; inputs + iteration, u_product
//   ApplyAdagrad   gamma = epsilon
//   ApplyAdadelta  alpha = rho, gamma = epsilon
//   ApplyAdamax    alpha = beta1, beta = beta2, gamma = epsilon; inputs + iteration
//   ApplyFtrl      alpha = learning_rate_power, beta = l1, gamma = l2; axes = the bit patterns
//                  of {l2 shrinkage, beta} (Attrs has three doubles; bit patterns are exact
//                  and travel with the attributes wherever they go)
//   ApplyLion      alpha = beta1, beta = beta2
#include <bit>
#include <cmath>
#include <string>

#include "core/dispatch.h"
#include "core/training.h"
#include "core/training_rules.h"

namespace keras::core::training_rules {
namespace {

struct RuleDef {
  OpId op;
  int inputs;  // grad, lr, then iteration and u_product where used
  int slots;   // slots the rule always has (RMSprop's optional ones: flag, flag2)
};
constexpr RuleDef kRules[int(Rule::Count)] = {
    {OpId::ApplyRmsprop, 2, 1}, {OpId::ApplyNadam, 4, 2}, {OpId::ApplyAdagrad, 2, 1}, {OpId::ApplyAdadelta, 2, 2},
    {OpId::ApplyAdamax, 3, 2},  {OpId::ApplyFtrl, 2, 2},  {OpId::ApplyLion, 2, 1}};

const RuleDef& def_of(OpId op) { return kRules[int(rule_of(op))]; }

int num_resources(const OpCall& c) {
  const int n = 1 + def_of(c.op).slots;
  return c.op == OpId::ApplyRmsprop ? n + int(c.attrs.flag) + int(c.attrs.flag2) : n;
}

void check_scalar(const OpCall& c, const Tensor& t, const char* arg, std::initializer_list<DType> dtypes) {
  expect_dtype(c, t, arg, dtypes);
  if (t.size() != 1)
    throw_invalid(std::string(c.name()) + ": expected " + arg + " to be a scalar, but received shape " +
                  t.shape().str());
}

void infer_rule(OpCall& c) {
  const int want = num_resources(c);
  if (int(c.attrs.resources.size()) != want)
    throw_invalid(std::string(c.name()) + ": expected " + std::to_string(want) + " variables (the variable and its " +
                  "slots), but received " + std::to_string(c.attrs.resources.size()));
  if (c.op == OpId::ApplyFtrl && c.attrs.axes.size() != 2)
    throw_invalid("apply_ftrl: expected 2 constants in axes (l2 shrinkage, beta), but received " +
                  std::to_string(c.attrs.axes.size()));
  const Variable var = Variable::from_resource(c.attrs.resources[0]);
  for (int i = 1; i < want; ++i) {
    const Variable slot = Variable::from_resource(c.attrs.resources[size_t(i)]);
    if (slot.shape() != var.shape() || slot.dtype() != var.dtype())
      throw_invalid(std::string(c.name()) + ": slot '" + slot.name() + "' has shape " + slot.shape().str() +
                    " and dtype " + dtype_name(slot.dtype()) + ", but variable '" + var.name() + "' has shape " +
                    var.shape().str() + " and dtype " + dtype_name(var.dtype()));
  }
  const Tensor& g = c.in(0);
  if (g.shape() != var.shape() || g.dtype() != var.dtype())
    throw_invalid("optimizer: the gradient for variable '" + var.name() + "' has shape " + g.shape().str() +
                  " and dtype " + dtype_name(g.dtype()) + ", expected shape " + var.shape().str() + " and dtype " +
                  dtype_name(var.dtype()));
  expect_dtype(c, g, "the gradient", {DType::float32, DType::float64});
  check_scalar(c, c.in(1), "the learning rate", {g.dtype()});
  if (c.inputs.size() > 2) check_scalar(c, c.in(2), "the iteration count", {DType::int64});
  if (c.inputs.size() > 3) check_scalar(c, c.in(3), "the momentum-factor product", {DType::float64});
  c.num_outputs = 0;
}

// The step's constants in T (core/optimizer_math.h), widened to double (exact).
template <class T>
std::array<double, kMaxConstants> constants_in(const OpCall& c, T lr, int64_t iteration, double u_product) {
  T r[kMaxConstants];
  rule_constants<T>(rule_of(c.op), params_of(c), lr, iteration, u_product, r);
  std::array<double, kMaxConstants> out{};
  for (int i = 0; i < kMaxConstants; ++i) out[size_t(i)] = double(r[i]);
  return out;
}

Attrs rule_attrs(std::initializer_list<const Variable*> vars, double alpha, double beta, double gamma) {
  Attrs a;
  for (const Variable* v : vars)
    if (v) a.resources.push_back(v->resource());
  a.alpha = alpha;
  a.beta = beta;
  a.gamma = gamma;
  return a;
}
}  // namespace

Rule rule_of(OpId op) {
  for (int i = 0; i < int(Rule::Count); ++i)
    if (kRules[i].op == op) return Rule(i);
  throw_invalid(std::string("training: ") + op_name(op) + " is not a fused optimizer rule");
}

OpId op_of(Rule rule) { return kRules[int(rule)].op; }

int resource_of_slot(const OpCall& c, int slot) {
  if (c.op != OpId::ApplyRmsprop) return slot < def_of(c.op).slots ? 1 + slot : -1;
  // velocity, then momentum (flag), then average gradient (flag2)
  if (slot == 0) return 1;
  if (slot == 1) return c.attrs.flag ? 2 : -1;
  if (slot == 2) return c.attrs.flag2 ? 2 + int(c.attrs.flag) : -1;
  return -1;
}

RuleParams params_of(const OpCall& c) {
  RuleParams p{c.attrs.alpha, c.attrs.beta, c.attrs.gamma, 0, 0};
  if (c.op == OpId::ApplyFtrl && c.attrs.axes.size() == 2) {
    p.shrinkage = std::bit_cast<double>(c.attrs.axes[0]);
    p.ftrl_beta = std::bit_cast<double>(c.attrs.axes[1]);
  }
  return p;
}

std::array<double, kMaxConstants> constants(const OpCall& c, DType dt, double lr, int64_t iteration,
                                            double u_product) {
  if (dt == DType::float32) return constants_in<float>(c, float(lr), iteration, u_product);
  return constants_in<double>(c, lr, iteration, u_product);
}

void define_rule_ops() {
  for (const RuleDef& d : kRules) {
    set_op_flags(d.op, kWritesState);
    define_op(d.op, infer_rule);
  }
}

}  // namespace keras::core::training_rules

namespace keras::core::training {
using training_rules::rule_attrs;

void apply_rmsprop(Variable& var, const Tensor& grad, Variable& velocity, Variable* momentum_slot,
                   Variable* average_grad, const Tensor& lr, double rho, double momentum, double epsilon) {
  Attrs a = rule_attrs({&var, &velocity, momentum_slot, average_grad}, rho, momentum, epsilon);
  a.flag = momentum_slot != nullptr;
  a.flag2 = average_grad != nullptr;
  dispatch(OpId::ApplyRmsprop, {grad, lr}, a);
}

void apply_nadam(Variable& var, const Tensor& grad, Variable& m, Variable& v, const Tensor& lr, double beta1,
                 double beta2, double epsilon, const Tensor& iteration, const Tensor& u_product) {
  dispatch(OpId::ApplyNadam, {grad, lr, iteration, u_product}, rule_attrs({&var, &m, &v}, beta1, beta2, epsilon));
}

void apply_adagrad(Variable& var, const Tensor& grad, Variable& accumulator, const Tensor& lr, double epsilon) {
  dispatch(OpId::ApplyAdagrad, {grad, lr}, rule_attrs({&var, &accumulator}, 0, 0, epsilon));
}

void apply_adadelta(Variable& var, const Tensor& grad, Variable& accumulated_grad, Variable& accumulated_delta,
                    const Tensor& lr, double rho, double epsilon) {
  dispatch(OpId::ApplyAdadelta, {grad, lr}, rule_attrs({&var, &accumulated_grad, &accumulated_delta}, rho, 0, epsilon));
}

void apply_adamax(Variable& var, const Tensor& grad, Variable& m, Variable& u, const Tensor& lr, double beta1,
                  double beta2, double epsilon, const Tensor& iteration) {
  dispatch(OpId::ApplyAdamax, {grad, lr, iteration}, rule_attrs({&var, &m, &u}, beta1, beta2, epsilon));
}

void apply_ftrl(Variable& var, const Tensor& grad, Variable& accumulator, Variable& linear, const Tensor& lr,
                const FtrlParams& p) {
  Attrs a = rule_attrs({&var, &accumulator, &linear}, p.learning_rate_power, p.l1_regularization_strength,
                       p.l2_regularization_strength);
  a.axes = {std::bit_cast<int64_t>(p.l2_shrinkage_regularization_strength), std::bit_cast<int64_t>(p.beta)};
  dispatch(OpId::ApplyFtrl, {grad, lr}, a);
}

void apply_lion(Variable& var, const Tensor& grad, Variable& m, const Tensor& lr, double beta1, double beta2) {
  dispatch(OpId::ApplyLion, {grad, lr}, rule_attrs({&var, &m}, beta1, beta2, 0));
}

}  // namespace keras::core::training
