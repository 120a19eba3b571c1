// reduce.cpp - reductions: checks and shape rules of sum, mean, max, min, prod, all, any,
// argmax, argmin, and the composites logsumexp, variance, std. Kernels: core/cpu/reduce.cpp.
//
// Attrs read: axes (the axes to reduce; empty = all axes; negative axes count from the
// end), keepdims (reduced axes stay as size 1). argmax/argmin read axis (one axis) and
// dtype (the index dtype, int32 or int64).
//
// Decisions (TensorFlow where it has a rule):
// - sum/mean/max/min/prod take numeric dtypes and keep the dtype; all/any take bool;
//   sum/mean/prod also take complex64/complex128 (no gradient, as every complex op).
// - mean of an integer tensor uses integer division (truncating), as tf.reduce_mean;
//   the mean of an empty integer reduction is 0 (float: NaN).
// - an empty reduction gives the identity: sum 0, prod 1, max -inf / lowest, min +inf /
//   highest, all true, any false.
// - max/min propagate NaN; argmax/argmin return the first index of the extreme value
//   (a NaN counts as the extreme, as NumPy) and raise on an empty axis.
// - variance/std of integer tensors compute in floating point: int32/int64 -> float64,
//   uint8 -> float32 (the same rule as `divide`).
#include <algorithm>
#include <limits>
#include <string>

#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"
#include "core/ops/complex_util.h"

namespace keras::core {
namespace {

// Normalized, duplicate-free reduction axes (sorted); empty `axes` means all axes.
std::vector<int64_t> reduce_axes(const OpCall& c, const Tensor& x) {
  std::vector<int64_t> out;
  const int64_t r = x.rank();
  if (c.attrs.axes.empty()) {
    for (int64_t i = 0; i < r; ++i) out.push_back(i);
    return out;
  }
  std::vector<bool> seen(static_cast<size_t>(r), false);
  for (int64_t a : c.attrs.axes) {
    int64_t n = normalize_axis(a, r, c.name());
    if (seen[static_cast<size_t>(n)])
      throw_invalid(std::string(c.name()) + ": duplicate axis " + std::to_string(a) +
                    " in axes for x of shape " + x.shape().str() + " (axis " +
                    std::to_string(n) + " appears more than once)");
    seen[static_cast<size_t>(n)] = true;
    out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The shape rule, after the dtype checks of infer_reduce / infer_complex_reduce.
void infer_reduced_shape(OpCall& c) {
  const Tensor& x = c.in(0);
  std::vector<int64_t> axes = reduce_axes(c, x);
  std::vector<bool> red(static_cast<size_t>(x.rank()), false);
  for (int64_t a : axes) red[static_cast<size_t>(a)] = true;
  std::vector<int64_t> dims;
  for (int64_t i = 0; i < x.rank(); ++i) {
    if (!red[static_cast<size_t>(i)])
      dims.push_back(x.shape()[i]);
    else if (c.attrs.keepdims)
      dims.push_back(1);
  }
  c.set_output(0, Shape(std::move(dims)), x.dtype());
}

void infer_reduce(OpCall& c) {
  if (c.op == OpId::All || c.op == OpId::Any)
    expect_dtype(c, c.in(0), "x", {DType::bool_});
  else
    expect_dtype(c, c.in(0), "x", kNumericTypes);
  infer_reduced_shape(c);
}

void infer_arg(OpCall& c) {
  const Tensor& x = c.in(0);
  expect_dtype(c, x, "x", kNumericTypes);
  if (c.attrs.dtype != DType::int32 && c.attrs.dtype != DType::int64)
    throw_invalid(std::string(c.name()) + ": expected the index dtype to be int32 or int64, "
                  "but received " + dtype_name(c.attrs.dtype));
  if (x.rank() < 1)
    throw_invalid(std::string(c.name()) + ": expected x to have rank >= 1, but received "
                  "shape " + x.shape().str());
  int64_t axis = normalize_axis(c.attrs.axis, x.rank(), c.name());
  int64_t n = x.shape()[axis];
  if (n == 0)
    throw_invalid(std::string(c.name()) + ": cannot take the " + c.name() + " of an empty "
                  "axis: axis " + std::to_string(c.attrs.axis) + " of x (shape " +
                  x.shape().str() + ") has size 0");
  if (c.attrs.dtype == DType::int32 && n > std::numeric_limits<int32_t>::max())
    throw_invalid(std::string(c.name()) + ": axis " + std::to_string(c.attrs.axis) +
                  " of x (shape " + x.shape().str() + ") is too long for int32 indices; "
                  "use int64");
  std::vector<int64_t> dims;
  for (int64_t i = 0; i < x.rank(); ++i)
    if (i != axis) dims.push_back(x.shape()[i]);
  c.set_output(0, Shape(std::move(dims)), c.attrs.dtype);
}

Tensor reduce(OpId op, const Tensor& x, const ops::Axes& axes, bool keepdims) {
  Attrs a;
  a.axes = axes;
  a.keepdims = keepdims;
  return dispatch(op, {x}, a);
}

Tensor arg_reduce(OpId op, const Tensor& x, int64_t axis, DType index_dtype) {
  Attrs a;
  a.axis = axis;
  a.dtype = index_dtype;
  return dispatch(op, {x}, a);
}

void check_composite_input(const char* op, const Tensor& x, bool allow_int) {
  if (!x.defined()) throw_invalid(std::string(op) + ": x is an undefined tensor");
  if (is_floating(x.dtype()) || (allow_int && is_integer(x.dtype()))) return;
  throw_invalid(std::string(op) + ": expected x to have dtype " +
                (allow_int ? dtype_list(kNumericTypes) : dtype_list(kFloatTypes)) +
                ", but received dtype " + dtype_name(x.dtype()) + " (shape " +
                x.shape().str() + ")");
}

// ---- gradient rules ------------------------------------------------------------------
// The reduced shape with keepdims (reduced axes as 1), for broadcasting dy back over x.
std::vector<int64_t> kept_dims(const Tensor& x, const Attrs& a) {
  std::vector<int64_t> dims = x.shape().dims();
  if (a.axes.empty()) {
    std::fill(dims.begin(), dims.end(), 1);
  } else {
    for (int64_t ax : a.axes) dims[static_cast<size_t>(ax < 0 ? ax + x.rank() : ax)] = 1;
  }
  return dims;
}

// The kept dims with one kept dimension as -1 (where none is empty), so that a traced
// gradient follows the batch size instead of freezing the traced one.
std::vector<int64_t> kept_dims_open(const Tensor& x, const Attrs& a) {
  std::vector<int64_t> kd = kept_dims(x, a);
  if (x.size() == 0) return kd;
  for (int64_t& d : kd)
    if (d != 1) {
      d = -1;
      break;
    }
  return kd;
}

std::vector<Tensor> reduce_grad(const GradContext& c) {
  const Tensor& x = c.in(0);
  const std::vector<int64_t> kd = kept_dims_open(x, c.attrs);
  Tensor dy = c.attrs.keepdims ? c.grad() : ops::reshape(c.grad(), kd);
  Tensor y = c.attrs.keepdims ? c.out() : ops::reshape(c.out(), kd);
  switch (c.op) {
    case OpId::Sum: return {ops::broadcast_like(dy, x)};
    case OpId::Mean: {  // divided by the reduced count, read when the op runs
      std::vector<int64_t> axes = c.attrs.axes;
      if (axes.empty())
        for (int64_t i = 0; i < x.rank(); ++i) axes.push_back(i);
      if (x.size() == 0) return {ops::zeros_like(x)};
      return {ops::broadcast_like(ops::divide(dy, ops::size(x, dy.dtype(), axes)), x)};
    }
    case OpId::Max:
    case OpId::Min: {  // shared equally among the positions that attain the extreme
      Tensor hit = ops::cast(ops::equal(x, y), x.dtype());
      Tensor count = ops::sum(hit, c.attrs.axes, /*keepdims=*/true);
      return {ops::multiply(hit, ops::divide(dy, count))};
    }
    case OpId::Prod: {
      // d prod / d x_i = product of the other elements, exact with zeros: with no zero
      // it is prod / x_i; with one zero only that position gets the product of the rest.
      Tensor zero = ops::scalar_like(x, 0.0), one = ops::scalar_like(x, 1.0);
      Tensor is_zero = ops::equal(x, zero);
      Tensor zeros = ops::sum(ops::cast(is_zero, x.dtype()), c.attrs.axes, true);
      Tensor rest = ops::prod(ops::where(is_zero, one, x), c.attrs.axes, true);
      Tensor no_zero = ops::divide(rest, ops::where(is_zero, one, x));
      Tensor one_zero = ops::where(is_zero, ops::broadcast_like(rest, x), zero);
      Tensor g = ops::where(ops::equal(zeros, zero), no_zero,
                            ops::where(ops::equal(zeros, one), one_zero, zero));
      return {ops::multiply(dy, g)};
    }
    default: return {Tensor()};
  }
}

}  // namespace

// sum, mean and prod of complex64/complex128 (their complex kernels: core/cpu/complex.cpp).
void infer_complex_reduce(OpCall& c) {
  expect_dtype(c, c.in(0), "x", {DType::complex64, DType::complex128});
  infer_reduced_shape(c);
}

void define_reduce_ops() {
  for (OpId op : {OpId::Sum, OpId::Mean, OpId::Max, OpId::Min, OpId::Prod, OpId::All,
                  OpId::Any})
    define_op(op, infer_reduce);
  define_op(OpId::ArgMax, infer_arg);
  define_op(OpId::ArgMin, infer_arg);
  for (OpId op : {OpId::Sum, OpId::Mean, OpId::Max, OpId::Min, OpId::Prod})
    define_grad(op, reduce_grad);  // all/any/argmax/argmin have no gradient
}

namespace ops {
Tensor sum(const Tensor& x, const Axes& axes, bool keepdims) { return reduce(OpId::Sum, x, axes, keepdims); }
Tensor mean(const Tensor& x, const Axes& axes, bool keepdims) { return reduce(OpId::Mean, x, axes, keepdims); }
Tensor max(const Tensor& x, const Axes& axes, bool keepdims) { return reduce(OpId::Max, x, axes, keepdims); }
Tensor min(const Tensor& x, const Axes& axes, bool keepdims) { return reduce(OpId::Min, x, axes, keepdims); }
Tensor prod(const Tensor& x, const Axes& axes, bool keepdims) { return reduce(OpId::Prod, x, axes, keepdims); }
Tensor all(const Tensor& x, const Axes& axes, bool keepdims) { return reduce(OpId::All, x, axes, keepdims); }
Tensor any(const Tensor& x, const Axes& axes, bool keepdims) { return reduce(OpId::Any, x, axes, keepdims); }
Tensor argmax(const Tensor& x, int64_t axis, DType index_dtype) {
  return arg_reduce(OpId::ArgMax, x, axis, index_dtype);
}
Tensor argmin(const Tensor& x, int64_t axis, DType index_dtype) {
  return arg_reduce(OpId::ArgMin, x, axis, index_dtype);
}

// log(sum(exp(x))) = m + log(sum(exp(x - m))) with m the (finite part of the) maximum,
// so large logits do not overflow; a slice of all -inf gives -inf (log 0), not NaN.
Tensor logsumexp(const Tensor& x, const Axes& axes, bool keepdims) {
  check_composite_input("logsumexp", x, false);
  Tensor m = max(x, axes, /*keepdims=*/true);
  Tensor m_safe = where(isfinite(m), m, scalar_like(m, 0.0));
  Tensor s = sum(exp(subtract(x, m_safe)), axes, keepdims);
  if (!keepdims) m_safe = reshape(m_safe, s.shape().dims());
  return add(log(s), m_safe);
}

// Population variance: the mean of squared deviations from the mean (two passes, so
// large offsets do not cancel catastrophically).
Tensor variance(const Tensor& x, const Axes& axes, bool keepdims) {
  check_composite_input("variance", x, true);
  Tensor xf = x;
  if (is_integer(x.dtype()))
    xf = cast(x, x.dtype() == DType::uint8 ? DType::float32 : DType::float64);
  Tensor mu = mean(xf, axes, /*keepdims=*/true);
  return mean(square(subtract(xf, mu)), axes, keepdims);
}

Tensor std(const Tensor& x, const Axes& axes, bool keepdims) {
  check_composite_input("std", x, true);
  return sqrt(variance(x, axes, keepdims));
}
}  // namespace ops
}  // namespace keras::core
