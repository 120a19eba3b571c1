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

struct ConvTransposeOptions {
  SpatialArg strides = 1;
  std::string padding = "valid";            ///< "valid" or "same"
  std::optional<SpatialArg> output_padding{};  ///< each < its stride; default: Keras's (None)
  std::string data_format{};                ///< "channels_last" (the default); "channels_first" raises
  SpatialArg dilation_rate = 1;
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

class ConvTransposeLayer : public Layer {
 public:
  /// rank: 1, 2 or 3 spatial axes.
  ConvTransposeLayer(int rank, int64_t filters, const SpatialArg& kernel_size,
                     const ConvTransposeOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  template <int Rank>
  static LayerPtr from_config(const Config& c);

  int64_t filters() const { return filters_; }
  Variable kernel, bias;  ///< defined once built

 private:
  int rank_;
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_, dilation_;
  std::optional<std::vector<int64_t>> output_padding_;
  ConvTransposeOptions o_;
};

Ref<ConvTransposeLayer> Conv1DTranspose(int64_t filters, const SpatialArg& kernel_size,
                                        const ConvTransposeOptions& options = {});
Ref<ConvTransposeLayer> Conv2DTranspose(int64_t filters, const SpatialArg& kernel_size,
                                        const ConvTransposeOptions& options = {});
Ref<ConvTransposeLayer> Conv3DTranspose(int64_t filters, const SpatialArg& kernel_size,
                                        const ConvTransposeOptions& options = {});

}  // namespace keras::layers
