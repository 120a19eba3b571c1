// test_while_grad.cpp - gradients through a traced while_loop (the while_grad node):
// against the same loop run eagerly, where the tape records every iteration, with an outer
// tape, with a tape inside the traced function, to second order, with maximum_iterations,
// exported, and the loops it refuses.
#include <cmath>
#include <string>

#include "core/control_flow.h"
#include "core/export.h"
#include "core/function.h"
#include "helpers.h"

using namespace th;
using core::GradientTape;

namespace {

// h <- tanh(w h + x), t times (t a tensor): a recurrence whose body reads w and x from
// outside the loop (captures) and carries an int32 counter.
Tensor recur(const Tensor& h0, const Tensor& w, const Tensor& x, const Tensor& t) {
  auto out = ops::while_loop([&](const std::vector<Tensor>& v) { return ops::less(v[0], t); },
                             [&](const std::vector<Tensor>& v) {
                               Tensor h = ops::tanh(ops::add(ops::squeeze(ops::matmul(w, ops::expand_dims(v[1], 1)), {1}), x));
                               return std::vector<Tensor>{ops::add(v[0], core::constant(1)), h};
                             },
                             {core::constant(0), h0});
  return out[1];
}

struct Inputs {
  Tensor h0 = make(uniform(3, -1, 1, 1), Shape{3}, DType::float64);
  Tensor w = make(uniform(9, -0.8, 0.8, 2), Shape{3, 3}, DType::float64);
  Tensor x = make(uniform(3, -1, 1, 3), Shape{3}, DType::float64);
};

// Gradients of sum(recur(...)^2) with respect to h0, w and x, by a tape around `run`.
std::vector<Tensor> grads_by(const std::function<Tensor(const Tensor&, const Tensor&, const Tensor&)>& run,
                             const Inputs& in) {
  GradientTape tape;
  tape.watch(in.h0);
  tape.watch(in.w);
  tape.watch(in.x);
  Tensor y = ops::sum(ops::square(run(in.h0, in.w, in.x)));
  return tape.gradient(y, std::vector<Tensor>{in.h0, in.w, in.x});
}

// An undefined eager gradient (a loop of no iteration does not read w or x) is zeros
// from the traced loop, whose node reads them whatever the count, as in TensorFlow.
void check_same(const std::vector<Tensor>& got, const std::vector<Tensor>& want, double tol = 1e-12) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    REQUIRE(got[i].defined());
    check_values(got[i], want[i].defined() ? values(want[i]) : std::vector<double>(size_t(got[i].size()), 0.0), tol);
  }
}

}  // namespace

TEST_CASE("while_loop gradient: a traced loop under an outer tape equals the eager loop's") {
  const Inputs in;
  for (int steps : {0, 1, 4}) {
    const Tensor t = core::constant(steps);
    auto eager = grads_by([&](auto& h0, auto& w, auto& x) { return recur(h0, w, x, t); }, in);
    auto traced_fn = core::function([](const Tensor& h0, const Tensor& w, const Tensor& x, const Tensor& tt) {
      return recur(h0, w, x, tt);
    });
    auto traced = grads_by([&](auto& h0, auto& w, auto& x) { return traced_fn(h0, w, x, t); }, in);
    CAPTURE(steps);
    check_same(traced, eager);
    CHECK(traced_fn.graph_str().find("while_loop(") != std::string::npos);
  }
}

TEST_CASE("while_loop gradient: a tape inside the traced function; one trace serves every iteration count") {
  const Inputs in;
  auto grads = core::function([](const Tensor& h0, const Tensor& w, const Tensor& x, const Tensor& t) {
    return grads_by([&](auto& a, auto& b, auto& c) { return recur(a, b, c, t); }, Inputs{h0, w, x});
  });
  for (int steps : {3, 7, 1}) {
    const Tensor t = core::constant(steps);
    auto eager = grads_by([&](auto& h0, auto& w, auto& x) { return recur(h0, w, x, t); }, in);
    CAPTURE(steps);
    check_same(grads(in.h0, in.w, in.x, t), eager);
  }
  CHECK(grads.tracing_count() == 1);
  const std::string g = grads.graph_str();
  CHECK(g.find("while_grad(") != std::string::npos);
}

TEST_CASE("while_loop gradient: second order, and maximum_iterations") {
  // x -> x^8 by squaring three times; d2/dx2 = 56 x^6, inside one traced function.
  auto second = core::function([](const Tensor& x) {
    GradientTape outer;
    outer.watch(x);
    Tensor dy;
    {
      GradientTape inner;
      inner.watch(x);
      auto r = ops::while_loop([](const std::vector<Tensor>& v) { return ops::less(v[1], core::constant(3)); },
                               [](const std::vector<Tensor>& v) {
                                 return std::vector<Tensor>{ops::multiply(v[0], v[0]), ops::add(v[1], core::constant(1))};
                               },
                               {x, core::constant(0)});
      dy = inner.gradient(r[0], x);
    }
    return std::vector<Tensor>{dy, outer.gradient(dy, x)};
  });
  const double x0 = 1.1;
  auto out = second(core::constant(x0, DType::float64));
  CHECK(out[0].item<double>() == doctest::Approx(8 * std::pow(x0, 7)).epsilon(1e-12));
  CHECK(out[1].item<double>() == doctest::Approx(56 * std::pow(x0, 6)).epsilon(1e-12));
  // A loop whose cond is always true stops at maximum_iterations: y = x * 1.5^4.
  auto capped = core::function([](const Tensor& x) {
    GradientTape tape;
    tape.watch(x);
    auto r = ops::while_loop([](const std::vector<Tensor>&) { return core::constant(true); },
                             [](const std::vector<Tensor>& v) { return std::vector<Tensor>{ops::multiply(v[0], ops::scalar_like(v[0], 1.5))}; },
                             {x}, /*maximum_iterations=*/4);
    return tape.gradient(ops::sum(r[0]), x);
  });
  check_values(capped(core::constant({1.0, -2.0}, DType::float64)), std::vector<double>{5.0625, 5.0625}, 1e-12);
}

TEST_CASE("while_loop gradient: exported and loaded, the gradient computation gives the same values") {
  const Inputs in;
  core::ExportBody body = [](const std::vector<Tensor>& a) {
    return grads_by([&](auto& h0, auto& w, auto& x) { return recur(h0, w, x, a[3]); }, Inputs{a[0], a[1], a[2]});
  };
  const std::string bytes = core::export_graph(body, {core::TensorSpec{{3}, DType::float64}, core::TensorSpec{{3, 3}, DType::float64},
                                                      core::TensorSpec{{3}, DType::float64}, core::TensorSpec{{}, DType::int32}});
  core::LoadedFunction f = core::load_function_bytes(bytes);
  const Tensor t = core::constant(5);
  check_same(f({in.h0, in.w, in.x, t}), body({in.h0, in.w, in.x, t}));
  CHECK(f.graph_str().find("while_grad(") != std::string::npos);
}

TEST_CASE("while_loop gradient: a traced loop that draws random numbers is refused, naming why") {
  auto f = core::function([](const Tensor& x) {
    GradientTape tape;
    tape.watch(x);
    auto r = ops::while_loop([](const std::vector<Tensor>& v) { return ops::less(v[1], core::constant(2)); },
                             [](const std::vector<Tensor>& v) {
                               Tensor noise = ops::random_uniform(v[0].shape(), {.dtype = v[0].dtype()});
                               return std::vector<Tensor>{ops::add(v[0], noise), ops::add(v[1], core::constant(1))};
                             },
                             {x, core::constant(0)});
    return tape.gradient(ops::sum(r[0]), x);
  });
  CHECK_THROWS_WITH_AS(f(core::constant({1.0f})), doctest::Contains("draws random numbers"), std::invalid_argument);
}
