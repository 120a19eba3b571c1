// conv_transpose.h - Conv1DTranspose, Conv2DTranspose, Conv3DTranspose
// (keras.layers.Conv*DTranspose): activation(conv_transpose(inputs, kernel) + bias) on
// channels_last inputs (batch, *spatial, channels); the kernel has Keras's shape
// (*kernel_size, filters, channels). Output sizes per axis follow Keras
// (ops::conv_transpose_output_length): "valid" (in - 1) * stride + kernel + output_padding,
// "same" in * stride. One class, ConvTransposeLayer (Keras's BaseConvTranspose), serves the
// three; the factories fix the spatial rank and the class name.
#pragma once
#include <optional>

#include "keras/layers/conv.h"

namespace keras::layers {

/// Options of Conv1DTranspose/2D/3D (the keyword arguments of
/// keras.layers.Conv*DTranspose).
struct ConvTransposeOptions {
  /// Upsampling step per spatial axis (Keras `strides`, default 1).
  SpatialArg strides = 1;
  std::string padding = "valid";            ///< "valid" or "same"
  std::optional<SpatialArg> output_padding{};  ///< each < its stride; default: Keras's (None)
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Spacing of the kernel taps per spatial axis (Keras `dilation_rate`, default 1).
  SpatialArg dilation_rate = 1;
  /// Applied to the output (Keras `activation`; empty: linear).
  ActivationArg activation{};
  /// Whether to add a bias vector (Keras `use_bias`, default true).
  bool use_bias = true;
  /// Initializer of the kernel (default glorot_uniform).
  InitializerArg kernel_initializer = "glorot_uniform";
  /// Initializer of the bias (default zeros).
  InitializerArg bias_initializer = "zeros";
  ///@{
  /// Penalties on the kernel, the bias and the layer's outputs (Keras `kernel_regularizer`,
  /// `bias_regularizer`, `activity_regularizer`; none by default).
  RegularizerArg kernel_regularizer{}, bias_regularizer{}, activity_regularizer{};
  ///@}
  ///@{
  /// Constraints applied to the kernel and the bias after each optimizer step (none by
  /// default).
  ConstraintArg kernel_constraint{}, bias_constraint{};
  ///@}
  /// Layer name (default: generated from the class name, conv2d_transpose, ...).
  std::string name{};
  /// Whether the weights are trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

/// A transposed convolution layer of 1, 2 or 3 spatial axes (Keras's BaseConvTranspose);
/// made by Conv1DTranspose, Conv2DTranspose, Conv3DTranspose. Invalid arguments throw
/// std::invalid_argument.
class ConvTransposeLayer : public Layer {
 public:
  /// rank: 1, 2 or 3 spatial axes.
  ConvTransposeLayer(int rank, int64_t filters, const SpatialArg& kernel_size,
                     const ConvTransposeOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// Conv{Rank}DTranspose).
  template <int Rank>
  static LayerPtr from_config(const Config& c);

  /// Number of output channels (Keras `filters`).
  int64_t filters() const { return filters_; }
  ///@{
  /// The kernel (*kernel_size, filters, channels) and bias (filters) weights, defined once
  /// built (bias stays undefined without use_bias).
  Variable kernel, bias;
  ///@}

 private:
  bool channels_first() const { return o_.data_format == "channels_first"; }
  int rank_;
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_, dilation_;
  std::optional<std::vector<int64_t>> output_padding_;
  ConvTransposeOptions o_;
};

/// keras.layers.Conv1DTranspose: a transposed convolution over (batch, steps, channels).
Ref<ConvTransposeLayer> Conv1DTranspose(int64_t filters, const SpatialArg& kernel_size,
                                        const ConvTransposeOptions& options = {});
/// keras.layers.Conv2DTranspose: a transposed convolution over (batch, height, width,
/// channels).
Ref<ConvTransposeLayer> Conv2DTranspose(int64_t filters, const SpatialArg& kernel_size,
                                        const ConvTransposeOptions& options = {});
/// keras.layers.Conv3DTranspose: a transposed convolution over (batch, depth, height,
/// width, channels).
Ref<ConvTransposeLayer> Conv3DTranspose(int64_t filters, const SpatialArg& kernel_size,
                                        const ConvTransposeOptions& options = {});

}  // namespace keras::layers
