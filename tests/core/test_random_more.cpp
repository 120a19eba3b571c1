// test_random_more.cpp - keras.random's randint, shuffle, categorical, dropout, gamma, beta
// and binomial: ranges, moments of large seeded samples (bounds of several standard
// errors), reproducibility with a seed, fresh draws in traced functions, errors.
#include <algorithm>
#include <cmath>

#include "core/function.h"
#include "core/random_ops.h"
#include "helpers.h"

using namespace th;
namespace kr = keras::core::ops::random;

namespace {
std::pair<double, double> moments(const Tensor& t) {
  const std::vector<double> v = values(t);
  double m = 0, s = 0;
  for (double x : v) m += x;
  m /= double(v.size());
  for (double x : v) s += (x - m) * (x - m);
  return {m, s / double(v.size())};
}
}  // namespace

TEST_CASE("random.randint, shuffle, categorical, dropout: ranges, frequencies, seeds") {
  Tensor r = kr::randint({20000}, -3, 4, {.dtype = DType::int32, .seed = 1});
  CHECK(r.dtype() == DType::int32);
  const std::vector<double> rv = values(r);
  CHECK(*std::min_element(rv.begin(), rv.end()) == -3);
  CHECK(*std::max_element(rv.begin(), rv.end()) == 3);
  CHECK(std::abs(moments(r).first) < 0.1);
  CHECK(values(kr::randint({5}, 0, 9, {.dtype = DType::int64, .seed = 4})) ==
        values(kr::randint({5}, 0, 9, {.dtype = DType::int64, .seed = 4})));
  // shuffle: a permutation, whole slices along the axis.
  Tensor x = ops::reshape(ops::arange(0, 24, 1, DType::float32), {6, 4});
  Tensor p = kr::shuffle(x, 0, {.seed = 2});
  std::vector<double> first_col;
  for (int64_t i = 0; i < 6; ++i) first_col.push_back(values(p)[size_t(i * 4)]);
  std::vector<double> sorted = first_col;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == std::vector<double>{0, 4, 8, 12, 16, 20});
  for (int64_t i = 0; i < 6; ++i)
    for (int64_t j = 1; j < 4; ++j) CHECK(values(p)[size_t(i * 4 + j)] == first_col[size_t(i)] + double(j));
  CHECK(values(kr::shuffle(x, 1, {.seed = 3})).size() == 24);
  // categorical: frequencies follow softmax(logits); a -inf logit is never drawn.
  Tensor logits = ops::log(core::constant({{0.2, 0.3, 0.5, 0.0}}));
  Tensor c = kr::categorical(logits, 20000, {.dtype = DType::int32, .seed = 5});
  CHECK(c.shape() == Shape{1, 20000});
  double counts[4] = {0, 0, 0, 0};
  for (double v : values(c)) counts[int(v)] += 1;
  CHECK(std::abs(counts[0] / 20000 - 0.2) < 0.015);
  CHECK(std::abs(counts[2] / 20000 - 0.5) < 0.015);
  CHECK(counts[3] == 0);
  // dropout: the share of zeros, the kept values scaled; noise_shape drops whole rows.
  Tensor ones = ops::ones({200, 50});
  const std::vector<double> d = values(kr::dropout(ones, 0.3, std::nullopt, {.seed = 6}));
  double zeros = 0;
  for (double v : d) {
    CHECK((v == 0.0 || std::abs(v - 1.0 / 0.7) < 1e-6));
    zeros += v == 0.0;
  }
  CHECK(std::abs(zeros / 10000 - 0.3) < 0.02);
  const std::vector<double> rows = values(kr::dropout(ones, 0.5, Shape{200, 1}, {.seed = 7}));
  for (int64_t i = 0; i < 200; ++i) CHECK(rows[size_t(i * 50)] == rows[size_t(i * 50 + 49)]);
  CHECK_THROWS_WITH_AS(kr::randint({2}, 3, 3), doctest::Contains("expected maxval > minval"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(kr::dropout(ones, 1.0), doctest::Contains("expected rate in [0, 1)"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(kr::categorical(core::constant({1.0f}), 2), doctest::Contains("(batch, classes)"),
                       std::invalid_argument);
}

TEST_CASE("random.gamma, beta, binomial: moments of large seeded samples; exact support") {
  for (double a : {0.5, 1.0, 2.5, 9.0}) {
    CAPTURE(a);
    Tensor g = kr::gamma({40000}, a, {.seed = 11});
    CHECK(g.dtype() == DType::float32);
    auto [m, v] = moments(g);
    const double se = std::sqrt(a / 40000.0);
    CHECK(std::abs(m - a) < 5 * se);
    CHECK(v == doctest::Approx(a).epsilon(0.06));
    const std::vector<double> gv = values(g);
    CHECK(*std::min_element(gv.begin(), gv.end()) > 0);
  }
  Tensor b = kr::beta({40000}, 2.0, 5.0, {.dtype = DType::float64, .seed = 12});
  auto [bm, bv] = moments(b);
  CHECK(bm == doctest::Approx(2.0 / 7.0).epsilon(0.02));
  CHECK(bv == doctest::Approx(10.0 / (49.0 * 8.0)).epsilon(0.06));
  Tensor n = kr::binomial({20000}, 10, 0.3, {.seed = 13});
  auto [nm, nv] = moments(n);
  CHECK(nm == doctest::Approx(3.0).epsilon(0.02));
  CHECK(nv == doctest::Approx(2.1).epsilon(0.06));
  for (double v : values(n)) CHECK((v == std::floor(v) && v >= 0 && v <= 10));
  CHECK(values(kr::binomial({4}, 0, 0.5, {.seed = 1})) == std::vector<double>(4, 0.0));
  CHECK(kr::gamma({0, 3}, 2.0).shape() == Shape{0, 3});
  CHECK_THROWS_WITH_AS(kr::gamma({2}, 0.0), doctest::Contains("expected alpha > 0"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(kr::binomial({2}, 2.5, 0.5), doctest::Contains("non-negative integer"),
                       std::invalid_argument);
}

TEST_CASE("random ops: a seed repeats the draws; unseeded calls differ, also in a traced function") {
  CHECK(values(kr::gamma({8}, 2.0, {.seed = 3})) == values(kr::gamma({8}, 2.0, {.seed = 3})));
  CHECK(values(kr::gamma({8}, 2.0)) != values(kr::gamma({8}, 2.0)));
  auto f = core::function([] {
    return std::vector<Tensor>{kr::gamma({16}, 1.5), kr::beta({16}, 2, 2), kr::shuffle(ops::arange(0, 16)),
                               kr::binomial({16}, 5, 0.5)};
  });
  const auto a = f(), b = f();
  for (size_t i = 0; i < a.size(); ++i) CHECK(values(a[i]) != values(b[i]));
  CHECK(f.tracing_count() == 1);
}

TEST_CASE("random.gamma and beta with tensor parameters: per-element alphas, traced alphas, errors") {
  // A scalar tensor alpha draws what the number does, bit for bit.
  for (double a : {0.4, 2.5}) {
    Tensor by_number = kr::gamma({64}, a, {.dtype = DType::float64, .seed = 7});
    Tensor by_tensor = kr::gamma({64}, keras::core::constant(a), {.dtype = DType::float64, .seed = 7});
    CHECK(ops::all(ops::equal(by_number, by_tensor)).item<bool>());
  }
  Tensor b1 = kr::beta({64}, 0.7, 1.3, {.seed = 2});
  Tensor b2 = kr::beta({64}, keras::core::constant(0.7), keras::core::constant(1.3), {.seed = 2});
  CHECK(ops::all(ops::equal(b1, b2)).item<bool>());
  // One alpha per column (mixing alpha < 1 and >= 1): each column's mean is its alpha.
  Tensor alphas = keras::core::constant(std::vector<double>{0.3, 1.0, 4.0});
  Tensor g = kr::gamma({20000, 3}, alphas, {.dtype = DType::float64, .seed = 11});
  std::vector<double> means = values(ops::mean(g, {0}));
  for (size_t j = 0; j < 3; ++j) {
    const double a = std::vector<double>{0.3, 1.0, 4.0}[j];
    CHECK(std::abs(means[j] - a) < 5 * std::sqrt(a / 20000.0));
  }
  CHECK(ops::min(g).item<double>() > 0.0);
  // A traced alpha (a function argument).
  auto fn = keras::core::function([](const Tensor& a) { return kr::beta({4000}, a, a, {.seed = 3}); });
  Tensor traced = fn(keras::core::constant(0.5f));
  CHECK(std::abs(moments(traced).first - 0.5) < 0.03);
  CHECK_THROWS_WITH_AS(kr::gamma({3}, keras::core::constant(std::vector<double>{1.0, -1.0, 2.0})),
                       doctest::Contains("expected alpha > 0 everywhere"), std::invalid_argument);
  CHECK_THROWS_AS(kr::gamma({3}, keras::core::constant(std::vector<double>{1.0, 2.0})), std::invalid_argument);
}
