// efficientnet_blocks.h - (private to keras/applications) what EfficientNet and
// EfficientNetV2 share (efficientnet.cpp): Keras's initializers of their convolutions and
// top, and the squeeze-and-excitation branch.
#pragma once
#include <string>

#include "keras/applications/common.h"

namespace keras::applications::detail {

/// CONV_KERNEL_INITIALIZER: VarianceScaling(2.0, "fan_out", "truncated_normal").
layers::InitializerArg conv_init();
/// DENSE_KERNEL_INITIALIZER: VarianceScaling(1/3, "fan_out", "uniform").
layers::InitializerArg dense_init();
/// Squeeze and excitation over x (`filters` channels): global average pooling, reshape to
/// (1, 1, filters), a 1x1 convolution to `filters_se` with `activation`, one back to
/// `filters` with a sigmoid, times x; the layers named `<name>se_squeeze`, ...
KerasTensor squeeze_excite(const Start& s, const KerasTensor& x, int64_t filters, int64_t filters_se,
                           const layers::ActivationArg& activation, const std::string& name);

}  // namespace keras::applications::detail
