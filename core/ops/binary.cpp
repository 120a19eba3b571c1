// binary.cpp - elementwise binary ops with NumPy broadcasting, and `where`.
// Both operands must have the same dtype (TensorFlow's rule: no silent promotion).
// Kernels: core/cpu/binary.cpp.
#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"

namespace keras::core {
namespace {

void infer_arith(OpCall& c) {  // numeric -> same dtype
  expect_same_dtype(c, c.in(0), c.in(1));
  expect_dtype(c, c.in(0), "x", kNumericTypes);
  c.set_output(0, broadcast_shapes(c.in(0).shape(), c.in(1).shape(), c.name()), c.in(0).dtype());
}
void infer_signed_arith(OpCall& c) {
  expect_same_dtype(c, c.in(0), c.in(1));
  expect_dtype(c, c.in(0), "x", kSignedTypes);
  c.set_output(0, broadcast_shapes(c.in(0).shape(), c.in(1).shape(), c.name()), c.in(0).dtype());
}
void infer_float_arith(OpCall& c) {
  expect_same_dtype(c, c.in(0), c.in(1));
  expect_dtype(c, c.in(0), "x", kFloatTypes);
  c.set_output(0, broadcast_shapes(c.in(0).shape(), c.in(1).shape(), c.name()), c.in(0).dtype());
}
void infer_compare(OpCall& c) {  // numeric -> bool
  expect_same_dtype(c, c.in(0), c.in(1));
  expect_dtype(c, c.in(0), "x", kNumericTypes);
  c.set_output(0, broadcast_shapes(c.in(0).shape(), c.in(1).shape(), c.name()), DType::bool_);
}
void infer_equality(OpCall& c) {  // any dtype -> bool
  expect_same_dtype(c, c.in(0), c.in(1));
  c.set_output(0, broadcast_shapes(c.in(0).shape(), c.in(1).shape(), c.name()), DType::bool_);
}
void infer_logical(OpCall& c) {
  expect_dtype(c, c.in(0), "x", {DType::bool_});
  expect_dtype(c, c.in(1), "y", {DType::bool_});
  c.set_output(0, broadcast_shapes(c.in(0).shape(), c.in(1).shape(), c.name()), DType::bool_);
}
void infer_where(OpCall& c) {
  expect_dtype(c, c.in(0), "condition", {DType::bool_});
  expect_same_dtype(c, c.in(1), c.in(2));
  Shape s = broadcast_shapes(c.in(0).shape(), c.in(1).shape(), c.name());
  c.set_output(0, broadcast_shapes(s, c.in(2).shape(), c.name()), c.in(1).dtype());
}

const Attrs& no_attrs() {
  static const Attrs a;
  return a;
}
Tensor binary(OpId op, const Tensor& a, const Tensor& b) { return dispatch(op, {a, b}, no_attrs()); }

// ---- gradient rules (the tape sums broadcast gradients back to each input's shape) ---
std::vector<Tensor> binary_grad(const GradContext& c) {
  const Tensor &a = c.in(0), &b = c.in(1), &dy = c.grad();
  switch (c.op) {
    case OpId::Add: return {dy, dy};
    case OpId::Sub: return {dy, ops::neg(dy)};
    case OpId::Mul:
      return {c.needs(0) ? ops::multiply(dy, b) : Tensor(), c.needs(1) ? ops::multiply(dy, a) : Tensor()};
    case OpId::Div:  // d(a/b) = da / b - a db / b^2
      return {c.needs(0) ? ops::divide(dy, b) : Tensor(),
              c.needs(1) ? ops::neg(ops::divide(ops::multiply(dy, a), ops::square(b))) : Tensor()};
    case OpId::Mod:  // a mod b = a - floor(a / b) b
      return {dy, ops::neg(ops::multiply(dy, ops::floor_divide(a, b)))};
    case OpId::Pow: {  // d a^b = b a^(b-1) da + a^b log(a) db  (log taken as 0 where a <= 0)
      Tensor zero = ops::scalar_like(a, 0.0), one = ops::scalar_like(a, 1.0);
      Tensor da = ops::multiply(dy, ops::multiply(b, ops::power(a, ops::subtract(b, one))));
      Tensor pos = ops::greater(a, zero);
      Tensor log_a = ops::where(pos, ops::log(ops::where(pos, a, one)), zero);
      return {da, ops::multiply(dy, ops::multiply(c.out(), log_a))};
    }
    case OpId::Maximum:
    case OpId::Minimum: {  // ties go to the first input, as TensorFlow
      Tensor first = c.op == OpId::Maximum ? ops::greater_equal(a, b) : ops::less_equal(a, b);
      Tensor zero = ops::scalar_like(dy, 0.0);
      Tensor da = c.needs(0) ? ops::where(first, dy, zero) : Tensor();
      Tensor db = c.needs(1) ? ops::where(first, zero, dy) : Tensor();
      // A NaN input gets a NaN gradient (its NaN is the output), not TensorFlow's 0.
      if (is_floating(a.dtype())) {
        if (da.defined()) da = ops::where(ops::isnan(a), a, da);
        if (db.defined()) db = ops::where(ops::isnan(b), b, db);
      }
      return {da, db};
    }
    case OpId::SquaredDifference: {
      Tensor d = ops::multiply(dy, ops::multiply(ops::subtract(a, b), ops::scalar_like(a, 2.0)));
      return {d, ops::neg(d)};
    }
    case OpId::Where: {
      Tensor zero = ops::scalar_like(dy, 0.0);
      return {Tensor(), ops::where(c.in(0), dy, zero), ops::where(c.in(0), zero, dy)};
    }
    default: return {Tensor(), Tensor()};
  }
}

}  // namespace

void define_binary_ops() {
  for (OpId op : {OpId::Add, OpId::Sub, OpId::Mul, OpId::FloorDiv, OpId::Mod, OpId::Pow,
                  OpId::Maximum, OpId::Minimum})
    define_op(op, infer_arith);
  define_op(OpId::SquaredDifference, infer_signed_arith);
  define_op(OpId::Div, infer_float_arith);
  for (OpId op : {OpId::Less, OpId::LessEqual, OpId::Greater, OpId::GreaterEqual})
    define_op(op, infer_compare);
  define_op(OpId::Equal, infer_equality);
  define_op(OpId::NotEqual, infer_equality);
  define_op(OpId::LogicalAnd, infer_logical);
  define_op(OpId::LogicalOr, infer_logical);
  define_op(OpId::Where, infer_where);
  // floor_divide, comparisons and logical ops have no gradient.
  for (OpId op : {OpId::Add, OpId::Sub, OpId::Mul, OpId::Div, OpId::Mod, OpId::Pow,
                  OpId::Maximum, OpId::Minimum, OpId::SquaredDifference, OpId::Where})
    define_grad(op, binary_grad);
}

namespace ops {
Tensor add(const Tensor& a, const Tensor& b) { return binary(OpId::Add, a, b); }
Tensor subtract(const Tensor& a, const Tensor& b) { return binary(OpId::Sub, a, b); }
Tensor multiply(const Tensor& a, const Tensor& b) { return binary(OpId::Mul, a, b); }
Tensor divide(const Tensor& a, const Tensor& b) {
  // Integer true division computes in floating point, as TensorFlow's truediv.
  if (a.defined() && b.defined() && a.dtype() == b.dtype() && is_integer(a.dtype())) {
    DType f = a.dtype() == DType::uint8 ? DType::float32 : DType::float64;
    return binary(OpId::Div, cast(a, f), cast(b, f));
  }
  return binary(OpId::Div, a, b);
}
Tensor floor_divide(const Tensor& a, const Tensor& b) { return binary(OpId::FloorDiv, a, b); }
Tensor mod(const Tensor& a, const Tensor& b) { return binary(OpId::Mod, a, b); }
Tensor power(const Tensor& a, const Tensor& b) { return binary(OpId::Pow, a, b); }
Tensor maximum(const Tensor& a, const Tensor& b) { return binary(OpId::Maximum, a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return binary(OpId::Minimum, a, b); }
Tensor squared_difference(const Tensor& a, const Tensor& b) {
  return binary(OpId::SquaredDifference, a, b);
}
Tensor equal(const Tensor& a, const Tensor& b) { return binary(OpId::Equal, a, b); }
Tensor not_equal(const Tensor& a, const Tensor& b) { return binary(OpId::NotEqual, a, b); }
Tensor less(const Tensor& a, const Tensor& b) { return binary(OpId::Less, a, b); }
Tensor less_equal(const Tensor& a, const Tensor& b) { return binary(OpId::LessEqual, a, b); }
Tensor greater(const Tensor& a, const Tensor& b) { return binary(OpId::Greater, a, b); }
Tensor greater_equal(const Tensor& a, const Tensor& b) { return binary(OpId::GreaterEqual, a, b); }
Tensor logical_and(const Tensor& a, const Tensor& b) { return binary(OpId::LogicalAnd, a, b); }
Tensor logical_or(const Tensor& a, const Tensor& b) { return binary(OpId::LogicalOr, a, b); }
Tensor where(const Tensor& condition, const Tensor& x, const Tensor& y) {
  return dispatch(OpId::Where, {condition, x, y}, no_attrs());
}
Tensor clip(const Tensor& x, double min_value, double max_value) {
  if (min_value > max_value)
    throw_invalid("clip: expected min_value <= max_value, but received " +
                  format_scalar(min_value) + " > " + format_scalar(max_value));
  return minimum(maximum(x, scalar_like(x, min_value, "clip: min_value")),
                 scalar_like(x, max_value, "clip: max_value"));
}
Tensor scalar_like(const Tensor& t, double value, const char* what) {
  if (!t.defined()) throw_invalid(std::string(what) + ": the tensor is undefined");
  check_scalar_fits(value, t.dtype(), what);
  return from_buffer(&value, DType::float64, Shape{}, t.dtype()).to(t.device());
}
}  // namespace ops
}  // namespace keras::core
