// flatten.h - Flatten (keras.layers.Flatten): (batch, d1, ..., dn) -> (batch, d1*...*dn);
// (batch,) -> (batch, 1). With data_format "channels_first" the channel axis 1 is moved
// last first, so the result matches a channels_last model's.
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

struct FlattenOptions {
  std::string data_format{};  ///< "channels_last" (default when empty) or "channels_first"
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class FlattenLayer : public Layer {
 public:
  explicit FlattenLayer(const FlattenOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

 private:
  std::string data_format_;
};

Ref<FlattenLayer> Flatten(const FlattenOptions& options = {});

}  // namespace keras::layers
