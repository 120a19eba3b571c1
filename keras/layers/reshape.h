// reshape.h - Reshape (keras.layers.Reshape): (batch, ...) -> (batch, *target_shape).
// target_shape excludes the batch axis; one entry may be -1 (inferred from the size).
//
//   auto r = keras::layers::Reshape({3, 4});
//   auto s = keras::layers::Reshape({-1, 2, 2});
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

/// Reshapes the non-batch axes (keras.layers.Reshape), made by Reshape().
class ReshapeLayer : public Layer {
 public:
  /// target_shape: without the batch axis, sizes >= 0 and at most one -1; else
  /// std::invalid_argument.
  explicit ReshapeLayer(ShapeSpec target_shape, const LayerOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "Reshape").
  static LayerPtr from_config(const Config& c);

  /// The target shape as given (without the batch axis; -1 inferred).
  const ShapeSpec& target_shape() const { return target_; }

 private:
  // The output shape without the batch axis for input dims (without batch; -1 unknown).
  ShapeSpec resolve(const ShapeSpec& input_dims, const ShapeSpec& full_input) const;
  ShapeSpec target_;
};

/// keras.layers.Reshape: (batch, ...) to (batch, *target_shape); a size mismatch throws
/// std::invalid_argument.
Ref<ReshapeLayer> Reshape(ShapeSpec target_shape, const LayerOptions& options = {});

}  // namespace keras::layers
