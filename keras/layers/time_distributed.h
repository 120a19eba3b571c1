// time_distributed.h - TimeDistributed (keras.layers.TimeDistributed): applies a layer to
// every timestep of (batch, time, ...) inputs, with the same weights: the inputs are
// reshaped to (batch * time, ...), the layer runs once, and the outputs are reshaped
// back to (batch, time, ...). The input's mask passes through.
//
//   auto td = keras::layers::TimeDistributed(keras::layers::Dense(10));
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of TimeDistributed (the keyword arguments of keras.layers.TimeDistributed
/// besides the layer).
struct TimeDistributedOptions {
  /// Layer name (default: generated, time_distributed, time_distributed_1, ...).
  std::string name{};
  /// Whether the wrapped layer's weights are trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis, (time, ...) (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// Applies a layer to every timestep with shared weights (keras.layers.TimeDistributed),
/// made by TimeDistributed().
class TimeDistributedLayer : public Layer {
 public:
  /// Throws std::invalid_argument for a null layer.
  explicit TimeDistributedLayer(LayerPtr layer, const TimeDistributedOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "TimeDistributed").
  static LayerPtr from_config(const Config& c);

  /// The wrapped layer.
  const LayerPtr& layer() const { return layer_; }

 private:
  LayerPtr layer_;
};

/// keras.layers.TimeDistributed: `layer` on each timestep of (batch, time, ...) inputs
/// (rank >= 3).
Ref<TimeDistributedLayer> TimeDistributed(LayerPtr layer, const TimeDistributedOptions& options = {});

}  // namespace keras::layers
