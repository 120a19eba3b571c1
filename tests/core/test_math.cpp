// test_math.cpp - the elementwise math of core/ops_math.h against Keras 3 (the fixture of
// tests/data/ops/make_elem_fixtures.py): values with NaN, infinities and domain edges,
// result dtypes for float, int32 and int64 inputs, broadcasting, empty tensors, and bad
// input raising named errors. Scalar operands: test_math_scalars.cpp.
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "../error_of.h"
#include "elem_fixture.h"
#include "ops_names.h"

using namespace th;
using elem::check_like;
using elem::fx;

namespace {

using Unary = std::function<Tensor(const Tensor&)>;
using Binary = std::function<Tensor(const Tensor&, const Tensor&)>;

const std::vector<std::pair<std::string, Unary>>& unary_ops() {
  static const std::vector<std::pair<std::string, Unary>> t = {
      {"absolute", [](auto& x) { return ops::absolute(x); }}, {"negative", [](auto& x) { return ops::negative(x); }},
      {"fabs", [](auto& x) { return ops::fabs(x); }},         {"cbrt", [](auto& x) { return ops::cbrt(x); }},
      {"erf", [](auto& x) { return ops::erf(x); }},           {"erfc", [](auto& x) { return ops::erfc(x); }},
      {"erfinv", [](auto& x) { return ops::erfinv(x); }},     {"exp2", [](auto& x) { return ops::exp2(x); }},
      {"log10", [](auto& x) { return ops::log10(x); }},       {"log2", [](auto& x) { return ops::log2(x); }},
      {"sinh", [](auto& x) { return ops::sinh(x); }},         {"cosh", [](auto& x) { return ops::cosh(x); }},
      {"tan", [](auto& x) { return ops::tan(x); }},           {"arccos", [](auto& x) { return ops::arccos(x); }},
      {"arccosh", [](auto& x) { return ops::arccosh(x); }},   {"arcsin", [](auto& x) { return ops::arcsin(x); }},
      {"arcsinh", [](auto& x) { return ops::arcsinh(x); }},   {"arctan", [](auto& x) { return ops::arctan(x); }},
      {"arctanh", [](auto& x) { return ops::arctanh(x); }},   {"trunc", [](auto& x) { return ops::trunc(x); }},
      {"signbit", [](auto& x) { return ops::signbit(x); }},   {"sinc", [](auto& x) { return ops::sinc(x); }},
      {"i0", [](auto& x) { return ops::i0(x); }},             {"deg2rad", [](auto& x) { return ops::deg2rad(x); }},
      {"rad2deg", [](auto& x) { return ops::rad2deg(x); }},   {"nan_to_num", [](auto& x) { return ops::nan_to_num(x); }},
      {"isinf", [](auto& x) { return ops::isinf(x); }},       {"isneginf", [](auto& x) { return ops::isneginf(x); }},
      {"isposinf", [](auto& x) { return ops::isposinf(x); }},
  };
  return t;
}

const std::vector<std::pair<std::string, Binary>>& binary_ops() {
  static const std::vector<std::pair<std::string, Binary>> t = {
      {"arctan2", [](auto& a, auto& b) { return ops::arctan2(a, b); }},
      {"hypot", [](auto& a, auto& b) { return ops::hypot(a, b); }},
      {"logaddexp", [](auto& a, auto& b) { return ops::logaddexp(a, b); }},
      {"logaddexp2", [](auto& a, auto& b) { return ops::logaddexp2(a, b); }},
      {"fmax", [](auto& a, auto& b) { return ops::fmax(a, b); }},
      {"fmin", [](auto& a, auto& b) { return ops::fmin(a, b); }},
      {"fmod", [](auto& a, auto& b) { return ops::fmod(a, b); }},
      {"heaviside", [](auto& a, auto& b) { return ops::heaviside(a, b); }},
      {"nextafter", [](auto& a, auto& b) { return ops::nextafter(a, b); }},
      {"logical_xor", [](auto& a, auto& b) { return ops::logical_xor(a, b); }},
      {"divide_no_nan", [](auto& a, auto& b) { return ops::divide_no_nan(a, b); }},
      {"true_divide", [](auto& a, auto& b) { return ops::true_divide(a, b); }},
  };
  return t;
}

// Where keras-cpp knowingly differs from keras.ops on TensorFlow (see README): the C
// library's values at infinities. Keras's expected tensor with those elements replaced.
// (Inputs u, a: element 14 is +inf, 15 is -inf.)
Tensor with_fixes(const std::string& key, const Tensor& want) {
  const double inf = std::numeric_limits<double>::infinity();
  static const std::map<std::string, std::vector<std::pair<size_t, double>>> fixes = {
      {"erf_f64", {{14, 1.0}, {15, -1.0}}},          // TF: NaN (float64)
      {"i0_f64", {{14, inf}, {15, inf}}},            // TF: NaN
      {"i0_f32", {{14, inf}, {15, inf}}},
      {"hypot_f64", {{14, inf}}},                    // TF: NaN for hypot(inf, inf)
      {"hypot_f32", {{14, inf}}},
      {"nextafter_f32", {{15, -double(std::numeric_limits<float>::max())}}},  // TF: -inf
  };
  auto it = fixes.find(key);
  if (it == fixes.end()) return want;
  std::vector<double> v = values(want);
  for (auto [i, x] : it->second) v[i] = x;
  return make(v, want.shape(), want.dtype());
}


}  // namespace

TEST_CASE("math: unary ops match keras.ops on edge values in float64 and float32") {
  for (auto& [name, f] : unary_ops()) {
    CAPTURE(name);
    check_like(f(fx("u_f64")), with_fixes(name + "_f64", fx(name + "_f64")), 1e-12);
    // TensorFlow's float32 erfinv is a polynomial good to ~5e-6 (keras-cpp's is exact).
    check_like(f(ops::cast(fx("u_f64"), DType::float32)), with_fixes(name + "_f32", fx(name + "_f32")),
               name == "erfinv" ? 1e-5 : 2e-6);
  }
  check_like(ops::nan_to_num(fx("u_f64"), 1.5, 7.0, -8.0), fx("nan_to_num_args_f64"), 0);
  check_like(ops::erfinv(fx("erfinv_near_f64")), fx("erfinv_near_out_f64"), 1e-12);
  check_like(ops::i0(fx("i0_wide_f64")), fx("i0_wide_out_f64"), 1e-12);
  check_like(ops::bitwise_invert(fx("bits_i32")), fx("bitwise_invert_i32"), 0);
  check_like(ops::bitwise_not(core::constant(std::vector<uint8_t>{0, 1, 254, 255}, Shape{4})),
             fx("bitwise_invert_u8"), 0);
}

// keras.ops's dtype rules: int32 gives float32 for most functions; int64 gives float32,
// or float64 for cbrt, i0, deg2rad, rad2deg; trunc and nan_to_num keep integers.
TEST_CASE("math: erf and erfc of huge arguments are flat (no NaN from an overflowing square)") {
  // TensorFlow (float64): erfc = 0, 0, 0, 0, 2 and erf = 1, 1, 1 then NaN at +-1e300 (as at
  // the infinities, where keras-cpp keeps the limits: see with_fixes).
  for (DType dt : {DType::float64, DType::float32}) {
    CAPTURE(std::string(core::dtype_name(dt)));
    const Tensor x = make({1e10, 1e20, 1e100, 1e300, -1e300, -1e25}, Shape{6}, dt);
    const auto erf = values(ops::erf(x)), erfc = values(ops::erfc(x));
    const std::vector<double> want_erf = {1, 1, 1, 1, -1, -1}, want_erfc = {0, 0, 0, 0, 2, 2};
    for (size_t i = 0; i < 6; ++i) {
      CAPTURE(i);
      CHECK(erf[i] == want_erf[i]);
      CHECK(erfc[i] == want_erfc[i]);
    }
  }
}

TEST_CASE("math: arccosh is NaN below 1, large negative arguments included") {
  for (DType dt : {DType::float64, DType::float32}) {
    CAPTURE(std::string(core::dtype_name(dt)));
    const auto r = values(ops::arccosh(make({-1e300, -1e155, -1e20, -1e10, -2, 0.5, 1, 1e300}, Shape{8}, dt)));
    for (size_t i = 0; i < 6; ++i) CHECK(std::isnan(r[i]));
    CHECK(r[6] == 0);
    if (dt == DType::float64) CHECK(r[7] == doctest::Approx(std::acosh(1e300)).epsilon(1e-14));
    else CHECK(r[7] == std::numeric_limits<double>::infinity());
  }
}

TEST_CASE("math: unary ops on int32 and int64 inputs give keras.ops's values and dtypes") {
  for (auto& [name, f] : unary_ops()) {
    if (!elem::has(name + "_i32")) continue;
    CAPTURE(name);
    check_like(f(fx("u_i32")), fx(name + "_i32"), 1e-6);
    check_like(f(ops::cast(fx("u_i32"), DType::int64)), fx(name + "_i64"), 1e-6);
  }
  for (auto& [name, f] : unary_ops()) {  // erf, erfc, erfinv raise on integers, as keras.ops
    if (name.rfind("erf", 0) != 0) continue;
    CAPTURE(name);
    std::string e = error_of([&] { (void)f(ops::range(3)); });
    CHECK(e.find(name) != std::string::npos);
    CHECK(e.find("int32") != std::string::npos);
  }
}

TEST_CASE("math: binary ops match keras.ops with broadcasting, edge values and int inputs") {
  const Tensor a = fx("a_f64"), b = fx("b_f64");
  for (auto& [name, f] : binary_ops()) {
    CAPTURE(name);
    // Keras's logaddexp2 divides by ln 2 rounded to float32 (a 3e-9 relative difference)
    check_like(f(a, b), with_fixes(name + "_f64", fx(name + "_f64")), name == "logaddexp2" ? 1e-8 : 1e-12);
    check_like(f(ops::cast(a, DType::float32), ops::cast(b, DType::float32)),
               with_fixes(name + "_f32", fx(name + "_f32")), 2e-6);
    const Tensor ai = fx("ai_i32"), bi = fx("bi_i32");
    if (name == "true_divide") {  // divide's TensorFlow rule: int32 and int64 divide in float64
      CHECK(f(ai, bi).dtype() == DType::float64);
      check_values(f(ops::cast(ai, DType::int64), ops::cast(bi, DType::int64)), values(fx(name + "_i64")), 1e-6);
      continue;
    }
    if (elem::has(name + "_i32") && name != "fmod") check_like(f(ai, core::constant({3, -3, 0, 4})), fx(name + "_i32"), 1e-6);
    check_like(f(ops::cast(ai, DType::int64), ops::cast(bi, DType::int64)), fx(name + "_i64"), 1e-6);
  }
  check_like(ops::fmod(fx("ai_i32"), fx("bi_i32")), fx("fmod_i32"), 0);
  check_like(ops::isclose(fx("ai_i32"), core::constant({3, -3, 0, 4})), fx("isclose_i32"), 0);
  check_like(ops::isclose(ops::cast(fx("ai_i32"), DType::int64), ops::cast(fx("bi_i32"), DType::int64)), fx("isclose_i64"), 0);
  // isclose: NumPy's values (keras.ops's except for infinities; see README)
  check_like(ops::isclose(a, b), fx("np_isclose_f64"), 0);
  check_like(ops::isclose(ops::cast(a, DType::float32), ops::cast(b, DType::float32)), fx("np_isclose_f32"), 0);
  check_like(ops::isclose(a, b, 1e-5, 1e-8, true), fx("np_isclose_eqnan_f64"), 0);
  check_like(ops::isclose(a, b, 0.5, 0.6), fx("np_isclose_tol_f64"), 0);
  check_like(ops::allclose(a, ops::add(a, 1e-9)), fx("allclose_f64"), 0);
  check_like(ops::allclose(core::constant({1.0, 2.0}), core::constant({1.0, 2.001}), 1e-3), fx("allclose_tol_f64"), 0);
  check_like(ops::ldexp(a, core::constant({1, -2, 3, 0, 5, -1, 2, 3})), fx("ldexp_f64"), 1e-12);
  check_like(ops::ldexp(fx("ai_i32"), core::constant({1, -2, 3, 0})), fx("ldexp_i32"), 1e-6);
}

TEST_CASE("math: integer ops (gcd, lcm, bitwise, shifts) match keras.ops in int32, int64, uint8") {
  for (std::string k : {"i32", "i64", "u8"}) {
    CAPTURE(k);
    const Tensor x = fx("gx_" + k), y = fx("gy_" + k), sx = fx("sx_" + k), sy = fx("sy_" + k);
    check_like(ops::gcd(x, y), fx("gcd_" + k), 0);
    check_like(ops::lcm(x, y), fx("lcm_" + k), 0);
    check_like(ops::bitwise_and(x, y), fx("bitwise_and_" + k), 0);
    check_like(ops::bitwise_or(x, y), fx("bitwise_or_" + k), 0);
    check_like(ops::bitwise_xor(x, y), fx("bitwise_xor_" + k), 0);
    check_like(ops::bitwise_left_shift(sx, sy), fx("bitwise_left_shift_" + k), 0);
    check_like(ops::bitwise_right_shift(sx, sy), fx("bitwise_right_shift_" + k), 0);
    check_like(ops::left_shift(sx, sy), fx("bitwise_left_shift_" + k), 0);
    check_like(ops::right_shift(sx, sy), fx("bitwise_right_shift_" + k), 0);
  }
}

TEST_CASE("math: empty tensors keep their shape") {
  const Tensor e = ops::zeros({0, 3}), ei = ops::zeros({0, 3}, DType::int32);
  for (auto& [name, f] : unary_ops()) {
    CAPTURE(name);
    if (name.rfind("erf", 0) != 0) CHECK(f(ei).shape() == Shape{0, 3});
    CHECK(f(e).shape() == Shape{0, 3});
  }
  for (auto& [name, f] : binary_ops()) {
    CAPTURE(name);
    CHECK(f(e, ops::ones({3})).shape() == Shape{0, 3});
  }
  CHECK(ops::gcd(ei, ops::ones({1}, DType::int32)).shape() == Shape{0, 3});
  CHECK(ops::allclose(e, e).item<bool>());
}

TEST_CASE("math: bad input raises std::invalid_argument naming the op, expected and received") {
  const Tensor f = ops::ones({2}), i = ops::ones({2}, DType::int32);
  auto has = [](const std::string& msg, std::initializer_list<const char*> parts) {
    for (const char* p : parts) CHECK_MESSAGE(msg.find(p) != std::string::npos, msg << " lacks " << p);
  };
  has(error_of([&] { (void)ops::bitwise_and(f, f); }), {"bitwise_and", "float32"});
  has(error_of([&] { (void)ops::bitwise_invert(f); }), {"bitwise_invert", "float32"});
  has(error_of([&] { (void)ops::gcd(i, ops::ones({2}, DType::int64)); }), {"gcd", "int32", "int64"});
  has(error_of([&] { (void)ops::arctan2(f, i); }), {"arctan2", "float32", "int32"});
  has(error_of([&] { (void)ops::hypot(ops::ones({2}), ops::ones({3})); }), {"hypot", "(2,)", "(3,)"});
  has(error_of([&] { (void)ops::ldexp(f, f); }), {"ldexp", "integer", "float32"});
  has(error_of([&] { (void)ops::fmod(i, ops::zeros({2}, DType::int32)); }), {"fmod", "division by zero"});
  has(error_of([&] { (void)ops::isclose(f, ops::ones({2}, DType::float64)); }), {"isclose", "float32", "float64"});
  has(error_of([&] { (void)ops::hypot(ops::cast(i, DType::bool_), ops::cast(i, DType::bool_)); }), {"hypot", "bool"});
  has(error_of([&] { (void)ops::negative(ops::ones({2}, DType::uint8)); }), {"neg", "uint8"});
}

KERAS_OPS_NAME("absolute", (void)ops::absolute(ops::ones({2})));
KERAS_OPS_NAME("negative", (void)ops::negative(ops::ones({2})));
KERAS_OPS_NAME("fabs", (void)ops::fabs(ops::ones({2})));
KERAS_OPS_NAME("cbrt", (void)ops::cbrt(ops::ones({2})));
KERAS_OPS_NAME("erf", (void)ops::erf(ops::ones({2})));
KERAS_OPS_NAME("erfc", (void)ops::erfc(ops::ones({2})));
KERAS_OPS_NAME("erfinv", (void)ops::erfinv(ops::zeros({2})));
KERAS_OPS_NAME("exp2", (void)ops::exp2(ops::ones({2})));
KERAS_OPS_NAME("log10", (void)ops::log10(ops::ones({2})));
KERAS_OPS_NAME("log2", (void)ops::log2(ops::ones({2})));
KERAS_OPS_NAME("sinh", (void)ops::sinh(ops::ones({2})));
KERAS_OPS_NAME("cosh", (void)ops::cosh(ops::ones({2})));
KERAS_OPS_NAME("tan", (void)ops::tan(ops::ones({2})));
KERAS_OPS_NAME("arccos", (void)ops::arccos(ops::ones({2})));
KERAS_OPS_NAME("arccosh", (void)ops::arccosh(ops::ones({2})));
KERAS_OPS_NAME("arcsin", (void)ops::arcsin(ops::ones({2})));
KERAS_OPS_NAME("arcsinh", (void)ops::arcsinh(ops::ones({2})));
KERAS_OPS_NAME("arctan", (void)ops::arctan(ops::ones({2})));
KERAS_OPS_NAME("arctanh", (void)ops::arctanh(ops::zeros({2})));
KERAS_OPS_NAME("trunc", (void)ops::trunc(ops::ones({2})));
KERAS_OPS_NAME("signbit", (void)ops::signbit(ops::ones({2})));
KERAS_OPS_NAME("sinc", (void)ops::sinc(ops::ones({2})));
KERAS_OPS_NAME("i0", (void)ops::i0(ops::ones({2})));
KERAS_OPS_NAME("deg2rad", (void)ops::deg2rad(ops::ones({2})));
KERAS_OPS_NAME("rad2deg", (void)ops::rad2deg(ops::ones({2})));
KERAS_OPS_NAME("nan_to_num", (void)ops::nan_to_num(ops::ones({2})));
KERAS_OPS_NAME("isinf", (void)ops::isinf(ops::ones({2})));
KERAS_OPS_NAME("isneginf", (void)ops::isneginf(ops::ones({2})));
KERAS_OPS_NAME("isposinf", (void)ops::isposinf(ops::ones({2})));
KERAS_OPS_NAME("bitwise_invert", (void)ops::bitwise_invert(ops::range(3)));
KERAS_OPS_NAME("bitwise_not", (void)ops::bitwise_not(ops::range(3)));
KERAS_OPS_NAME("arctan2", (void)ops::arctan2(ops::ones({2}), ops::ones({2})));
KERAS_OPS_NAME("hypot", (void)ops::hypot(ops::ones({2}), ops::ones({2})));
KERAS_OPS_NAME("logaddexp", (void)ops::logaddexp(ops::ones({2}), ops::ones({2})));
KERAS_OPS_NAME("logaddexp2", (void)ops::logaddexp2(ops::ones({2}), ops::ones({2})));
KERAS_OPS_NAME("fmax", (void)ops::fmax(ops::ones({2}), ops::ones({2})));
KERAS_OPS_NAME("fmin", (void)ops::fmin(ops::ones({2}), ops::ones({2})));
KERAS_OPS_NAME("fmod", (void)ops::fmod(ops::ones({2}), ops::ones({2})));
KERAS_OPS_NAME("heaviside", (void)ops::heaviside(ops::ones({2}), ops::ones({2})));
KERAS_OPS_NAME("gcd", (void)ops::gcd(ops::range(3), ops::range(3)));
KERAS_OPS_NAME("lcm", (void)ops::lcm(ops::range(3), ops::range(3)));
KERAS_OPS_NAME("ldexp", (void)ops::ldexp(ops::ones({2}), ops::range(2)));
KERAS_OPS_NAME("nextafter", (void)ops::nextafter(ops::ones({2}), ops::zeros({2})));
KERAS_OPS_NAME("bitwise_and", (void)ops::bitwise_and(ops::range(3), ops::range(3)));
KERAS_OPS_NAME("bitwise_or", (void)ops::bitwise_or(ops::range(3), ops::range(3)));
KERAS_OPS_NAME("bitwise_xor", (void)ops::bitwise_xor(ops::range(3), ops::range(3)));
KERAS_OPS_NAME("bitwise_left_shift", (void)ops::bitwise_left_shift(ops::range(3), ops::range(3)));
KERAS_OPS_NAME("bitwise_right_shift", (void)ops::bitwise_right_shift(ops::range(3), ops::range(3)));
KERAS_OPS_NAME("left_shift", (void)ops::left_shift(ops::range(3), ops::range(3)));
KERAS_OPS_NAME("right_shift", (void)ops::right_shift(ops::range(3), ops::range(3)));
KERAS_OPS_NAME("logical_xor", (void)ops::logical_xor(ops::range(3), ops::range(3)));
KERAS_OPS_NAME("isclose", (void)ops::isclose(ops::ones({2}), ops::ones({2})));
KERAS_OPS_NAME("allclose", (void)ops::allclose(ops::ones({2}), ops::ones({2})));
KERAS_OPS_NAME("divide_no_nan", (void)ops::divide_no_nan(ops::ones({2}), ops::zeros({2})));
KERAS_OPS_NAME("true_divide", (void)ops::true_divide(ops::ones({2}), ops::ones({2})));
