// test_debugging.cpp - check_numerics and op determinism (TensorFlow's
// tf.debugging.enable_check_numerics and tf.config.experimental.enable_op_determinism).
#include <limits>

#include "helpers.h"

using namespace th;

namespace {
// Turns a switch off at the end of a test, even when a check fails.
struct NumericsOn {
  NumericsOn() { core::enable_check_numerics(); }
  ~NumericsOn() { core::disable_check_numerics(); }
};
struct DeterminismOn {
  DeterminismOn() { core::enable_op_determinism(); }
  ~DeterminismOn() { core::disable_op_determinism(); }
};
}  // namespace

TEST_CASE("check_numerics: off by default; when on, the first op making NaN or Inf raises") {
  Tensor x = core::constant({1.0f, 0.0f, -1.0f});
  CHECK_FALSE(core::check_numerics_enabled());
  check_values(ops::log(x), std::vector<double>{0, -std::numeric_limits<double>::infinity(),
                                                std::numeric_limits<double>::quiet_NaN()});
  NumericsOn on;
  CHECK(core::check_numerics_enabled());
  CHECK_THROWS_MSG(ops::log(x), core::NumericsError,
                   "check_numerics: op 'log' produced 1 NaN, 0 +Inf and 1 -Inf values in output 0 "
                   "(of 1), dtype float32, shape (3,)");
  CHECK_THROWS_MSG(ops::divide(x, ops::zeros_like(x)), core::NumericsError, "op 'divide'");
  CHECK_THROWS_MSG(ops::exp(core::constant({1000.0}, DType::float64)), core::NumericsError,
                   "1 +Inf");
  // Finite results and integer ops pass.
  check_values(ops::exp(x), std::vector<double>{std::exp(1.0), 1, std::exp(-1.0)});
  check_values(ops::add(core::constant({1, 2}), core::constant({3, 4})), std::vector<int>{4, 6});
}

TEST_CASE("check_numerics: also inside a traced function's graph and in gradients") {
  auto f = core::function([](const Tensor& v) { return ops::sqrt(ops::multiply(v, v)); });
  auto g = core::function([](const Tensor& v) { return ops::log(v); });
  Tensor ok = core::constant({2.0f, 3.0f});
  check_values(f(ok), std::vector<double>{2, 3});
  g(ok);  // traced while off: the graph is checked when it runs
  NumericsOn on;
  check_values(f(ok), std::vector<double>{2, 3});
  CHECK_THROWS_MSG(g(core::constant({-1.0f, 3.0f})), core::NumericsError, "op 'log' produced 1 NaN");
  // A gradient that divides by zero
  Tensor x = core::constant({0.0f, 4.0f});
  core::GradientTape tape;
  tape.watch(x);
  Tensor y = ops::sum(ops::sqrt(x));
  CHECK_THROWS_AS(tape.gradient(y, x), core::NumericsError);
}

TEST_CASE("op determinism: unseeded random ops raise until a global seed is set") {
  DeterminismOn on;
  CHECK(core::op_determinism_enabled());
  // An op seed of its own is deterministic.
  Tensor a = ops::random_uniform({4}, {.seed = 3}), b = ops::random_uniform({4}, {.seed = 3});
  CHECK(values(a) == values(b));
  ops::unset_random_seed();
  CHECK_THROWS_MSG(ops::random_normal({2}), core::DeterminismError,
                   "random_normal: op determinism is enabled");
  auto traced = core::function([](const Tensor& v) { return ops::add(v, ops::random_uniform({2})); });
  CHECK_THROWS_MSG(traced(ops::zeros({2})), core::DeterminismError, "random_uniform");
  ops::set_random_seed(42);
  Tensor c = ops::random_normal({3});
  ops::set_random_seed(42);
  CHECK(values(ops::random_normal({3})) == values(c));
  auto f = core::function([](const Tensor& v) { return ops::add(v, ops::random_uniform({2})); });
  ops::set_random_seed(7);
  auto r1 = values(f(ops::zeros({2})));
  ops::set_random_seed(7);
  CHECK(values(f(ops::zeros({2}))) == r1);
}

TEST_CASE("op determinism: reductions give identical bits for any thread count") {
  const int saved = core::get_num_threads();
  std::vector<float> data(3'000'001);
  for (size_t i = 0; i < data.size(); ++i) data[i] = float(std::sin(double(i))) * 1e3f + 1e-3f * float(i % 7);
  Tensor x = core::constant(data);
  Tensor m = ops::reshape(x, {3'000'001});
  std::vector<std::vector<double>> sums;
  for (int t : {1, 2, 3, 8}) {
    core::set_num_threads(t);
    sums.push_back({ops::sum(x).item<double>(), ops::mean(x).item<double>(),
                    ops::variance(x).item<double>(), ops::logsumexp(m).item<double>()});
  }
  core::set_num_threads(saved);
  for (size_t i = 1; i < sums.size(); ++i) CHECK(sums[i] == sums[0]);
}

// AddressSanitizer aborts on a huge allocation instead of returning null.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif

TEST_CASE("out of memory: a typed error naming the op or weight, the shape and the bytes" *
          doctest::skip(kAddressSanitizer)) {
  // 2^46 float32 elements: 256 TiB, representable but beyond any address space here
  // (never committed, whatever the overcommit setting).
  const int64_t n = int64_t{1} << 46;
  try {
    ops::zeros({n});
    FAIL("expected OutOfMemoryError");
  } catch (const core::OutOfMemoryError& e) {
    const std::string m = e.what();
    CHECK(m.find("fill: output 0") != std::string::npos);
    CHECK(m.find("(70368744177664,)") != std::string::npos);
    CHECK(m.find("float32") != std::string::npos);
    CHECK(m.find("281474976710656 bytes") != std::string::npos);
  }
  CHECK_THROWS_AS(ops::ones({n}), std::bad_alloc);  // still a std::bad_alloc
}

TEST_CASE("out of memory: a byte count beyond 2^62 raises before allocating") {
  CHECK_THROWS_MSG(ops::zeros({int64_t{1} << 62}), core::OutOfMemoryError, "exceeds 2^62 bytes");
  CHECK_THROWS_MSG(ops::zeros({int64_t{1} << 31, int64_t{1} << 31}, DType::float64),
                   core::OutOfMemoryError, "(2147483648, 2147483648)");
  CHECK_THROWS_AS(ops::zeros({int64_t{1} << 62}), std::bad_alloc);
}

TEST_CASE("set_num_threads: a count beyond the limit raises naming the count and the limit") {
  const int saved = core::get_num_threads();
  CHECK_THROWS_MSG(core::set_num_threads(100000), std::invalid_argument,
                   "set_num_threads: expected 1 <= n <= 1024, but received 100000");
  CHECK_THROWS_MSG(core::set_num_threads(0), std::invalid_argument, "received 0");
  CHECK(core::get_num_threads() == saved);
  core::set_num_threads(2);
  CHECK(core::get_num_threads() == 2);
  core::set_num_threads(saved);
}
