// math_binary.cpp - the binary math of keras.ops (core/ops_math.h): arctan2, hypot, fmod
// and nextafter (float kernels; fmod on integers too), the integer bitwise ops, gcd and
// lcm, with their gradient rules; and the compositions (logaddexp, fmax, heaviside,
// ldexp, isclose, divide_no_nan, ...). Kernels: core/cpu/math.cpp.
#include <cmath>
#include <limits>

#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"
#include "core/ops/math_util.h"

namespace keras::core {
namespace {


void infer_with(OpCall& c, std::initializer_list<DType> allowed) {
  expect_same_dtype(c, c.in(0), c.in(1));
  expect_dtype(c, c.in(0), "x1", allowed);
  c.set_output(0, broadcast_shapes(c.in(0).shape(), c.in(1).shape(), c.name()), c.in(0).dtype());
}
void infer_float(OpCall& c) { infer_with(c, kFloatTypes); }
void infer_numeric(OpCall& c) { infer_with(c, kNumericTypes); }
void infer_integer(OpCall& c) { infer_with(c, kIntegerTypes); }

Tensor binary(OpId op, const Tensor& a, const Tensor& b) {
  static const Attrs none;
  return dispatch(op, {a, b}, none);
}

// ---- gradient rules (the tape sums broadcast gradients back to each input's shape) ---
std::vector<Tensor> math_binary_grad(const GradContext& c) {
  const Tensor &a = c.in(0), &b = c.in(1), &dy = c.grad();
  switch (c.op) {
    case OpId::Arctan2: {  // atan2(a, b): da = b / (a^2 + b^2), db = -a / (a^2 + b^2)
      Tensor r = ops::divide(dy, ops::add(ops::square(a), ops::square(b)));
      return {ops::multiply(r, b), ops::neg(ops::multiply(r, a))};
    }
    case OpId::Hypot: {  // da = a / y, db = b / y
      Tensor r = ops::divide(dy, c.out());
      return {ops::multiply(r, a), ops::multiply(r, b)};
    }
    case OpId::Fmod:  // a - trunc(a / b) b
      return {dy, ops::neg(ops::multiply(dy, ops::trunc(ops::divide(a, b))))};
    default: return {Tensor(), Tensor()};
  }
}

}  // namespace

void define_math_binary_ops() {
  for (OpId op : {OpId::Arctan2, OpId::Hypot, OpId::NextAfter}) define_op(op, infer_float);
  define_op(OpId::Fmod, infer_numeric);
  for (int i = static_cast<int>(OpId::BitwiseAnd); i <= static_cast<int>(OpId::Lcm); ++i)
    define_op(static_cast<OpId>(i), infer_integer);
  // nextafter, the bitwise ops, gcd and lcm have no gradient (as in TensorFlow).
  for (OpId op : {OpId::Arctan2, OpId::Hypot, OpId::Fmod}) define_grad(op, math_binary_grad);
}

namespace ops {
namespace {
using math::expect_same;
// Both operands in Keras's float dtype for them (after the same-dtype check).
std::pair<Tensor, Tensor> floats(const char* op, const Tensor& a, const Tensor& b, bool wide = false) {
  expect_same(op, a, b);
  if (a.dtype() == DType::bool_ && wide)
    throw_invalid(std::string(op) + ": expected numeric operands, but received bool");
  return {math::to_float(a, wide), math::to_float(b, wide)};
}
}  // namespace

Tensor arctan2(const Tensor& x1, const Tensor& x2) {
  auto [a, b] = floats("arctan2", x1, x2);
  return binary(OpId::Arctan2, a, b);
}
Tensor hypot(const Tensor& x1, const Tensor& x2) {
  auto [a, b] = floats("hypot", x1, x2, true);
  return binary(OpId::Hypot, a, b);
}
Tensor nextafter(const Tensor& x1, const Tensor& x2) {
  auto [a, b] = floats("nextafter", x1, x2);
  return binary(OpId::NextAfter, a, b);
}
// max(a, b) + log(1 + exp(-|a - b|)); where a - b is NaN (NaN operand, or equal
// infinities) the sum a + b (Keras's formula).
Tensor logaddexp(const Tensor& x1, const Tensor& x2) {
  auto [a, b] = floats("logaddexp", x1, x2);
  Tensor d = subtract(a, b);
  return where(isnan(d), add(a, b), add(maximum(a, b), softplus(neg(abs(d)))));
}
Tensor logaddexp2(const Tensor& x1, const Tensor& x2) {
  auto [a, b] = floats("logaddexp2", x1, x2);
  Tensor d = subtract(a, b);
  Tensor tail = multiply(log1p(exp2(neg(abs(d)))), scalar_like(a, 1 / M_LN2));
  return where(isnan(d), add(a, b), add(maximum(a, b), tail));
}
Tensor fmax(const Tensor& x1, const Tensor& x2) {
  expect_same("fmax", x1, x2);
  if (!is_floating(x1.dtype())) return maximum(x1, x2);
  return where(isnan(x1), x2, where(isnan(x2), x1, maximum(x1, x2)));
}
Tensor fmin(const Tensor& x1, const Tensor& x2) {
  expect_same("fmin", x1, x2);
  if (!is_floating(x1.dtype())) return minimum(x1, x2);
  return where(isnan(x1), x2, where(isnan(x2), x1, minimum(x1, x2)));
}
Tensor fmod(const Tensor& x1, const Tensor& x2) {
  expect_same("fmod", x1, x2);
  if (x1.dtype() == DType::bool_)  // keras.ops: bools compute as int32
    return binary(OpId::Fmod, cast(x1, DType::int32), cast(x2, DType::int32));
  return binary(OpId::Fmod, x1, x2);
}
Tensor heaviside(const Tensor& x1, const Tensor& x2) {
  auto [a, b] = floats("heaviside", x1, x2, true);
  Tensor zero = scalar_like(a, 0.0), one = scalar_like(a, 1.0);
  return where(less(a, zero), zero, where(greater(a, zero), one, b));
}
Tensor gcd(const Tensor& x1, const Tensor& x2) { return binary(OpId::Gcd, x1, x2); }
Tensor lcm(const Tensor& x1, const Tensor& x2) { return binary(OpId::Lcm, x1, x2); }
Tensor ldexp(const Tensor& x1, const Tensor& x2) {
  if (!x1.defined() || !x2.defined()) throw_invalid("ldexp: an operand is undefined");
  if (!is_integer(x2.dtype()))
    throw_invalid(std::string("ldexp: expected an integer exponent x2 (int32, int64, uint8), but received ") +
                  dtype_name(x2.dtype()));
  if (x1.dtype() == DType::bool_) throw_invalid("ldexp: expected a numeric x1, but received bool");
  Tensor m = math::to_float(x1);
  return multiply(m, exp2(cast(x2, m.dtype())));
}
Tensor bitwise_and(const Tensor& x, const Tensor& y) { return binary(OpId::BitwiseAnd, x, y); }
Tensor bitwise_or(const Tensor& x, const Tensor& y) { return binary(OpId::BitwiseOr, x, y); }
Tensor bitwise_xor(const Tensor& x, const Tensor& y) { return binary(OpId::BitwiseXor, x, y); }
Tensor bitwise_left_shift(const Tensor& x, const Tensor& y) { return binary(OpId::LeftShift, x, y); }
Tensor bitwise_right_shift(const Tensor& x, const Tensor& y) { return binary(OpId::RightShift, x, y); }
Tensor left_shift(const Tensor& x, const Tensor& y) { return bitwise_left_shift(x, y); }
Tensor right_shift(const Tensor& x, const Tensor& y) { return bitwise_right_shift(x, y); }

Tensor logical_xor(const Tensor& x1, const Tensor& x2) {
  if (!x1.defined() || !x2.defined()) throw_invalid("logical_xor: an operand is undefined");
  auto truth = [](const Tensor& t) { return t.dtype() == DType::bool_ ? t : not_equal(t, scalar_like(t, 0.0)); };
  return not_equal(truth(x1), truth(x2));
}

// |x1 - x2| <= atol + rtol |x2| for floats, with NumPy's infinities: an infinity is close
// only to the same infinity (keras.ops on TensorFlow says inf is not close to inf, and
// -inf is close to inf; see README). Equality for integers and bools.
Tensor isclose(const Tensor& x1, const Tensor& x2, double rtol, double atol, bool equal_nan) {
  expect_same("isclose", x1, x2);
  if (!is_floating(x1.dtype())) return equal(x1, x2);
  Tensor bound = add(scalar_like(x1, atol, "isclose: atol"),
                     multiply(scalar_like(x1, rtol, "isclose: rtol"), abs(x2)));
  Tensor close = logical_or(equal(x1, x2),
                            logical_and(less_equal(abs(subtract(x1, x2)), bound), isfinite(x2)));
  if (equal_nan) close = logical_or(close, logical_and(isnan(x1), isnan(x2)));
  return close;
}
Tensor allclose(const Tensor& x1, const Tensor& x2, double rtol, double atol, bool equal_nan) {
  return all(isclose(x1, x2, rtol, atol, equal_nan));
}
// x1 / x2, and 0 where x2 == 0 (NaN x1 included), as tf.math.divide_no_nan.
Tensor divide_no_nan(const Tensor& x1, const Tensor& x2) {
  auto [a, b] = floats("divide_no_nan", x1, x2);
  Tensor zero = equal(b, scalar_like(b, 0.0));
  return where(zero, scalar_like(a, 0.0), divide(a, where(zero, scalar_like(b, 1.0), b)));
}
Tensor true_divide(const Tensor& x1, const Tensor& x2) { return divide(x1, x2); }
}  // namespace ops
}  // namespace keras::core
