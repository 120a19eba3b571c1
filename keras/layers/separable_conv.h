// separable_conv.h - SeparableConv1D, SeparableConv2D (keras.layers):
// activation(separable_conv(inputs, depthwise_kernel, pointwise_kernel) + bias): a
// depthwise convolution (depthwise_kernel (*kernel_size, channels, depth_multiplier)),
// then a 1x1 convolution to `filters` (pointwise_kernel (1, ..., channels *
// depth_multiplier, filters)); Keras's weight names and order (depthwise_kernel,
// pointwise_kernel, bias). As Keras 3, strides and dilation_rate may both exceed 1. One
// class, SeparableConvLayer (Keras's BaseSeparableConv), serves both.
#pragma once
#include "keras/layers/conv.h"

namespace keras::layers {

struct SeparableConvOptions {
  SpatialArg strides = 1;
  std::string padding = "valid";  ///< "valid" or "same"
  std::string data_format{};      ///< "channels_last" (the default); "channels_first" raises
  SpatialArg dilation_rate = 1;
  int64_t depth_multiplier = 1;
  ActivationArg activation{};
  bool use_bias = true;
  InitializerArg depthwise_initializer = "glorot_uniform";
  InitializerArg pointwise_initializer = "glorot_uniform";
  InitializerArg bias_initializer = "zeros";
  RegularizerArg depthwise_regularizer{}, pointwise_regularizer{}, bias_regularizer{}, activity_regularizer{};
  ConstraintArg depthwise_constraint{}, pointwise_constraint{}, bias_constraint{};
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

class SeparableConvLayer : public Layer {
 public:
  /// rank: 1 or 2 spatial axes.
  SeparableConvLayer(int rank, int64_t filters, const SpatialArg& kernel_size,
                     const SeparableConvOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  template <int Rank>
  static LayerPtr from_config(const Config& c);

  Variable depthwise_kernel, pointwise_kernel, bias;  ///< defined once built

 private:
  int rank_;
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_, dilation_;
  SeparableConvOptions o_;
};

Ref<SeparableConvLayer> SeparableConv1D(int64_t filters, const SpatialArg& kernel_size,
                                        const SeparableConvOptions& options = {});
Ref<SeparableConvLayer> SeparableConv2D(int64_t filters, const SpatialArg& kernel_size,
                                        const SeparableConvOptions& options = {});

}  // namespace keras::layers
