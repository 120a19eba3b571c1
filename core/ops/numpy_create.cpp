// numpy_create.cpp - keras.ops's creation functions (core/ops_numpy.h): arange, array,
// full, empty, identity, logspace, geomspace, tri, tril, triu, diagflat, vander and the
// window functions. Compositions of the creation, comparison and where ops; the windows
// and spaces are computed on the host in float64 and rounded to their dtype once.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/device_scope.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/shape_util.h"

namespace keras::core::ops {
using namespace shape_util;

namespace {

std::string fmt(double v) { return format_scalar(v); }

Tensor from_values(const std::vector<double>& v, DType dtype) {
  return from_buffer(v.data(), DType::float64, Shape{static_cast<int64_t>(v.size())}, dtype);
}

void check_count(int64_t n, const char* op, const char* arg) {
  if (n < 0)
    throw_invalid(std::string(op) + ": expected " + arg + " >= 0, but received " + num(n));
}

// The 1-d window w(n), n = 0..M-1 (NumPy: an empty window for M < 1, [1] for M == 1).
template <class F>
Tensor window(int64_t M, F w) {
  std::vector<double> v;
  for (int64_t n = 0; n < M; ++n) v.push_back(M == 1 ? 1.0 : w(double(n), double(M - 1)));
  return from_values(v, DType::float32);
}

// The evenly spaced exponents of logspace / geomspace.
std::vector<double> spaced(double start, double stop, int64_t num, bool endpoint, const char* op) {
  check_count(num, op, "num");
  if (!std::isfinite(start) || !std::isfinite(stop))
    throw_invalid(std::string(op) + ": expected finite start and stop, but received " + fmt(start) +
                  " and " + fmt(stop));
  std::vector<double> v(static_cast<size_t>(num));
  const int64_t div = endpoint ? num - 1 : num;
  const double step = div > 0 ? (stop - start) / double(div) : 0.0;
  for (int64_t i = 0; i < num; ++i) v[size_t(i)] = start + double(i) * step;
  if (endpoint && num > 1) v.back() = stop;
  return v;
}

// The (rows, cols) mask of tri(rows, cols, k): column <= row + k.
Tensor tri_mask(int64_t rows, int64_t cols, int64_t k) {
  Tensor r = expand_dims(range(0.0, double(rows), 1.0, DType::int64), 1);
  Tensor c = expand_dims(range(0.0, double(cols), 1.0, DType::int64), 0);
  return less_equal(c, add(r, scalar_like(r, double(k))));
}

Tensor triangle(const Tensor& x, int64_t k, bool lower, const char* op) {
  check_defined(x, op);
  if (x.rank() < 2)
    throw_invalid(std::string(op) + ": expected x of rank >= 2, but received shape " + x.shape().str());
  const int64_t rows = x.shape()[x.rank() - 2], cols = x.shape()[x.rank() - 1];
  DeviceScope on_input(x.device());  // the mask on the input's device
  // lower: column <= row + k; upper: column >= row + k, i.e. not (column <= row + k - 1).
  Tensor mask = lower ? tri_mask(rows, cols, k) : logical_not(tri_mask(rows, cols, k - 1));
  return where(mask, x, zeros_like(x));
}

}  // namespace

Tensor arange(Number start, std::optional<Number> stop, Number step, std::optional<DType> dtype) {
  if (!stop) stop = start, start = Number(0);
  const bool integral = start.integral && stop->integral && step.integral;
  const DType dt = dtype ? *dtype : integral ? DType::int32 : DType::float32;
  if (step.value == 0) throw_invalid("arange: step must be non-zero, but received 0");
  if (integral && dt == DType::int32)  // checks that the values fit int32
    return range(static_cast<int64_t>(start.value), static_cast<int64_t>(stop->value),
                 static_cast<int64_t>(step.value));
  return range(start.value, stop->value, step.value, dt);
}

Tensor array(const Tensor& x, std::optional<DType> dtype) {
  check_defined(x, "array");
  return dtype && *dtype != x.dtype() ? cast(x, *dtype) : x;
}
Tensor convert_to_tensor(const Tensor& x, std::optional<DType> dtype) {
  check_defined(x, "convert_to_tensor");
  return array(x, dtype);
}

Tensor full(const Shape& shape, double fill_value, std::optional<DType> dtype) {
  return fill(shape, fill_value, dtype.value_or(DType::float32));
}
Tensor empty(const Shape& shape, std::optional<DType> dtype) {
  return zeros(shape, dtype.value_or(DType::float32));
}
Tensor empty_like(const Tensor& x, std::optional<DType> dtype) {
  check_defined(x, "empty_like");
  return zeros(x.shape(), dtype.value_or(x.dtype()));
}
Tensor copy(const Tensor& x) {
  check_defined(x, "copy");
  return tile(x, std::vector<int64_t>(static_cast<size_t>(x.rank()), 1));  // a new buffer
}
Tensor identity(int64_t n, std::optional<DType> dtype) {
  check_count(n, "identity", "n");
  return eye(n, std::nullopt, dtype.value_or(DType::float32));
}

Tensor logspace(double start, double stop, int64_t num, double base, const SpaceOptions& o) {
  std::vector<double> v = spaced(start, stop, num, o.endpoint, "logspace");
  for (double& e : v) e = std::pow(base, e);
  return from_values(v, o.dtype.value_or(DType::float32));
}

Tensor geomspace(double start, double stop, int64_t num, const SpaceOptions& o) {
  if (start == 0 || stop == 0 || (start < 0) != (stop < 0))
    throw_invalid("geomspace: expected start and stop of the same sign and non-zero, but received " +
                  fmt(start) + " and " + fmt(stop));
  const double sign = start < 0 ? -1.0 : 1.0;
  std::vector<double> v =
      spaced(std::log10(sign * start), std::log10(sign * stop), num, o.endpoint, "geomspace");
  for (double& e : v) e = sign * std::pow(10.0, e);
  if (num > 0) v.front() = start;
  if (num > 1 && o.endpoint) v.back() = stop;
  return from_values(v, o.dtype.value_or(DType::float32));
}

Tensor tri(int64_t N, std::optional<int64_t> M, int64_t k, std::optional<DType> dtype) {
  check_count(N, "tri", "N");
  if (M) check_count(*M, "tri", "M");
  return cast(tri_mask(N, M.value_or(N), k), dtype.value_or(DType::float32));
}
Tensor tril(const Tensor& x, int64_t k) { return triangle(x, k, true, "tril"); }
Tensor triu(const Tensor& x, int64_t k) { return triangle(x, k, false, "triu"); }

Tensor diagflat(const Tensor& x, int64_t k) {
  check_defined(x, "diagflat");
  return diag(reshape(x, {-1}), k);
}

Tensor vander(const Tensor& x, std::optional<int64_t> N, bool increasing) {
  check_defined(x, "vander");
  if (x.rank() != 1)
    throw_invalid("vander: expected x to be 1-d, but received shape " + x.shape().str());
  if (x.dtype() == DType::bool_)
    throw_invalid("vander: expected a numeric x, but received dtype bool");
  const int64_t n = N.value_or(x.shape()[0]);
  check_count(n, "vander", "N");
  // Columns x^0, x^1, ... as a running product (exact for integers, and differentiable).
  std::vector<Tensor> cols;
  Tensor col = ones_like(x);
  for (int64_t i = 0; i < n; ++i) {
    cols.push_back(col);
    if (i + 1 < n) col = multiply(col, x);
  }
  if (!increasing) std::reverse(cols.begin(), cols.end());
  if (cols.empty()) return zeros({x.shape()[0], 0}, x.dtype());
  return stack(cols, 1);
}

Tensor bartlett(int64_t M) {
  return window(M, [](double n, double m) { return n <= m / 2 ? 2 * n / m : 2 - 2 * n / m; });
}
Tensor blackman(int64_t M) {
  return window(M, [](double n, double m) {
    return 0.42 - 0.5 * std::cos(2 * M_PI * n / m) + 0.08 * std::cos(4 * M_PI * n / m);
  });
}
Tensor hamming(int64_t M) {
  return window(M, [](double n, double m) { return 0.54 - 0.46 * std::cos(2 * M_PI * n / m); });
}
Tensor hanning(int64_t M) {
  return window(M, [](double n, double m) { return 0.5 - 0.5 * std::cos(2 * M_PI * n / m); });
}
Tensor kaiser(int64_t M, double beta) {
  if (!std::isfinite(beta))
    throw_invalid("kaiser: expected a finite beta, but received " + fmt(beta));
  const double i0b = std::cyl_bessel_i(0.0, std::fabs(beta));
  return window(M, [&](double n, double m) {
    const double a = m / 2, r = (n - a) / a;
    return std::cyl_bessel_i(0.0, std::fabs(beta) * std::sqrt(std::max(0.0, 1 - r * r))) / i0b;
  });
}

}  // namespace keras::core::ops
