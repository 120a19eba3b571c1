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

/// Options of SeparableConv1D/2D (the keyword arguments of keras.layers.SeparableConv*D).
struct SeparableConvOptions {
  /// Step of the depthwise window per spatial axis (Keras `strides`, default 1).
  SpatialArg strides = 1;
  std::string padding = "valid";  ///< "valid" or "same"
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Spacing of the depthwise kernel taps per spatial axis (Keras `dilation_rate`, default
  /// 1).
  SpatialArg dilation_rate = 1;
  /// Depthwise output channels per input channel (Keras `depth_multiplier`, default 1; must
  /// be positive).
  int64_t depth_multiplier = 1;
  /// Applied to the output (Keras `activation`; empty: linear).
  ActivationArg activation{};
  /// Whether to add a bias vector (Keras `use_bias`, default true).
  bool use_bias = true;
  /// Initializer of the depthwise kernel (default glorot_uniform).
  InitializerArg depthwise_initializer = "glorot_uniform";
  /// Initializer of the pointwise kernel (default glorot_uniform).
  InitializerArg pointwise_initializer = "glorot_uniform";
  /// Initializer of the bias (default zeros).
  InitializerArg bias_initializer = "zeros";
  ///@{
  /// Penalties on the depthwise and pointwise kernels, the bias and the layer's outputs
  /// (Keras `*_regularizer`, `activity_regularizer`; none by default).
  RegularizerArg depthwise_regularizer{}, pointwise_regularizer{}, bias_regularizer{}, activity_regularizer{};
  ///@}
  ///@{
  /// Constraints applied to the kernels and the bias after each optimizer step (none by
  /// default).
  ConstraintArg depthwise_constraint{}, pointwise_constraint{}, bias_constraint{};
  ///@}
  /// Layer name (default: generated from the class name, separable_conv2d, ...).
  std::string name{};
  /// Whether the weights are trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

/// A depthwise-then-pointwise convolution layer of 1 or 2 spatial axes (Keras's
/// BaseSeparableConv); made by SeparableConv1D, SeparableConv2D. Invalid arguments throw
/// std::invalid_argument.
class SeparableConvLayer : public Layer {
 public:
  /// rank: 1 or 2 spatial axes.
  SeparableConvLayer(int rank, int64_t filters, const SpatialArg& kernel_size,
                     const SeparableConvOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// SeparableConv{Rank}D).
  template <int Rank>
  static LayerPtr from_config(const Config& c);

  ///@{
  /// The depthwise kernel, pointwise kernel and bias weights, defined once built (bias
  /// stays undefined without use_bias).
  Variable depthwise_kernel, pointwise_kernel, bias;
  ///@}

 private:
  bool channels_first() const { return o_.data_format == "channels_first"; }
  int rank_;
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_, dilation_;
  SeparableConvOptions o_;
};

/// keras.layers.SeparableConv1D: a depthwise then a pointwise convolution over (batch,
/// steps, channels).
Ref<SeparableConvLayer> SeparableConv1D(int64_t filters, const SpatialArg& kernel_size,
                                        const SeparableConvOptions& options = {});
/// keras.layers.SeparableConv2D: a depthwise then a pointwise convolution over (batch,
/// height, width, channels).
Ref<SeparableConvLayer> SeparableConv2D(int64_t filters, const SpatialArg& kernel_size,
                                        const SeparableConvOptions& options = {});

}  // namespace keras::layers
