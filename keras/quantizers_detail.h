// quantizers_detail.h - (internal) the abs-max quantization with its rounded values left in
// the input's float dtype, for the int8 products of Dense and EinsumDense: the values are
// integers in [-127, 127] there already, so the cast to int8 and back that an int8 product
// would take changes nothing and is skipped.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "keras/quantizers.h"

namespace keras::quantizers::detail {

/// abs_max_quantize without the checks and the final cast (values in the input's dtype).
Quantized abs_max_round(const core::Tensor& inputs, const std::vector<int64_t>& axis,
                        std::pair<double, double> value_range = {-127, 127}, double epsilon = 1e-7);

}  // namespace keras::quantizers::detail
