// creation.cpp - ops that make tensors from nothing: fill, range, linspace, eye and the
// random number ops. They take no inputs and allocate on attrs.device.
// Kernels: core/cpu/creation.cpp.
//
// Attributes:
//   Fill             shape, dtype, alpha = value
//   Range            shape = {n}, dtype; integer dtypes: begin = {start}, strides =
//                    {delta} (exact int64 arithmetic); float dtypes: alpha = start,
//                    beta = delta. Element i = start + i * delta.
//   Linspace         k = num, alpha = start, beta = stop, dtype (integer dtypes floor the
//                    values, as NumPy 2)
//   Eye              shape = {rows, cols}, dtype
//   RandomUniform    shape, dtype, k = seed (>= 0), alpha = minval, beta = maxval
//   RandomNormal     shape, dtype, k = seed, alpha = mean, beta = stddev
// Fill takes an optional input whose shape it gets when it runs (full_like), and the
// random ops a second one after their counter (RandomOptions::shape_like): a traced graph
// of either serves every size of that input.
//   TruncatedNormal  as RandomNormal; draws beyond two stddev are redrawn
//
// Random numbers come from the counter-based Philox4x32-10 generator keyed by the seed,
// with the element index as counter: element i depends only on (seed, i), so results are
// the same for every thread count and on every device. The public functions resolve a
// negative seed from a global generator that set_random_seed resets.
#include <cmath>
#include <limits>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <tuple>

#include "core/debugging.h"
#include "core/remat_internal.h"
#include "core/dispatch.h"
#include "core/kernel_math.h"
#include "core/init.h"
#include "core/ops.h"

namespace keras::core {
namespace {

std::string fmt(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

std::string dims_str(const std::vector<int64_t>& d) {
  std::string s = "(";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  if (d.size() == 1) s += ",";
  return s + ")";
}

Shape checked_shape(const OpCall& c) {
  for (int64_t d : c.attrs.shape)
    if (d < 0)
      throw_invalid(std::string(c.name()) + ": expected a shape with dimensions >= 0, but received " +
                    dims_str(c.attrs.shape));
  return Shape(c.attrs.shape);
}

// The result's shape: attrs.shape, or the shape of input `ref` when the call has it (the
// "like" forms: a traced graph then serves every size of that input).
Shape target_shape(const OpCall& c, size_t ref) {
  if (c.inputs.size() > ref) return c.in(ref).shape();
  return checked_shape(c);
}

void expect_attr_dtype(const OpCall& c, std::initializer_list<DType> allowed) {
  for (DType d : allowed)
    if (c.attrs.dtype == d) return;
  throw_invalid(std::string(c.name()) + ": expected dtype " + dtype_list(allowed) +
                ", but received dtype " + dtype_name(c.attrs.dtype));
}

void infer_fill(OpCall& c) {
  check_scalar_fits(c.attrs.alpha, c.attrs.dtype, "fill");
  c.set_output(0, target_shape(c, 0), c.attrs.dtype);
}

void infer_range(OpCall& c) {
  expect_attr_dtype(c, kNumericTypes);
  Shape s = checked_shape(c);
  if (s.rank() != 1)
    throw_invalid("range: expected a rank-1 shape, but received " + s.str());
  if (is_integer(c.attrs.dtype)) {
    if (c.attrs.begin.size() != 1 || c.attrs.strides.size() != 1)
      throw_invalid("range: expected begin = {start} and strides = {delta} for dtype " +
                    std::string(dtype_name(c.attrs.dtype)));
    if (c.attrs.strides[0] == 0) throw_invalid("range: delta must be non-zero, but received 0");
  } else if (c.attrs.beta == 0.0 || !std::isfinite(c.attrs.beta) || !std::isfinite(c.attrs.alpha)) {
    throw_invalid("range: expected a finite start and a finite, non-zero delta, but received "
                  "start " + fmt(c.attrs.alpha) + " and delta " + fmt(c.attrs.beta));
  }
  c.set_output(0, s, c.attrs.dtype);
}

void infer_linspace(OpCall& c) {
  expect_attr_dtype(c, kNumericTypes);
  if (c.attrs.k < 0)
    throw_invalid("linspace: expected num >= 0, but received " + std::to_string(c.attrs.k));
  c.set_output(0, Shape{c.attrs.k}, c.attrs.dtype);
}

void infer_eye(OpCall& c) {
  if (c.attrs.shape.size() != 2 || c.attrs.shape[0] < 0 || c.attrs.shape[1] < 0)
    throw_invalid("eye: expected rows >= 0 and cols >= 0, but received shape " +
                  dims_str(c.attrs.shape));
  c.set_output(0, Shape(c.attrs.shape), c.attrs.dtype);
}

void check_seed(const OpCall& c) {
  if (c.attrs.k < 0)
    throw_invalid(std::string(c.name()) + ": expected a seed >= 0, but received " +
                  std::to_string(c.attrs.k));
  if (!c.inputs.empty() && (c.in(0).dtype() != DType::int64 || c.in(0).size() != 1))
    throw_invalid(std::string(c.name()) + ": expected the seed counter to be an int64 scalar, but received " +
                  dtype_name(c.in(0).dtype()) + " " + c.in(0).shape().str());
}

// float32 results need parameters that float32 can hold.
void check_float32_range(const OpCall& c, double a, double b, const char* na, const char* nb) {
  const double m = std::numeric_limits<float>::max();
  if (c.attrs.dtype == DType::float32 && (std::fabs(a) > m || std::fabs(b) > m))
    throw_invalid(std::string(c.name()) + ": " + na + " " + fmt(a) + " and " + nb + " " + fmt(b) +
                  " must lie within the range of float32");
}

void infer_uniform(OpCall& c) {
  expect_attr_dtype(c, {DType::float32, DType::float64, DType::int32, DType::int64});
  check_seed(c);
  const double lo = c.attrs.alpha, hi = c.attrs.beta;
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi) || !std::isfinite(hi - lo))
    throw_invalid("random_uniform: expected finite minval < maxval, but received minval " +
                  fmt(lo) + " and maxval " + fmt(hi));
  if (is_integer(c.attrs.dtype)) {
    const double tmin = c.attrs.dtype == DType::int32 ? -2147483648.0 : -9223372036854775808.0;
    const double tmax = c.attrs.dtype == DType::int32 ? 2147483648.0 : 9223372036854775808.0;
    if (lo != std::floor(lo) || hi != std::floor(hi) || lo < tmin || hi > tmax)
      throw_invalid("random_uniform: expected integer minval and maxval within the range of " +
                    std::string(dtype_name(c.attrs.dtype)) + ", but received minval " + fmt(lo) +
                    " and maxval " + fmt(hi));
  }
  check_float32_range(c, lo, hi, "minval", "maxval");
  c.set_output(0, target_shape(c, 1), c.attrs.dtype);
}

void infer_normal(OpCall& c) {
  expect_attr_dtype(c, kFloatTypes);
  check_seed(c);
  if (!std::isfinite(c.attrs.alpha) || !std::isfinite(c.attrs.beta) || c.attrs.beta < 0)
    throw_invalid(std::string(c.name()) + ": expected a finite mean and a finite stddev >= 0, "
                  "but received mean " + fmt(c.attrs.alpha) + " and stddev " + fmt(c.attrs.beta));
  check_float32_range(c, c.attrs.alpha, c.attrs.beta, "mean", "stddev");
  c.set_output(0, target_shape(c, 1), c.attrs.dtype);
}

// ---- the global seed generator -------------------------------------------------------
std::mutex g_seed_mu;
bool g_seeded = false;
uint64_t g_seed_state = 0;

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Called with g_seed_mu held.
void seed_if_needed() {
  if (!g_seeded) {  // unseeded programs differ from run to run, as TensorFlow's
    std::random_device rd;
    g_seed_state = (uint64_t{rd()} << 32) ^ rd();
    g_seeded = true;
  }
}

bool g_user_seeded = false;  // set_random_seed was called (guarded by g_seed_mu)

// Called with g_seed_mu held, for an op without a seed of its own.
void check_deterministic_seed(const char* what) {
  if (!g_user_seeded && op_determinism_enabled())
    throw DeterminismError(std::string(what) + ": op determinism is enabled, and this random "
                           "op has no seed while no global seed is set, so its numbers would "
                           "differ at every run; call set_random_seed(seed) first or give the op "
                           "a seed");
}

int64_t resolve_seed(int64_t seed, const char* what) {
  if (seed >= 0) return seed;
  std::lock_guard<std::mutex> lock(g_seed_mu);
  check_deterministic_seed(what);
  seed_if_needed();
  return static_cast<int64_t>(splitmix64(g_seed_state) >> 1);
}

Attrs creation_attrs(const Shape& shape, DType dtype) {
  Attrs a;
  a.shape = shape.dims();
  a.dtype = dtype;
  return a;
}

Tensor create(OpId op, const Attrs& a) { return dispatch(op, std::span<const Tensor>(), a); }

// Number of elements of tf.range(start, limit, delta) for integers (delta != 0).
uint64_t int_range_count(int64_t start, int64_t limit, int64_t delta) {
  if ((delta > 0 && start >= limit) || (delta < 0 && start <= limit)) return 0;
  // The distance and |delta| as unsigned values (exact even across the full int64 range).
  uint64_t dist = delta > 0 ? uint64_t(limit) - uint64_t(start) : uint64_t(start) - uint64_t(limit);
  uint64_t step = delta > 0 ? uint64_t(delta) : uint64_t(0) - uint64_t(delta);
  return dist / step + (dist % step != 0);
}

Tensor int_range(int64_t start, int64_t limit, int64_t delta, DType dtype) {
  if (delta == 0) throw_invalid("range: delta must be non-zero, but received 0");
  const uint64_t n = int_range_count(start, limit, delta);
  if (n > uint64_t(std::numeric_limits<int64_t>::max()))
    throw_invalid("range: too many elements from " + std::to_string(start) + " to " +
                  std::to_string(limit) + " by " + std::to_string(delta));
  if (n > 0) {
    const int64_t last = static_cast<int64_t>(uint64_t(start) + (n - 1) * uint64_t(delta));
    int64_t lo = 0, hi = 0;
    if (dtype == DType::int32) lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
    else if (dtype == DType::uint8) lo = 0, hi = 255;
    else lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
    if (std::min(start, last) < lo || std::max(start, last) > hi)
      throw_invalid("range: the values from " + std::to_string(start) + " to " +
                    std::to_string(last) + " do not fit in dtype " + dtype_name(dtype));
  }
  Attrs a = creation_attrs(Shape{static_cast<int64_t>(n)}, dtype);
  a.begin = {start};
  a.strides = {delta};
  return create(OpId::Range, a);
}

void infer_size(OpCall& c) {
  expect_attr_dtype(c, kNumericTypes);
  const int64_t r = c.in(0).rank();
  for (int64_t a : c.attrs.axes)
    if (a < -r || a >= r)
      throw_invalid("size: axis " + std::to_string(a) + " is out of range for a tensor of rank " + std::to_string(r));
  c.set_output(0, Shape{}, c.attrs.dtype);
}

}  // namespace

void define_creation_ops() {
  define_op(OpId::Size, infer_size);
  define_op(OpId::Fill, infer_fill);
  define_op(OpId::Range, infer_range);
  define_op(OpId::Linspace, infer_linspace);
  define_op(OpId::Eye, infer_eye);
  for (OpId op : {OpId::RandomUniform, OpId::RandomNormal, OpId::TruncatedNormal}) set_op_flags(op, kRandom);
  define_op(OpId::RandomUniform, infer_uniform);
  define_op(OpId::RandomNormal, infer_normal);
  define_op(OpId::TruncatedNormal, infer_normal);
}

namespace ops {

Tensor fill(const Shape& shape, double value, DType dtype) {
  Attrs a = creation_attrs(shape, dtype);
  a.alpha = value;
  return create(OpId::Fill, a);
}
Tensor zeros(const Shape& shape, DType dtype) { return fill(shape, 0.0, dtype); }

Tensor size(const Tensor& x, DType dtype, const std::vector<int64_t>& axes) {
  if (!x.defined()) throw_invalid("size: the input is an undefined tensor");
  Attrs a;
  a.dtype = dtype;
  a.axes = axes;
  return dispatch(OpId::Size, {x}, a);
}
Tensor ones(const Shape& shape, DType dtype) { return fill(shape, 1.0, dtype); }

Tensor full_like(const Tensor& t, double value) {
  if (!t.defined()) throw_invalid("full_like: the input is an undefined tensor");
  Attrs a;
  a.dtype = t.dtype();
  a.alpha = value;
  a.device = t.device();
  return dispatch(OpId::Fill, {t}, a);  // the shape is t's when the op runs
}
Tensor zeros_like(const Tensor& t) { return full_like(t, 0.0); }
Tensor ones_like(const Tensor& t) { return full_like(t, 1.0); }

Tensor range(int64_t limit) { return int_range(0, limit, 1, DType::int32); }
Tensor range(int64_t start, int64_t limit, int64_t delta) {
  return int_range(start, limit, delta, DType::int32);
}

Tensor range(double start, double limit, double delta, DType dtype) {
  if (!std::isfinite(start) || !std::isfinite(limit) || !std::isfinite(delta))
    throw_invalid("range: expected finite start, limit and delta, but received " + fmt(start) +
                  ", " + fmt(limit) + " and " + fmt(delta));
  if (dtype == DType::bool_)
    throw_invalid("range: expected dtype " + dtype_list(kNumericTypes) + ", but received dtype bool");
  if (is_integer(dtype)) {  // the arguments are cast to the dtype first, as TensorFlow
    const auto to_int = [](double v) {
      if (v <= -9.2e18 || v >= 9.2e18)
        throw_invalid("range: argument " + fmt(v) + " does not fit in int64");
      return static_cast<int64_t>(v);
    };
    return int_range(to_int(start), to_int(limit), to_int(delta), dtype);
  }
  if (delta == 0.0) throw_invalid("range: delta must be non-zero, but received 0");
  const double q = std::ceil((limit - start) / delta);
  if (!(q < 4.0e18))
    throw_invalid("range: too many elements from " + fmt(start) + " to " + fmt(limit) +
                  " by " + fmt(delta));
  const int64_t n = q > 0 ? static_cast<int64_t>(q) : 0;
  Attrs a = creation_attrs(Shape{n}, dtype);
  a.alpha = start;
  a.beta = delta;
  return create(OpId::Range, a);
}

Tensor linspace(double start, double stop, int64_t num, DType dtype) {
  Attrs a;
  a.k = num;
  a.alpha = start;
  a.beta = stop;
  a.dtype = dtype;
  return create(OpId::Linspace, a);
}

Tensor eye(int64_t rows, std::optional<int64_t> cols, DType dtype) {
  Attrs a;
  a.shape = {rows, cols.value_or(rows)};
  a.dtype = dtype;
  return create(OpId::Eye, a);
}

namespace {
Tensor random(OpId op, const Shape& shape, const RandomOptions& o, double alpha, double beta) {
  if (o.seed < 0 && remat::t_keyed) {  // inside a rematerialized call: the same draws when run again
    RandomOptions keyed = o;
    std::tie(keyed.seed, keyed.counter) = remat::next_keyed_draw();
    return random(op, shape, keyed, alpha, beta);
  }
  Attrs a = creation_attrs(shape, o.dtype);
  // Unseeded: drawn from the global generator when the op runs (a traced graph draws anew
  // at each run; tracing itself draws nothing, so the sequence is the eager one).
  a.flag2 = o.seed < 0;
  if (a.flag2 && tracing::t_tracer) {
    a.k = 0;
    if (op_determinism_enabled()) {  // the graph would draw a fresh seed at every run
      std::lock_guard<std::mutex> lock(g_seed_mu);
      check_deterministic_seed(op_name(op));
    }
  } else {
    a.k = resolve_seed(o.seed, op_name(op));
  }
  a.alpha = alpha;
  a.beta = beta;
  if (o.counter.defined() && o.seed >= 0) {
    if (!o.shape_like.defined()) return dispatch(op, {o.counter}, a);
    if (o.shape_like.shape() != shape)
      throw_invalid(std::string(op_name(op)) + ": shape_like has shape " + o.shape_like.shape().str() +
                    ", but the requested shape is " + shape.str());
    a.shape.clear();
    return dispatch(op, {o.counter, o.shape_like}, a);
  }
  return create(op, a);
}
}  // namespace

Tensor random_uniform(const Shape& shape, const RandomOptions& o) {
  return random(OpId::RandomUniform, shape, o, o.minval, o.maxval);
}
Tensor random_normal(const Shape& shape, const RandomOptions& o) {
  return random(OpId::RandomNormal, shape, o, o.mean, o.stddev);
}
Tensor truncated_normal(const Shape& shape, const RandomOptions& o) {
  return random(OpId::TruncatedNormal, shape, o, o.mean, o.stddev);
}

int64_t draw_global_seed() { return resolve_seed(-1, "random op (unseeded)"); }

uint64_t derive_seed(int64_t seed, int64_t counter) { return kmath::derive_seed(seed, counter); }

void set_random_seed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(g_seed_mu);
  g_seed_state = seed;
  g_seeded = true;
  g_user_seeded = true;
}

void unset_random_seed() {
  std::lock_guard<std::mutex> lock(g_seed_mu);
  g_seeded = false;
  g_user_seeded = false;
}

uint64_t random_generator_state() {
  std::lock_guard<std::mutex> lock(g_seed_mu);
  seed_if_needed();
  return g_seed_state;
}

}  // namespace ops
}  // namespace keras::core
