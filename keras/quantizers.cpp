#include "keras/quantizers.h"

#include <array>
#include <stdexcept>
#include <string>

#include "core/autodiff.h"
#include "core/ops.h"
#include "core/ops_math.h"
#include "core/ops_numpy.h"

namespace keras::quantizers {
namespace ops = core::ops;
using core::Tensor;

namespace {
// The abs-max quantization's rounded values, in the input's dtype.
Quantized abs_max_round(const Tensor& inputs, const std::vector<int64_t>& axis, std::pair<double, double> range,
                        double epsilon) {
  const Tensor amax = ops::max(ops::abs(inputs), axis, /*keepdims=*/true);
  const Tensor scale = ops::divide(ops::scalar_like(inputs, range.second),
                                   ops::add(amax, ops::scalar_like(inputs, epsilon)));
  return {ops::clip(ops::round(ops::multiply(inputs, scale)), range.first, range.second), scale};
}
}  // namespace

Quantized abs_max_quantize(const Tensor& inputs, const std::vector<int64_t>& axis, std::pair<double, double> range,
                           core::DType dtype, double epsilon) {
  if (!inputs.defined()) throw std::invalid_argument("abs_max_quantize: the inputs are undefined");
  if (!core::is_floating(inputs.dtype()))
    throw std::invalid_argument(std::string("abs_max_quantize: expected floating inputs, but received ") +
                                core::dtype_name(inputs.dtype()));
  if (axis.empty()) throw std::invalid_argument("abs_max_quantize: expected at least one axis to reduce, but received none");
  for (int64_t a : axis)
    if (a < -inputs.rank() || a >= inputs.rank())
      throw std::invalid_argument("abs_max_quantize: axis " + std::to_string(a) + " is out of range for inputs of shape " +
                                  inputs.shape().str());
  if (!(range.first < range.second))
    throw std::invalid_argument("abs_max_quantize: expected value_range (min, max) with min < max, but received (" +
                                std::to_string(range.first) + ", " + std::to_string(range.second) + ")");
  Quantized q = abs_max_round(inputs, axis, range, epsilon);
  q.values = ops::cast(q.values, dtype);
  return q;
}

GroupedQuantized abs_max_quantize_grouped_with_zero_point(const Tensor& inputs, int64_t block_size,
                                                          std::pair<double, double> range, double epsilon) {
  const std::string what = "abs_max_quantize_grouped_with_zero_point";
  if (!inputs.defined()) throw std::invalid_argument(what + ": the inputs are undefined");
  if (!core::is_floating(inputs.dtype()) || inputs.rank() != 2)
    throw std::invalid_argument(what + ": expected a floating 2-D input (rows, columns), but received " +
                                core::dtype_name(inputs.dtype()) + " " + inputs.shape().str());
  if (block_size < 1) throw std::invalid_argument(what + ": expected block_size >= 1, but received " + std::to_string(block_size));
  if (!(range.first < range.second))
    throw std::invalid_argument(what + ": expected value_range (min, max) with min < max");
  const int64_t rows = inputs.shape()[0], cols = inputs.shape()[1];
  const int64_t groups = (rows + block_size - 1) / block_size, padded = groups * block_size;
  // Keras's NumPy steps, in the input's dtype: zero rows pad the last group.
  Tensor x = padded > rows ? ops::pad(inputs, {{0, padded - rows}, {0, 0}}) : inputs;
  x = ops::reshape(x, {groups, block_size, cols});
  const Tensor lo = ops::min(x, {1}, true), hi = ops::max(x, {1}, true);
  const double qmin = range.first, qmax = range.second;
  const Tensor scale = ops::divide(ops::add(ops::subtract(hi, lo), ops::scalar_like(x, epsilon)),
                                   ops::scalar_like(x, qmax - qmin));
  const Tensor zero = ops::clip(ops::add(ops::round(ops::divide(ops::negative(lo), scale)), ops::scalar_like(x, qmin)),
                                qmin, qmax);
  const Tensor q = ops::clip(ops::add(ops::round(ops::divide(x, scale)), zero), qmin, qmax);
  GroupedQuantized out;
  out.values = ops::slice(ops::reshape(ops::cast(q, core::DType::int8), {padded, cols}), {0, 0}, {rows, cols});
  out.scale = ops::reshape(scale, {groups, cols});
  out.zero = ops::cast(ops::reshape(zero, {groups, cols}), core::DType::int8);
  return out;
}

namespace {
int64_t int4_axis(const Tensor& t, int64_t axis, const char* what) {
  if (axis < -t.rank() || axis >= t.rank())
    throw std::invalid_argument(std::string(what) + ": axis " + std::to_string(axis) +
                                " is out of range for a tensor of shape " + t.shape().str());
  return axis < 0 ? axis + t.rank() : axis;
}
}  // namespace

Tensor pack_int4(const Tensor& values, int64_t axis) {
  if (!values.defined() || (values.dtype() != core::DType::int8 && values.dtype() != core::DType::uint8))
    throw std::invalid_argument(std::string("pack_int4: expected an int8 or uint8 tensor for packing, got ") +
                                (values.defined() ? core::dtype_name(values.dtype()) : "an undefined tensor"));
  const int64_t ax = int4_axis(values, axis, "pack_int4"), r = values.rank();
  Tensor x = ops::moveaxis(values, ax, r - 1);  // pairs along the last axis
  std::vector<int64_t> dims = x.shape().dims();
  if (dims.back() % 2 == 1) {
    std::vector<std::pair<int64_t, int64_t>> pads(size_t(r), {0, 0});
    pads.back() = {0, 1};
    x = ops::pad(x, pads);
    ++dims.back();
  }
  dims.back() /= 2;
  dims.push_back(2);
  x = ops::reshape(x, dims);
  const Tensor mask = ops::scalar_like(x, 15), four = ops::scalar_like(x, 4);
  const int64_t last = int64_t(dims.size()) - 1;
  auto nibble = [&](int64_t k) {
    std::vector<int64_t> begin(dims.size(), 0), size = dims;
    begin.back() = k;
    size.back() = 1;
    return ops::squeeze(ops::bitwise_and(ops::slice(x, begin, size), mask), {last});
  };
  const Tensor packed = ops::bitwise_or(nibble(0), ops::left_shift(nibble(1), four));
  return ops::moveaxis(packed, r - 1, ax);
}

Tensor unpack_int4(const Tensor& packed, int64_t orig_len, int64_t axis) {
  if (!packed.defined() || (packed.dtype() != core::DType::int8 && packed.dtype() != core::DType::uint8))
    throw std::invalid_argument(std::string("unpack_int4: expected an int8 or uint8 tensor for unpacking, got ") +
                                (packed.defined() ? core::dtype_name(packed.dtype()) : "an undefined tensor"));
  const int64_t ax = int4_axis(packed, axis, "unpack_int4"), r = packed.rank();
  const int64_t n = packed.shape()[ax];
  if (orig_len < 0 || orig_len > 2 * n || orig_len < 2 * n - 1)
    throw std::invalid_argument("unpack_int4: orig_len " + std::to_string(orig_len) + " does not fit a packed axis of " +
                                std::to_string(n) + " bytes (it holds " + std::to_string(2 * n - 1) + " or " +
                                std::to_string(2 * n) + " values)");
  const Tensor x = ops::moveaxis(packed, ax, r - 1);
  const Tensor mask = ops::scalar_like(x, 15), four = ops::scalar_like(x, 4), eight = ops::scalar_like(x, 8);
  // Nibbles to [-8, 7]: (v ^ 8) - 8, as Keras; uint8 keeps them in [0, 15].
  const bool is_signed = packed.dtype() == core::DType::int8;
  auto to_signed = [&](const Tensor& v) { return is_signed ? ops::subtract(ops::bitwise_xor(v, eight), eight) : v; };
  const Tensor low = to_signed(ops::bitwise_and(x, mask));
  const Tensor high = to_signed(ops::bitwise_and(ops::right_shift(x, four), mask));
  std::vector<int64_t> dims = x.shape().dims();
  dims.back() *= 2;
  Tensor y = ops::reshape(ops::stack({low, high}, r), dims);  // low, high interleaved
  if (orig_len != dims.back()) {
    std::vector<int64_t> begin(dims.size(), 0), size = dims;
    size.back() = orig_len;
    y = ops::slice(y, begin, size);
  }
  return ops::moveaxis(y, r - 1, ax);
}

// ---- fake quantization (TensorFlow's FakeQuantWithMinMaxVars) ------------------------------
Tensor fake_quant_with_min_max_vars(const Tensor& inputs, const Tensor& min_vals, const Tensor& max_vals, int num_bits,
                                    bool narrow_range, std::optional<int64_t> axis) {
  using core::DType;
  if (num_bits < 2 || num_bits > 16)
    throw std::invalid_argument("fake_quant_with_min_max_vars: num_bits must be in [2, 16], but received " +
                                std::to_string(num_bits));
  if (!inputs.defined() || !core::is_floating(inputs.dtype()))
    throw std::invalid_argument(std::string("fake_quant_with_min_max_vars: expected floating inputs, but received ") +
                                (inputs.defined() ? core::dtype_name(inputs.dtype()) : "an undefined tensor"));
  const int64_t r = inputs.rank();
  int64_t ax = -1;
  int64_t channels = 1;
  if (axis) {
    ax = *axis < 0 ? *axis + r : *axis;
    if (ax < 0 || ax >= r)
      throw std::invalid_argument("fake_quant_with_min_max_vars: axis " + std::to_string(*axis) +
                                  " is out of range for inputs of rank " + std::to_string(r));
    channels = inputs.shape()[ax];
  }
  for (const Tensor* t : {&min_vals, &max_vals})
    if (!t->defined() || t->size() != channels || (!axis && t->rank() > 1))
      throw std::invalid_argument("fake_quant_with_min_max_vars: expected " +
                                  (axis ? std::to_string(channels) + " values (one per index of axis " +
                                              std::to_string(*axis) + ")"
                                        : std::string("a scalar")) +
                                  " for min_vals and max_vals, but received shape " +
                                  (t->defined() ? t->shape().str() : std::string("none")));
  // In float32 with the channel axis last, as Keras's TensorFlow path.
  const Tensor x = axis ? ops::moveaxis(ops::cast(inputs, DType::float32), ax, r - 1) : ops::cast(inputs, DType::float32);
  const Tensor lo = ops::reshape(ops::cast(min_vals, DType::float32), axis ? std::vector<int64_t>{channels}
                                                                            : std::vector<int64_t>{});
  const Tensor hi = ops::reshape(ops::cast(max_vals, DType::float32), lo.shape().dims());
  if (ops::any(ops::greater(lo, hi)).item<bool>())
    throw std::invalid_argument("fake_quant_with_min_max_vars: min_vals must be <= max_vals");
  const double qmin = narrow_range ? 1 : 0, qmax = double((1 << num_bits) - 1);
  // Nudged so that zero is a level: the zero point from min, clamped and rounded half away.
  auto nudge = [qmin, qmax](const Tensor& mn, const Tensor& mx) {
    const Tensor scale = ops::divide(ops::subtract(mx, mn), ops::scalar_like(mx, qmax - qmin));
    const Tensor zp = ops::subtract(ops::scalar_like(mn, qmin), ops::divide(mn, scale));
    const Tensor nzp = ops::clip(ops::floor(ops::add(zp, ops::scalar_like(zp, 0.5))), qmin, qmax);
    return std::array<Tensor, 3>{ops::multiply(ops::subtract(ops::scalar_like(nzp, qmin), nzp), scale),
                                 ops::multiply(ops::subtract(ops::scalar_like(nzp, qmax), nzp), scale), scale};
  };
  auto forward = [nudge](const std::vector<Tensor>& in) {
    const auto [nmin, nmax, scale] = nudge(in[1], in[2]);
    const Tensor clamped = ops::minimum(ops::maximum(in[0], nmin), nmax);
    const Tensor inv = ops::divide(ops::ones_like(scale), scale);
    const Tensor q = ops::floor(ops::add(ops::multiply(ops::subtract(clamped, nmin), inv), ops::scalar_like(inv, 0.5)));
    const Tensor y = ops::add(ops::multiply(q, scale), nmin);
    // (min = max = 0: zeros, as TensorFlow's)
    const Tensor both_zero = ops::logical_and(ops::equal(in[1], ops::zeros_like(in[1])),
                                              ops::equal(in[2], ops::zeros_like(in[2])));
    return ops::where(both_zero, ops::zeros_like(y), y);
  };
  auto backward = [nudge, channel = axis.has_value()](const std::vector<Tensor>& in, const Tensor&,
                                                      const Tensor& upstream) {
    const auto [nmin, nmax, scale] = nudge(in[1], in[2]);
    const Tensor zero = ops::zeros_like(upstream);
    const Tensor inside = ops::logical_and(ops::greater_equal(in[0], nmin), ops::less_equal(in[0], nmax));
    std::vector<int64_t> batch_axes;  // all but the channels
    for (int64_t i = 0; i + (channel ? 1 : 0) < in[0].rank(); ++i) batch_axes.push_back(i);
    auto reduce = [&](const Tensor& t) { return batch_axes.empty() ? t : ops::sum(t, batch_axes); };
    // (min = max = 0: everything to the inputs, nothing to min and max, as TensorFlow's)
    const Tensor both_zero = ops::logical_and(ops::equal(in[1], ops::zeros_like(in[1])),
                                              ops::equal(in[2], ops::zeros_like(in[2])));
    const Tensor below = ops::logical_and(ops::less(in[0], nmin), ops::logical_not(both_zero));
    const Tensor above = ops::logical_and(ops::greater(in[0], nmax), ops::logical_not(both_zero));
    return std::vector<Tensor>{ops::where(ops::logical_or(inside, both_zero), upstream, zero),
                               ops::reshape(reduce(ops::where(below, upstream, zero)), in[1].shape().dims()),
                               ops::reshape(reduce(ops::where(above, upstream, zero)), in[2].shape().dims())};
  };
  Tensor y = core::custom_gradient({x, lo, hi}, forward, backward);
  if (axis) y = ops::moveaxis(y, r - 1, ax);
  return ops::cast(y, inputs.dtype());
}

}  // namespace keras::quantizers
