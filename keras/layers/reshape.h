// reshape.h - Reshape (keras.layers.Reshape): (batch, ...) -> (batch, *target_shape).
// target_shape excludes the batch axis; one entry may be -1 (inferred from the size).
//
//   auto r = keras::layers::Reshape({3, 4});
//   auto s = keras::layers::Reshape({-1, 2, 2});
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

class ReshapeLayer : public Layer {
 public:
  explicit ReshapeLayer(ShapeSpec target_shape, const LayerOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

  const ShapeSpec& target_shape() const { return target_; }

 private:
  // The output shape without the batch axis for input dims (without batch; -1 unknown).
  ShapeSpec resolve(const ShapeSpec& input_dims, const ShapeSpec& full_input) const;
  ShapeSpec target_;
};

Ref<ReshapeLayer> Reshape(ShapeSpec target_shape, const LayerOptions& options = {});

}  // namespace keras::layers
