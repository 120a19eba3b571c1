// identity.h - Identity (keras.layers.Identity): returns its inputs unchanged (one or
// several tensors), masks included. A placeholder where a model wants a layer.
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

/// Returns its inputs unchanged, masks included (keras.layers.Identity), made by
/// Identity().
class IdentityLayer : public Layer {
 public:
  /// Takes only the base options.
  explicit IdentityLayer(const LayerOptions& options = {});
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "Identity").
  static LayerPtr from_config(const Config& c);
};

/// keras.layers.Identity: the identity on one or several inputs.
Ref<IdentityLayer> Identity(const LayerOptions& options = {});

}  // namespace keras::layers
