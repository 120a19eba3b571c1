// scan.cpp - the cumulative ops cumsum and cumprod (keras.ops.cumsum / cumprod) and their
// nan* forms. Kernels: core/cpu/scan.cpp.
//
// Attrs read: axis (the scanned axis; negative counts from the end).
// Decisions (keras.ops on TensorFlow): no axis scans the flattened x; bool counts as
// int32; other dtypes are kept (integers wrap around on overflow, as TensorFlow).
// Gradients: cumsum's is the reversed cumsum of dy; cumprod's is TensorFlow's,
// reversed_cumsum(dy * y) / x, which is inf/NaN where x has zeros (as TensorFlow).
#include <string>

#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"

namespace keras::core {
namespace {

void infer_scan(OpCall& c) {
  const Tensor& x = c.in(0);
  expect_dtype(c, x, "x", kNumericTypes);
  expect_rank_at_least(c, x, "x", 1);
  (void)normalize_axis(c.attrs.axis, x.rank(), c.name());
  c.set_output(0, x.shape(), x.dtype());
}

Tensor reverse_cumsum(const Tensor& t, int64_t axis) {
  return ops::reverse(ops::cumsum(ops::reverse(t, {axis}), axis), {axis});
}

std::vector<Tensor> scan_grad(const GradContext& c) {
  const int64_t axis = c.attrs.axis;
  if (c.op == OpId::Cumsum) return {reverse_cumsum(c.grad(), axis)};
  return {ops::divide(reverse_cumsum(ops::multiply(c.grad(), c.out()), axis), c.in(0))};
}

Tensor cumulative(OpId op, const char* name, Tensor x, std::optional<int64_t> axis,
            std::optional<DType> dtype) {
  if (!x.defined()) throw_invalid(std::string(name) + ": x is an undefined tensor");
  if (dtype) x = ops::cast(x, *dtype);
  if (x.dtype() == DType::bool_) x = ops::cast(x, DType::int32);
  Attrs a;
  if (!axis) {
    x = ops::reshape(x, {-1});
    a.axis = 0;
  } else {
    a.axis = *axis;
  }
  return dispatch(op, {x}, a);
}

// NaN replaced by `with` (integer x has none).
Tensor nan_as(const Tensor& x, double with, const char* name) {
  if (!x.defined()) throw_invalid(std::string(name) + ": x is an undefined tensor");
  if (!is_floating(x.dtype())) return x;
  return ops::where(ops::isnan(x), ops::scalar_like(x, with), x);
}

}  // namespace

void define_scan_ops() {
  define_op(OpId::Cumsum, infer_scan);
  define_op(OpId::Cumprod, infer_scan);
  define_grad(OpId::Cumsum, scan_grad);
  define_grad(OpId::Cumprod, scan_grad);
}

namespace ops {
Tensor cumsum(const Tensor& x, std::optional<int64_t> axis, std::optional<DType> dtype) {
  return cumulative(OpId::Cumsum, "cumsum", x, axis, dtype);
}
Tensor cumprod(const Tensor& x, std::optional<int64_t> axis, std::optional<DType> dtype) {
  return cumulative(OpId::Cumprod, "cumprod", x, axis, dtype);
}
Tensor nancumsum(const Tensor& x, std::optional<int64_t> axis, std::optional<DType> dtype) {
  return cumsum(nan_as(x, 0.0, "nancumsum"), axis, dtype);
}
Tensor nancumprod(const Tensor& x, std::optional<int64_t> axis, std::optional<DType> dtype) {
  return cumprod(nan_as(x, 1.0, "nancumprod"), axis, dtype);
}
}  // namespace ops
}  // namespace keras::core
