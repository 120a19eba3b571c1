// activation.h - Activation: applies an activation function to its input
// (keras.layers.Activation).
//
//   auto a = keras::layers::Activation("relu");
//   auto b = keras::layers::Activation([](const Tensor& t) { return t * 2.0; });
#pragma once
#include "keras/layers/args.h"
#include "keras/layers/layer.h"

namespace keras::layers {

/// Applies an activation function to its input (keras.layers.Activation); made by
/// Activation().
class ActivationLayer : public Layer {
 public:
  /// activation: a name ("relu"), an activations:: function or any callable on a Tensor.
  explicit ActivationLayer(ActivationArg activation, const LayerOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "Activation").
  static LayerPtr from_config(const Config& c);

  /// The activation applied.
  const ActivationArg& activation() const { return activation_; }

 private:
  ActivationArg activation_;
};

/// keras.layers.Activation: activation(x), same shape; e.g. `Activation("relu")`.
Ref<ActivationLayer> Activation(ActivationArg activation, const LayerOptions& options = {});

}  // namespace keras::layers
