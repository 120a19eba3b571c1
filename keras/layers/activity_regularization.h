// activity_regularization.h - ActivityRegularization (keras.layers.ActivityRegularization):
// returns its input unchanged and adds l1 * sum(|x|) + l2 * sum(x^2) to the layer's
// losses (add_loss) on every call.
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of ActivityRegularization (the keyword arguments of
/// keras.layers.ActivityRegularization).
struct ActivityRegularizationOptions {
  double l1 = 0.0;  ///< >= 0
  double l2 = 0.0;  ///< >= 0
  /// Layer name (default: generated, activity_regularization, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// The identity with an activity penalty (keras.layers.ActivityRegularization), made by
/// ActivityRegularization().
class ActivityRegularizationLayer : public Layer {
 public:
  /// Throws std::invalid_argument for a negative l1 or l2.
  explicit ActivityRegularizationLayer(const ActivityRegularizationOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "ActivityRegularization").
  static LayerPtr from_config(const Config& c);

 private:
  ActivityRegularizationOptions o_;
};

/// keras.layers.ActivityRegularization: returns x and adds l1 * sum(|x|) + l2 * sum(x^2) to
/// the layer's losses.
Ref<ActivityRegularizationLayer> ActivityRegularization(const ActivityRegularizationOptions& options = {});

}  // namespace keras::layers
