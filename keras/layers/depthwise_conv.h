// depthwise_conv.h - DepthwiseConv1D, DepthwiseConv2D (keras.layers):
// activation(depthwise_conv(inputs, kernel) + bias) on channels_last inputs; each input
// channel is convolved with its own depth_multiplier filters, output channel
// c * depth_multiplier + m. The kernel (Keras's weight "kernel") has shape (*kernel_size,
// channels, depth_multiplier), the bias (channels * depth_multiplier). As Keras 3, strides
// and dilation_rate may both exceed 1. One class, DepthwiseConvLayer (Keras's
// BaseDepthwiseConv), serves both; the factories fix the spatial rank and the class name.
#pragma once
#include "keras/layers/conv.h"

namespace keras::layers {

/// Options of DepthwiseConv1D/2D (the keyword arguments of keras.layers.DepthwiseConv*D).
struct DepthwiseConvOptions {
  /// Step of the window per spatial axis (Keras `strides`, default 1).
  SpatialArg strides = 1;
  std::string padding = "valid";  ///< "valid" or "same"
  /// Output channels per input channel (Keras `depth_multiplier`, default 1; must be
  /// positive).
  int64_t depth_multiplier = 1;
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Spacing of the kernel taps per spatial axis (Keras `dilation_rate`, default 1).
  SpatialArg dilation_rate = 1;
  /// Applied to the output (Keras `activation`; empty: linear).
  ActivationArg activation{};
  /// Whether to add a bias vector (Keras `use_bias`, default true).
  bool use_bias = true;
  /// Initializer of the depthwise kernel (default glorot_uniform).
  InitializerArg depthwise_initializer = "glorot_uniform";
  /// Initializer of the bias (default zeros).
  InitializerArg bias_initializer = "zeros";
  ///@{
  /// Penalties on the kernel, the bias and the layer's outputs (Keras
  /// `depthwise_regularizer`, `bias_regularizer`, `activity_regularizer`; none by default).
  RegularizerArg depthwise_regularizer{}, bias_regularizer{}, activity_regularizer{};
  ///@}
  ///@{
  /// Constraints applied to the kernel and the bias after each optimizer step (none by
  /// default).
  ConstraintArg depthwise_constraint{}, bias_constraint{};
  ///@}
  /// Layer name (default: generated from the class name, depthwise_conv2d, ...).
  std::string name{};
  /// Whether the weights are trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

/// A depthwise convolution layer of 1 or 2 spatial axes (Keras's BaseDepthwiseConv); made
/// by DepthwiseConv1D, DepthwiseConv2D. Invalid arguments throw std::invalid_argument.
class DepthwiseConvLayer : public Layer {
 public:
  /// rank: 1 or 2 spatial axes.
  DepthwiseConvLayer(int rank, const SpatialArg& kernel_size, const DepthwiseConvOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// DepthwiseConv{Rank}D).
  template <int Rank>
  static LayerPtr from_config(const Config& c);

  ///@{
  /// The kernel (*kernel_size, channels, depth_multiplier) and bias weights, defined once
  /// built (bias stays undefined without use_bias).
  Variable kernel, bias;
  ///@}

 private:
  bool channels_first() const { return o_.data_format == "channels_first"; }
  int rank_;
  std::vector<int64_t> kernel_size_, strides_, dilation_;
  DepthwiseConvOptions o_;
};

/// keras.layers.DepthwiseConv1D: each channel of (batch, steps, channels) convolved with
/// its own filters.
Ref<DepthwiseConvLayer> DepthwiseConv1D(const SpatialArg& kernel_size, const DepthwiseConvOptions& options = {});
/// keras.layers.DepthwiseConv2D: each channel of (batch, height, width, channels) convolved
/// with its own filters.
Ref<DepthwiseConvLayer> DepthwiseConv2D(const SpatialArg& kernel_size, const DepthwiseConvOptions& options = {});

namespace detail {
/// The output shape of a depthwise window over (batch, *spatial, channels) inputs.
ShapeSpec depthwise_output_shape(ShapeSpec s, const std::vector<int64_t>& kernel_size,
                                 const std::vector<int64_t>& strides, const std::vector<int64_t>& dilation,
                                 const std::string& padding, int64_t channels_out);
}  // namespace detail

}  // namespace keras::layers
