// The fused batch-normalization ops (core/batch_norm.h) against their composition from
// mean, variance, rsqrt, multiply and add: values, first and second-order gradients (the
// gradients that flow into the batch statistics included), the thread count, empty
// batches and bad arguments. The float64 finite-difference checks are in
// gradient_cases_engine.cpp; the CUDA comparison in tests/gpu/test_cuda_batch_norm.cpp.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/autodiff.h"
#include "core/batch_norm.h"
#include "helpers.h"

using namespace th;

namespace {

ops::Axes rows_axes(const Tensor& x) {
  ops::Axes a;
  for (int64_t i = 0; i + 1 < x.rank(); ++i) a.push_back(i);
  return a;
}

// The composition the fused ops replace (the layer's former code path).
ops::FusedBatchNorm composite_train(const Tensor& x, const Tensor& g, const Tensor& b, double eps) {
  Tensor mean = x.rank() == 1 ? x : ops::mean(x, rows_axes(x));
  Tensor var = x.rank() == 1 ? ops::zeros_like(x) : ops::variance(x, rows_axes(x));
  Tensor inv = ops::rsqrt(ops::add(var, ops::scalar_like(var, eps)));
  Tensor y = ops::add(ops::multiply(ops::multiply(ops::subtract(x, mean), inv), g), b);
  return {y, mean, var, inv};
}

Tensor composite_inference(const Tensor& x, const Tensor& g, const Tensor& b, const Tensor& m, const Tensor& v,
                           double eps) {
  Tensor inv = ops::rsqrt(ops::add(v, ops::scalar_like(v, eps)));
  return ops::add(ops::multiply(ops::multiply(ops::subtract(x, m), inv), g), b);
}

Tensor rand(const Shape& s, DType dt, uint64_t seed, double lo = -2, double hi = 2) {
  return make(uniform(s.num_elements(), lo, hi, seed), s, dt);
}

// A scalar of every output, weighted so that each output's gradient matters.
Tensor weigh(const ops::FusedBatchNorm& r, uint64_t seed) {
  const int64_t ch = r.mean.shape()[0];
  const DType dt = r.y.dtype();
  Tensor s = ops::sum(ops::multiply(r.y, rand(r.y.shape(), dt, seed)));
  s = ops::add(s, ops::sum(ops::multiply(r.mean, rand(Shape{ch}, dt, seed + 1))));
  s = ops::add(s, ops::sum(ops::multiply(r.variance, rand(Shape{ch}, dt, seed + 2))));
  return ops::add(s, ops::sum(ops::multiply(r.inv_std, rand(Shape{ch}, dt, seed + 3))));
}

const Shape kShapes[] = {Shape{5}, Shape{7, 3}, Shape{4, 5, 6, 8}, Shape{3, 11, 1}, Shape{64, 4, 4, 33}};

}  // namespace

TEST_CASE("fused_batch_norm equals the composition: values and the batch statistics, at 1 and 2 threads") {
  const int saved = core::get_num_threads();
  for (int threads : {1, 2})
    for (DType dt : {DType::float32, DType::float64})
      for (const Shape& s : kShapes) {
        CAPTURE(threads);
        CAPTURE(s.str());
        CAPTURE(core::dtype_name(dt));
        core::set_num_threads(threads);
        const int64_t ch = s[s.rank() - 1];
        // An offset far from zero: the one-pass variance must not cancel.
        Tensor x = ops::add(rand(s, dt, 1), ops::scalar_like(rand(s, dt, 1), 50.0));
        Tensor g = rand(Shape{ch}, dt, 2), b = rand(Shape{ch}, dt, 3);
        auto r = ops::fused_batch_norm(x, g, b, 1e-3);
        auto want = composite_train(x, g, b, 1e-3);
        const double tol = dt == DType::float32 ? 2e-4 : 1e-10;
        check_values(r.y, values(want.y), tol);
        check_values(r.mean, values(want.mean), dt == DType::float32 ? 1e-4 : 1e-12);
        check_values(r.variance, values(want.variance), tol);
        check_values(r.inv_std, values(want.inv_std), tol);
        CHECK(r.y.dtype() == dt);
        CHECK(r.mean.shape() == Shape{ch});
        Tensor m = rand(Shape{ch}, dt, 4), v = rand(Shape{ch}, dt, 5, 0.1, 2.0);
        check_values(ops::fused_batch_norm_inference(x, g, b, m, v, 1e-3), values(composite_inference(x, g, b, m, v, 1e-3)),
                     dt == DType::float32 ? 1e-3 : 1e-10);
      }
  core::set_num_threads(saved);
}

TEST_CASE("fused_batch_norm: gradients equal the composition's, the statistics' gradients included") {
  for (DType dt : {DType::float32, DType::float64})
    for (const Shape& s : kShapes) {
      CAPTURE(s.str());
      CAPTURE(core::dtype_name(dt));
      const int64_t ch = s[s.rank() - 1];
      Tensor x = rand(s, dt, 11), g = rand(Shape{ch}, dt, 12), b = rand(Shape{ch}, dt, 13);
      auto grads = [&](bool fused) {
        core::GradientTape tape;
        for (const Tensor& t : {x, g, b}) tape.watch(t);
        auto r = fused ? ops::fused_batch_norm(x, g, b, 0.01) : composite_train(x, g, b, 0.01);
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

TEST_CASE("fused_batch_norm_inference: gradients of x, scale, offset, mean and variance equal the composition's") {
  for (DType dt : {DType::float32, DType::float64}) {
    const Shape s{6, 3, 5};
    Tensor x = rand(s, dt, 31), g = rand(Shape{5}, dt, 32), b = rand(Shape{5}, dt, 33);
    Tensor m = rand(Shape{5}, dt, 34), v = rand(Shape{5}, dt, 35, 0.1, 2.0), w = rand(s, dt, 36);
    auto grads = [&](bool fused) {
      core::GradientTape tape;
      for (const Tensor& t : {x, g, b, m, v}) tape.watch(t);
      Tensor y = fused ? ops::fused_batch_norm_inference(x, g, b, m, v, 1e-3) : composite_inference(x, g, b, m, v, 1e-3);
      return tape.gradient(ops::sum(ops::multiply(y, w)), {x, g, b, m, v});
    };
    auto f = grads(true), c = grads(false);
    for (size_t i = 0; i < 5; ++i) {
      CAPTURE(i);
      check_values(f[i], values(c[i]), dt == DType::float32 ? 1e-4 : 1e-11);
    }
  }
}

TEST_CASE("fused_batch_norm: second-order gradients equal the composition's (float64)") {
  for (const Shape& s : {Shape{6, 4}, Shape{3, 2, 2, 3}}) {
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
        auto r = fused ? ops::fused_batch_norm(x, g, b, 1e-3) : composite_train(x, g, b, 1e-3);
        auto d = inner.gradient(weigh(r, 50), {x, g, b});
        // A scalar of the first-order gradients that weighs each one differently.
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
    // The first-order gradients do not depend on the offset: none reaches it on the
    // composed path; on the fused one it comes through the statistics' outputs, as zeros.
    CHECK_FALSE(c[2].defined());
    if (f[2].defined()) check_values(f[2], std::vector<double>(size_t(ch), 0.0), 1e-12);
  }
}

TEST_CASE("fused_batch_norm: an empty batch has NaN statistics and zero parameter gradients") {
  for (DType dt : {DType::float32, DType::float64}) {
    Tensor x = ops::zeros({0, 3}, dt), g = ops::ones({3}, dt), b = ops::zeros({3}, dt);
    auto r = ops::fused_batch_norm(x, g, b, 1e-3);
    CHECK(r.y.shape() == Shape{0, 3});
    for (double v : values(r.mean)) CHECK(std::isnan(v));
    for (double v : values(r.variance)) CHECK(std::isnan(v));
    auto bw = ops::fused_batch_norm_grad(x, x, g, ops::zeros({3}, dt), ops::ones({3}, dt), true);
    CHECK(bw.dx.shape() == Shape{0, 3});
    check_values(bw.dscale, std::vector<double>{0, 0, 0});
    check_values(bw.doffset, std::vector<double>{0, 0, 0});
  }
  // No channels: every output is empty.
  auto r = ops::fused_batch_norm(ops::zeros({4, 0}), ops::zeros({0}), ops::zeros({0}), 1e-3);
  CHECK(r.y.shape() == Shape{4, 0});
  CHECK(r.mean.shape() == Shape{0});
}

TEST_CASE("fused_batch_norm: a constant channel normalizes to the offset; NaN stays in its channel") {
  Tensor x = make({1, 5, 1, 6, 1, 7}, Shape{3, 2});
  auto r = ops::fused_batch_norm(x, ops::ones({2}), make({0.5, -1}, Shape{2}), 1e-3);
  check_values(r.y, std::vector<double>{0.5, -2.22383, 0.5, -1.0, 0.5, 0.22383}, 1e-4);
  check_values(r.variance, std::vector<double>{0.0, 2.0 / 3.0}, 1e-6);
  Tensor xn = make({1, std::nan(""), 2, 3, 3, 4}, Shape{3, 2});
  auto rn = ops::fused_batch_norm(xn, ops::ones({2}), ops::zeros({2}), 1e-3);
  const auto m = values(rn.mean);
  CHECK(m[0] == doctest::Approx(2.0));
  CHECK(std::isnan(m[1]));
}

TEST_CASE("fused batch-norm ops: bad arguments raise naming the op, the argument and what was received") {
  Tensor x = ops::zeros({4, 3}), v = ops::zeros({3});
  CHECK_THROWS_WITH_AS(ops::fused_batch_norm(x, ops::zeros({4}), v, 1e-3),
                       doctest::Contains("fused_batch_norm: expected scale of shape (3,)"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_batch_norm(x, v, ops::zeros({3}, DType::float64), 1e-3),
                       doctest::Contains("expected offset of dtype float32"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_batch_norm(ops::zeros({4, 3}, DType::int32), v, v, 1e-3),
                       doctest::Contains("fused_batch_norm"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_batch_norm(x, v, v, -1.0), doctest::Contains("epsilon >= 0"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_batch_norm(x, v, v, std::numeric_limits<double>::infinity()),
                       doctest::Contains("finite epsilon"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_batch_norm_inference(x, v, v, v, ops::zeros({3, 1}), 1e-3),
                       doctest::Contains("fused_batch_norm_inference: expected variance of shape (3,)"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_batch_norm_grad(ops::zeros({4, 2}), x, v, v, v, true),
                       doctest::Contains("expected dy of the input's shape (4, 3)"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_batch_norm_grad(x, x, v, v, v, false, v, v),
                       doctest::Contains("only with training=true"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_batch_norm_grad(x, x, v, v, v, true, v, Tensor()),
                       doctest::Contains("dmean and dvariance together"), std::invalid_argument);
}

TEST_CASE("fused batch-norm ops: the same bits at 1, 2 and 3 threads (sums over fixed blocks of rows)") {
  const int saved = core::get_num_threads();
  const Shape s{512, 7, 3, 5};  // enough rows for several blocks
  Tensor x = rand(s, DType::float32, 61), dy = rand(s, DType::float32, 62);
  Tensor g = rand(Shape{5}, DType::float32, 63), b = rand(Shape{5}, DType::float32, 64);
  auto run = [&](int threads) {
    core::set_num_threads(threads);
    auto r = ops::fused_batch_norm(x, g, b, 1e-3);
    auto d = ops::fused_batch_norm_grad(dy, x, g, r.mean, r.inv_std, true);
    return std::vector<Tensor>{r.y, r.mean, r.variance, r.inv_std, d.dx, d.dscale, d.doffset};
  };
  const auto one = run(1);
  CHECK(same_bits(one, run(2)));
  CHECK(same_bits(one, run(3)));
  core::set_num_threads(saved);
}
