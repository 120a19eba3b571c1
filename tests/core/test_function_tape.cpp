// test_function_tape.cpp - a traced function called under a GradientTape: one recorded
// node whose gradient runs a backward graph traced from the forward one.
#include <cmath>

#include "core/dispatch.h"
#include "core/function.h"
#include "helpers.h"

using namespace th;
using core::GradientTape;
using core::Variable;

namespace {
// Counts the gradient rules that run on this thread while it lives.
struct RuleCounts {
  core::autodiff::GradRuleCounts counts;
  RuleCounts() { core::autodiff::set_grad_rule_counts(&counts); }
  ~RuleCounts() { core::autodiff::set_grad_rule_counts(nullptr); }
  int64_t ran(core::OpId op) const { return counts.ran[size_t(op)]; }
};
}  // namespace

TEST_CASE("function under a tape: one recorded node, its backward graph traced once per shape") {
  auto f = core::function([](const Tensor& x) { return ops::add(ops::multiply(ops::sin(x), x), ops::tanh(x)); });
  auto expected = [](const std::vector<double>& xs) {
    std::vector<double> g;
    for (double v : xs) g.push_back(std::sin(v) + v * std::cos(v) + 1 - std::tanh(v) * std::tanh(v));
    return g;
  };
  for (int call = 0; call < 3; ++call) {
    Tensor x = core::constant({0.5 + call, -1.5, 2.0}, DType::float64);
    GradientTape tape;
    tape.watch(x);
    Tensor y = ops::sum(f(x));
    RuleCounts rules;
    Tensor g = tape.gradient(y, x);
    // After the first gradient (which traced the backward graph, running the rules once),
    // no rule of the forward ops runs: the tape held one node, whose gradient is a graph.
    if (call > 0) {
      CHECK(rules.ran(core::OpId::Sin) == 0);
      CHECK(rules.ran(core::OpId::Tanh) == 0);
    }
    check_values(g, expected(values(x)), 1e-12);
  }
  CHECK(f.tracing_count() == 1);
  CHECK(f.backward_tracing_count() == 1);
  CHECK_FALSE(f.backward_graph_str().empty());
  Tensor x4 = core::constant({0.1, 0.2, 0.3, 0.4}, DType::float64);  // a new shape traces both again
  GradientTape tape;
  tape.watch(x4);
  check_values(tape.gradient(ops::sum(f(x4)), x4), expected(values(x4)), 1e-12);
  CHECK(f.backward_tracing_count() == 2);
}

TEST_CASE("function under a tape: variables read inside get gradients through the recorded node") {
  Variable w(core::constant({2.0f, 3.0f}), "w");
  Variable frozen(core::constant({1.0f, 1.0f}), "frozen", /*trainable=*/false);
  auto f = core::function([&](const Tensor& x) {
    return ops::sum(ops::multiply(ops::multiply(w.value(), w.value()), ops::add(x, frozen.value())));
  });
  const Tensor x = core::constant({1.0f, 5.0f});
  for (int call = 0; call < 2; ++call) {
    GradientTape tape;
    tape.watch(x);
    Tensor y = f(x);
    std::vector<Tensor> g = tape.gradient(y, std::vector<Tensor>{w.value(), x});
    check_values(g[0], std::vector<float>{2 * 2 * 2, 2 * 3 * 6});  // 2 w (x + 1)
    check_values(g[1], std::vector<float>{4, 9});                  // w^2
    REQUIRE(tape.watched_variables().size() == 1);  // the frozen one is not watched
    CHECK(tape.watched_variables()[0].name() == "w");
  }
  CHECK(f.backward_tracing_count() == 1);
}

TEST_CASE("function under a tape: several outputs, an integer one, and an argument returned as is") {
  auto f = core::function([](const Tensor& x) {
    return std::vector<Tensor>{x, ops::multiply(x, x), ops::argmax(x, 0)};
  });
  Tensor x = core::constant({1.0, -2.0, 3.0}, DType::float64);
  GradientTape tape(GradientTape::Options{.persistent = true});
  tape.watch(x);
  std::vector<Tensor> out = f(x);
  CHECK(out[2].dtype() == DType::int64);
  CHECK(out[2].item<int64_t>() == 2);
  Tensor total = ops::add(ops::sum(out[0]), ops::sum(out[1]));
  check_values(tape.gradient(total, x), std::vector<double>{3, -3, 7});  // 1 + 2x
  check_values(tape.gradient(out[0], x), std::vector<double>{1, 1, 1});  // only the first output
  CHECK(f.backward_tracing_count() == 1);  // persistent tape: the second gradient reuses it
}

TEST_CASE("function under a tape: a graph that changes state runs op by op and stays differentiable") {
  Variable counter(core::constant(0.0), "counter", /*trainable=*/false);
  auto f = core::function([&](const Tensor& x) {
    counter.assign_add(core::constant(1.0));
    return ops::multiply(x, x);
  });
  Tensor x = core::constant({3.0, 4.0}, DType::float64);
  for (int call = 0; call < 2; ++call) {
    GradientTape tape;
    tape.watch(x);
    check_values(tape.gradient(ops::sum(f(x)), x), std::vector<double>{6, 8});
  }
  CHECK(counter.value().item<double>() == 2.0);  // the state changed once per call
  CHECK(f.backward_tracing_count() == 0);

  // Run op by op, its variable reads are the variables' own values: a gradient with respect
  // to a variable (not only to an input) flows, as through an eager read.
  Variable w(core::constant({0.5, -2.0}, DType::float64), "w");
  auto g = core::function([&](const Tensor& v) {
    counter.assign_add(core::constant(1.0));
    return ops::multiply(ops::sin(v), w.value());
  });
  for (int call = 0; call < 2; ++call) {
    GradientTape tape;
    Tensor dw = tape.gradient(ops::sum(g(x)), w);
    REQUIRE(dw.defined());
    check_values(dw, std::vector<double>{std::sin(3.0), std::sin(4.0)});
  }
}

TEST_CASE("function under a tape: a call the tape does not track is not recorded") {
  auto f = core::function([](const Tensor& x) { return ops::exp(x); });
  Tensor x = core::constant({1.0f}), other = core::constant({2.0f});
  GradientTape tape;
  tape.watch(other);
  Tensor y = f(x);
  CHECK_FALSE(tape.gradient(y, other).defined());
  CHECK(f.backward_tracing_count() == 0);
}
