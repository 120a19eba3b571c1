// application_layers.h - (private to keras/applications, the layer registry and the ONNX
// export) the layer classes keras.applications defines: convnext's LayerScale and
// inception_resnet_v2's CustomScaleLayer.
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

/// keras.applications.inception_resnet_v2.CustomScaleLayer: inputs[0] + inputs[1] * scale
/// (the shortcut plus the scaled residual).
class CustomScaleLayer : public layers::Layer {
 public:
  explicit CustomScaleLayer(double scale, const layers::LayerOptions& options = {});
  std::vector<Tensor> call(const std::vector<Tensor>& xs, bool training) override;
  using Layer::call;
  std::vector<layers::ShapeSpec> compute_output_shape(const std::vector<layers::ShapeSpec>& shapes) override;
  Config get_config() const override;
  static layers::LayerPtr from_config(const Config& c);
  double scale() const { return scale_; }

 private:
  double scale_;
};

}  // namespace keras::applications::detail
