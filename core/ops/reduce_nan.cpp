// reduce_nan.cpp - keras.ops's reductions beyond the engine's primitives: amax, amin,
// ptp, var, average, count_nonzero and the nan* reductions. Compositions of the
// reduction ops (core/ops/reduce.cpp), so they differentiate through them.
//
// Dtypes (keras.ops on TensorFlow): var, average, nanmean and nanvar give float32 for
// integer input (the default float) and keep float64; count_nonzero and nanargmax/min
// give int32; the rest keep x's dtype (nansum of bool counts in int32).
#include <limits>
#include <string>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops_numpy.h"

namespace keras::core::ops {
namespace {

void check_x(const char* op, const Tensor& x, bool allow_bool = false) {
  if (!x.defined()) throw_invalid(std::string(op) + ": x is an undefined tensor");
  if (x.dtype() == DType::bool_ && !allow_bool)
    throw_invalid(std::string(op) + ": expected x to have a numeric dtype (" + dtype_list(kNumericTypes) +
                  "), but received dtype bool (shape " + x.shape().str() + ")");
}

// Keras's result_type(x, float): the default float for integers, float64 kept.
DType float_of(DType d) { return d == DType::float64 ? DType::float64 : DType::float32; }

Tensor nan_mask(const Tensor& x) { return isnan(x); }

// Reduction of x with NaN replaced by `fill` (floats only).
Tensor without_nan(const Tensor& x, double fill) {
  return is_floating(x.dtype()) ? where(nan_mask(x), scalar_like(x, fill), x) : x;
}

// NaN where every element of the reduced slice is NaN, else r.
Tensor nan_if_all_nan(const Tensor& x, const Tensor& r, const Axes& axis, bool keepdims) {
  Tensor all_nan = all(nan_mask(x), axis, keepdims);
  return where(all_nan, scalar_like(r, std::numeric_limits<double>::quiet_NaN()), r);
}

Tensor nan_arg(const char* op, const Tensor& x, std::optional<int64_t> axis, bool keepdims, bool is_max) {
  check_x(op, x);
  Tensor v = axis ? x : reshape(x, {-1});
  const int64_t ax = axis ? normalize_axis(*axis, x.rank(), op) : 0;
  if (v.rank() == 0) v = reshape(v, {1});
  const double fill = is_max ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  Tensor clean = without_nan(v, fill);
  Tensor r = is_max ? argmax(clean, ax, DType::int32) : argmin(clean, ax, DType::int32);
  if (is_floating(x.dtype()))
    r = where(all(nan_mask(v), {ax}), scalar_like(r, -1.0), r);
  if (keepdims) {
    if (axis) return expand_dims(r, ax);
    return reshape(r, std::vector<int64_t>(static_cast<size_t>(x.rank()), 1));
  }
  return r;
}

}  // namespace

Tensor amax(const Tensor& x, const Axes& axis, bool keepdims) { return max(x, axis, keepdims); }
Tensor amin(const Tensor& x, const Axes& axis, bool keepdims) { return min(x, axis, keepdims); }

Tensor ptp(const Tensor& x, const Axes& axis, bool keepdims) {
  check_x("ptp", x);
  return subtract(max(x, axis, keepdims), min(x, axis, keepdims));
}

Tensor var(const Tensor& x, const Axes& axis, bool keepdims) {
  check_x("var", x);
  return variance(cast(x, float_of(x.dtype())), axis, keepdims);
}

Tensor average(const Tensor& x, const Axes& axis, const Tensor& weights) {
  check_x("average", x);
  if (!weights.defined()) return mean(cast(x, float_of(x.dtype())), axis);
  if (weights.dtype() == DType::bool_)
    throw_invalid("average: expected weights of a numeric dtype, but received bool");
  const DType dt = x.dtype() == DType::float64 || weights.dtype() == DType::float64 ? DType::float64 : DType::float32;
  Tensor xf = cast(x, dt), w = cast(weights, dt);
  if (w.shape() != x.shape()) {
    if (axis.size() != 1 || w.rank() != 1 || w.shape()[0] != x.shape()[normalize_axis(axis[0], x.rank(), "average")])
      throw_invalid("average: expected weights of x's shape " + x.shape().str() +
                    ", or 1-d weights as long as the single averaged axis, but received weights of shape " +
                    weights.shape().str() + (axis.size() == 1 ? " for axis " + std::to_string(axis[0]) : std::string()));
    std::vector<int64_t> d(static_cast<size_t>(x.rank()), 1);
    d[static_cast<size_t>(normalize_axis(axis[0], x.rank(), "average"))] = -1;
    w = reshape(w, d);
    return divide(sum(multiply(xf, w), axis), sum(w));
  }
  return divide(sum(multiply(xf, w), axis), sum(w, axis));
}

Tensor count_nonzero(const Tensor& x, const Axes& axis) {
  check_x("count_nonzero", x, true);
  Tensor nz = x.dtype() == DType::bool_ ? x : not_equal(x, scalar_like(x, 0.0));
  return sum(cast(nz, DType::int32), axis);
}

Tensor nansum(const Tensor& x, const Axes& axis, bool keepdims) {
  check_x("nansum", x, true);
  if (!is_floating(x.dtype())) return sum(cast(x, keras_sum_dtype(x.dtype())), axis, keepdims);
  return sum(without_nan(x, 0.0), axis, keepdims);
}

Tensor nanprod(const Tensor& x, const Axes& axis, bool keepdims) {
  check_x("nanprod", x, true);
  if (!is_floating(x.dtype())) return prod(cast(x, keras_sum_dtype(x.dtype())), axis, keepdims);
  return prod(without_nan(x, 1.0), axis, keepdims);
}

Tensor nanmean(const Tensor& x, const Axes& axis, bool keepdims) {
  check_x("nanmean", x);
  if (!is_floating(x.dtype())) return mean(cast(x, DType::float32), axis, keepdims);
  Tensor count = sum(cast(logical_not(nan_mask(x)), x.dtype()), axis, keepdims);
  return divide(sum(without_nan(x, 0.0), axis, keepdims), count);
}

Tensor nanvar(const Tensor& x, const Axes& axis, bool keepdims) {
  check_x("nanvar", x);
  Tensor xf = cast(x, float_of(x.dtype()));
  Tensor valid = logical_not(nan_mask(xf));
  Tensor mu = nanmean(xf, axis, true);
  Tensor centered = where(valid, subtract(xf, mu), zeros_like(xf));
  Tensor count = sum(cast(valid, xf.dtype()), axis, keepdims);
  return divide(sum(square(centered), axis, keepdims), count);
}

Tensor nanstd(const Tensor& x, const Axes& axis, bool keepdims) {
  check_x("nanstd", x);
  return sqrt(nanvar(x, axis, keepdims));
}

Tensor nanmax(const Tensor& x, const Axes& axis, bool keepdims) {
  check_x("nanmax", x, true);
  if (x.dtype() == DType::bool_) return any(x, axis, keepdims);
  if (!is_floating(x.dtype())) return max(x, axis, keepdims);
  return nan_if_all_nan(x, max(without_nan(x, -std::numeric_limits<double>::infinity()), axis, keepdims), axis,
                        keepdims);
}

Tensor nanmin(const Tensor& x, const Axes& axis, bool keepdims) {
  check_x("nanmin", x, true);
  if (x.dtype() == DType::bool_) return all(x, axis, keepdims);
  if (!is_floating(x.dtype())) return min(x, axis, keepdims);
  return nan_if_all_nan(x, min(without_nan(x, std::numeric_limits<double>::infinity()), axis, keepdims), axis,
                        keepdims);
}

Tensor nanargmax(const Tensor& x, std::optional<int64_t> axis, bool keepdims) {
  return nan_arg("nanargmax", x, axis, keepdims, true);
}
Tensor nanargmin(const Tensor& x, std::optional<int64_t> axis, bool keepdims) {
  return nan_arg("nanargmin", x, axis, keepdims, false);
}

}  // namespace keras::core::ops
