// convnext_layers.h - (private to keras/applications and the layer registry) the layer
// class keras.applications.convnext defines: LayerScale.
#pragma once
#include "keras/layers/layer.h"

namespace keras::applications::detail {

/// keras.applications.convnext.LayerScale: x times a trainable per-channel scale of
/// projection_dim values (Keras's `gamma`, a weight it leaves unnamed: "variable"),
/// initialized to init_values.
class LayerScaleLayer : public layers::Layer {
 public:
  LayerScaleLayer(double init_values, int64_t projection_dim, const layers::LayerOptions& options = {});
  using Layer::build;
  void build(const layers::ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<layers::ShapeSpec> compute_output_shape(const std::vector<layers::ShapeSpec>& shapes) override {
    return shapes;
  }
  Config get_config() const override;
  static layers::LayerPtr from_config(const Config& c);

 private:
  double init_values_;
  int64_t projection_dim_;
  Variable gamma_;
};

}  // namespace keras::applications::detail
