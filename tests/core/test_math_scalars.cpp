// test_math_scalars.cpp - C++ scalar operands of every binary op (core/ops_math.h's one
// template per side): ops::maximum(x, 1.0) equals ops::maximum(x, scalar tensor) for every
// op, on both sides; int literals work; a scalar the tensor's dtype cannot hold raises
// ConversionError naming the op; the C++ operators (x * 2.0) are unchanged.
#include <functional>
#include <string>
#include <vector>

#include "helpers.h"

using namespace th;

namespace {

struct ScalarCase {
  std::string name;
  std::function<Tensor(const Tensor&, const Tensor&)> tensors;
  std::function<Tensor(const Tensor&)> right;  // op(x, 2) with a C++ scalar
  std::function<Tensor(const Tensor&)> left;   // op(2, x)
};

// One case per binary op: the C++ scalar forms next to the all-tensor form. The scalar is 2
// (as a double on the right, an int on the left); the logical ops take 1 (true).
#define SCALAR_CASE(op, v)                                                          \
  ScalarCase {                                                                      \
    #op, [](const Tensor& a, const Tensor& b) { return ops::op(a, b); },            \
        [](const Tensor& a) { return ops::op(a, double(v)); },                      \
        [](const Tensor& b) { return ops::op(int(v), b); }                          \
  }

std::vector<ScalarCase> float_cases() {
  return {SCALAR_CASE(add, 2), SCALAR_CASE(subtract, 2), SCALAR_CASE(multiply, 2), SCALAR_CASE(divide, 2),
          SCALAR_CASE(true_divide, 2), SCALAR_CASE(floor_divide, 2), SCALAR_CASE(mod, 2), SCALAR_CASE(power, 2),
          SCALAR_CASE(maximum, 2), SCALAR_CASE(minimum, 2), SCALAR_CASE(squared_difference, 2),
          SCALAR_CASE(equal, 2), SCALAR_CASE(not_equal, 2), SCALAR_CASE(less, 2), SCALAR_CASE(less_equal, 2),
          SCALAR_CASE(greater, 2), SCALAR_CASE(greater_equal, 2), SCALAR_CASE(logical_xor, 2),
          SCALAR_CASE(arctan2, 2), SCALAR_CASE(hypot, 2), SCALAR_CASE(logaddexp, 2), SCALAR_CASE(logaddexp2, 2),
          SCALAR_CASE(fmax, 2), SCALAR_CASE(fmin, 2), SCALAR_CASE(fmod, 2), SCALAR_CASE(heaviside, 2),
          SCALAR_CASE(nextafter, 2), SCALAR_CASE(isclose, 2), SCALAR_CASE(allclose, 2),
          SCALAR_CASE(divide_no_nan, 2)};
}
std::vector<ScalarCase> int_cases() {
  return {SCALAR_CASE(gcd, 2), SCALAR_CASE(lcm, 2), SCALAR_CASE(bitwise_and, 2), SCALAR_CASE(bitwise_or, 2),
          SCALAR_CASE(bitwise_xor, 2), SCALAR_CASE(bitwise_left_shift, 2), SCALAR_CASE(bitwise_right_shift, 2),
          SCALAR_CASE(left_shift, 2), SCALAR_CASE(right_shift, 2), SCALAR_CASE(maximum, 2), SCALAR_CASE(subtract, 2)};
}
std::vector<ScalarCase> bool_cases() {
  return {SCALAR_CASE(logical_and, 1), SCALAR_CASE(logical_or, 1), SCALAR_CASE(logical_xor, 1)};
}

void check_same(const Tensor& got, const Tensor& want) {
  CHECK(got.dtype() == want.dtype());
  REQUIRE(got.shape() == want.shape());
  check_values(got, values(want), 0);
}

void run(const std::vector<ScalarCase>& cases, const Tensor& x, double v) {
  for (const ScalarCase& c : cases) {
    CAPTURE(c.name);
    const Tensor s = ops::scalar_like(x, v);
    check_same(c.right(x), c.tensors(x, s));
    check_same(c.left(x), c.tensors(s, x));
  }
}

}  // namespace

TEST_CASE("scalars: every binary op takes a C++ scalar on either side, as a tensor of the other's dtype") {
  run(float_cases(), core::constant(std::vector<double>{-1.5, 0.0, 0.5, 2.0, 3.25}), 2.0);
  run(float_cases(), core::constant({-1.5, 0.0, 0.5, 2.0, 3.25}), 2.0);  // float32
  run(int_cases(), core::constant({-3, 0, 1, 2, 12}), 2.0);
  run(bool_cases(), core::constant({true, false, true}), 1.0);
}

TEST_CASE("scalars: int literals, integral doubles, extra arguments and the C++ operators") {
  const Tensor x = core::constant({1.0f, 4.0f}), i = core::constant({1, 4});
  check_values(ops::maximum(x, 2), std::vector<double>{2, 4});
  check_values(ops::maximum(i, 2.0), std::vector<double>{2, 4});  // an integral double on int32
  CHECK(ops::maximum(i, int64_t{2}).dtype() == DType::int32);
  check_values(ops::power(2.0, x), std::vector<double>{2, 16});
  check_values(ops::arctan2(x, 0.5f), std::vector<double>{std::atan2(1, 0.5), std::atan2(4, 0.5)}, 1e-6);
  check_values(ops::isclose(x, 1.001, 1e-2), std::vector<bool>{true, false});
  check_values(ops::isclose(1.001, x, 0.0, 0.0, false), std::vector<bool>{false, false});
  check_values(ops::ldexp(x, 3), std::vector<double>{8, 32});
  CHECK(ops::ldexp(1.5, i).dtype() == DType::float32);
  check_values(ops::ldexp(1.5, i), std::vector<double>{3, 24});
  check_values(x * 2.0, std::vector<double>{2, 8});
  check_values(2.0 - x, std::vector<double>{1, -2});
  check_values(i * 2, std::vector<double>{2, 8});
  check_values(x > 2.0, std::vector<bool>{false, true});
}

TEST_CASE("scalars: a scalar the tensor's dtype cannot hold raises ConversionError naming the op") {
  const Tensor i = core::constant({1, 4});
  auto message = [](auto&& f) -> std::string {
    try {
      f();
    } catch (const core::ConversionError& e) {
      return e.what();
    }
    return "(no ConversionError)";
  };
  std::string m = message([&] { (void)ops::maximum(i, 2.5); });
  CHECK(m.find("maximum") != std::string::npos);
  CHECK(m.find("2.5") != std::string::npos);
  CHECK(m.find("int32") != std::string::npos);
  CHECK(message([&] { (void)ops::gcd(2.5, i); }).find("gcd") != std::string::npos);
  CHECK(message([&] { (void)ops::add(ops::ones({2}, DType::uint8), 300); }).find("300") != std::string::npos);
  CHECK(message([&] { (void)ops::power(i, 0.5); }).find("power") != std::string::npos);
}
