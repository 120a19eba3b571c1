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

struct ConvOptions {
  SpatialArg strides = 1;
  std::string padding = "valid";  ///< "valid", "same", "causal" (Conv1D)
  std::string data_format{};      ///< "channels_last" (the default); "channels_first" raises
  SpatialArg dilation_rate = 1;
  int64_t groups = 1;
  ActivationArg activation{};
  bool use_bias = true;
  InitializerArg kernel_initializer = "glorot_uniform";
  InitializerArg bias_initializer = "zeros";
  RegularizerArg kernel_regularizer{}, bias_regularizer{}, activity_regularizer{};
  ConstraintArg kernel_constraint{}, bias_constraint{};
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

class ConvLayer : public Layer {
 public:
  /// rank: 1, 2 or 3 spatial axes.
  ConvLayer(int rank, int64_t filters, const SpatialArg& kernel_size, const ConvOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  template <int Rank>
  static LayerPtr from_config(const Config& c);

  int rank() const { return rank_; }
  int64_t filters() const { return filters_; }
  const std::vector<int64_t>& kernel_size() const { return kernel_size_; }
  Variable kernel, bias;  ///< defined once built

 private:
  int rank_;
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_, dilation_;
  ConvOptions o_;
};

Ref<ConvLayer> Conv1D(int64_t filters, const SpatialArg& kernel_size, const ConvOptions& options = {});
Ref<ConvLayer> Conv2D(int64_t filters, const SpatialArg& kernel_size, const ConvOptions& options = {});
Ref<ConvLayer> Conv3D(int64_t filters, const SpatialArg& kernel_size, const ConvOptions& options = {});

namespace detail {
/// Keras's per-axis integer arguments: one value repeated or exactly `rank` values, each
/// >= min; else std::invalid_argument naming the layer and the argument.
std::vector<int64_t> spatial_values(const std::string& layer, const char* arg, const SpatialArg& v, int rank,
                                    int64_t min);
/// The output length of one spatial axis (-1 stays unknown), as Keras's
/// compute_conv_output_shape.
int64_t window_output(int64_t in, int64_t window, int64_t stride, int64_t dilation, const std::string& padding);
/// Throws unless data_format is empty or "channels_last".
std::string check_channels_last(const std::string& layer, const std::string& data_format);
/// A config's integer or list of integers.
SpatialArg spatial_from(const Value& v);
}  // namespace detail

}  // namespace keras::layers
