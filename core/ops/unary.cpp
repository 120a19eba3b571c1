// unary.cpp - elementwise unary ops: dtype checks and shape rule (the output has the
// input's shape). Kernels: core/cpu/unary.cpp, core/cpu/convert.cpp (cast).
#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"

namespace core {
namespace {

constexpr std::initializer_list<DType> kSignedTypes = {DType::float32, DType::float64,
                                                       DType::int32, DType::int64};

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
void infer_cast(OpCall& c) { c.set_output(0, c.in(0).shape(), c.attrs.dtype); }

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
}

namespace ops {
Tensor neg(const Tensor& x) { return unary(OpId::Neg, x); }
Tensor abs(const Tensor& x) { return unary(OpId::Abs, x); }
Tensor sign(const Tensor& x) { return unary(OpId::Sign, x); }
Tensor exp(const Tensor& x) { return unary(OpId::Exp, x); }
Tensor expm1(const Tensor& x) { return unary(OpId::Expm1, x); }
Tensor log(const Tensor& x) { return unary(OpId::Log, x); }
Tensor log1p(const Tensor& x) { return unary(OpId::Log1p, x); }
Tensor sqrt(const Tensor& x) { return unary(OpId::Sqrt, x); }
Tensor rsqrt(const Tensor& x) { return unary(OpId::Rsqrt, x); }
Tensor square(const Tensor& x) { return unary(OpId::Square, x); }
Tensor reciprocal(const Tensor& x) { return unary(OpId::Reciprocal, x); }
Tensor sin(const Tensor& x) { return unary(OpId::Sin, x); }
Tensor cos(const Tensor& x) { return unary(OpId::Cos, x); }
Tensor tanh(const Tensor& x) { return unary(OpId::Tanh, x); }
Tensor sigmoid(const Tensor& x) { return unary(OpId::Sigmoid, x); }
Tensor relu(const Tensor& x) { return unary(OpId::Relu, x); }
Tensor relu6(const Tensor& x) { return unary(OpId::Relu6, x); }
Tensor leaky_relu(const Tensor& x, double negative_slope) {
  return unary(OpId::LeakyRelu, x, negative_slope);
}
Tensor elu(const Tensor& x, double alpha) { return unary(OpId::Elu, x, alpha); }
Tensor selu(const Tensor& x) { return unary(OpId::Selu, x); }
Tensor gelu(const Tensor& x, bool approximate) { return unary(OpId::Gelu, x, 0.0, approximate); }
Tensor silu(const Tensor& x) { return unary(OpId::Silu, x); }
Tensor softplus(const Tensor& x) { return unary(OpId::Softplus, x); }
Tensor softsign(const Tensor& x) { return unary(OpId::Softsign, x); }
Tensor floor(const Tensor& x) { return unary(OpId::Floor, x); }
Tensor ceil(const Tensor& x) { return unary(OpId::Ceil, x); }
Tensor round(const Tensor& x) { return unary(OpId::Round, x); }
Tensor isnan(const Tensor& x) { return unary(OpId::IsNan, x); }
Tensor isfinite(const Tensor& x) { return unary(OpId::IsFinite, x); }
Tensor logical_not(const Tensor& x) { return unary(OpId::LogicalNot, x); }
Tensor cast(const Tensor& x, DType dtype) {
  if (x.defined() && x.dtype() == dtype) return x;
  Attrs a;
  a.dtype = dtype;
  return dispatch(OpId::Cast, {x}, a);
}
}  // namespace ops
}  // namespace core
