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

struct DepthwiseConvOptions {
  SpatialArg strides = 1;
  std::string padding = "valid";  ///< "valid" or "same"
  int64_t depth_multiplier = 1;
  std::string data_format{};  ///< "channels_last" (the default); "channels_first" raises
  SpatialArg dilation_rate = 1;
  ActivationArg activation{};
  bool use_bias = true;
  InitializerArg depthwise_initializer = "glorot_uniform";
  InitializerArg bias_initializer = "zeros";
  RegularizerArg depthwise_regularizer{}, bias_regularizer{}, activity_regularizer{};
  ConstraintArg depthwise_constraint{}, bias_constraint{};
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

class DepthwiseConvLayer : public Layer {
 public:
  /// rank: 1 or 2 spatial axes.
  DepthwiseConvLayer(int rank, const SpatialArg& kernel_size, const DepthwiseConvOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  template <int Rank>
  static LayerPtr from_config(const Config& c);

  Variable kernel, bias;  ///< defined once built

 private:
  int rank_;
  std::vector<int64_t> kernel_size_, strides_, dilation_;
  DepthwiseConvOptions o_;
};

Ref<DepthwiseConvLayer> DepthwiseConv1D(const SpatialArg& kernel_size, const DepthwiseConvOptions& options = {});
Ref<DepthwiseConvLayer> DepthwiseConv2D(const SpatialArg& kernel_size, const DepthwiseConvOptions& options = {});

namespace detail {
/// The output shape of a depthwise window over (batch, *spatial, channels) inputs.
ShapeSpec depthwise_output_shape(ShapeSpec s, const std::vector<int64_t>& kernel_size,
                                 const std::vector<int64_t>& strides, const std::vector<int64_t>& dilation,
                                 const std::string& padding, int64_t channels_out);
/// Throws unless s has rank + 2 axes with known channels.
void check_conv_input(const std::string& layer, int rank, const ShapeSpec& s);
}  // namespace detail

}  // namespace keras::layers
