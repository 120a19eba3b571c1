// quantizers.h - keras.quantizers: the abs-max quantizer behind quantize("int8").
//
//   auto [q, scale] = keras::quantizers::abs_max_quantize(w, {0});  // int8, per column
//   // w ~ cast(q, float32) / scale
#pragma once
#include <cstdint>
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

}  // namespace keras::quantizers
