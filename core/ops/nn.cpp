// nn.cpp - neural-network ops: softmax, log_softmax, the fused softmax cross-entropies
// and one_hot: checks and shape rules. Kernels: core/cpu/nn.cpp.
//
// Attrs read:
// - Softmax, LogSoftmax: axis (any axis, negative counts from the end). Float dtypes.
// - SparseSoftmaxCrossEntropy (labels, logits): none. labels int32/int64 with shape
//   logits.shape[:-1]; logits float with rank >= 1 (classes on the last axis). Output:
//   per-example loss, labels' shape, logits' dtype. A label outside [0, classes) throws
//   std::invalid_argument naming the value, its position and the valid range (the kernel
//   checks every label before computing anything).
// - SoftmaxCrossEntropy (labels, logits): none. labels float, same dtype and shape as
//   logits; the class axis is the last. Output: logits.shape[:-1]. A zero label
//   contributes nothing, even where log_softmax is -inf.
// - OneHot (indices): k = depth (>= 0), axis (-1 = last, or 0..rank of indices),
//   alpha = on_value, beta = off_value, dtype = output dtype (any). indices int32,
//   int64 or uint8; indices outside [0, depth) give an all-off row (TensorFlow).
#include <string>

#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"

namespace keras::core {
namespace {

void infer_softmax(OpCall& c) {
  const Tensor& x = c.in(0);
  expect_dtype(c, x, "logits", kFloatTypes);
  expect_rank_at_least(c, x, "logits", 1);
  normalize_axis(c.attrs.axis, x.rank(), c.name());
  c.set_output(0, x.shape(), x.dtype());
}

// logits.shape without its last axis.
Shape batch_shape(const Shape& s) {
  return Shape(std::vector<int64_t>(s.dims().begin(), s.dims().end() - 1));
}

void infer_sparse_xent(OpCall& c) {
  const Tensor &labels = c.in(0), &logits = c.in(1);
  expect_dtype(c, labels, "labels", {DType::int32, DType::int64});
  expect_dtype(c, logits, "logits", kFloatTypes);
  expect_rank_at_least(c, logits, "logits", 1);
  Shape want = batch_shape(logits.shape());
  if (labels.shape() != want)
    throw_invalid(std::string(c.name()) + ": expected labels to have shape " + want.str() +
                  " (the shape of logits " + logits.shape().str() +
                  " without the class axis), but received labels of shape " +
                  labels.shape().str());
  c.set_output(0, want, logits.dtype());
}

void infer_xent(OpCall& c) {
  const Tensor &labels = c.in(0), &logits = c.in(1);
  expect_dtype(c, logits, "logits", kFloatTypes);
  expect_dtype(c, labels, "labels", kFloatTypes);
  expect_same_dtype(c, labels, logits);
  expect_rank_at_least(c, logits, "logits", 1);
  if (labels.shape() != logits.shape())
    throw_invalid(std::string(c.name()) + ": expected labels to have the shape of logits " +
                  logits.shape().str() + ", but received labels of shape " +
                  labels.shape().str());
  c.set_output(0, batch_shape(logits.shape()), logits.dtype());
}

void infer_one_hot(OpCall& c) {
  const Tensor& idx = c.in(0);
  expect_dtype(c, idx, "indices", kIntegerTypes);
  const int64_t depth = c.attrs.k, r = idx.rank();
  if (depth < 0)
    throw_invalid(std::string(c.name()) + ": expected depth >= 0, but received depth " +
                  std::to_string(depth));
  const int64_t axis = c.attrs.axis;
  if (axis < -1 || axis > r)
    throw_invalid(std::string(c.name()) + ": expected axis to be -1 or in [0, " +
                  std::to_string(r) + "] for indices of shape " + idx.shape().str() +
                  ", but received axis " + std::to_string(axis));
  std::vector<int64_t> dims = idx.shape().dims();
  check_scalar_fits(c.attrs.alpha, c.attrs.dtype, "one_hot: on_value");
  check_scalar_fits(c.attrs.beta, c.attrs.dtype, "one_hot: off_value");
  dims.insert(dims.begin() + (axis == -1 ? r : axis), depth);
  c.set_output(0, Shape(std::move(dims)), c.attrs.dtype);
}

Tensor softmax_like(OpId op, const Tensor& x, int64_t axis) {
  Attrs a;
  a.axis = axis;
  return dispatch(op, {x}, a);
}

const Attrs& no_attrs() {
  static const Attrs a;
  return a;
}

// ---- gradient rules --------------------------------------------------------------------
std::vector<Tensor> nn_grad(const GradContext& c) {
  switch (c.op) {
    case OpId::Softmax: {  // y (dy - sum(dy y))
      const Tensor &y = c.out(), &dy = c.grad();
      Tensor s = ops::sum(ops::multiply(dy, y), {c.attrs.axis}, true);
      return {ops::multiply(y, ops::subtract(dy, s))};
    }
    case OpId::LogSoftmax: {  // dy - softmax(x) sum(dy)
      const Tensor& dy = c.grad();
      Tensor s = ops::sum(dy, {c.attrs.axis}, true);
      return {ops::subtract(dy, ops::multiply(ops::exp(c.out()), s))};
    }
    case OpId::SparseSoftmaxCrossEntropy: {  // d/dlogits = dy (softmax - one_hot(labels))
      const Tensor &labels = c.in(0), &logits = c.in(1);
      const int64_t classes = logits.shape()[logits.rank() - 1];
      Tensor target = ops::one_hot(labels, classes, {.dtype = logits.dtype()});
      Tensor dy = ops::expand_dims(c.grad(), -1);
      return {Tensor(), ops::multiply(dy, ops::subtract(ops::softmax(logits), target))};
    }
    case OpId::SoftmaxCrossEntropy: {
      // loss = -sum(labels * log_softmax(logits)):
      // d/dlogits = softmax * sum(labels) - labels, d/dlabels = -log_softmax(logits).
      const Tensor &labels = c.in(0), &logits = c.in(1);
      Tensor dy = ops::expand_dims(c.grad(), -1);
      Tensor total = ops::sum(labels, {-1}, true);
      Tensor dlogits = ops::subtract(ops::multiply(ops::softmax(logits), total), labels);
      return {ops::neg(ops::multiply(dy, ops::log_softmax(logits))), ops::multiply(dy, dlogits)};
    }
    default: return {Tensor()};
  }
}

}  // namespace

void define_nn_ops() {
  define_op(OpId::Softmax, infer_softmax);
  define_op(OpId::LogSoftmax, infer_softmax);
  define_op(OpId::SparseSoftmaxCrossEntropy, infer_sparse_xent);
  define_op(OpId::SoftmaxCrossEntropy, infer_xent);
  for (OpId op : {OpId::Softmax, OpId::LogSoftmax, OpId::SparseSoftmaxCrossEntropy,
                  OpId::SoftmaxCrossEntropy})
    define_grad(op, nn_grad);  // one_hot has no gradient
  define_op(OpId::OneHot, infer_one_hot);
}

namespace ops {
Tensor softmax(const Tensor& logits, int64_t axis) { return softmax_like(OpId::Softmax, logits, axis); }
Tensor log_softmax(const Tensor& logits, int64_t axis) {
  return softmax_like(OpId::LogSoftmax, logits, axis);
}
Tensor sparse_softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits) {
  return dispatch(OpId::SparseSoftmaxCrossEntropy, {labels, logits}, no_attrs());
}
Tensor softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits) {
  return dispatch(OpId::SoftmaxCrossEntropy, {labels, logits}, no_attrs());
}
Tensor one_hot(const Tensor& indices, int64_t depth, const OneHotOptions& o) {
  Attrs a;
  a.k = depth;
  a.axis = o.axis;
  a.alpha = o.on_value;
  a.beta = o.off_value;
  a.dtype = o.dtype;
  return dispatch(OpId::OneHot, {indices}, a);
}
}  // namespace ops
}  // namespace keras::core
