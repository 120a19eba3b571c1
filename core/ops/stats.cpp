// stats.cpp - keras.ops's trapezoid, corrcoef, correlate, cdist and logdet: compositions
// of core ops (so differentiable through them), with Keras's dtype rules (integers give
// float32; float64 is kept).
#include <algorithm>
#include <limits>
#include <string>

#include "core/device_scope.h"
#include "core/dispatch.h"
#include "core/ops.h"

namespace keras::core::ops {
namespace {

DType float_of(DType d) { return d == DType::float64 ? DType::float64 : DType::float32; }

void need(const char* op, const Tensor& t, const char* name, bool numeric = true) {
  if (!t.defined()) throw_invalid(std::string(op) + ": " + name + " is an undefined tensor");
  if (numeric && t.dtype() == DType::bool_)
    throw_invalid(std::string(op) + ": expected " + name + " of a numeric dtype, but received bool (shape " +
                  t.shape().str() + ")");
}

// t[..., from : from + len] along the last axis.
Tensor last_slice(const Tensor& t, int64_t from, int64_t len) {
  std::vector<int64_t> b(static_cast<size_t>(t.rank()), 0), s(static_cast<size_t>(t.rank()), -1);
  b.back() = from;
  s.back() = len;
  return slice(t, b, s);
}

Tensor move_last(const Tensor& t, int64_t axis) {
  Axes perm;
  for (int64_t i = 0; i < t.rank(); ++i)
    if (i != axis) perm.push_back(i);
  perm.push_back(axis);
  return transpose(t, perm);
}

}  // namespace

Tensor trapezoid(const Tensor& y, const Tensor& x, double dx, int64_t axis) {
  need("trapezoid", y, "y");
  if (y.rank() == 0) throw_invalid("trapezoid: expected y of rank >= 1, but received a scalar");
  const int64_t ax = normalize_axis(axis, y.rank(), "trapezoid");
  const DType dt = float_of(y.dtype());
  DeviceScope on_input(y.device());  // the helper scalars on the input's device
  Tensor yl = move_last(cast(y, dt), ax);
  const int64_t n = y.shape()[ax];
  if (n < 2) return sum(multiply(last_slice(yl, 0, 0), fill(Shape{}, dx, dt)), {-1});
  Tensor heights = multiply(add(last_slice(yl, 1, n - 1), last_slice(yl, 0, n - 1)), fill(Shape{}, 0.5, dt));
  Tensor step;
  if (!x.defined()) {
    step = fill(Shape{}, dx, dt);
  } else {
    need("trapezoid", x, "x");
    Tensor xl;
    if (x.shape() == y.shape())
      xl = move_last(cast(x, dt), ax);
    else if (x.rank() == 1 && x.shape()[0] == n)
      xl = cast(x, dt);
    else
      throw_invalid("trapezoid: expected x of y's shape " + y.shape().str() + " or 1-d of length " +
                    std::to_string(n) + " (y's axis " + std::to_string(axis) + "), but received shape " +
                    x.shape().str());
    step = subtract(last_slice(xl, 1, n - 1), last_slice(xl, 0, n - 1));
  }
  return sum(multiply(heights, step), {-1});
}

Tensor corrcoef(const Tensor& x) {
  need("corrcoef", x, "x");
  if (x.rank() > 2) throw_invalid("corrcoef: expected x of rank 1 or 2, but received shape " + x.shape().str());
  const DType dt = float_of(x.dtype());
  DeviceScope on_input(x.device());  // the helper scalars on the input's device
  if (x.rank() == 0) return fill(Shape{}, std::numeric_limits<double>::quiet_NaN(), dt);
  Tensor xf = cast(x, dt);
  if (x.rank() == 1) xf = reshape(xf, {1, -1});
  Tensor c = subtract(xf, mean(xf, {-1}, true));
  const int64_t n = xf.shape()[1];
  Tensor cov = divide(matmul(c, c, false, true), fill(Shape{}, double(n - 1), dt));
  Tensor sd = sqrt(diagonal(cov, 0, 0, 1));
  Tensor r = clip(divide(cov, multiply(reshape(sd, {-1, 1}), reshape(sd, {1, -1}))), -1.0, 1.0);
  return x.rank() == 1 ? reshape(r, {}) : r;
}

Tensor correlate(const Tensor& x1, const Tensor& x2, const std::string& mode) {
  need("correlate", x1, "x1");
  need("correlate", x2, "x2");
  if (x1.rank() != 1 || x2.rank() != 1)
    throw_invalid("correlate: expected 1-d x1 and x2, but received shapes " + x1.shape().str() + " and " +
                  x2.shape().str());
  if (mode != "valid" && mode != "same" && mode != "full")
    throw_invalid("correlate: expected mode \"valid\", \"same\" or \"full\", but received \"" + mode + "\"");
  const int64_t n = x1.shape()[0], m = x2.shape()[0];
  if (m == 0 || n == 0) throw_invalid("correlate: x1 and x2 must not be empty, but received shapes " +
                                      x1.shape().str() + " and " + x2.shape().str());
  const bool wide = x1.dtype() == DType::float64 || x2.dtype() == DType::float64 ||
                    (!is_floating(x1.dtype()) && !is_floating(x2.dtype()) &&
                     (x1.dtype() == DType::int64 || x2.dtype() == DType::int64));
  const DType dt = wide ? DType::float64 : DType::float32;
  Tensor a = cast(x1, dt), v = cast(x2, dt);
  const bool full = mode != "valid";
  if (full) a = pad(a, {{m - 1, m - 1}});
  const int64_t len = a.shape()[0], k = len - m + 1;
  if (k <= 0) return zeros({0}, dt);
  std::vector<int64_t> idx(static_cast<size_t>(k * m));
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < m; ++j) idx[size_t(i * m + j)] = i + j;
  Tensor windows = gather(a, from_buffer(idx.data(), Shape{k, m}, DType::int64), 0);  // (k, m)
  Tensor r = reshape(matmul(windows, reshape(v, {m, 1})), {k});
  if (mode == "same") {
    const int64_t out = std::max(n, m);
    r = slice(r, {(k - out) / 2}, {out});
  }
  return r;
}

Tensor cdist(const Tensor& x, const Tensor& y) {
  need("cdist", x, "x");
  need("cdist", y, "y");
  if (x.rank() < 2 || y.rank() < 2 || x.shape()[x.rank() - 1] != y.shape()[y.rank() - 1])
    throw_invalid("cdist: expected x (..., M, D) and y (..., N, D) of rank >= 2 with the same D, but received "
                  "shapes " + x.shape().str() + " and " + y.shape().str());
  Tensor a = x, b = y;
  if (a.dtype() != b.dtype() || !is_floating(a.dtype())) {
    const DType dt = a.dtype() == DType::float64 || b.dtype() == DType::float64 ? DType::float64 : DType::float32;
    a = cast(a, dt);
    b = cast(b, dt);
  }
  Tensor d = subtract(expand_dims(a, -2), expand_dims(b, -3));
  return sqrt(sum(square(d), {-1}));
}

Tensor logdet(const Tensor& x) {
  need("logdet", x, "x");
  if (x.rank() < 2 || x.shape()[x.rank() - 1] != x.shape()[x.rank() - 2])
    throw_invalid("logdet: expected square matrices (..., M, M), but received shape " + x.shape().str());
  Tensor l = cholesky(x);
  Tensor d = diagonal(l, 0, -2, -1);
  return multiply(sum(log(d), {-1}), scalar_like(d, 2.0));
}

}  // namespace keras::core::ops
