// pipeline.h - Pipeline (keras.layers.Pipeline): a plain layer (not a model) that applies
// its layers in order, passing the training flag on: a preprocessing or augmentation
// pipeline to put in a model or a data pipeline.
//
//   auto augment = keras::layers::Pipeline({keras::layers::RandomFlip("horizontal"),
//                                           keras::layers::RandomRotation(0.1)});
#pragma once
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of Pipeline (keras.layers.Pipeline's keyword arguments besides the layers).
struct PipelineOptions {
  /// Layer name (default: generated, pipeline, pipeline_1, ...).
  std::string name{};
};

/// keras.layers.Pipeline, made by Pipeline(): its layers, tracked as sublayers, applied
/// in order.
class PipelineLayer : public Layer {
 public:
  /// Throws std::invalid_argument for a null layer.
  explicit PipelineLayer(std::vector<LayerPtr> layers, const PipelineOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  /// {"layers": [serialized layers], "name"} (Keras's).
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "Pipeline").
  static LayerPtr from_config(const Config& c);
  /// The layers, in order.
  const std::vector<LayerPtr>& layers() const { return layers_; }

 private:
  std::vector<LayerPtr> layers_;
};

/// keras.layers.Pipeline(layers): applies the layers in order.
Ref<PipelineLayer> Pipeline(std::vector<LayerPtr> layers, const PipelineOptions& options = {});

}  // namespace keras::layers
