// dropout_internal.h - private helpers of the dropout layers' .cpp files (Dropout,
// SpatialDropout, AlphaDropout): the noise_shape argument's checks. Not installed, not
// included by public headers.
#pragma once
#include <string>

#include "keras/layers/layer.h"

namespace keras::layers::detail {

/// Raises naming `layer` unless every noise_shape size is positive or -1 (Keras's None).
void check_noise_shape(const std::string& layer, const ShapeSpec& noise_shape);
/// The mask shape for x: x's shape, or noise_shape with its -1 sizes taken from x; raises
/// naming `layer` where noise_shape has another rank or does not broadcast to x.
Shape mask_shape(const std::string& layer, const ShapeSpec& noise_shape, const Tensor& x);

}  // namespace keras::layers::detail
