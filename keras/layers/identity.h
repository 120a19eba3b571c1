// identity.h - Identity (keras.layers.Identity): returns its inputs unchanged (one or
// several tensors), masks included. A placeholder where a model wants a layer.
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

class IdentityLayer : public Layer {
 public:
  explicit IdentityLayer(const LayerOptions& options = {});
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  static LayerPtr from_config(const Config& c);
};

Ref<IdentityLayer> Identity(const LayerOptions& options = {});

}  // namespace keras::layers
