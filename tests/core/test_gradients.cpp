// test_gradients.cpp - every differentiable op against central finite differences in
// float64, on several shapes (broadcast cases included), first and second order.
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "core/conv_variants.h"
#include "core/dispatch.h"
#include "core/function.h"
#include "gradient_cases.h"
#include "helpers.h"

using namespace th;
using namespace gradcheck;
using core::GradientTape;
using core::UnconnectedGradients;

namespace {

// Coverage counts the ops whose gradient rules actually ran in a passing check (the
// engine's GradRuleCounts), not the cases' labels.
std::set<std::string>& covered() {
  static std::set<std::string> s;
  return s;
}
std::set<std::string>& covered_second_order() {
  static std::set<std::string> s;
  return s;
}

// Ops differentiable to first order only, as TensorFlow's cuDNN RNN: the gradient rules of
// their backward ops (the value) raise std::invalid_argument. The coverage test accepts
// them when their first-order check passed and a second-order gradient raised; the
// forward ops whose second order raised that way (their backward op's rule ran):
const std::map<std::string, std::string> kFirstOrderOnly = {{"lstm_sequence", "lstm_sequence_grad"},
                                                            {"gru_sequence", "gru_sequence_grad"}};
std::set<std::string>& raised_second_order() {
  static std::set<std::string> s;
  return s;
}
// Whether the checks of all_first_order_cases() ran (the coverage test runs them if not).
bool g_first_order_ran = false, g_second_order_ran = false;

// Counts the gradient rules run on this thread from its construction to stop().
struct CountGradRules {
  core::autodiff::GradRuleCounts counts;
  CountGradRules() { core::autodiff::set_grad_rule_counts(&counts); }
  ~CountGradRules() { stop(); }
  void stop() { core::autodiff::set_grad_rule_counts(nullptr); }
  CountGradRules(const CountGradRules&) = delete;
  CountGradRules& operator=(const CountGradRules&) = delete;
  // Adds the ops of the rules that ran (or ran under a recording tape) to `to`; checks
  // that the case's own op is among them.
  void add_to(std::set<std::string>& to, const std::string& label, bool second_order) const {
    bool label_ran = false;
    for (int i = 0; i < core::kNumOps; ++i) {
      int64_t n = second_order ? counts.recorded[size_t(i)] : counts.ran[size_t(i)];
      if (n == 0) continue;
      std::string name = core::op_name(static_cast<core::OpId>(i));
      label_ran |= name == label;
      to.insert(name);
    }
    const std::string where = second_order ? " under a recording tape" : "";
    CHECK_MESSAGE(label_ran, "the gradient rule of " << label << " did not run" << where);
  }
};
bool counts_ran(const CountGradRules& r, int op) { return r.counts.ran[size_t(op)] > 0; }

std::vector<Tensor> make_inputs(const Case& c, uint32_t seed) {
  std::vector<Tensor> xs;
  for (const Input& in : c.inputs) {
    if (in.fixed.defined()) {
      xs.push_back(in.fixed);
      continue;
    }
    auto v = uniform(in.shape.num_elements(), in.lo, in.hi, seed++);
    if (in.away_from_zero)
      for (auto& x : v) x = (x < 0 ? -0.2 : 0.2) + x;
    xs.push_back(make(v, in.shape, DType::float64));
  }
  return xs;
}

// loss = sum(f(xs) * w), with fixed random weights w so every output element matters.
double loss_value(const Fn& f, const std::vector<Tensor>& xs, const Tensor& w) {
  return ops::sum(ops::multiply(f(xs), w)).item<double>();
}

void check_first_order(const Case& c, uint32_t seed) {
  CAPTURE(c.op);
  std::vector<Tensor> xs = make_inputs(c, seed);
  Tensor y0 = c.f(xs);
  Tensor w = make(uniform(y0.size(), 0.5, 1.5, seed + 100), y0.shape(), DType::float64);
  std::vector<Tensor> diff;
  for (size_t k = 0; k < xs.size(); ++k)
    if (!c.inputs[k].fixed.defined()) diff.push_back(xs[k]);

  CountGradRules rules;
  GradientTape tape;
  for (auto& x : diff) tape.watch(x);
  Tensor loss = ops::sum(ops::multiply(c.f(xs), w));
  std::vector<Tensor> grads = tape.gradient(loss, diff);
  rules.stop();  // (not the finite differences' calls)
  bool ok = true;

  size_t d = 0;
  for (size_t k = 0; k < xs.size(); ++k) {
    if (c.inputs[k].fixed.defined()) continue;
    CAPTURE(k);
    Tensor g = grads[d++];
    REQUIRE(g.defined());
    ok &= g.shape() == xs[k].shape();
    CHECK(g.shape() == xs[k].shape());
    std::vector<double> ga = values(g), base = values(xs[k]);
    for (size_t j = 0; j < base.size(); ++j) {
      auto at = [&](double delta) {
        std::vector<double> v = base;
        v[j] += delta;
        std::vector<Tensor> ys = xs;
        ys[k] = make(v, xs[k].shape(), DType::float64);
        return loss_value(c.f, ys, w);
      };
      double numeric = (at(c.eps) - at(-c.eps)) / (2 * c.eps);
      CAPTURE(j);
      ok &= std::fabs(ga[j] - numeric) <= c.tol * (1 + std::fabs(numeric)) * 10;
      CHECK(std::fabs(ga[j] - numeric) <= c.tol * (1 + std::fabs(numeric)) * 10);
    }
  }
  if (ok) rules.add_to(covered(), c.op, false);
}

// d/dx_k sum_i(v_i * grad_x_i(sum(f(x) * w))) for every float input x_k against finite
// differences of the first-order gradients (mixed partials included): exercises every
// rule's own differentiability (nested tapes).
void check_second_order(const Case& c, uint32_t seed) {
  CAPTURE(c.op);
  std::vector<Tensor> xs = make_inputs(c, seed);
  std::vector<size_t> diff;
  for (size_t k = 0; k < xs.size(); ++k)
    if (!c.inputs[k].fixed.defined()) diff.push_back(k);
  Tensor y0 = c.f(xs);
  Tensor w = make(uniform(y0.size(), 0.5, 1.5, seed + 100), y0.shape(), DType::float64);
  std::vector<Tensor> v;
  for (size_t k : diff)
    v.push_back(make(uniform(xs[k].size(), 0.5, 1.5, seed + 200 + uint32_t(k)), xs[k].shape(), DType::float64));
  auto sources = [&](const std::vector<Tensor>& in) {
    std::vector<Tensor> out;
    for (size_t k : diff) out.push_back(in[k]);
    return out;
  };
  // sum_i(v_i * grad_i), the first-order gradients contracted with v.
  auto contracted = [&](const std::vector<Tensor>& in) {
    GradientTape inner;
    for (size_t k : diff) inner.watch(in[k]);
    Tensor loss = ops::sum(ops::multiply(c.f(in), w));
    std::vector<Tensor> g = inner.gradient(loss, sources(in), Tensor(), UnconnectedGradients::zero);
    Tensor total = ops::scalar_like(w, 0.0);
    for (size_t i = 0; i < g.size(); ++i) total = ops::add(total, ops::sum(ops::multiply(g[i], v[i])));
    return total;
  };
  CountGradRules rules;
  GradientTape outer;
  for (size_t k : diff) outer.watch(xs[k]);
  Tensor s = contracted(xs);
  std::vector<Tensor> hv = outer.gradient(s, sources(xs), Tensor(), UnconnectedGradients::zero);
  rules.stop();
  // float32 round trips (the cast case) need its larger step and tolerance.
  const double eps = std::max(1e-5, c.eps), tol = std::max(1e-5, c.tol * 10);
  bool ok = true;
  for (size_t d = 0; d < diff.size(); ++d) {
    const size_t k = diff[d];
    CAPTURE(k);
    REQUIRE(hv[d].defined());
    std::vector<double> ha = values(hv[d]), base = values(xs[k]);
    for (size_t j = 0; j < base.size(); ++j) {
      auto at = [&](double delta) {
        std::vector<double> p = base;
        p[j] += delta;
        std::vector<Tensor> ys = xs;
        ys[k] = make(p, xs[k].shape(), DType::float64);
        return contracted(ys).item<double>();
      };
      double numeric = (at(eps) - at(-eps)) / (2 * eps);
      CAPTURE(j);
      bool good = std::fabs(ha[j] - numeric) <= tol * (1 + std::fabs(numeric));
      ok &= good;
      CHECK_MESSAGE(good, "second order: " << ha[j] << " vs numeric " << numeric);
    }
  }
  if (ok) rules.add_to(covered_second_order(), c.op, true);
}


std::vector<Case> all_first_order_cases() {
  std::vector<Case> all;
  for (auto fam : {unary_cases, binary_cases, reduce_cases, matmul_cases, nn_cases, shape_cases, control_flow_cases,
                   linalg_cases, conv_cases, image_cases})
    for (auto& c : fam()) all.push_back(c);
  for (auto& c : einsum_cases()) all.push_back(c);
  for (auto& c : batch_norm_cases()) all.push_back(c);
  for (auto& c : complex_cases()) all.push_back(c);
  for (auto& c : ops_nn_cases()) all.push_back(c);
  for (auto& c : functional_cases()) all.push_back(c);
  for (auto& c : image_more_cases()) all.push_back(c);
  for (auto& c : numpy_shape_cases()) all.push_back(c);
  for (auto& c : math_cases()) all.push_back(c);  // core/ops_math.h
  for (auto& c : reduce_ops_cases()) all.push_back(c);
  return all;
}

// The second order of a first-order-only case raises, naming the op, from its backward
// op's rule.
void check_second_order_raises(const Case& c, uint32_t seed) {
  CAPTURE(c.op);
  std::vector<Tensor> xs = make_inputs(c, seed);
  CountGradRules rules;
  GradientTape outer;
  for (const Tensor& x : xs) outer.watch(x);
  std::vector<Tensor> g;
  {
    GradientTape inner;
    for (const Tensor& x : xs) inner.watch(x);
    g = inner.gradient(ops::sum(c.f(xs)), xs, Tensor(), UnconnectedGradients::zero);
  }
  Tensor s = ops::scalar_like(g[0], 0.0);
  for (const Tensor& gi : g) s = ops::add(s, ops::sum(ops::multiply(gi, gi)));
  std::string message;
  try {
    outer.gradient(s, xs);
  } catch (const std::invalid_argument& e) {
    message = e.what();
  }
  rules.stop();
  CHECK_MESSAGE(message.find("second-order gradients of " + c.op + " are not supported") != std::string::npos,
                "received: " << message);
  const auto op = std::find_if(kFirstOrderOnly.begin(), kFirstOrderOnly.end(),
                               [&](const auto& kv) { return kv.first == c.op; });
  REQUIRE(op != kFirstOrderOnly.end());
  bool backward_rule_ran = false;
  for (int i = 0; i < core::kNumOps; ++i)
    backward_rule_ran |= counts_ran(rules, i) && core::op_name(static_cast<core::OpId>(i)) == op->second;
  CHECK(backward_rule_ran);
  if (backward_rule_ran && message.find("second-order") != std::string::npos) raised_second_order().insert(c.op);
}

}  // namespace

TEST_CASE("gradient check: every differentiable op against central differences (float64)") {
  uint32_t seed = 1;
  for (const Case& c : all_first_order_cases()) check_first_order(c, seed++);
  g_first_order_ran = true;
}

TEST_CASE("gradient check: the first-order-only ops (fused recurrent sequences) against central differences, "
          "and their second order raises") {
  uint32_t seed = 1700;
  for (const Case& c : rnn_cases()) {
    check_first_order(c, seed++);
    check_second_order_raises(c, seed++);
  }
}

TEST_CASE("gradient check: second order (gradient of a gradient) for every case") {
  uint32_t seed = 500;
  for (const Case& c : all_first_order_cases()) check_second_order(c, seed++);
  g_second_order_ran = true;
}

// The same gradients computed inside a traced function (a tape in the function, the
// graph run later) equal the eager ones.
TEST_CASE("gradient check: every case's gradients, traced with core::function, equal the eager ones") {
  uint32_t seed = 900;
  for (const Case& c : all_first_order_cases()) {
    CAPTURE(c.op);
    std::vector<Tensor> xs = make_inputs(c, seed++);
    Tensor w = make(uniform(c.f(xs).size(), 0.5, 1.5, seed + 100), c.f(xs).shape(), DType::float64);
    auto grads_of = [&](const std::vector<Tensor>& in) {
      GradientTape tape;
      std::vector<Tensor> diff;
      for (size_t k = 0; k < in.size(); ++k)
        if (!c.inputs[k].fixed.defined()) {
          tape.watch(in[k]);
          diff.push_back(in[k]);
        }
      return tape.gradient(ops::sum(ops::multiply(c.f(in), w)), diff);
    };
    auto traced = core::function(grads_of);
    std::vector<Tensor> eager = grads_of(xs), graph = traced(xs), again = traced(xs);
    CHECK(traced.tracing_count() == 1);
    REQUIRE(eager.size() == graph.size());
    for (size_t i = 0; i < eager.size(); ++i) {
      REQUIRE(graph[i].defined());
      check_values(graph[i], values(eager[i]), 1e-12);
      check_values(again[i], values(eager[i]), 1e-12);
    }
  }
}

// A traced function called under tapes is one recorded node whose gradient runs a backward
// graph traced from it: its first and second-order gradients equal the eager ones.
TEST_CASE("gradient check: every case as a traced function called under a tape, to second order") {
  uint32_t seed = 1300;
  int recorded = 0, cases = 0;
  for (const Case& c : all_first_order_cases()) {
    CAPTURE(c.op);
    std::vector<Tensor> xs = make_inputs(c, seed++);
    Tensor w = make(uniform(c.f(xs).size(), 0.5, 1.5, seed + 100), c.f(xs).shape(), DType::float64);
    auto traced = core::function([&](const std::vector<Tensor>& in) { return c.f(in); });
    auto grads = [&](const std::function<Tensor(const std::vector<Tensor>&)>& f) {
      std::vector<Tensor> diff;
      for (size_t k = 0; k < xs.size(); ++k)
        if (!c.inputs[k].fixed.defined()) diff.push_back(xs[k]);
      GradientTape outer;
      for (const Tensor& x : diff) outer.watch(x);
      std::vector<Tensor> g;
      {
        GradientTape inner;
        for (const Tensor& x : diff) inner.watch(x);
        g = inner.gradient(ops::sum(ops::multiply(f(xs), w)), diff, Tensor(), UnconnectedGradients::zero);
      }
      Tensor s = ops::scalar_like(w, 0.0);
      for (const Tensor& gi : g) s = ops::add(s, ops::sum(ops::multiply(gi, gi)));
      std::vector<Tensor> h = outer.gradient(s, diff, Tensor(), UnconnectedGradients::zero);
      g.insert(g.end(), h.begin(), h.end());
      return g;
    };
    const std::vector<Tensor> eager = grads(c.f);
    for (int call = 0; call < 2; ++call) {  // the tracing call, then a graph run
      const std::vector<Tensor> graph = grads([&](const std::vector<Tensor>& in) { return traced(in); });
      REQUIRE(graph.size() == eager.size());
      for (size_t i = 0; i < eager.size(); ++i) check_values(graph[i], values(eager[i]), 1e-9);
    }
    ++cases;
    if (traced.backward_tracing_count() > 0) {
      ++recorded;
      CHECK(traced.backward_tracing_count() == 1);  // traced at the first call, reused at the second
    }
  }
  // Only the random and stateful cases run their ops one by one under the tape.
  MESSAGE(recorded << " of " << cases << " cases recorded as one node");
  CHECK(recorded * 10 >= cases * 9);
}

// Coverage by the rules that ran (CountGradRules), first and second order.
TEST_CASE("every op with a gradient rule is covered by the gradient check, to second order") {
  // Runs the checks if this test runs alone.
  if (!g_first_order_ran) {
    uint32_t seed = 1;
    for (const Case& c : all_first_order_cases()) check_first_order(c, seed++);
  }
  if (!g_second_order_ran) {
    uint32_t seed = 500;
    for (const Case& c : all_first_order_cases()) check_second_order(c, seed++);
  }
  if (raised_second_order().empty()) {
    uint32_t seed = 1700;
    for (const Case& c : rnn_cases()) {
      check_first_order(c, seed++);
      check_second_order_raises(c, seed++);
    }
  }
  int differentiable = 0, checked = 0, checked2 = 0;
  ops::zeros({1});  // make sure the registry is initialized
  for (int i = 0; i < core::kNumOps; ++i) {
    auto op = static_cast<core::OpId>(i);
    if (!core::op_def(op).grad) continue;
    ++differentiable;
    const std::string name = core::op_name(op);
    bool ok = covered().count(name) != 0, ok2 = covered_second_order().count(name) != 0;
    for (const auto& [fwd, bwd] : kFirstOrderOnly) {  // see kFirstOrderOnly
      if (name == fwd) ok2 = ok && raised_second_order().count(fwd) != 0;
      if (name == bwd) ok = ok2 = raised_second_order().count(fwd) != 0;
    }
    checked += ok;
    checked2 += ok2;
    CHECK_MESSAGE(ok, "no gradient check for op " << name);
    CHECK_MESSAGE(ok2, "no second-order gradient check for op " << name);
  }
  MESSAGE("gradient check: " << checked << " (first order) and " << checked2
                             << " (second order) of " << differentiable << " differentiable ops pass");
  CHECK(differentiable > 40);
}
