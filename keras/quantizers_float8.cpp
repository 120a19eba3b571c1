// quantizers_float8.cpp - float8 training's quantizers (Keras's quantize_and_dequantize,
// compute_float8_scale, compute_float8_amax_history): the float8 rounding written with
// exact ops (powers of two by ldexp, round half to even), so it runs, traces and fuses on
// every device like any other op chain.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/ops.h"
#include "core/ops_math.h"
#include "core/ops_numpy.h"
#include "core/ops_reduce.h"
#include "keras/quantizers.h"

namespace keras::quantizers {
namespace ops = core::ops;
using core::DType;
using core::Tensor;

namespace {
// A float8 format: mantissa bits, the exponent of its smallest normal value, its largest
// finite value, and whether it has infinities (e5m2) or overflows to NaN (e4m3fn).
struct Float8Format {
  int mantissa_bits;
  int min_exponent;
  double max;
  bool has_inf;
};

Float8Format float8_format(const std::string& name, const char* what) {
  if (name == "float8_e4m3fn") return {3, -6, 448.0, false};
  if (name == "float8_e5m2") return {2, -14, 57344.0, true};
  throw std::invalid_argument(std::string(what) + ": expected quantized_dtype 'float8_e4m3fn' or 'float8_e5m2', but "
                              "received '" + name + "'");
}

void check_floating(const Tensor& x, const char* what, const char* arg) {
  if (!x.defined()) throw std::invalid_argument(std::string(what) + ": " + arg + " is undefined");
  if (!core::is_floating(x.dtype()))
    throw std::invalid_argument(std::string(what) + ": expected floating " + arg + ", but received " +
                                core::dtype_name(x.dtype()));
}
}  // namespace

double float8_max(const std::string& quantized_dtype) { return float8_format(quantized_dtype, "float8_max").max; }

namespace {
// x rounded to the format's grid, ties to even (values past the largest finite one are
// left to the caller). The step around |x| is 2^(e - mantissa bits), e = floor(log2|x|)
// clamped below at the smallest normal exponent (the subnormals' step). The exponent is
// found in float32 at least, so a half-precision log2 cannot move it; near a power of two
// an exponent off by one still rounds to that power, the grid points agree there. fmax
// drops a NaN exponent (x NaN) and the upper clamp bounds an infinite one (x infinite), so
// the shift stays a small integer and NaN and inf pass through the scaling unchanged.
Tensor round_to_grid(const Tensor& x, const Float8Format& f) {
  const Tensor a = ops::abs(x);
  const Tensor a32 = core::dtype_size(x.dtype()) < 4 ? ops::cast(a, DType::float32) : a;
  const Tensor e = ops::minimum(ops::fmax(ops::floor(ops::log2(a32)), ops::scalar_like(a32, f.min_exponent)),
                                ops::scalar_like(a32, 16.0));  // (above both formats' largest exponent)
  const Tensor shift = ops::cast(ops::subtract(e, ops::scalar_like(e, f.mantissa_bits)), DType::int32);
  return ops::ldexp(ops::round(ops::ldexp(x, ops::negative(shift))), shift);
}
}  // namespace

Tensor round_to_float8(const Tensor& x, const std::string& quantized_dtype) {
  const Float8Format f = float8_format(quantized_dtype, "round_to_float8");
  check_floating(x, "round_to_float8", "x");
  const Tensor r = round_to_grid(x, f);
  // Past the largest finite value a cast overflows: to NaN (e4m3fn has no infinities) or
  // to an infinity of x's sign (e5m2).
  const Tensor over = ops::greater(ops::abs(r), ops::scalar_like(r, f.max));
  const Tensor overflow = f.has_inf ? ops::multiply(x, ops::scalar_like(x, std::numeric_limits<double>::infinity()))
                                    : ops::scalar_like(x, std::numeric_limits<double>::quiet_NaN());
  return ops::where(over, overflow, r);
}

Tensor quantize_and_dequantize(const Tensor& inputs, const Tensor& scale, const std::string& quantized_dtype,
                               DType compute_dtype) {
  const Float8Format f = float8_format(quantized_dtype, "quantize_and_dequantize");
  const double max = f.max;
  check_floating(inputs, "quantize_and_dequantize", "inputs");
  check_floating(scale, "quantize_and_dequantize", "scale");
  if (!core::is_floating(compute_dtype))
    throw std::invalid_argument(std::string("quantize_and_dequantize: expected a floating compute_dtype, but received ") +
                                core::dtype_name(compute_dtype));
  const Tensor s = ops::cast(scale, compute_dtype);
  const Tensor x = ops::clip(ops::divide(ops::cast(inputs, compute_dtype), s), -max, max);
  // (clipped to +-max, which is on the grid, the rounding cannot overflow)
  return ops::multiply(round_to_grid(x, f), s);
}

Tensor compute_float8_scale(const Tensor& amax, const Tensor& scale, const Tensor& dtype_max, int margin) {
  check_floating(amax, "compute_float8_scale", "amax");
  check_floating(scale, "compute_float8_scale", "scale");
  check_floating(dtype_max, "compute_float8_scale", "dtype_max");
  const Tensor inverse = ops::reciprocal(scale);
  Tensor sf = ops::divide(ops::divide(ops::cast(dtype_max, amax.dtype()), amax), ops::scalar_like(amax, std::ldexp(1.0, margin)));
  sf = ops::where(ops::greater(amax, ops::scalar_like(amax, 0.0)), sf, inverse);
  sf = ops::where(ops::isfinite(amax), sf, inverse);
  return ops::reciprocal(sf);
}

Tensor compute_float8_amax_history(const Tensor& x, const Tensor& amax_history) {
  check_floating(x, "compute_float8_amax_history", "x");
  check_floating(amax_history, "compute_float8_amax_history", "amax_history");
  if (amax_history.rank() != 1 || amax_history.shape()[0] < 1)
    throw std::invalid_argument("compute_float8_amax_history: expected a 1-D amax_history of length >= 1, but received "
                                "shape " + amax_history.shape().str());
  const Tensor amax = ops::cast(ops::max(ops::abs(x)), amax_history.dtype());
  return ops::scatter_update(ops::roll(amax_history, -1), core::constant(std::vector<int32_t>{0}, core::Shape{1, 1}).to(amax_history.device()),
                             ops::reshape(amax, {1}));
}

}  // namespace keras::quantizers
