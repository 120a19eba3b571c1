// sort.cpp - sorting: sort, argsort (any axis) and top_k (the last axis).
// Kernels: core/cpu/sort.cpp.
//
// Order (the same in every op): ascending puts NaN last (NumPy); descending is the exact
// reverse order, so NaN comes first (as TensorFlow's top_k, which treats NaN as the
// largest value). Equal values keep their original order (stable) in both directions;
// top_k likewise puts the lower index first among ties.
//
// Attributes: Sort / ArgSort read axis and flag (= descending); TopK reads k and
// flag (= sorted: values in descending order; unsorted results keep the original index
// order). ArgSort and TopK's indices are int32.
#include <cstdint>
#include <limits>
#include <string>

#include "core/device_scope.h"
#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"

namespace keras::core {
namespace {

void check_index_range(const OpCall& c, const Tensor& x, int64_t n) {
  if (n > std::numeric_limits<int32_t>::max())
    throw_invalid(std::string(c.name()) + ": the sorted axis of the input with shape " +
                  x.shape().str() + " is too long for int32 indices");
}

void infer_sort(OpCall& c) {
  const Tensor& x = c.in(0);
  expect_dtype(c, x, "x", kNumericTypes);
  const int64_t axis = normalize_axis(c.attrs.axis, x.rank(), c.name());
  if (c.op == OpId::ArgSort) {
    check_index_range(c, x, x.shape()[axis]);
    c.set_output(0, x.shape(), DType::int32);
  } else {
    c.set_output(0, x.shape(), x.dtype());
  }
}

void infer_top_k(OpCall& c) {
  const Tensor& x = c.in(0);
  expect_dtype(c, x, "x", kNumericTypes);
  expect_rank_at_least(c, x, "x", 1);
  const int64_t n = x.shape()[x.rank() - 1], k = c.attrs.k;
  if (k < 0 || k > n)
    throw_invalid("top_k: expected 0 <= k <= " + std::to_string(n) +
                  " (the size of the last axis of x with shape " + x.shape().str() +
                  "), but received k = " + std::to_string(k));
  check_index_range(c, x, n);
  std::vector<int64_t> dims = x.shape().dims();
  dims.back() = k;
  Shape s(std::move(dims));
  c.set_output(0, s, x.dtype());
  c.set_output(1, s, DType::int32);
}

// Gradients: the values moved, so their gradients move back: dy is added at the
// positions the sort (or top_k) read them from.
std::vector<Tensor> sort_grad(const GradContext& c) {
  const Tensor& x = c.in(0);
  DeviceScope on_input(x.device());  // the positions on the input's device
  Tensor pos = ops::reshape(ops::range(x.size()), x.shape().dims());
  Tensor from;
  if (c.op == OpId::Sort)
    from = ops::take_along_axis(pos, ops::argsort(x, c.attrs.axis, c.attrs.flag), c.attrs.axis);
  else  // TopK: output 1 holds the indices along the last axis
    from = ops::take_along_axis(pos, c.out(1), -1);
  Tensor flat = ops::unsorted_segment_sum(ops::reshape(c.grad(0), {-1}), ops::reshape(from, {-1}),
                                          x.size());
  return {ops::reshape(flat, x.shape().dims())};
}

}  // namespace

void define_sort_ops() {
  define_op(OpId::Sort, infer_sort);
  define_op(OpId::ArgSort, infer_sort);
  define_op(OpId::TopK, infer_top_k);
  define_grad(OpId::Sort, sort_grad);  // argsort has no gradient
  define_grad(OpId::TopK, sort_grad);  // values only; the indices have none
}

namespace ops {
Tensor sort(const Tensor& x, int64_t axis, bool descending) {
  Attrs a;
  a.axis = axis;
  a.flag = descending;
  return dispatch(OpId::Sort, {x}, a);
}

Tensor argsort(const Tensor& x, int64_t axis, bool descending) {
  Attrs a;
  a.axis = axis;
  a.flag = descending;
  return dispatch(OpId::ArgSort, {x}, a);
}

TopK top_k(const Tensor& x, int64_t k, bool sorted) {
  Attrs a;
  a.k = k;
  a.flag = sorted;
  Tensor in[] = {x};
  auto out = dispatch_multi(OpId::TopK, in, a);
  return {std::move(out[0]), std::move(out[1])};
}
}  // namespace ops
}  // namespace keras::core
