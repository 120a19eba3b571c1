// The fused layer-normalization ops (core/layer_norm.h) against their composition from
// mean, variance, rsqrt, multiply and add (Keras's LayerNormalization arithmetic):
// values, first- and second-order gradients (the gradients that flow into the row
// statistics included), the thread count, rows of nothing, NaN rows, bad arguments, and
// the layer and keras::ops::layer_normalization running as one node in a traced step.
// The float64 finite-difference checks are in gradient_cases_batch_norm.cpp.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/autodiff.h"
#include "core/function.h"
#include "core/layer_norm.h"
#include "helpers.h"

using namespace th;

namespace {

ops::FusedLayerNorm composite(const Tensor& x, const Tensor& g, const Tensor& b, double eps) {
  const ops::Axes last{x.rank() - 1};
  Tensor mean = ops::mean(x, last, true);
  Tensor inv = ops::rsqrt(ops::add(ops::variance(x, last, true), ops::scalar_like(x, eps)));
  Tensor a = ops::multiply(inv, g);
  return {ops::add(ops::multiply(x, a), ops::subtract(b, ops::multiply(mean, a))), mean, inv};
}

Tensor rand(const Shape& s, DType dt, uint64_t seed, double lo = -2, double hi = 2) {
  return make(uniform(s.num_elements(), lo, hi, seed), s, dt);
}

// A scalar of every output, weighted so that each output's gradient matters.
Tensor weigh(const ops::FusedLayerNorm& r, uint64_t seed) {
  const DType dt = r.y.dtype();
  Tensor s = ops::sum(ops::multiply(r.y, rand(r.y.shape(), dt, seed)));
  s = ops::add(s, ops::sum(ops::multiply(r.mean, rand(r.mean.shape(), dt, seed + 1))));
  return ops::add(s, ops::sum(ops::multiply(r.inv_std, rand(r.inv_std.shape(), dt, seed + 2))));
}

const Shape kShapes[] = {Shape{5}, Shape{7, 3}, Shape{4, 5, 64}, Shape{3, 11, 1}, Shape{64, 28, 33}};

}  // namespace

TEST_CASE("fused_layer_norm equals the composition: values and the row statistics, the same bits at 1 and 2 threads") {
  const int saved = core::get_num_threads();
  for (DType dt : {DType::float32, DType::float64})
    for (const Shape& s : kShapes) {
      CAPTURE(s.str());
      CAPTURE(std::string(core::dtype_name(dt)));
      const int64_t ch = s[s.rank() - 1];
      // An offset far from zero: the variance must not cancel.
      Tensor x = ops::add(rand(s, dt, 1), ops::scalar_like(rand(s, dt, 1), 50.0));
      Tensor g = rand(Shape{ch}, dt, 2), b = rand(Shape{ch}, dt, 3);
      std::vector<Tensor> runs[2];
      for (int threads : {1, 2}) {
        core::set_num_threads(threads);
        auto r = ops::fused_layer_norm(x, g, b, 1e-3);
        runs[threads - 1] = {r.y, r.mean, r.inv_std};
      }
      core::set_num_threads(saved);
      for (size_t i = 0; i < 3; ++i) CHECK(values(runs[0][i]) == values(runs[1][i]));
      auto want = composite(x, g, b, 1e-3);
      const double tol = dt == DType::float32 ? 2e-3 : 1e-9;
      check_values(runs[0][0], values(want.y), tol);
      check_values(runs[0][1], values(want.mean), dt == DType::float32 ? 1e-4 : 1e-12);
      check_values(runs[0][2], values(want.inv_std), tol);
      std::vector<int64_t> row = s.dims();
      row.back() = 1;
      CHECK(runs[0][1].shape() == Shape(row));
      CHECK(runs[0][0].dtype() == dt);
    }
}

TEST_CASE("fused_layer_norm: gradients equal the composition's, the statistics' gradients included") {
  for (DType dt : {DType::float32, DType::float64})
    for (const Shape& s : kShapes) {
      CAPTURE(s.str());
      CAPTURE(core::dtype_name(dt));
      const int64_t ch = s[s.rank() - 1];
      Tensor x = rand(s, dt, 11), g = rand(Shape{ch}, dt, 12), b = rand(Shape{ch}, dt, 13);
      auto grads = [&](bool fused) {
        core::GradientTape tape;
        for (const Tensor& t : {x, g, b}) tape.watch(t);
        auto r = fused ? ops::fused_layer_norm(x, g, b, 0.01) : composite(x, g, b, 0.01);
        return tape.gradient(weigh(r, 20), {x, g, b});
      };
      auto f = grads(true), c = grads(false);
      const double tol = dt == DType::float32 ? 2e-3 : 1e-9;
      for (size_t i = 0; i < 3; ++i) {
        CAPTURE(i);
        check_values(f[i], values(c[i]), tol);
      }
    }
}

TEST_CASE("fused_layer_norm: second-order gradients equal the composition's (float64)") {
  for (const Shape& s : {Shape{6, 4}, Shape{3, 2, 5}}) {
    CAPTURE(s.str());
    const int64_t ch = s[s.rank() - 1];
    const DType dt = DType::float64;
    Tensor x = rand(s, dt, 41), g = rand(Shape{ch}, dt, 42), b = rand(Shape{ch}, dt, 43), u = rand(s, dt, 44);
    auto second = [&](bool fused) {
      core::GradientTape outer;
      for (const Tensor& t : {x, g, b}) outer.watch(t);
      Tensor inner_norm;
      {
        core::GradientTape inner;
        for (const Tensor& t : {x, g, b}) inner.watch(t);
        auto r = fused ? ops::fused_layer_norm(x, g, b, 1e-3) : composite(x, g, b, 1e-3);
        auto d = inner.gradient(weigh(r, 50), {x, g, b});
        inner_norm = ops::add(ops::sum(ops::multiply(d[0], u)),
                              ops::add(ops::sum(ops::square(d[1])), ops::sum(ops::multiply(d[2], d[1]))));
      }
      return outer.gradient(inner_norm, {x, g, b});
    };
    auto f = second(true), c = second(false);
    for (size_t i = 0; i < 2; ++i) {
      CAPTURE(i);
      check_values(f[i], values(c[i]), 1e-8);
    }
  }
}

TEST_CASE("fused_layer_norm: rows of nothing, no rows, a constant row, NaN stays in its row") {
  for (DType dt : {DType::float32, DType::float64}) {
    auto r = ops::fused_layer_norm(ops::zeros({3, 0}, dt), ops::zeros({0}, dt), ops::zeros({0}, dt), 1e-3);
    CHECK(r.y.shape() == Shape{3, 0});
    CHECK(r.mean.shape() == Shape{3, 1});
    for (double v : values(r.mean)) CHECK(std::isnan(v));
    for (double v : values(r.inv_std)) CHECK(std::isnan(v));
    auto e = ops::fused_layer_norm(ops::zeros({0, 4}, dt), ops::ones({4}, dt), ops::zeros({4}, dt), 1e-3);
    CHECK(e.y.shape() == Shape{0, 4});
    auto bw = ops::fused_layer_norm_grad(e.y, e.y, ops::ones({4}, dt), e.mean, e.inv_std);
    CHECK(bw.dx.shape() == Shape{0, 4});
    check_values(bw.dscale, std::vector<double>{0, 0, 0, 0});
    check_values(bw.doffset, std::vector<double>{0, 0, 0, 0});
  }
  Tensor x = make({3, 3, 3, 1, std::nan(""), 2}, Shape{2, 3});
  auto r = ops::fused_layer_norm(x, ops::ones({3}), make({0.5, -1, 2}, Shape{3}), 1e-3);
  const auto y = values(r.y);
  check_values(ops::slice(r.y, {0, 0}, {1, 3}), std::vector<double>{0.5, -1, 2}, 1e-6);  // constant row: the offset
  for (size_t i = 3; i < 6; ++i) CHECK(std::isnan(y[i]));
}

TEST_CASE("fused layer-norm ops: bad arguments raise naming the op, the argument and what was received") {
  Tensor x = ops::zeros({4, 3}), v = ops::zeros({3});
  CHECK_THROWS_WITH_AS(ops::fused_layer_norm(x, ops::zeros({4}), v, 1e-3),
                       doctest::Contains("fused_layer_norm: expected scale of shape (3,)"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_layer_norm(x, v, ops::zeros({3}, DType::float64), 1e-3),
                       doctest::Contains("expected offset of dtype float32"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_layer_norm(ops::zeros({4, 3}, DType::int32), v, v, 1e-3),
                       doctest::Contains("fused_layer_norm"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_layer_norm(x, v, v, -1.0), doctest::Contains("epsilon >= 0"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_layer_norm_grad(x, x, v, ops::zeros({4}), ops::zeros({4, 1})),
                       doctest::Contains("expected mean of shape (4, 1)"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_layer_norm_grad(ops::zeros({4, 2}), x, v, ops::zeros({4, 1}), ops::zeros({4, 1})),
                       doctest::Contains("expected dy of shape (4, 3)"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_layer_norm_grad(x, x, v, ops::zeros({4, 1}), ops::zeros({4, 1}), ops::zeros({4, 1})),
                       doctest::Contains("together"), std::invalid_argument);
}

TEST_CASE("keras::ops::layer_normalization over the last axis is one fused node in a trace, and equals the composition") {
  Tensor x = rand(Shape{8, 6}, DType::float32, 61), g = rand(Shape{6}, DType::float32, 62);
  auto fn = core::function([&](const Tensor& in) { return ops::layer_normalization(in, g, Tensor(), {-1}, 1e-5); });
  Tensor y = fn(x);
  CHECK(fn.graph_str().find("fused_layer_norm") != std::string::npos);
  CHECK(fn.graph_str().find("rsqrt") == std::string::npos);
  check_values(y, values(composite(x, g, ops::zeros({6}), 1e-5).y), 1e-5);
  // A negative epsilon keeps the composition (its NaN where variance + epsilon < 0), as Keras.
  Tensor neg = ops::layer_normalization(x, g, Tensor(), {-1}, -1e-3);
  check_values(neg, values(composite(x, g, ops::zeros({6}), -1e-3).y), 1e-5);
  // Another axis keeps the composition.
  check_values(ops::layer_normalization(x, Tensor(), Tensor(), {0}, 1e-5),
               values(ops::transpose(composite(ops::transpose(x), ops::ones({8}), ops::zeros({8}), 1e-5).y)), 1e-5);
}
