// activity_regularization.h - ActivityRegularization (keras.layers.ActivityRegularization):
// returns its input unchanged and adds l1 * sum(|x|) + l2 * sum(x^2) to the layer's
// losses (add_loss) on every call.
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

struct ActivityRegularizationOptions {
  double l1 = 0.0;  ///< >= 0
  double l2 = 0.0;  ///< >= 0
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class ActivityRegularizationLayer : public Layer {
 public:
  explicit ActivityRegularizationLayer(const ActivityRegularizationOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

 private:
  ActivityRegularizationOptions o_;
};

Ref<ActivityRegularizationLayer> ActivityRegularization(const ActivityRegularizationOptions& options = {});

}  // namespace keras::layers
