// math_unary.cpp - the unary math of keras.ops (core/ops_math.h): the float functions
// with a kernel of their own (erf, erfinv, log2, the inverse trig and hyperbolic
// functions, cbrt, i0, ...), their gradient rules, signbit and bitwise_invert; and the
// compositions (sinc, nan_to_num, isinf, deg2rad, ...). Kernels: core/cpu/math.cpp.
#include <cmath>
#include <limits>

#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"
#include "core/ops/math_util.h"

namespace keras::core {
namespace {


void infer_float(OpCall& c) {
  expect_dtype(c, c.in(0), "x", kFloatTypes);
  c.set_output(0, c.in(0).shape(), c.in(0).dtype());
}
void infer_signbit(OpCall& c) {
  expect_dtype(c, c.in(0), "x", kAllTypes);
  c.set_output(0, c.in(0).shape(), DType::bool_);
}
void infer_integer(OpCall& c) {
  expect_dtype(c, c.in(0), "x", kIntegerTypes);
  c.set_output(0, c.in(0).shape(), c.in(0).dtype());
}

Tensor unary(OpId op, const Tensor& x) {
  static const Attrs none;
  return dispatch(op, {x}, none);
}

// ---- gradient rules (dy = upstream gradient; written with ops, so differentiable) ----
std::vector<Tensor> math_grad(const GradContext& c) {
  const Tensor &x = c.in(0), &y = c.out(), &dy = c.grad();
  auto k = [&](double v) { return ops::scalar_like(x, v); };
  const double two_over_sqrt_pi = 1.1283791670955126;
  switch (c.op) {
    case OpId::Erf:  // 2/sqrt(pi) exp(-x^2)
      return {ops::multiply(dy, ops::multiply(ops::exp(ops::neg(ops::square(x))), k(two_over_sqrt_pi)))};
    case OpId::Erfc:
      return {ops::multiply(dy, ops::multiply(ops::exp(ops::neg(ops::square(x))), k(-two_over_sqrt_pi)))};
    case OpId::Erfinv:  // sqrt(pi)/2 exp(y^2)
      return {ops::multiply(dy, ops::multiply(ops::exp(ops::square(y)), k(1 / two_over_sqrt_pi)))};
    case OpId::Exp2: return {ops::multiply(dy, ops::multiply(y, k(M_LN2)))};
    case OpId::Log2: return {ops::divide(dy, ops::multiply(x, k(M_LN2)))};
    case OpId::Log10: return {ops::divide(dy, ops::multiply(x, k(M_LN10)))};
    case OpId::Cbrt: return {ops::divide(dy, ops::multiply(ops::square(y), k(3)))};
    case OpId::Tan: return {ops::multiply(dy, ops::add(k(1), ops::square(y)))};
    case OpId::Sinh: return {ops::multiply(dy, ops::cosh(x))};
    case OpId::Cosh: return {ops::multiply(dy, ops::sinh(x))};
    case OpId::Arcsin: return {ops::multiply(dy, ops::rsqrt(ops::subtract(k(1), ops::square(x))))};
    case OpId::Arccos: return {ops::neg(ops::multiply(dy, ops::rsqrt(ops::subtract(k(1), ops::square(x)))))};
    case OpId::Arctan: return {ops::divide(dy, ops::add(k(1), ops::square(x)))};
    case OpId::Arcsinh: return {ops::multiply(dy, ops::rsqrt(ops::add(ops::square(x), k(1))))};
    case OpId::Arccosh: return {ops::multiply(dy, ops::rsqrt(ops::subtract(ops::square(x), k(1))))};
    case OpId::Arctanh: return {ops::divide(dy, ops::subtract(k(1), ops::square(x)))};
    case OpId::I0: return {ops::multiply(dy, ops::bessel_i1(x))};
    case OpId::I1: {  // I1' = I0 - I1 / x, 1/2 at 0
      Tensor zero = ops::equal(x, k(0));
      Tensor d = ops::subtract(ops::i0(x), ops::divide(y, ops::where(zero, k(1), x)));
      return {ops::multiply(dy, ops::where(zero, k(0.5), d))};
    }
    default: return {Tensor()};
  }
}

bool is_int_or_bool(const Tensor& x) { return x.defined() && !is_floating(x.dtype()); }

}  // namespace

void define_math_unary_ops() {
  for (int i = static_cast<int>(OpId::Erf); i <= static_cast<int>(OpId::Trunc); ++i) {
    define_op(static_cast<OpId>(i), infer_float);
    // trunc has no gradient (as floor; TensorFlow gives none).
    if (static_cast<OpId>(i) != OpId::Trunc) define_grad(static_cast<OpId>(i), math_grad);
  }
  define_op(OpId::SignBit, infer_signbit);
  define_op(OpId::BitwiseInvert, infer_integer);
}

namespace ops {
using math::to_float;

Tensor absolute(const Tensor& x) {
  if (x.defined() && (is_unsigned(x.dtype()) || x.dtype() == DType::bool_)) return x;
  return abs(x);
}
Tensor negative(const Tensor& x) { return neg(x); }
Tensor fabs(const Tensor& x) { return abs(to_float(x)); }
Tensor cbrt(const Tensor& x) { return unary(OpId::Cbrt, to_float(x, true)); }
// erf, erfc, erfinv: integers raise (keras.ops does too).
Tensor erf(const Tensor& x) { return unary(OpId::Erf, x); }
Tensor erfc(const Tensor& x) { return unary(OpId::Erfc, x); }
Tensor erfinv(const Tensor& x) { return unary(OpId::Erfinv, x); }
Tensor exp2(const Tensor& x) { return unary(OpId::Exp2, to_float(x)); }
Tensor log2(const Tensor& x) { return unary(OpId::Log2, to_float(x)); }
Tensor log10(const Tensor& x) { return unary(OpId::Log10, to_float(x)); }
Tensor sinh(const Tensor& x) { return unary(OpId::Sinh, to_float(x)); }
Tensor cosh(const Tensor& x) { return unary(OpId::Cosh, to_float(x)); }
Tensor tan(const Tensor& x) { return unary(OpId::Tan, to_float(x)); }
Tensor arcsin(const Tensor& x) { return unary(OpId::Arcsin, to_float(x)); }
Tensor arccos(const Tensor& x) { return unary(OpId::Arccos, to_float(x)); }
Tensor arctan(const Tensor& x) { return unary(OpId::Arctan, to_float(x)); }
Tensor arcsinh(const Tensor& x) { return unary(OpId::Arcsinh, to_float(x)); }
Tensor arccosh(const Tensor& x) { return unary(OpId::Arccosh, to_float(x)); }
Tensor arctanh(const Tensor& x) { return unary(OpId::Arctanh, to_float(x)); }
Tensor i0(const Tensor& x) { return unary(OpId::I0, to_float(x, true)); }
Tensor bessel_i1(const Tensor& x) { return unary(OpId::I1, to_float(x, true)); }
Tensor trunc(const Tensor& x) { return is_int_or_bool(x) ? x : unary(OpId::Trunc, x); }
Tensor signbit(const Tensor& x) { return unary(OpId::SignBit, x); }
Tensor bitwise_invert(const Tensor& x) { return unary(OpId::BitwiseInvert, x); }
Tensor bitwise_not(const Tensor& x) { return bitwise_invert(x); }

Tensor sinc(const Tensor& x) {
  Tensor f = to_float(x);
  Tensor zero = equal(f, scalar_like(f, 0.0));
  Tensor pix = multiply(f, scalar_like(f, M_PI));
  Tensor safe = where(zero, scalar_like(f, 1.0), pix);
  return where(zero, scalar_like(f, 1.0), divide(sin(safe), safe));
}
Tensor deg2rad(const Tensor& x) {
  Tensor f = to_float(x, true);
  return multiply(f, scalar_like(f, M_PI / 180.0));
}
Tensor rad2deg(const Tensor& x) {
  Tensor f = to_float(x, true);
  return multiply(f, scalar_like(f, 180.0 / M_PI));
}

Tensor nan_to_num(const Tensor& x, double nan, std::optional<double> posinf, std::optional<double> neginf) {
  if (is_int_or_bool(x)) return x;  // nothing to replace
  const bool f32 = x.dtype() == DType::float32;
  const double big = f32 ? double(std::numeric_limits<float>::max()) : std::numeric_limits<double>::max();
  const double inf = std::numeric_limits<double>::infinity();
  Tensor y = where(isnan(x), scalar_like(x, nan, "nan_to_num: nan"), x);
  y = where(equal(x, scalar_like(x, inf)), scalar_like(x, posinf.value_or(big), "nan_to_num: posinf"), y);
  return where(equal(x, scalar_like(x, -inf)), scalar_like(x, neginf.value_or(-big), "nan_to_num: neginf"), y);
}

// Integers and bools are never infinite: false everywhere (not_equal(x, x), which keeps
// a traced graph's dynamic shape).
Tensor isinf(const Tensor& x) {
  if (is_int_or_bool(x)) return not_equal(x, x);
  return equal(abs(x), scalar_like(x, std::numeric_limits<double>::infinity()));
}
Tensor isposinf(const Tensor& x) {
  if (is_int_or_bool(x)) return not_equal(x, x);
  return equal(x, scalar_like(x, std::numeric_limits<double>::infinity()));
}
Tensor isneginf(const Tensor& x) {
  if (is_int_or_bool(x)) return not_equal(x, x);
  return equal(x, scalar_like(x, -std::numeric_limits<double>::infinity()));
}
}  // namespace ops
}  // namespace keras::core
