// masking.h - Masking (keras.layers.Masking): marks the timesteps whose features all equal
// mask_value as masked. The output is the input with those timesteps zeroed, and carries
// the mask (any(x != mask_value, axis=-1)) for the layers and losses downstream.
//
//   auto m = keras::layers::Masking({.mask_value = 0.0});
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

struct MaskingOptions {
  double mask_value = 0.0;
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class MaskingLayer : public Layer {
 public:
  explicit MaskingLayer(const MaskingOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);
  double mask_value() const { return o_.mask_value; }

 private:
  Tensor keep(const Tensor& x, bool keepdims) const;  // any(x != mask_value, axis=-1)
  MaskingOptions o_;
};

Ref<MaskingLayer> Masking(const MaskingOptions& options = {});

}  // namespace keras::layers
