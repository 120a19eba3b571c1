// masking.h - Masking (keras.layers.Masking): marks the timesteps whose features all equal
// mask_value as masked. The output is the input with those timesteps zeroed, and carries
// the mask (any(x != mask_value, axis=-1)) for the layers and losses downstream.
//
//   auto m = keras::layers::Masking({.mask_value = 0.0});
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of Masking (the keyword arguments of keras.layers.Masking).
struct MaskingOptions {
  /// Timesteps whose features all equal this value are masked (Keras `mask_value`, default
  /// 0).
  double mask_value = 0.0;
  /// Layer name (default: generated, masking, masking_1, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// Masks the padding timesteps of a sequence (keras.layers.Masking), made by Masking().
class MaskingLayer : public Layer {
 public:
  /// Takes the options as given.
  explicit MaskingLayer(const MaskingOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "Masking").
  static LayerPtr from_config(const Config& c);
  /// The value that marks masked timesteps.
  double mask_value() const { return o_.mask_value; }

 private:
  Tensor keep(const Tensor& x, bool keepdims) const;  // any(x != mask_value, axis=-1)
  MaskingOptions o_;
};

/// keras.layers.Masking: zeroes the timesteps whose features all equal mask_value and masks
/// them for the layers downstream.
Ref<MaskingLayer> Masking(const MaskingOptions& options = {});

}  // namespace keras::layers
