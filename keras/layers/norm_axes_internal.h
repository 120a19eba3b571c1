// norm_axes_internal.h - private helper of the normalization layers' .cpp files
// (LayerNormalization, RMSNormalization): their `axis` argument resolved against the
// built input shape. Not installed, not included by public headers.
#pragma once
#include <string>
#include <vector>

#include "keras/layers/layer_normalization.h"

namespace keras::layers::detail {

/// The axes `axis` names in an input of shape s, made non-negative and sorted; raises
/// naming `layer` for an axis out of range, one named twice, or one of unknown size.
std::vector<int64_t> normalized_axes(const std::string& layer, const AxisArg& axis, const ShapeSpec& s);

}  // namespace keras::layers::detail
