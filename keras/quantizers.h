// quantizers.h - keras.quantizers: the abs-max quantizers behind quantize("int8") and
// quantize("int4"), int4 packing, and float8 training's quantize-dequantize and scales.
//
//   auto [q, scale] = keras::quantizers::abs_max_quantize(w, {0});  // int8, per column
//   // w ~ cast(q, float32) / scale
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace keras::quantizers {

/// What abs_max_quantize returns.
struct Quantized {
  core::Tensor values;  ///< the quantized tensor, in the requested dtype
  core::Tensor scale;   ///< in the input's dtype, with the reduced axes kept (size 1)
};

/// Keras's abs_max_quantize(inputs, axis, value_range, dtype, epsilon): scale =
/// value_range.second / (max(|inputs|, axis, keepdims) + epsilon); values =
/// clip(round(inputs * scale), value_range) in `dtype` (rounding half to even). The
/// computation runs in the input's floating dtype. Throws std::invalid_argument for a
/// non-floating input, an empty `axis`, an axis out of range or an empty range.
Quantized abs_max_quantize(const core::Tensor& inputs, const std::vector<int64_t>& axis,
                           std::pair<double, double> value_range = {-127, 127},
                           core::DType dtype = core::DType::int8, double epsilon = 1e-7);

/// What abs_max_quantize_grouped_with_zero_point returns.
struct GroupedQuantized {
  core::Tensor values;  ///< int8 values in value_range, the input's shape
  core::Tensor scale;   ///< (groups, columns), the input's dtype
  core::Tensor zero;    ///< (groups, columns), int8 zero points
};

/// Keras's abs_max_quantize_grouped_with_zero_point(inputs, block_size, value_range,
/// "int8", epsilon) of a 2-D (rows, columns) input: the rows in groups of block_size (the
/// last one zero-padded), per group and column scale = (max - min + epsilon) /
/// (qmax - qmin), zero = clip(round(-min / scale) + qmin), values = clip(round(x / scale)
/// + zero), as int8. x ~ (values - zero) * scale. Throws std::invalid_argument for a
/// non-floating or non-2-D input and a block_size < 1.
GroupedQuantized abs_max_quantize_grouped_with_zero_point(const core::Tensor& inputs, int64_t block_size,
                                                          std::pair<double, double> value_range = {-8, 7},
                                                          double epsilon = 1e-7);

/// Keras's pack_int4(arr, axis): int8 values in [-8, 7] packed two per byte along `axis`
/// (element 2i in the low nibble, 2i + 1 in the high one; an odd length padded with a
/// zero), as int8 of size ceil(n / 2) there; uint8 values in [0, 15] likewise as uint8
/// (Keras's dtype="uint8", GPTQ's kernels). Throws std::invalid_argument for another dtype.
core::Tensor pack_int4(const core::Tensor& values, int64_t axis = 0);

/// Keras's unpack_int4(packed, orig_len, axis): the values pack_int4 packed (int8 in
/// [-8, 7] from int8, uint8 in [0, 15] from uint8), the axis cut back to orig_len. Throws
/// std::invalid_argument for another dtype or an orig_len the packed axis cannot hold.
core::Tensor unpack_int4(const core::Tensor& packed, int64_t orig_len, int64_t axis = 0);

/// Keras's fake_quant_with_min_max_vars (on TensorFlow, FakeQuantWithMinMaxVars and its
/// PerChannel form): `inputs` clamped to [min, max] nudged so that 0 is a level, then
/// rounded to one of the 2^num_bits levels (2^num_bits - 1 with narrow_range) and given
/// back as floats of the input's dtype. min_vals / max_vals: scalars, or (with `axis`) one
/// per index of that axis. Differentiable: the inputs' gradient passes where they lie in
/// [nudged min, nudged max], the min's gets the gradient of the inputs below it, the max's
/// of those above (summed per channel). num_bits in [2, 16]; std::invalid_argument for a
/// bad num_bits, axis or min/max shape.
core::Tensor fake_quant_with_min_max_vars(const core::Tensor& inputs, const core::Tensor& min_vals,
                                          const core::Tensor& max_vals, int num_bits = 8, bool narrow_range = false,
                                          std::optional<int64_t> axis = std::nullopt);

/// The largest finite value of a float8 format: 448 for "float8_e4m3fn" (4 exponent bits,
/// 3 mantissa bits, no infinities), 57344 for "float8_e5m2" (5 and 2, IEEE-like). Throws
/// std::invalid_argument naming another name.
double float8_max(const std::string& quantized_dtype);

/// Rounds x to the nearest value of a float8 format (ties to even; subnormals kept; NaN
/// stays NaN), in x's dtype: what a cast to float8 and back gives for values within
/// +-float8_max (keras-cpp has no float8 tensor dtype). Floating x only.
core::Tensor round_to_float8(const core::Tensor& x, const std::string& quantized_dtype);

/// Keras's quantize_and_dequantize(inputs, scale, quantized_dtype, compute_dtype):
/// clip(inputs / scale, -max, max) rounded to the float8 format, times scale, all in
/// compute_dtype. quantized_dtype "float8_e4m3fn" or "float8_e5m2".
core::Tensor quantize_and_dequantize(const core::Tensor& inputs, const core::Tensor& scale,
                                     const std::string& quantized_dtype, core::DType compute_dtype);

/// Keras's compute_float8_scale(amax, scale, dtype_max, margin): the new scale
/// 1 / (dtype_max / amax / 2^margin), or the old scale where amax is 0 or not finite.
core::Tensor compute_float8_scale(const core::Tensor& amax, const core::Tensor& scale, const core::Tensor& dtype_max,
                                  int margin = 0);

/// Keras's compute_float8_amax_history(x, amax_history): the history rolled left by one
/// with max(|x|) (in the history's dtype) written at index 0.
core::Tensor compute_float8_amax_history(const core::Tensor& x, const core::Tensor& amax_history);

}  // namespace keras::quantizers
