// rescaling.h - Rescaling (keras.layers.Rescaling): inputs cast to the layer's dtype, then
// x * scale + offset. scale and offset are numbers or per-channel lists (broadcast along
// the last axis), as Keras's.
//
//   auto model = keras::Sequential({layers::Rescaling(1.0 / 255, 0.0, {.input_shape = {784}}), ...});
//   model->fit(uint8_images, labels);   // pixels stay uint8 in memory; each batch is scaled
#pragma once
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

/// Scales and shifts its input (keras.layers.Rescaling), made by Rescaling(); passes masks
/// on.
class RescalingLayer : public Layer {
 public:
  /// scale, offset: one value each or one per channel; empty lists throw
  /// std::invalid_argument.
  RescalingLayer(std::vector<double> scale, std::vector<double> offset, const LayerOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "Rescaling").
  static LayerPtr from_config(const Config& c);

  /// The scale: one value or one per channel.
  const std::vector<double>& scale() const { return scale_; }
  /// The offset: one value or one per channel.
  const std::vector<double>& offset() const { return offset_; }

 private:
  std::vector<double> scale_, offset_;  // one value: a number; several: per channel
};

///@{
/// keras.layers.Rescaling: x cast to the layer's dtype, then x * scale + offset (numbers,
/// or per-channel lists broadcast along the last axis).
Ref<RescalingLayer> Rescaling(double scale, double offset = 0.0, const LayerOptions& options = {});
Ref<RescalingLayer> Rescaling(std::vector<double> scale, std::vector<double> offset, const LayerOptions& options = {});
///@}

}  // namespace keras::layers
