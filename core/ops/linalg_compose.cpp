// linalg_compose.cpp - linear-algebra functions composed of other ops (so their gradients
// come from the parts): norm (Keras's TensorFlow-backend algorithm), lstsq and pinv
// (through the SVD), diagonal / trace / diag (gather and segment sums), outer.
#include <cmath>
#include <limits>
#include <string>

#include "core/device_scope.h"
#include "core/dispatch.h"
#include "core/ops/linalg_util.h"
#include "core/ops_numpy.h"

namespace keras::core::ops {
namespace {

using linalg_util::mT;

double eps_of(DType dt) {
  return dt == DType::float32 ? double(std::numeric_limits<float>::epsilon())
                              : std::numeric_limits<double>::epsilon();
}

void check_defined(const Tensor& t, const char* op) {
  if (!t.defined()) throw_invalid(std::string(op) + ": input is an undefined tensor");
}

// x with axes (a1, a2) moved to the end (the others keep their order).
Tensor move_to_end(const Tensor& x, int64_t a1, int64_t a2) {
  Axes perm;
  for (int64_t i = 0; i < x.rank(); ++i)
    if (i != a1 && i != a2) perm.push_back(i);
  perm.push_back(a1);
  perm.push_back(a2);
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i) identity &= perm[i] == int64_t(i);
  return identity ? x : transpose(x, perm);
}

// Two distinct axes of x, normalized; throws naming op.
std::pair<int64_t, int64_t> axis_pair(const char* op, const Tensor& x, int64_t a1, int64_t a2) {
  if (x.rank() < 2)
    throw_invalid(std::string(op) + ": expected an input of rank >= 2, but received shape " +
                  x.shape().str());
  a1 = normalize_axis(a1, x.rank(), op);
  a2 = normalize_axis(a2, x.rank(), op);
  if (a1 == a2)
    throw_invalid(std::string(op) + ": expected axis1 and axis2 to differ, but both are axis " +
                  std::to_string(a1) + " of shape " + x.shape().str());
  return {a1, a2};
}

Tensor vector_norm(const Tensor& x, const NormOrd& ord, const Axes& axes, bool keep) {
  if (!ord.name.empty())
    throw_invalid("norm: invalid ord for a vector norm: '" + ord.name + "' (expected a number)");
  const double p = ord.value.value_or(2.0);
  if (p == 2.0) return sqrt(sum(square(x), axes, keep));
  if (std::isinf(p)) return p > 0 ? max(abs(x), axes, keep) : min(abs(x), axes, keep);
  if (p == 0.0) return sum(cast(not_equal(x, scalar_like(x, 0.0)), x.dtype()), axes, keep);
  if (p == 1.0) return sum(abs(x), axes, keep);
  Tensor s = sum(power(abs(x), scalar_like(x, p)), axes, keep);
  return power(s, scalar_like(x, 1.0 / p));
}

Tensor matrix_norm(const Tensor& x, const NormOrd& ord, int64_t row, int64_t col, bool keep) {
  const std::string& name = ord.name;
  if (ord.is_none() || name == "fro") return sqrt(sum(square(x), {row, col}, keep));
  const double p = ord.value.value_or(0.0);
  if (name == "nuc" || (ord.value && (p == 2.0 || p == -2.0))) {
    Tensor s = svd(move_to_end(x, row, col), false, false).s;
    Tensor r = name == "nuc" ? sum(s, {-1}) : (p > 0 ? max(s, {-1}) : min(s, {-1}));
    if (keep) r = expand_dims(expand_dims(r, std::min(row, col)), std::max(row, col));
    return r;
  }
  if (ord.value && (p == 1.0 || p == -1.0 || std::isinf(p))) {
    // 1: max over columns of the column sums; inf: max over rows of the row sums.
    int64_t inner = std::fabs(p) == 1.0 ? row : col, outer = std::fabs(p) == 1.0 ? col : row;
    if (!keep && outer > inner) --outer;
    Tensor sums = sum(abs(x), {inner}, keep);
    return p > 0 ? max(sums, {outer}, keep) : min(sums, {outer}, keep);
  }
  throw_invalid("norm: invalid ord for a matrix norm: " +
                (name.empty() ? std::to_string(p) : "'" + name + "'") +
                " (expected None, 'fro', 'nuc', 1, -1, 2, -2, inf or -inf)");
}

}  // namespace

Tensor norm(const Tensor& x_in, const NormOrd& ord, const Axes& axis, bool keepdims) {
  check_defined(x_in, "norm");
  Tensor x = is_floating(x_in.dtype()) ? x_in : cast(x_in, DType::float32);
  Axes axes = axis;
  if (axes.empty())
    for (int64_t i = 0; i < x.rank(); ++i) axes.push_back(i);
  for (int64_t& a : axes) a = normalize_axis(a, x.rank(), "norm");
  if (axes.size() == 1) return vector_norm(x, ord, axes, keepdims);
  if (axes.size() == 2 && axes[0] != axes[1]) return matrix_norm(x, ord, axes[0], axes[1], keepdims);
  throw_invalid("norm: expected axis to name 1 axis (a vector norm) or 2 distinct axes (a matrix "
                "norm), but received " + std::to_string(axes.size()) + " axes for shape " +
                x.shape().str());
}

Tensor lstsq(const Tensor& a, const Tensor& b, std::optional<double> rcond) {
  linalg_util::expect_float("lstsq", a, "a");
  linalg_util::expect_float("lstsq", b, "b");
  if (a.rank() != 2 || (b.rank() != 1 && b.rank() != 2) || b.shape()[0] != a.shape()[0])
    throw_invalid("lstsq: expected a of shape (M, N) and b of shape (M,) or (M, K), but received "
                  "a of shape " + a.shape().str() + " and b of shape " + b.shape().str());
  const int64_t m = a.shape()[0], n = a.shape()[1];
  Tensor b2 = b.rank() == 1 ? expand_dims(b, -1) : b;
  double rc = rcond.value_or(eps_of(a.dtype()) * double(std::max(m, n)));
  if (rc < 0) rc = eps_of(a.dtype());
  SVD d = svd(a, false, true);
  if (d.s.size() == 0) {
    Tensor x = zeros({n, b2.shape()[1]}, a.dtype());
    return b.rank() == 1 ? reshape(x, {-1}) : x;
  }
  Tensor s0 = slice(d.s, {0}, {1});
  Tensor mask = greater_equal(d.s, multiply(s0, scalar_like(s0, rc)));
  Tensor s_inv = where(mask, reciprocal(where(mask, d.s, ones_like(d.s))), zeros_like(d.s));
  Tensor x = matmul(d.vh, multiply(expand_dims(s_inv, -1), matmul(d.u, b2, true, false)), true, false);
  return b.rank() == 1 ? reshape(x, {-1}) : x;
}

Tensor pinv(const Tensor& a, std::optional<double> rcond) {
  linalg_util::expect_float("pinv", a, "a");
  if (a.rank() < 2)
    throw_invalid("pinv: expected a to have rank >= 2, but received shape " + a.shape().str());
  const int64_t m = a.shape()[a.rank() - 2], n = a.shape()[a.rank() - 1];
  const double rc = rcond.value_or(10.0 * double(std::max(m, n)) * eps_of(a.dtype()));
  SVD d = svd(a, false, true);
  if (d.s.size() == 0) return zeros(mT(a).shape(), a.dtype());
  Tensor cutoff = multiply(max(d.s, {-1}, true), scalar_like(d.s, rc));
  Tensor mask = greater(d.s, cutoff);
  Tensor s_inv = where(mask, reciprocal(where(mask, d.s, ones_like(d.s))), zeros_like(d.s));
  return matmul(multiply(mT(d.vh), expand_dims(s_inv, -2)), d.u, false, true);
}

Tensor cholesky_inverse(const Tensor& factor, bool upper) {
  linalg_util::expect_float("cholesky_inverse", factor, "factor");
  if (factor.rank() < 2)
    throw_invalid("cholesky_inverse: expected factor to have rank >= 2, but received shape " +
                  factor.shape().str());
  const int64_t n = factor.shape()[factor.rank() - 1];
  Tensor eye = broadcast_to(linalg_util::eye(n, factor), factor.shape());
  Tensor li = linalg_util::solve_triangular(factor, eye, !upper, false);  // L^-1 or U^-1
  return upper ? matmul(li, li, false, true) : matmul(li, li, true, false);
}

Tensor matrix_rank(const Tensor& a, std::optional<double> tol) {
  linalg_util::expect_float("matrix_rank", a, "a");
  if (a.rank() < 2)
    throw_invalid("matrix_rank: expected a to have rank >= 2, but received shape " + a.shape().str());
  const int64_t m = a.shape()[a.rank() - 2], n = a.shape()[a.rank() - 1];
  Tensor s = svd(a, false, false).s;
  Tensor cut = tol ? scalar_like(s, *tol)
                   : multiply(max(s, {-1}, true), scalar_like(s, double(std::max(m, n)) * eps_of(a.dtype())));
  return sum(cast(greater(s, cut), DType::int32), {-1});
}

namespace {
Tensor diagonal_of(const char* op, const Tensor& x, int64_t offset, int64_t axis1, int64_t axis2) {
  check_defined(x, op);
  auto [a1, a2] = axis_pair(op, x, axis1, axis2);
  Tensor xt = move_to_end(x, a1, a2);
  std::vector<int64_t> dims = xt.shape().dims();
  const int64_t rows = dims[dims.size() - 2], cols = dims.back();
  const int64_t r0 = std::max<int64_t>(0, -offset), c0 = std::max<int64_t>(0, offset);
  const int64_t len = std::max<int64_t>(0, std::min(rows - r0, cols - c0));
  dims.resize(dims.size() - 2);
  if (len == 0) {
    dims.push_back(0);
    DeviceScope on_input(x.device());  // the empty result on the input's device
    return zeros(Shape(dims), x.dtype());
  }
  std::vector<int64_t> idx(static_cast<size_t>(len));
  for (int64_t i = 0; i < len; ++i) idx[size_t(i)] = (r0 + i) * cols + c0 + i;
  std::vector<int64_t> flat = dims;
  flat.push_back(rows * cols);
  return gather(reshape(xt, flat), constant(idx).to(x.device()), int64_t(flat.size()) - 1);
}

}  // namespace

Tensor diagonal(const Tensor& x, int64_t offset, int64_t axis1, int64_t axis2) {
  return diagonal_of("diagonal", x, offset, axis1, axis2);
}

Tensor trace(const Tensor& x, int64_t offset, int64_t axis1, int64_t axis2) {
  check_defined(x, "trace");
  const DType acc = keras_sum_dtype(x.dtype());
  return sum(diagonal_of("trace", acc != x.dtype() ? cast(x, acc) : x, offset, axis1, axis2), {-1});
}

Tensor diag(const Tensor& x, int64_t k) {
  check_defined(x, "diag");
  if (x.rank() == 2) return diagonal(x, k);
  if (x.rank() != 1)
    throw_invalid("diag: expected x to be 1-d or 2-d, but received shape " + x.shape().str());
  const int64_t n = x.shape()[0], m = n + (k < 0 ? -k : k);
  std::vector<int64_t> ids(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) ids[size_t(i)] = (i + std::max<int64_t>(0, -k)) * m + i + std::max<int64_t>(0, k);
  return reshape(unsorted_segment_sum(x, constant(ids).to(x.device()), m * m), {m, m});
}

Tensor outer(const Tensor& x1, const Tensor& x2) {
  check_defined(x1, "outer");
  check_defined(x2, "outer");
  return multiply(reshape(x1, {-1, 1}), reshape(x2, {1, -1}));
}

}  // namespace keras::core::ops
