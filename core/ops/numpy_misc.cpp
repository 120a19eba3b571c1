// numpy_misc.cpp - keras.ops's take, select, unravel_index, the products inner, dot, vdot
// and cross, the introspection names (ndim, shape, dtype, is_tensor), saturate_cast,
// view and Keras's dtype promotion (core/ops_numpy.h).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "core/device_scope.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/shape_util.h"

namespace keras::core::ops {
using namespace shape_util;

DType keras_result_type(DType a, DType b) {
  // keras.backend.result_type: the join in Keras's (JAX's) promotion lattice. bool is below
  // every number; integers join within their signedness by width, and an unsigned one
  // with a signed one gives the signed type twice as wide (at least); a float wins over
  // integers; float16 with bfloat16 is float32. (Anything else, string or complex, is
  // kept as a: the cast that follows raises or keeps it.)
  if (a == b || b == DType::bool_) return a;
  if (a == DType::bool_) return b;
  const bool fa = is_floating(a), fb = is_floating(b);
  if (fa || fb) {
    if (!fb) return a;
    if (!fa) return b;
    if (is_half(a) && is_half(b)) return DType::float32;  // float16 with bfloat16
    return dtype_size(a) >= dtype_size(b) ? a : b;
  }
  if (!is_integer(a) || !is_integer(b)) return a;
  const size_t wa = dtype_size(a), wb = dtype_size(b);
  if (is_unsigned(a) == is_unsigned(b)) return wa >= wb ? a : b;
  const size_t wu = is_unsigned(a) ? wa : wb, ws = is_unsigned(a) ? wb : wa;
  switch (std::max(ws, std::min<size_t>(2 * wu, 8))) {
    case 2: return DType::int16;
    case 4: return DType::int32;
    default: return DType::int64;
  }
}

namespace {

Tensor as_dtype(const Tensor& x, DType d) { return x.dtype() == d ? x : cast(x, d); }

std::string dt(const Tensor& x) { return dtype_name(x.dtype()); }

void check_int(const Tensor& t, const char* op, const char* arg) {
  check_defined(t, op);
  if (t.dtype() != DType::int32 && t.dtype() != DType::int64)
    throw_invalid(std::string(op) + ": expected " + arg + " of dtype int32 or int64, but received dtype " + dt(t));
}

// The two inputs in their common dtype; products of uint8 / bool run in int32.
std::pair<Tensor, Tensor> product_inputs(const Tensor& a, const Tensor& b, const char* op, DType& out) {
  check_defined(a, op);
  check_defined(b, op);
  out = keras_result_type(a.dtype(), b.dtype());
  const DType run = is_floating(out) || out == DType::int64 ? out : out == DType::uint32 ? DType::int64 : DType::int32;
  return {as_dtype(a, run), as_dtype(b, run)};
}

// The i-th entry of the last axis (dropped).
Tensor last(const Tensor& x, int64_t i) {
  std::vector<int64_t> b(static_cast<size_t>(x.rank()), 0), e = x.shape().dims();
  b.back() = i;
  e.back() = i + 1;
  return squeeze(strided_slice(x, b, e), {-1});
}

}  // namespace

Tensor take(const Tensor& x, const Tensor& indices, std::optional<int64_t> axis) {
  check_defined(x, "take");
  check_int(indices, "take", "indices");
  const Tensor v = axis ? x : reshape(x, {-1});
  if (v.rank() == 0) throw_invalid("take: expected an input of rank >= 1 when an axis is given, but received a scalar");
  const int64_t ax = normalize_axis(axis.value_or(0), v.rank(), "take");
  // Negative indices count from the end; gather rejects what is still out of range.
  const Tensor d = scalar_like(indices, double(v.shape()[ax]), "take");
  const Tensor idx = where(less(indices, zeros_like(indices)), add(indices, d), indices);
  return gather(v, idx, ax);
}

Tensor select(const std::vector<Tensor>& condlist, const std::vector<Tensor>& choicelist, double default_) {
  if (condlist.size() != choicelist.size())
    throw_invalid("select: expected as many conditions as choices, but received " + num(int64_t(condlist.size())) +
                  " conditions and " + num(int64_t(choicelist.size())) + " choices");
  if (condlist.empty()) throw_invalid("select: expected at least one condition, but received none");
  DType d = DType::bool_;
  Shape s;
  for (size_t i = 0; i < choicelist.size(); ++i) {
    check_defined(condlist[i], "select");
    check_defined(choicelist[i], "select");
    if (condlist[i].dtype() != DType::bool_)
      throw_invalid("select: expected bool conditions, but condition " + std::to_string(i) + " has dtype " +
                    dt(condlist[i]));
    d = keras_result_type(d, choicelist[i].dtype());
    s = broadcast_shapes(s, broadcast_shapes(condlist[i].shape(), choicelist[i].shape(), "select"), "select");
  }
  // the default on the choices' device (with no choices, where creation ops go)
  std::optional<DeviceScope> on_input;
  if (!choicelist.empty()) on_input.emplace(choicelist[0].device());
  Tensor r = broadcast_to(scalar_like(zeros({}, d), default_, "select: default"), s);
  for (size_t i = choicelist.size(); i-- > 0;) r = where(condlist[i], as_dtype(choicelist[i], d), r);
  return r;
}

std::vector<Tensor> unravel_index(const Tensor& indices, const std::vector<int64_t>& shape) {
  check_int(indices, "unravel_index", "indices");
  for (int64_t s : shape)
    if (s <= 0) throw_invalid("unravel_index: expected a shape of positive dimensions, but received " + dims_str(shape));
  std::vector<Tensor> out(shape.size());
  Tensor rest = indices;
  for (size_t k = shape.size(); k-- > 0;) {
    const Tensor s = scalar_like(indices, double(shape[k]), "unravel_index");
    out[k] = mod(rest, s);
    rest = floor_divide(rest, s);
  }
  return out;
}

Tensor inner(const Tensor& x1, const Tensor& x2) {
  DType out;
  auto [a, b] = product_inputs(x1, x2, "inner", out);
  if (a.rank() == 0 || b.rank() == 0) return as_dtype(multiply(a, b), out);
  if (a.shape()[a.rank() - 1] != b.shape()[b.rank() - 1])
    throw_invalid("inner: expected the last axes to match, but received shapes " + a.shape().str() + " and " +
                  b.shape().str());
  return as_dtype(tensordot(a, b, {a.rank() - 1}, {b.rank() - 1}), out);
}

Tensor dot(const Tensor& x1, const Tensor& x2) {
  DType out;
  auto [a, b] = product_inputs(x1, x2, "dot", out);
  if (a.rank() == 0 || b.rank() == 0) return as_dtype(multiply(a, b), out);
  const int64_t kb = b.rank() == 1 ? 0 : b.rank() - 2;
  if (a.shape()[a.rank() - 1] != b.shape()[kb])
    throw_invalid("dot: expected the last axis of x1 to match axis " + num(kb) + " of x2, but received shapes " +
                  a.shape().str() + " and " + b.shape().str());
  return as_dtype(tensordot(a, b, {a.rank() - 1}, {kb}), out);
}

Tensor vdot(const Tensor& x1, const Tensor& x2) {
  DType out;
  auto [a, b] = product_inputs(x1, x2, "vdot", out);
  if (a.size() != b.size())
    throw_invalid("vdot: expected inputs with the same number of elements, but received shapes " + a.shape().str() +
                  " and " + b.shape().str());
  return as_dtype(tensordot(reshape(a, {-1}), reshape(b, {-1}), 1), out);
}

Tensor cross(const Tensor& x1, const Tensor& x2, const CrossOptions& o) {
  DType out;
  auto [a0, b0] = product_inputs(x1, x2, "cross", out);
  if (a0.rank() == 0 || b0.rank() == 0)
    throw_invalid("cross: expected inputs of rank >= 1, but received shapes " + a0.shape().str() + " and " +
                  b0.shape().str());
  const int64_t ia = o.axis.value_or(o.axisa), ib = o.axis.value_or(o.axisb), ic = o.axis.value_or(o.axisc);
  Tensor a = moveaxis(a0, normalize_axis(ia, a0.rank(), "cross"), -1);
  Tensor b = moveaxis(b0, normalize_axis(ib, b0.rank(), "cross"), -1);
  const int64_t na = a.shape()[a.rank() - 1], nb = b.shape()[b.rank() - 1];
  if ((na != 2 && na != 3) || (nb != 2 && nb != 3))
    throw_invalid("cross: expected vectors of dimension 2 or 3, but received shapes " + x1.shape().str() + " and " +
                  x2.shape().str() + " (vectors of " + num(na) + " and " + num(nb) + ")");
  const Tensor ax = last(a, 0), ay = last(a, 1), bx = last(b, 0), by = last(b, 1);
  const Tensor z = subtract(multiply(ax, by), multiply(ay, bx));
  if (na == 2 && nb == 2) return as_dtype(z, out);
  const Tensor az = na == 3 ? last(a, 2) : zeros_like(ax), bz = nb == 3 ? last(b, 2) : zeros_like(bx);
  Tensor c = stack({subtract(multiply(ay, bz), multiply(az, by)), subtract(multiply(az, bx), multiply(ax, bz)), z}, -1);
  return as_dtype(moveaxis(c, -1, normalize_axis(ic, c.rank(), "cross")), out);
}

int64_t ndim(const Tensor& x) {
  check_defined(x, "ndim");
  return x.rank();
}
std::vector<int64_t> shape(const Tensor& x) {
  check_defined(x, "shape");
  return x.shape().dims();
}
std::string dtype(const Tensor& x) {
  check_defined(x, "dtype");
  return dtype_name(x.dtype());
}
DType keras_sum_dtype(DType d) {
  if (d == DType::bool_ || d == DType::int8 || d == DType::int16) return DType::int32;
  if (d == DType::uint8 || d == DType::uint16) return DType::uint32;
  return d;
}

bool is_tensor(const Tensor& x) { return x.defined(); }

Tensor saturate_cast(const Tensor& x, DType dtype) {
  check_defined(x, "saturate_cast");
  if (dtype == DType::bool_ || x.dtype() == DType::bool_ || x.dtype() == dtype) return cast(x, dtype);
  // Each dtype's range; int64's top is the largest double below 2^63.
  const auto range_of = [](DType d) -> std::pair<double, double> {
    switch (d) {
      case DType::uint8: return {0.0, 255.0};
      case DType::int8: return {-128.0, 127.0};
      case DType::int16: return {-32768.0, 32767.0};
      case DType::uint16: return {0.0, 65535.0};
      case DType::uint32: return {0.0, 4294967295.0};
      case DType::int32: return {-2147483648.0, 2147483647.0};
      case DType::int64: return {-9223372036854775808.0, 9223372036854774784.0};
      case DType::float32: return {-double(std::numeric_limits<float>::max()), double(std::numeric_limits<float>::max())};
      default: return {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
    }
  };
  const auto [lo, hi] = range_of(dtype);
  const auto [slo, shi] = range_of(x.dtype());
  // A bound as a value of x's dtype that stays inside the target's range (float32 rounds).
  const auto inside = [&](double v) {
    if (x.dtype() != DType::float32) return v;
    float f = static_cast<float>(v);
    if (std::fabs(double(f)) > std::fabs(v)) f = std::nextafter(f, 0.0f);
    return double(f);
  };
  Tensor r = x;
  if (lo > slo) r = maximum(r, scalar_like(x, inside(lo), "saturate_cast"));
  if (hi < shi) r = minimum(r, scalar_like(x, inside(hi), "saturate_cast"));
  return cast(r, dtype);
}

Tensor view(const Tensor& x, DType dtype) {
  check_defined(x, "view");
  const int64_t s = int64_t(dtype_size(x.dtype())), t = int64_t(dtype_size(dtype));
  std::vector<int64_t> dims = x.shape().dims();
  if (s != t) {
    if (dims.empty())
      throw_invalid("view: cannot view a scalar of dtype " + dt(x) + " as dtype " + dtype_name(dtype) +
                    " (item sizes " + num(s) + " and " + num(t) + ")");
    const int64_t bytes = dims.back() * s;
    if (bytes % t != 0)
      throw_invalid("view: the last axis of shape " + x.shape().str() + " (" + num(bytes) + " bytes of " + dt(x) +
                    ") does not divide into items of dtype " + dtype_name(dtype) + " (" + num(t) + " bytes)");
    dims.back() = bytes / t;
  }
  const Tensor h = x.cpu();
  if (h.size() > 0) tracing::check_not_tracing("view (reading the bits of a tensor)");
  if (dtype == DType::bool_) {
    const auto* p = static_cast<const uint8_t*>(h.raw_data());
    for (int64_t i = 0; i < x.size() * s; ++i)
      if (p[i] > 1)
        throw_invalid("view: byte " + num(i) + " of the input is " + num(p[i]) + ", which is not a bool (0 or 1)");
  }
  return from_buffer(h.size() ? h.raw_data() : nullptr, Shape(dims), dtype).to(x.device());
}

}  // namespace keras::core::ops
