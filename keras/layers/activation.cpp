#include "keras/layers/activation.h"

namespace keras::layers {

ActivationLayer::ActivationLayer(ActivationArg activation, const LayerOptions& o)
    : Layer("Activation", o), activation_(std::move(activation)) {
  supports_masking_ = true;
}

Tensor ActivationLayer::call(const Tensor& x, bool) { return activation_(x); }

std::vector<ShapeSpec> ActivationLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  return {shapes.at(0)};
}

Config ActivationLayer::get_config() const {
  Config c = base_config();
  c["activation"] = to_config(activation_);
  return c;
}

LayerPtr ActivationLayer::from_config(const Config& c) {
  return make<ActivationLayer>(activation_from(c.get("activation", "linear")), layer_options_from(c));
}

Ref<ActivationLayer> Activation(ActivationArg activation, const LayerOptions& o) {
  return make<ActivationLayer>(std::move(activation), o);
}

}  // namespace keras::layers
