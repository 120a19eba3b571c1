// quantizers_internal.h - (internal) what GPTQ and AWQ share beyond the public API.
#pragma once
#include <cstdint>

#include "keras/quantizers_gptq.h"

namespace keras::quantizers::detail {

/// compute_quantization_parameters with each range widened to hold 0, as GPTQ's reference
/// quantizer: the zero point then lies in [0, 2^bits - 1]. (Keras's ranges need not hold
/// 0, and a group of one sign gets a zero point outside, which its uint8 cast wraps: such a
/// group dequantizes to nonsense.)
ZeroPointParams zero_point_params(const core::Tensor& x, int bits, bool symmetric, bool per_channel,
                                  int64_t group_size);

}  // namespace keras::quantizers::detail
