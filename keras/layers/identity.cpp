#include "keras/layers/identity.h"

#include "keras/layers/args.h"

namespace keras::layers {

IdentityLayer::IdentityLayer(const LayerOptions& o) : Layer("Identity", o) { supports_masking_ = true; }

std::vector<Tensor> IdentityLayer::call(const std::vector<Tensor>& xs, const CallContext&) { return xs; }

std::vector<Tensor> IdentityLayer::compute_mask(const std::vector<Tensor>& xs, const std::vector<Tensor>& masks) {
  std::vector<Tensor> out = masks;
  out.resize(xs.size());
  return out;
}

std::vector<ShapeSpec> IdentityLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) { return shapes; }

LayerPtr IdentityLayer::from_config(const Config& c) { return make<IdentityLayer>(layer_options_from(c)); }

Ref<IdentityLayer> Identity(const LayerOptions& o) { return make<IdentityLayer>(o); }

}  // namespace keras::layers
