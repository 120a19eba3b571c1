// activations.cpp - the activations of keras.ops.nn that the engine composes from its
// primitives (core/ops_math.h): celu, glu, the hard_* and soft/sparse variants,
// log_sigmoid, sparsemax, squareplus, swish, tanh_shrink, threshold. Their gradients are
// those of the primitives. Inputs must be float32 or float64 (keras.ops raises on
// integers too).
#include <string>

#include "core/device_scope.h"
#include "core/dispatch.h"
#include "core/ops.h"

namespace keras::core::ops {
namespace {

const Tensor& expect_float(const char* op, const Tensor& x) {
  if (!x.defined()) throw_invalid(std::string(op) + ": the tensor is undefined");
  if (!is_floating(x.dtype()))
    throw_invalid(std::string(op) + ": expected a float32 or float64 tensor, but received " +
                  dtype_name(x.dtype()));
  return x;
}
Tensor k(const Tensor& x, double v, const char* what = "activation") { return scalar_like(x, v, what); }

// The axis in [0, rank) or std::invalid_argument naming op, axis and rank.
int64_t checked_axis(const char* op, const Tensor& x, int64_t axis) {
  const int64_t r = x.rank();
  if (axis < -r || axis >= r)
    throw_invalid(std::string(op) + ": axis " + std::to_string(axis) + " is out of range for a tensor of rank " +
                  std::to_string(r) + " (shape " + x.shape().str() + ")");
  return axis < 0 ? axis + r : axis;
}
// The permutation that swaps `axis` and the last axis (its own inverse).
Axes swap_last(int64_t rank, int64_t axis) {
  Axes p;
  for (int64_t i = 0; i < rank; ++i) p.push_back(i);
  std::swap(p[size_t(axis)], p.back());
  return p;
}

}  // namespace

Tensor celu(const Tensor& x, double alpha) {
  expect_float("celu", x);
  if (alpha == 0) throw_invalid("celu: expected a nonzero alpha, but received 0");
  Tensor zero = k(x, 0.0);
  Tensor neg_part = multiply(k(x, alpha, "celu: alpha"), expm1(divide(minimum(x, zero), k(x, alpha, "celu: alpha"))));
  return add(maximum(x, zero), neg_part);
}

Tensor glu(const Tensor& x, int64_t axis) {
  expect_float("glu", x);
  const int64_t a = checked_axis("glu", x, axis);
  if (x.shape()[a] % 2 != 0)
    throw_invalid("glu: expected an even size along axis " + std::to_string(axis) + ", but received shape " +
                  x.shape().str());
  std::vector<Tensor> halves = split(x, 2, a);
  return multiply(halves[0], sigmoid(halves[1]));
}

Tensor hard_shrink(const Tensor& x, double threshold) {
  expect_float("hard_shrink", x);
  return where(greater(abs(x), k(x, threshold, "hard_shrink: threshold")), x, k(x, 0.0));
}
// Keras 3: relu6(x + 3) / 6 (slope 1/6, as tf.keras's hard_sigmoid since 2.x's change).
Tensor hard_sigmoid(const Tensor& x) {
  expect_float("hard_sigmoid", x);
  return divide(relu6(add(x, k(x, 3.0))), k(x, 6.0));
}
Tensor hard_silu(const Tensor& x) { return multiply(x, hard_sigmoid(expect_float("hard_silu", x))); }
Tensor hard_swish(const Tensor& x) { return hard_silu(x); }
Tensor hard_tanh(const Tensor& x) { return clip(expect_float("hard_tanh", x), -1.0, 1.0); }
Tensor log_sigmoid(const Tensor& x) { return neg(softplus(neg(expect_float("log_sigmoid", x)))); }

Tensor soft_shrink(const Tensor& x, double threshold) {
  expect_float("soft_shrink", x);
  Tensor t = k(x, threshold, "soft_shrink: threshold");
  return where(greater(x, t), subtract(x, t), where(less(x, neg(t)), add(x, t), k(x, 0.0)));
}
// (x + 1)^2 / 4 on [-1, 1], 0 below, x above.
Tensor sparse_plus(const Tensor& x) {
  expect_float("sparse_plus", x);
  Tensor one = k(x, 1.0);
  return where(less_equal(x, neg(one)), k(x, 0.0),
               where(greater_equal(x, one), x, multiply(square(add(x, one)), k(x, 0.25))));
}
// (x + 1) / 2 clipped to [0, 1].
Tensor sparse_sigmoid(const Tensor& x) {
  expect_float("sparse_sigmoid", x);
  Tensor one = k(x, 1.0);
  return where(less_equal(x, neg(one)), k(x, 0.0),
               where(greater_equal(x, one), one, multiply(add(x, one), k(x, 0.5))));
}

// Sparsemax as keras.ops computes it along `axis` (every Keras 3 backend): with z sorted in
// descending order and its cumulative sums c, the support is {j : z_j - (c_j - 1) / (j + 1)
// > 0}, tau = (the sum of c_j over the support - 1) / |support|, output max(x - tau, 0).
// (Martins & Astudillo's tau takes the last c_j of the support instead, so Keras's outputs
// sum to less than 1 when the support has more than one element; kept for fidelity to
// models trained with Keras, see README.)
Tensor sparsemax(const Tensor& x, int64_t axis) {
  expect_float("sparsemax", x);
  DeviceScope on_input(x.device());  // the helper ranges on the input's device
  const int64_t a = checked_axis("sparsemax", x, axis), r = x.rank();
  const Axes perm = swap_last(r, a);
  Tensor xt = a == r - 1 ? x : transpose(x, perm);
  const int64_t n = xt.shape()[r - 1];
  Tensor z = sort(xt, -1, true);
  // cumulative sums along the last axis: z @ U with U[i][j] = (i <= j)
  Tensor idx = range(n);
  Tensor upper = cast(less_equal(expand_dims(idx, 1), expand_dims(idx, 0)), x.dtype());
  Tensor c = matmul(z, upper);
  Tensor ks = cast(range(int64_t{1}, n + 1), x.dtype());
  Tensor support = greater(subtract(z, divide(subtract(c, k(x, 1.0)), ks)), k(x, 0.0));
  Tensor count = sum(cast(support, x.dtype()), {-1}, true);
  Tensor c_support = where(support, c, k(x, 0.0));
  Tensor tau = divide(subtract(sum(c_support, {-1}, true), k(x, 1.0)), count);
  Tensor y = maximum(subtract(xt, tau), k(x, 0.0));
  return a == r - 1 ? y : transpose(y, perm);
}

Tensor squareplus(const Tensor& x, double b) {
  expect_float("squareplus", x);
  if (b < 0) throw_invalid("squareplus: expected b >= 0, but received " + format_scalar(b));
  return multiply(add(x, sqrt(add(square(x), k(x, b, "squareplus: b")))), k(x, 0.5));
}
Tensor swish(const Tensor& x) { return silu(expect_float("swish", x)); }
Tensor tanh_shrink(const Tensor& x) { return subtract(x, tanh(expect_float("tanh_shrink", x))); }
Tensor threshold(const Tensor& x, double threshold, double default_value) {
  expect_float("threshold", x);
  return where(greater(x, k(x, threshold, "threshold: threshold")), x,
               k(x, default_value, "threshold: default_value"));
}

}  // namespace keras::core::ops
