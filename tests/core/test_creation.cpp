// Tests of fill / range / linspace / eye and the Philox random number ops.
#include <algorithm>
#include <map>

#include "core/dispatch.h"
#include "helpers.h"

using namespace th;

namespace {

constexpr DType kAll[] = {DType::float32, DType::float64, DType::int32,
                          DType::int64,   DType::uint8,   DType::bool_};

struct Moments { double mean, std, min, max; };
Moments moments(const Tensor& t) {
  auto v = values(t);
  double s = 0, s2 = 0;
  for (double x : v) s += x;
  const double m = s / static_cast<double>(v.size());
  for (double x : v) s2 += (x - m) * (x - m);
  return {m, std::sqrt(s2 / static_cast<double>(v.size())), *std::min_element(v.begin(), v.end()),
          *std::max_element(v.begin(), v.end())};
}

core::ops::RandomOptions opts(int64_t seed, DType dt = DType::float32) {
  core::ops::RandomOptions o;
  o.seed = seed;
  o.dtype = dt;
  return o;
}

}  // namespace

// ---- fill and friends --------------------------------------------------------------------

TEST_CASE("zeros, ones, fill: every dtype and shape, including 0-d and empty") {
  for (DType dt : kAll)
    for (const Shape& s : {Shape{}, Shape{0}, Shape{3}, Shape{2, 0, 4}, Shape{300, 257}}) {
      CAPTURE(std::string(core::dtype_name(dt)));
      CAPTURE(s.str());
      Tensor z = ops::zeros(s, dt), o = ops::ones(s, dt), f = ops::fill(s, 2.0, dt);
      for (const Tensor& t : {z, o, f}) {
        CHECK(t.shape() == s);
        CHECK(t.dtype() == dt);
        CHECK(t.device() == core::Device::cpu());
      }
      const auto n = static_cast<size_t>(s.num_elements());
      check_values(z, std::vector<double>(n, 0.0), 0);
      check_values(o, std::vector<double>(n, 1.0), 0);
      check_values(f, std::vector<double>(n, dt == DType::bool_ ? 1.0 : 2.0), 0);
    }
  CHECK(ops::zeros({2}).dtype() == DType::float32);
  // A value the dtype cannot hold exactly raises, as tf.constant(2.75, dtype=tf.int32).
  CHECK_THROWS_MSG(ops::fill({2}, 2.75, DType::int32), core::ConversionError, "2.75");
  check_values(ops::fill({2}, -1.5, DType::float64), std::vector<double>{-1.5, -1.5});
  CHECK_THROWS_MSG(ops::fill({1}, 300, DType::uint8), core::ConversionError, "out of range [0, 255]");
  check_values(ops::fill({1}, 255, DType::uint8), std::vector<int>{255});
  CHECK_THROWS_AS(ops::zeros(Shape({2, -1})), std::invalid_argument);  // Shape validates
  // Direct dispatch of the primitive checks its attributes too.
  core::Attrs a;
  a.shape = {2, -3};
  CHECK_THROWS_MSG(core::dispatch(core::OpId::Fill, std::span<const Tensor>(), a), std::invalid_argument,
                   "fill: expected a shape with dimensions >= 0, but received (2, -3)");
}

TEST_CASE("zeros_like, ones_like, full_like keep shape, dtype and device") {
  for (DType dt : kAll) {
    Tensor x = ops::fill({2, 3}, 5.0, dt);
    for (const Tensor& t : {ops::zeros_like(x), ops::ones_like(x), ops::full_like(x, 3.0)}) {
      CHECK(t.shape() == Shape{2, 3});
      CHECK(t.dtype() == dt);
      CHECK(t.device() == x.device());
      CHECK(t.raw_data() != x.raw_data());
    }
    check_values(ops::zeros_like(x), std::vector<double>(6, 0.0), 0);
    check_values(ops::ones_like(x), std::vector<double>(6, 1.0), 0);
    check_values(ops::full_like(x, 3.0), std::vector<double>(6, dt == DType::bool_ ? 1 : 3), 0);
  }
  check_values(ops::zeros_like(core::constant(4)), std::vector<int>{0});
  CHECK_THROWS_MSG(ops::zeros_like(Tensor()), std::invalid_argument, "undefined");
}

// ---- range, linspace, eye ------------------------------------------------------------------

TEST_CASE("range: tf.range rules") {
  Tensor r = ops::range(5);
  CHECK(r.dtype() == DType::int32);
  check_values(r, std::vector<int>{0, 1, 2, 3, 4});
  check_values(ops::range(2, 10, 3), std::vector<int>{2, 5, 8});
  check_values(ops::range(2, 11, 3), std::vector<int>{2, 5, 8});
  check_values(ops::range(10, 2, -3), std::vector<int>{10, 7, 4});
  check_values(ops::range(-3, 0), std::vector<int>{-3, -2, -1});
  CHECK(ops::range(5, 2).shape() == Shape{0});
  CHECK(ops::range(2, 5, -1).shape() == Shape{0});
  CHECK(ops::range(0).shape() == Shape{0});
  CHECK(ops::range(-4).shape() == Shape{0});
  CHECK(ops::range(2000).to_vector<int32_t>()[1999] == 1999);

  Tensor f = ops::range(0.0, 1.0, 0.25);
  CHECK(f.dtype() == DType::float32);
  check_values(f, std::vector<double>{0, 0.25, 0.5, 0.75});
  check_values(ops::range(1.0, -1.0, -0.5, DType::float64), std::vector<double>{1, 0.5, 0, -0.5});
  check_values(ops::range(0.0, 1.0, 0.3, DType::float64), std::vector<double>{0, 0.3, 0.6, 0.9}, 1e-15);
  CHECK(ops::range(1.0, 1.0, 0.5).shape() == Shape{0});
  // Integer dtypes cast the arguments first (TensorFlow).
  Tensor i = ops::range(1.5, 5.0, 1.0, DType::int64);
  CHECK(i.dtype() == DType::int64);
  check_values(i, std::vector<int>{1, 2, 3, 4});
  check_values(ops::range(250.0, 256.0, 2.0, DType::uint8), std::vector<int>{250, 252, 254});
  Tensor big = ops::range(4e12, 4e12 + 3, 1.0, DType::int64);
  CHECK(big.to_vector<int64_t>() == std::vector<int64_t>{4000000000000, 4000000000001, 4000000000002});

  CHECK_THROWS_MSG(ops::range(0, 5, 0), std::invalid_argument, "range: delta must be non-zero, but received 0");
  CHECK_THROWS_MSG(ops::range(0.0, 5.0, 0.0), std::invalid_argument, "delta must be non-zero");
  CHECK_THROWS_MSG(ops::range(0.0, 5.0, 0.4, DType::int32), std::invalid_argument, "delta must be non-zero");
  CHECK_THROWS_MSG(ops::range(0, 5000000000, 2500000000), std::invalid_argument,
                   "range: the values from 0 to 2500000000 do not fit in dtype int32");
  CHECK_THROWS_MSG(ops::range(0.0, 300.0, 1.0, DType::uint8), std::invalid_argument,
                   "do not fit in dtype uint8");
  CHECK_THROWS_MSG(ops::range(0.0, INFINITY, 1.0), std::invalid_argument, "range: expected finite");
  CHECK_THROWS_MSG(ops::range(0.0, 1.0, 1e-300), std::invalid_argument, "range: too many elements");
  CHECK_THROWS_MSG(ops::range(0.0, 2.0, 1.0, DType::bool_), std::invalid_argument,
                   "range: expected dtype float32, float64, int8, int16, int32, int64, uint8, uint16 or uint32, but received dtype bool");
}

TEST_CASE("linspace: num points from start to stop inclusive") {
  Tensor l = ops::linspace(0.0, 1.0, 5);
  CHECK(l.dtype() == DType::float32);
  check_values(l, std::vector<double>{0, 0.25, 0.5, 0.75, 1});
  Tensor d = ops::linspace(-1.0, 2.0, 7, DType::float64);
  check_values(d, std::vector<double>{-1, -0.5, 0, 0.5, 1, 1.5, 2}, 1e-15);
  CHECK(ops::linspace(0.1, 0.7, 3, DType::float64).to_vector<double>()[2] == 0.7);  // exact end
  check_values(ops::linspace(3.0, 9.0, 1), std::vector<double>{3});
  CHECK(ops::linspace(3.0, 9.0, 0).shape() == Shape{0});
  check_values(ops::linspace(5.0, 1.0, 3), std::vector<double>{5, 3, 1});
  check_values(ops::linspace(0.0, 5.0, 4, DType::int32), std::vector<int>{0, 1, 3, 5});  // floor
  check_values(ops::linspace(-1.0, 0.0, 3, DType::int64), std::vector<int>{-1, -1, 0});
  CHECK_THROWS_MSG(ops::linspace(0.0, 1.0, -1), std::invalid_argument,
                   "linspace: expected num >= 0, but received -1");
  CHECK_THROWS_MSG(ops::linspace(0.0, 1.0, 2, DType::bool_), std::invalid_argument,
                   "linspace: expected dtype float32, float64, int8, int16, int32, int64, uint8, uint16 or uint32, but received dtype bool");
}

TEST_CASE("eye: ones on the main diagonal") {
  for (DType dt : kAll) {
    CAPTURE(std::string(core::dtype_name(dt)));
    Tensor e = ops::eye(3, std::nullopt, dt);
    CHECK(e.dtype() == dt);
    CHECK(e.shape() == Shape{3, 3});
    check_values(e, std::vector<int>{1, 0, 0, 0, 1, 0, 0, 0, 1});
    check_values(ops::eye(2, 4, dt), std::vector<int>{1, 0, 0, 0, 0, 1, 0, 0});
    check_values(ops::eye(3, 2, dt), std::vector<int>{1, 0, 0, 1, 0, 0});
  }
  CHECK(ops::eye(0).shape() == Shape{0, 0});
  CHECK(ops::eye(2, 0).shape() == Shape{2, 0});
  CHECK_THROWS_MSG(ops::eye(-1), std::invalid_argument,
                   "eye: expected rows >= 0 and cols >= 0, but received shape (-1, -1)");
  CHECK_THROWS_MSG(ops::eye(2, -3), std::invalid_argument, "received shape (2, -3)");
}

// ---- random numbers --------------------------------------------------------------------------

TEST_CASE("random: Philox4x32-10 known answer") {
  // Random123's test vector: key 0, counter 0 -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8.
  // float64 uniforms take the top 53 bits of words 0-1; float32 the top 24 of word 0.
  Tensor d = ops::random_uniform({1}, opts(0, DType::float64));
  CHECK(d.to_vector<double>()[0] == static_cast<double>(0x6627e8d5e169c58dull >> 11) * 0x1.0p-53);
  Tensor f = ops::random_uniform({1}, opts(0));
  CHECK(f.to_vector<float>()[0] == static_cast<float>(0x6627e8 * 0x1.0p-24));
}

TEST_CASE("random: a fixed seed gives the same numbers, different seeds differ") {
  using Fn = Tensor (*)(const Shape&, const core::ops::RandomOptions&);
  for (Fn fn : {Fn(ops::random_uniform), Fn(ops::random_normal), Fn(ops::truncated_normal)})
    for (DType dt : {DType::float32, DType::float64}) {
      Tensor a = fn({50, 40}, opts(123, dt)), b = fn({50, 40}, opts(123, dt));
      Tensor c = fn({50, 40}, opts(124, dt));
      CHECK(a.dtype() == dt);
      CHECK(a.shape() == Shape{50, 40});
      CHECK(values(a) == values(b));
      auto va = values(a), vc = values(c);
      int same = 0;
      for (size_t i = 0; i < va.size(); ++i) same += va[i] == vc[i];
      CHECK(same < 5);
      // Element i depends only on (seed, i): a prefix of a bigger draw is the same.
      Tensor p = fn({2000}, opts(123, dt));
      CHECK(values(p) == va);
    }
  // float32 normals are the float64 normals rounded.
  Tensor n32 = ops::random_normal({100}, opts(9)), n64 = ops::random_normal({100}, opts(9, DType::float64));
  check_values(n32, values(ops::cast(n64, DType::float32)), 0);
  CHECK(ops::random_uniform({}, opts(1)).shape() == Shape{});
  CHECK(ops::random_normal({0, 3}, opts(1)).shape() == Shape{0, 3});
}

TEST_CASE("random: identical for 1 and 2 threads") {
  const int saved = core::get_num_threads();
  std::vector<double> r[2][5];
  for (int t = 0; t < 2; ++t) {
    core::set_num_threads(t + 1);
    r[t][0] = values(ops::random_uniform({300, 301}, opts(7)));
    r[t][1] = values(ops::random_normal({300, 301}, opts(7, DType::float64)));
    r[t][2] = values(ops::truncated_normal({300, 301}, opts(7)));
    r[t][3] = values(ops::random_uniform({300, 301}, opts(7, DType::int64)));
    r[t][4] = values(ops::range(0.0, 1.0, 1e-5));
  }
  core::set_num_threads(saved);
  for (int k = 0; k < 5; ++k) CHECK(r[0][k] == r[1][k]);
}

TEST_CASE("random: distributions of 100k draws") {
  const Shape s{100000};
  for (DType dt : {DType::float32, DType::float64}) {
    CAPTURE(std::string(core::dtype_name(dt)));
    auto o = opts(31, dt);
    o.minval = 2.0;
    o.maxval = 5.0;
    Moments u = moments(ops::random_uniform(s, o));
    CHECK(u.mean == doctest::Approx(3.5).epsilon(0.005));
    CHECK(u.std == doctest::Approx(std::sqrt(0.75)).epsilon(0.01));
    CHECK(u.min >= 2.0);
    CHECK(u.max < 5.0);
    CHECK(u.min < 2.001);
    CHECK(u.max > 4.999);

    o.mean = 1.0;
    o.stddev = 2.0;
    Moments n = moments(ops::random_normal(s, o));
    CHECK(std::fabs(n.mean - 1.0) < 0.02);
    CHECK(n.std == doctest::Approx(2.0).epsilon(0.01));
    CHECK(n.max > 1.0 + 2 * 3.5);  // the tails are there

    Moments t = moments(ops::truncated_normal(s, o));
    CHECK(std::fabs(t.mean - 1.0) < 0.02);
    CHECK(t.min >= 1.0 - 4.0 - 1e-6);
    CHECK(t.max <= 1.0 + 4.0 + 1e-6);
    // The standard normal truncated to [-2, 2] has stddev 0.87962.
    CHECK(t.std == doctest::Approx(2.0 * 0.87962).epsilon(0.01));
    CHECK(t.max > 1.0 + 3.9);
  }
  Moments z = moments(ops::random_normal(s, opts(5)));
  CHECK(std::fabs(z.mean) < 0.01);
  CHECK(z.std == doctest::Approx(1.0).epsilon(0.01));
  Tensor zero_std = ops::random_normal({10}, [] { auto o = opts(1); o.mean = 3; o.stddev = 0; return o; }());
  check_values(zero_std, std::vector<double>(10, 3.0), 0);
}

TEST_CASE("random: uniform integers cover [minval, maxval) evenly") {
  for (DType dt : {DType::int32, DType::int64}) {
    CAPTURE(std::string(core::dtype_name(dt)));
    auto o = opts(77, dt);
    o.minval = -3;
    o.maxval = 4;
    Tensor t = ops::random_uniform({70000}, o);
    CHECK(t.dtype() == dt);
    std::map<int, int> count;
    for (double v : values(t)) ++count[static_cast<int>(v)];
    REQUIRE(count.size() == 7);
    CHECK(count.begin()->first == -3);
    CHECK(count.rbegin()->first == 3);
    for (auto& [v, c] : count) CHECK(std::abs(c - 10000) < 500);
  }
  auto o = opts(3, DType::int64);
  o.minval = -9223372036854775808.0;
  o.maxval = 9223372036854775808.0;  // the full int64 range
  auto v = ops::random_uniform({1000}, o).to_vector<int64_t>();
  CHECK(*std::min_element(v.begin(), v.end()) < -(int64_t{1} << 61));
  CHECK(*std::max_element(v.begin(), v.end()) > (int64_t{1} << 61));
  o.dtype = DType::int32;
  o.minval = -2147483648.0;
  o.maxval = 2147483648.0;
  CHECK(ops::random_uniform({10}, o).dtype() == DType::int32);
}

TEST_CASE("random: seed < 0 draws from the global generator that set_random_seed resets") {
  ops::set_random_seed(42);
  Tensor a1 = ops::random_uniform({20}), a2 = ops::random_normal({20});
  ops::set_random_seed(42);
  Tensor b1 = ops::random_uniform({20}), b2 = ops::random_normal({20});
  CHECK(values(a1) == values(b1));
  CHECK(values(a2) == values(b2));
  CHECK(values(ops::random_uniform({20})) != values(a1));  // the next seed differs
  ops::set_random_seed(43);
  CHECK(values(ops::random_uniform({20})) != values(a1));
}

TEST_CASE("random: errors") {
  auto o = opts(1);
  o.minval = 1;
  o.maxval = 1;
  CHECK_THROWS_MSG(ops::random_uniform({2}, o), std::invalid_argument,
                   "random_uniform: expected finite minval < maxval, but received minval 1 and maxval 1");
  o.maxval = NAN;
  CHECK_THROWS_MSG(ops::random_uniform({2}, o), std::invalid_argument, "expected finite minval < maxval");
  o = opts(1, DType::int32);
  o.minval = 0.5;
  o.maxval = 3;
  CHECK_THROWS_MSG(ops::random_uniform({2}, o), std::invalid_argument,
                   "random_uniform: expected integer minval and maxval within the range of int32, "
                   "but received minval 0.5 and maxval 3");
  o.minval = 0;
  o.maxval = 3e9;
  CHECK_THROWS_MSG(ops::random_uniform({2}, o), std::invalid_argument, "within the range of int32");
  CHECK_THROWS_MSG(ops::random_uniform({2}, opts(1, DType::uint8)), std::invalid_argument,
                   "random_uniform: expected dtype float32, float64, int32 or int64, but received dtype uint8");
  CHECK_THROWS_MSG(ops::random_normal({2}, opts(1, DType::int32)), std::invalid_argument,
                   "random_normal: expected dtype float32 or float64, but received dtype int32");
  CHECK_THROWS_MSG(ops::truncated_normal({2}, opts(1, DType::bool_)), std::invalid_argument,
                   "truncated_normal: expected dtype float32 or float64, but received dtype bool");
  o = opts(1);
  o.stddev = -1;
  CHECK_THROWS_MSG(ops::random_normal({2}, o), std::invalid_argument,
                   "random_normal: expected a finite mean and a finite stddev >= 0, but received "
                   "mean 0 and stddev -1");
  CHECK_THROWS_MSG(ops::truncated_normal({2}, o), std::invalid_argument, "stddev >= 0");
  o = opts(1);
  o.maxval = 1e300;
  CHECK_THROWS_MSG(ops::random_uniform({2}, o), std::invalid_argument,
                   "must lie within the range of float32");
  CHECK_THROWS_AS(ops::random_normal(Shape({-1}), opts(1)), std::invalid_argument);
  core::Attrs a;
  a.shape = {3};
  a.k = -5;
  a.beta = 1;
  CHECK_THROWS_MSG(core::dispatch(core::OpId::RandomNormal, std::span<const Tensor>(), a), std::invalid_argument,
                   "random_normal: expected a seed >= 0, but received -5");
}
