// activation.h - Activation: applies an activation function to its input
// (keras.layers.Activation).
//
//   auto a = keras::layers::Activation("relu");
//   auto b = keras::layers::Activation([](const Tensor& t) { return t * 2.0; });
#pragma once
#include "keras/layers/args.h"
#include "keras/layers/layer.h"

namespace keras::layers {

class ActivationLayer : public Layer {
 public:
  explicit ActivationLayer(ActivationArg activation, const LayerOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

  const ActivationArg& activation() const { return activation_; }

 private:
  ActivationArg activation_;
};

Ref<ActivationLayer> Activation(ActivationArg activation, const LayerOptions& options = {});

}  // namespace keras::layers
