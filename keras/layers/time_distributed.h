// time_distributed.h - TimeDistributed (keras.layers.TimeDistributed): applies a layer to
// every timestep of (batch, time, ...) inputs, with the same weights: the inputs are
// reshaped to (batch * time, ...), the layer runs once, and the outputs are reshaped
// back to (batch, time, ...). The input's mask passes through.
//
//   auto td = keras::layers::TimeDistributed(keras::layers::Dense(10));
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

struct TimeDistributedOptions {
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class TimeDistributedLayer : public Layer {
 public:
  explicit TimeDistributedLayer(LayerPtr layer, const TimeDistributedOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

  const LayerPtr& layer() const { return layer_; }

 private:
  LayerPtr layer_;
};

Ref<TimeDistributedLayer> TimeDistributed(LayerPtr layer, const TimeDistributedOptions& options = {});

}  // namespace keras::layers
