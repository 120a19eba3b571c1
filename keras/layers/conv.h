// conv.h - Conv1D, Conv2D, Conv3D (keras.layers.Conv*D): activation(conv(inputs, kernel)
// + bias) on channels_last inputs (batch, *spatial, channels); the kernel has Keras's
// shape (*kernel_size, channels / groups, filters). One class, ConvLayer, serves the three
// (Keras's BaseConv); the factories Conv1D / Conv2D / Conv3D fix the spatial rank and
// the class name.
#pragma once
#include "core/ops.h"
#include "keras/layers/args.h"
#include "keras/layers/layer.h"

namespace keras::layers {

using SpatialArg = core::ops::SpatialArg;  ///< 3 or {3, 5}

/// Options of Conv1D/2D/3D (the keyword arguments of keras.layers.Conv*D).
struct ConvOptions {
  /// Step of the window per spatial axis (Keras `strides`, default 1); >1 together with
  /// dilation_rate >1 raises.
  SpatialArg strides = 1;
  std::string padding = "valid";  ///< "valid", "same", "causal" (Conv1D)
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Spacing of the kernel taps per spatial axis (Keras `dilation_rate`, default 1).
  SpatialArg dilation_rate = 1;
  /// Number of channel groups (Keras `groups`, default 1); input channels and filters must
  /// both divide by it.
  int64_t groups = 1;
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
  /// Layer name (default: generated from the class name, conv2d, conv2d_1, ...).
  std::string name{};
  /// Whether the weights are trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

/// A convolution layer of 1, 2 or 3 spatial axes (Keras's BaseConv); made by Conv1D,
/// Conv2D, Conv3D. Invalid arguments throw std::invalid_argument.
class ConvLayer : public Layer {
 public:
  /// rank: 1, 2 or 3 spatial axes.
  ConvLayer(int rank, int64_t filters, const SpatialArg& kernel_size, const ConvOptions& options = {});
  /// Creates the kernel (*kernel_size, channels / groups, filters) and the bias (filters);
  /// throws std::invalid_argument for a wrong rank or channels not divisible by groups.
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for Conv{Rank}D).
  template <int Rank>
  static LayerPtr from_config(const Config& c);

  /// Number of spatial axes (1, 2 or 3).
  int rank() const { return rank_; }
  /// Number of output channels (Keras `filters`).
  int64_t filters() const { return filters_; }
  /// Window size per spatial axis (Keras `kernel_size`).
  const std::vector<int64_t>& kernel_size() const { return kernel_size_; }
  ///@{
  /// The kernel and bias weights, defined once built (bias stays undefined without
  /// use_bias).
  Variable kernel, bias;
  ///@}

 private:
  bool channels_first() const { return o_.data_format == "channels_first"; }
  int rank_;
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_, dilation_;
  ConvOptions o_;
};

/// keras.layers.Conv1D: a convolution over (batch, steps, channels) with `filters` outputs.
Ref<ConvLayer> Conv1D(int64_t filters, const SpatialArg& kernel_size, const ConvOptions& options = {});
/// keras.layers.Conv2D: a convolution over (batch, height, width, channels) with `filters`
/// outputs.
Ref<ConvLayer> Conv2D(int64_t filters, const SpatialArg& kernel_size, const ConvOptions& options = {});
/// keras.layers.Conv3D: a convolution over (batch, depth, height, width, channels) with
/// `filters` outputs.
Ref<ConvLayer> Conv3D(int64_t filters, const SpatialArg& kernel_size, const ConvOptions& options = {});

namespace detail {
/// Keras's per-axis integer arguments: one value repeated or exactly `rank` values, each
/// >= min; else std::invalid_argument naming the layer and the argument.
std::vector<int64_t> spatial_values(const std::string& layer, const char* arg, const SpatialArg& v, int rank,
                                    int64_t min);
/// The output length of one spatial axis (-1 stays unknown), as Keras's
/// compute_conv_output_shape.
int64_t window_output(int64_t in, int64_t window, int64_t stride, int64_t dilation, const std::string& padding);
/// A config's integer or list of integers.
SpatialArg spatial_from(const Value& v);
}  // namespace detail

}  // namespace keras::layers
