// quantile.cpp - keras.ops's quantile, percentile, median, their nan* forms and
// argpartition: compositions of sort, take_along_axis and elementwise ops, so they
// differentiate through sort's gradient.
//
// As Keras's TensorFlow backend (which follows tfp.stats.percentile): the reduced axes are
// moved to the end and flattened, sorted (NaN last), and the q-th position (d - 1) * q is
// read with the method's rounding; "linear" interpolates between the two neighbours.
// The nan* forms use per slice the count of non-NaN values as d (an all-NaN slice gives
// NaN); the plain forms give NaN for a slice holding NaN. Integer x gives float32. As Keras,
// a double q (a Python float there) is rounded to float32, and so is every q of nanquantile
// and of the percentiles.
#include <algorithm>
#include <limits>
#include <string>

#include "core/device_scope.h"
#include "core/dispatch.h"
#include "core/ops.h"

namespace keras::core::ops {
namespace {

struct Moved {
  Tensor y;                       // (other..., D)
  std::vector<int64_t> other;     // the kept dims, in order
  std::vector<bool> reduced;      // per axis of x
};

// x with the `axis` axes (empty: all) moved to the end and flattened into one.
Moved move_to_end(const char* op, const Tensor& x, const Axes& axis) {
  Moved m;
  const int64_t r = x.rank();
  m.reduced.assign(static_cast<size_t>(r), axis.empty());
  for (int64_t a : axis) {
    const int64_t n = normalize_axis(a, r, op);
    if (m.reduced[static_cast<size_t>(n)])
      throw_invalid(std::string(op) + ": duplicate axis " + std::to_string(a) + " for x of shape " + x.shape().str());
    m.reduced[static_cast<size_t>(n)] = true;
  }
  Axes perm;
  int64_t d = 1;
  for (int64_t i = 0; i < r; ++i)
    if (!m.reduced[static_cast<size_t>(i)]) {
      perm.push_back(i);
      m.other.push_back(x.shape()[i]);
    }
  for (int64_t i = 0; i < r; ++i)
    if (m.reduced[static_cast<size_t>(i)]) {
      perm.push_back(i);
      d *= x.shape()[i];
    }
  std::vector<int64_t> dims = m.other;
  dims.push_back(d);
  m.y = reshape(r > 0 ? transpose(x, perm) : x, dims);
  return m;
}

Tensor quantile_impl(const char* op, const Tensor& x, const Tensor& q, const Axes& axis, const std::string& method,
                     bool keepdims, bool skip_nan) {
  if (!x.defined() || !q.defined()) throw_invalid(std::string(op) + ": x and q must be defined tensors");
  if (x.dtype() == DType::bool_)
    throw_invalid(std::string(op) + ": expected x of a numeric dtype, but received bool (shape " + x.shape().str() + ")");
  if (q.rank() > 1 || q.dtype() == DType::bool_)
    throw_invalid(std::string(op) + ": expected q to be a number or a 1-d tensor of numbers, but received shape " +
                  q.shape().str() + " and dtype " + dtype_name(q.dtype()));
  if (method != "linear" && method != "lower" && method != "higher" && method != "midpoint" && method != "nearest")
    throw_invalid(std::string(op) + ": expected method \"linear\", \"lower\", \"higher\", \"midpoint\" or "
                  "\"nearest\", but received \"" + method + "\"");
  if (!tracing::t_tracer) {
    for (double v : cast(q, DType::float64).to_vector<double>())
      if (!(v >= 0.0 && v <= 1.0))
        throw_invalid(std::string(op) + ": expected q in [0, 1] (percentile: [0, 100]), but received " +
                      std::to_string(v));
  }
  const DType dt = x.dtype() == DType::float64 ? DType::float64 : DType::float32;
  DeviceScope on_input(x.device());  // the helper tensors on the input's device
  Moved m = move_to_end(op, cast(x, dt), axis);
  const int64_t nq = q.rank() == 0 ? 1 : q.shape()[0];
  std::vector<int64_t> rdims = m.other;  // (other..., Q)
  rdims.push_back(nq);
  const int64_t d_static = m.y.shape()[m.y.rank() - 1];
  Tensor r;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (d_static == 0) {
    r = fill(Shape(rdims), nan, dt);
  } else {
    Tensor sorted = sort(m.y, -1);
    Tensor isn = isnan(m.y);
    Tensor d = skip_nan ? sum(cast(logical_not(isn), DType::float64), {-1}, true)
                        : fill(Shape{}, double(d_static), DType::float64);
    Tensor top = subtract(d, scalar_like(d, 1.0));
    Tensor pos = broadcast_to(multiply(top, reshape(cast(q, DType::float64), {nq})), Shape(rdims));
    auto index = [&](const Tensor& at) {  // clipped to [0, d - 1], int32
      Tensor clipped = maximum(minimum(at, broadcast_to(top, Shape(rdims))), scalar_like(at, 0.0));
      return cast(clipped, DType::int32);
    };
    auto read = [&](const Tensor& idx) { return take_along_axis(sorted, idx, -1); };
    if (method == "lower") {
      r = read(index(floor(pos)));
    } else if (method == "higher") {
      r = read(index(ceil(pos)));
    } else if (method == "nearest") {
      r = read(index(round(pos)));
    } else if (method == "midpoint") {
      r = multiply(add(read(index(floor(pos))), read(index(ceil(pos)))), fill(Shape{}, 0.5, dt));
    } else {  // linear, as Keras: from the higher index down to its lower neighbour
      Tensor hi = index(ceil(pos));
      Tensor lo = maximum(subtract(hi, scalar_like(hi, 1.0)), scalar_like(hi, 0.0));
      hi = cast(index(cast(add(lo, scalar_like(lo, 1.0)), DType::float64)), DType::int32);
      Tensor frac = cast(subtract(cast(hi, DType::float64), pos), dt);
      r = add(multiply(read(hi), subtract(scalar_like(frac, 1.0), frac)), multiply(read(lo), frac));
    }
    Tensor bad = skip_nan ? equal(d, scalar_like(d, 0.0)) : any(isn, {-1}, true);
    r = where(bad, fill(Shape{}, nan, dt), r);
  }
  // q's axis to the front, then the kept (or size-1) axes.
  const int64_t rr = r.rank();
  Axes perm{rr - 1};
  for (int64_t i = 0; i + 1 < rr; ++i) perm.push_back(i);
  r = transpose(r, perm);
  std::vector<int64_t> out;
  if (q.rank() == 1) out.push_back(nq);
  for (int64_t i = 0; i < x.rank(); ++i) {
    if (!m.reduced[static_cast<size_t>(i)])
      out.push_back(x.shape()[i]);
    else if (keepdims)
      out.push_back(1);
  }
  return reshape(r, out);
}

// A C++ double q is rounded to float32 first, as Keras converts a Python float.
// On x's device (undefined when x is, which quantile_impl reports).
Tensor scalar_q(double q, const Tensor& x) {
  if (!x.defined()) return Tensor();
  DeviceScope on_input(x.device());
  return cast(fill(Shape{}, q, DType::float64), DType::float32);
}
// Keras's nanquantile converts q to float32.
Tensor as_f32(const Tensor& q) { return q.defined() ? cast(q, DType::float32) : q; }
Tensor percent(const Tensor& q) {
  if (!q.defined()) throw_invalid("percentile: q must be a defined tensor");
  // Keras converts q to float32 before dividing by 100
  const Tensor qf = cast(q, DType::float32);
  return cast(divide(qf, scalar_like(qf, 100.0)), DType::float64);
}

}  // namespace

Tensor quantile(const Tensor& x, const Tensor& q, const Axes& axis, const std::string& method, bool keepdims) {
  return quantile_impl("quantile", x, q, axis, method, keepdims, false);
}
Tensor quantile(const Tensor& x, double q, const Axes& axis, const std::string& method, bool keepdims) {
  return quantile(x, scalar_q(q, x), axis, method, keepdims);
}
Tensor nanquantile(const Tensor& x, const Tensor& q, const Axes& axis, const std::string& method, bool keepdims) {
  return quantile_impl("nanquantile", x, as_f32(q), axis, method, keepdims, true);
}
Tensor nanquantile(const Tensor& x, double q, const Axes& axis, const std::string& method, bool keepdims) {
  return nanquantile(x, scalar_q(q, x), axis, method, keepdims);
}
Tensor percentile(const Tensor& x, const Tensor& q, const Axes& axis, const std::string& method, bool keepdims) {
  return quantile_impl("percentile", x, percent(q), axis, method, keepdims, false);
}
Tensor percentile(const Tensor& x, double q, const Axes& axis, const std::string& method, bool keepdims) {
  return percentile(x, scalar_q(q, x), axis, method, keepdims);
}
Tensor nanpercentile(const Tensor& x, const Tensor& q, const Axes& axis, const std::string& method, bool keepdims) {
  return quantile_impl("nanpercentile", x, percent(q), axis, method, keepdims, true);
}
Tensor nanpercentile(const Tensor& x, double q, const Axes& axis, const std::string& method, bool keepdims) {
  return nanpercentile(x, scalar_q(q, x), axis, method, keepdims);
}
Tensor median(const Tensor& x, const Axes& axis, bool keepdims) {
  return quantile_impl("median", x, scalar_q(0.5, x), axis, "linear", keepdims, false);
}
Tensor nanmedian(const Tensor& x, const Axes& axis, bool keepdims) {
  return quantile_impl("nanmedian", x, scalar_q(0.5, x), axis, "linear", keepdims, true);
}

// The kth + 1 smallest (ascending, ties by index), then the others, largest first (ties
// by index): the order of Keras's two top_k calls.
Tensor argpartition(const Tensor& x, int64_t kth, std::optional<int64_t> axis) {
  if (!x.defined()) throw_invalid("argpartition: x is an undefined tensor");
  if (x.dtype() == DType::bool_)
    throw_invalid("argpartition: expected x of a numeric dtype, but received bool (shape " + x.shape().str() + ")");
  Tensor v = axis ? x : reshape(x, {-1});
  if (v.rank() == 0) throw_invalid("argpartition: expected x of rank >= 1, but received a scalar");
  const int64_t ax = axis ? normalize_axis(*axis, v.rank(), "argpartition") : 0;
  const int64_t last = v.rank() - 1;
  const int64_t n = v.shape()[ax];
  if (kth < -n || kth >= n)
    throw_invalid("argpartition: expected kth in [-" + std::to_string(n) + ", " + std::to_string(n) +
                  ") for an axis of size " + std::to_string(n) + " (x shape " + x.shape().str() +
                  "), but received " + std::to_string(kth));
  if (kth < 0) kth += n;
  Axes perm;
  for (int64_t i = 0; i <= last; ++i) perm.push_back(i);
  std::swap(perm[static_cast<size_t>(ax)], perm[static_cast<size_t>(last)]);
  v = transpose(v, perm);
  Tensor asc = argsort(v, -1);
  Tensor in_bottom = less_equal(argsort(asc, -1), scalar_like(asc, double(kth)));
  Tensor desc = argsort(v, -1, true);
  Tensor bottom_at_desc = take_along_axis(cast(in_bottom, DType::int32), desc, -1);
  Tensor rest = take_along_axis(desc, argsort(bottom_at_desc, -1), -1);
  std::vector<int64_t> b(static_cast<size_t>(v.rank()), 0), lb(b), sz(b);
  for (int64_t i = 0; i <= last; ++i) sz[size_t(i)] = -1;
  sz[size_t(last)] = kth + 1;
  Tensor lo = slice(asc, b, sz);
  sz[size_t(last)] = n - kth - 1;
  Tensor hi = slice(rest, lb, sz);
  return transpose(concat({lo, hi}, -1), perm);
}

}  // namespace keras::core::ops
