// unary.cpp - elementwise unary ops: dtype checks and shape rule (the output has the
// input's shape). Kernels: core/cpu/unary.cpp, core/cpu/convert.cpp (cast).
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
void infer_signed(OpCall& c) {
  expect_dtype(c, c.in(0), "x", kSignedTypes);
  c.set_output(0, c.in(0).shape(), c.in(0).dtype());
}
void infer_predicate(OpCall& c) {  // float -> bool
  expect_dtype(c, c.in(0), "x", kFloatTypes);
  c.set_output(0, c.in(0).shape(), DType::bool_);
}
void infer_logical(OpCall& c) {
  expect_dtype(c, c.in(0), "x", {DType::bool_});
  c.set_output(0, c.in(0).shape(), DType::bool_);
}
void infer_cast(OpCall& c) { c.set_output(0, c.in(0).shape(), c.attrs.dtype); }  // flag: exact

const Attrs& no_attrs() {
  static const Attrs a;
  return a;
}
Tensor unary(OpId op, const Tensor& x) { return dispatch(op, {x}, no_attrs()); }
Tensor unary(OpId op, const Tensor& x, double alpha, bool flag = false) {
  Attrs a;
  a.alpha = alpha;
  a.flag = flag;
  return dispatch(op, {x}, a);
}

// ---- gradient rules (dy = upstream gradient; written with ops, so differentiable) ----
using ops::scalar_like;
Tensor half_of(const Tensor& t) { return ops::multiply(t, scalar_like(t, 0.5)); }

std::vector<Tensor> unary_grad(const GradContext& c) {
  const Tensor &x = c.in(0), &y = c.out(), &dy = c.grad();
  auto k = [&](double v) { return scalar_like(x, v); };
  switch (c.op) {
    case OpId::Neg: return {ops::neg(dy)};
    case OpId::Abs: return {ops::multiply(dy, ops::sign(x))};
    case OpId::Exp: return {ops::multiply(dy, y)};
    case OpId::Expm1: return {ops::multiply(dy, ops::exp(x))};
    case OpId::Log: return {ops::divide(dy, x)};
    case OpId::Log1p: return {ops::divide(dy, ops::add(x, k(1)))};
    case OpId::Sqrt: return {ops::divide(half_of(dy), y)};
    case OpId::Rsqrt:  // d/dx x^-1/2 = -1/2 x^-3/2 = -1/2 y / x
      return {ops::multiply(dy, ops::divide(ops::multiply(y, k(-0.5)), x))};
    case OpId::Square: return {ops::multiply(dy, ops::multiply(x, k(2)))};
    case OpId::Reciprocal: return {ops::neg(ops::multiply(dy, ops::square(y)))};
    case OpId::Sin: return {ops::multiply(dy, ops::cos(x))};
    case OpId::Cos: return {ops::neg(ops::multiply(dy, ops::sin(x)))};
    case OpId::Tanh: return {ops::multiply(dy, ops::subtract(k(1), ops::square(y)))};
    case OpId::Sigmoid: return {ops::multiply(dy, ops::multiply(y, ops::subtract(k(1), y)))};
    // The masks are taken from the output's sign: 1 where the op is the identity, 0 where
    // it is flat, NaN where x is NaN, so a NaN input gets a NaN gradient instead of a
    // finite one (TensorFlow gives 0 there, which hides the NaN from the weights).
    case OpId::Relu: return {ops::multiply(dy, ops::sign(y))};
    case OpId::Relu6:  // y (6 - y) > 0 exactly where 0 < x < 6
      return {ops::multiply(dy, ops::sign(ops::multiply(y, ops::subtract(k(6), y))))};
    case OpId::LeakyRelu:  // x > 0 and NaN (where y's sign is 1 or NaN) take dy * sign(y)
      return {ops::multiply(dy, ops::where(ops::less_equal(x, k(0)), k(c.attrs.alpha), ops::sign(y)))};
    case OpId::Elu:  // x <= 0: alpha * exp(x) = y + alpha
      return {ops::where(ops::greater(x, k(0)), dy, ops::multiply(dy, ops::add(y, k(c.attrs.alpha))))};
    case OpId::Selu: {
      const double scale = 1.0507009873554805, alpha = 1.6732632423543772;
      return {ops::where(ops::greater(x, k(0)), ops::multiply(dy, k(scale)),
                         ops::multiply(dy, ops::add(y, k(scale * alpha))))};
    }
    case OpId::Gelu: {
      if (c.attrs.flag) {  // 0.5 x (1 + tanh(u)), u = a (x + b x^3)
        const double a = 0.7978845608028654, b = 0.044715;
        Tensor x2 = ops::square(x);
        Tensor t = ops::tanh(ops::multiply(ops::add(x, ops::multiply(x2, ops::multiply(x, k(b)))), k(a)));
        Tensor du = ops::multiply(ops::add(k(1), ops::multiply(x2, k(3 * b))), k(a));
        Tensor d = ops::add(half_of(ops::add(k(1), t)),
                            ops::multiply(half_of(x), ops::multiply(ops::subtract(k(1), ops::square(t)), du)));
        return {ops::multiply(dy, d)};
      }
      // Exact form: Phi(x) + x phi(x); Phi(x) = y / x (y = x Phi(x)), and 1/2 at x = 0:
      // with z = 1 where x = 0 (else 0), Phi = y / (x + z) + z / 2, which is y / x exactly
      // elsewhere and takes no `where`, so the chain fuses into one pass.
      Tensor pdf = ops::multiply(ops::exp(ops::multiply(ops::square(x), k(-0.5))), k(0.3989422804014327));
      Tensor z = ops::cast(ops::equal(x, k(0)), x.dtype());
      Tensor phi_cdf = ops::add(ops::divide(y, ops::add(x, z)), half_of(z));
      return {ops::multiply(dy, ops::add(phi_cdf, ops::multiply(x, pdf)))};
    }
    case OpId::Silu: {  // s + x s (1 - s)
      Tensor s = ops::sigmoid(x);
      return {ops::multiply(dy, ops::add(s, ops::multiply(x, ops::multiply(s, ops::subtract(k(1), s)))))};
    }
    case OpId::Softplus: return {ops::multiply(dy, ops::sigmoid(x))};
    case OpId::Softsign: return {ops::divide(dy, ops::square(ops::add(k(1), ops::abs(x))))};
    case OpId::Cast:
      return {is_floating(x.dtype()) ? ops::cast(dy, x.dtype()) : Tensor()};
    default: return {Tensor()};
  }
}

}  // namespace

void define_unary_ops() {
  for (OpId op : {OpId::Neg, OpId::Abs, OpId::Sign, OpId::Square, OpId::Relu, OpId::Relu6})
    define_op(op, infer_signed);
  for (OpId op : {OpId::Exp, OpId::Expm1, OpId::Log, OpId::Log1p, OpId::Sqrt, OpId::Rsqrt,
                  OpId::Reciprocal, OpId::Sin, OpId::Cos, OpId::Tanh, OpId::Sigmoid,
                  OpId::LeakyRelu, OpId::Elu, OpId::Selu, OpId::Gelu, OpId::Silu,
                  OpId::Softplus, OpId::Softsign, OpId::Floor, OpId::Ceil, OpId::Round})
    define_op(op, infer_float);
  define_op(OpId::IsNan, infer_predicate);
  define_op(OpId::IsFinite, infer_predicate);
  define_op(OpId::LogicalNot, infer_logical);
  define_op(OpId::Cast, infer_cast);
  // Differentiable unary ops. sign, floor, ceil, round, isnan, isfinite and logical_not
  // have no gradient (TensorFlow gives None or zeros for them).
  for (OpId op : {OpId::Neg, OpId::Abs, OpId::Exp, OpId::Expm1, OpId::Log, OpId::Log1p,
                  OpId::Sqrt, OpId::Rsqrt, OpId::Square, OpId::Reciprocal, OpId::Sin, OpId::Cos,
                  OpId::Tanh, OpId::Sigmoid, OpId::Relu, OpId::Relu6, OpId::LeakyRelu, OpId::Elu,
                  OpId::Selu, OpId::Gelu, OpId::Silu, OpId::Softplus, OpId::Softsign, OpId::Cast})
    define_grad(op, unary_grad);
}

namespace ops {
namespace {
bool unsigned_or_bool(const Tensor& x) { return x.defined() && (is_unsigned(x.dtype()) || x.dtype() == DType::bool_); }
// An integer or bool input in float32 (keras.ops's float functions); other dtypes
// (floating, half, complex) as they are.
Tensor as_float(const Tensor& x) {
  return x.defined() && (is_integer(x.dtype()) || x.dtype() == DType::bool_) ? math::to_float(x) : x;
}
}  // namespace
Tensor neg(const Tensor& x) { return unary(OpId::Neg, x); }
// Unsigned integers and bools are their own absolute value (keras.ops.abs).
Tensor abs(const Tensor& x) { return unsigned_or_bool(x) ? x : unary(OpId::Abs, x); }
Tensor sign(const Tensor& x) {  // (unsigned: 1 above zero, else 0, in x's dtype)
  return x.defined() && is_unsigned(x.dtype()) ? cast(greater(x, scalar_like(x, 0)), x.dtype()) : unary(OpId::Sign, x);
}
// keras.ops computes the float functions of an integer or bool input in float32.
Tensor exp(const Tensor& x) { return unary(OpId::Exp, as_float(x)); }
Tensor expm1(const Tensor& x) { return unary(OpId::Expm1, as_float(x)); }
Tensor log(const Tensor& x) { return unary(OpId::Log, as_float(x)); }
Tensor log1p(const Tensor& x) { return unary(OpId::Log1p, as_float(x)); }
Tensor sqrt(const Tensor& x) { return unary(OpId::Sqrt, as_float(x)); }
Tensor rsqrt(const Tensor& x) { return unary(OpId::Rsqrt, x); }
Tensor square(const Tensor& x) {  // (unsigned: wraps as multiply does; bool: int32, as keras.ops)
  if (x.defined() && is_unsigned(x.dtype())) return multiply(x, x);
  if (x.defined() && x.dtype() == DType::bool_) return square(cast(x, DType::int32));
  return unary(OpId::Square, x);
}
Tensor reciprocal(const Tensor& x) { return unary(OpId::Reciprocal, x); }
Tensor sin(const Tensor& x) { return unary(OpId::Sin, as_float(x)); }
Tensor cos(const Tensor& x) { return unary(OpId::Cos, as_float(x)); }
Tensor tanh(const Tensor& x) { return unary(OpId::Tanh, as_float(x)); }
Tensor sigmoid(const Tensor& x) { return unary(OpId::Sigmoid, x); }
Tensor relu(const Tensor& x) { return x.defined() && is_unsigned(x.dtype()) ? x : unary(OpId::Relu, x); }
Tensor relu6(const Tensor& x) {
  return x.defined() && is_unsigned(x.dtype()) ? minimum(x, scalar_like(x, 6)) : unary(OpId::Relu6, x);
}
Tensor leaky_relu(const Tensor& x, double negative_slope) {  // (integers: in float32, as keras.ops)
  if (x.defined() && is_integer(x.dtype())) return unary(OpId::LeakyRelu, as_float(x), negative_slope);
  return unary(OpId::LeakyRelu, x, negative_slope);
}
Tensor elu(const Tensor& x, double alpha) { return unary(OpId::Elu, x, alpha); }
Tensor selu(const Tensor& x) { return unary(OpId::Selu, x); }
Tensor gelu(const Tensor& x, bool approximate) { return unary(OpId::Gelu, x, 0.0, approximate); }
Tensor silu(const Tensor& x) { return unary(OpId::Silu, x); }
Tensor softplus(const Tensor& x) { return unary(OpId::Softplus, x); }
Tensor softsign(const Tensor& x) { return unary(OpId::Softsign, x); }
Tensor floor(const Tensor& x) { return unary(OpId::Floor, as_float(x)); }
Tensor ceil(const Tensor& x) { return unary(OpId::Ceil, as_float(x)); }
Tensor round(const Tensor& x) {
  // An integer is its own rounding (tf.round and keras.ops.round return it unchanged).
  if (x.defined() && is_integer(x.dtype())) return x;
  return unary(OpId::Round, x);
}
// Integers and bools are never NaN and always finite (keras.ops); not_equal(x, x) keeps a
// traced graph's dynamic shape.
Tensor isnan(const Tensor& x) { return x.defined() && !is_floating(x.dtype()) ? not_equal(x, x) : unary(OpId::IsNan, x); }
Tensor isfinite(const Tensor& x) { return x.defined() && !is_floating(x.dtype()) ? equal(x, x) : unary(OpId::IsFinite, x); }
Tensor logical_not(const Tensor& x) { return unary(OpId::LogicalNot, x); }
Tensor cast(const Tensor& x, DType dtype) {
  if (x.defined() && x.dtype() == dtype) return x;
  Attrs a;
  a.dtype = dtype;
  return dispatch(OpId::Cast, {x}, a);
}
Tensor cast_exact(const Tensor& x, DType dtype) {
  if (x.defined() && x.dtype() == dtype) return x;
  Attrs a;
  a.dtype = dtype;
  a.flag = true;  // checked: every value must be exact in dtype
  return dispatch(OpId::Cast, {x}, a);
}
}  // namespace ops
}  // namespace keras::core
