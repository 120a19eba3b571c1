// batch_normalization.h - BatchNormalization (Keras 3's keras.layers.BatchNormalization).
//
// In training (`layer(x, true)` on a trainable layer) the input is normalized with the
// batch statistics (mean and population variance over every axis but `axis`) and the
// moving statistics are updated:
//   moving = moving * momentum + batch * (1 - momentum)
// In inference (`training = false`, or a frozen layer, as in Keras) the moving
// statistics are used. Either way:
//   y = gamma * (x - mean) / sqrt(variance + epsilon) + beta
// Weights, in Keras's order: gamma (if scale), beta (if center), moving_mean and
// moving_variance (non-trainable), all of shape (input_shape[axis],).
#pragma once
#include "keras/layers/args.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct BatchNormalizationOptions {
  int64_t axis = -1;  ///< the features axis (negative counts from the end)
  double momentum = 0.99;
  double epsilon = 1e-3;
  bool center = true;  ///< add beta
  bool scale = true;   ///< multiply by gamma
  InitializerArg beta_initializer = "zeros";
  InitializerArg gamma_initializer = "ones";
  InitializerArg moving_mean_initializer = "zeros";
  InitializerArg moving_variance_initializer = "ones";
  RegularizerArg beta_regularizer{}, gamma_regularizer{};
  ConstraintArg beta_constraint{}, gamma_constraint{};
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

class BatchNormalizationLayer : public Layer {
 public:
  explicit BatchNormalizationLayer(const BatchNormalizationOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

  const BatchNormalizationOptions& options() const { return o_; }
  /// Defined once built (gamma / beta only with scale / center).
  Variable gamma, beta, moving_mean, moving_variance;

 private:
  BatchNormalizationOptions o_;
  int64_t axis_ = -1;              // normalized against the built rank
  std::vector<int64_t> reduce_;    // every axis but axis_
  std::vector<int64_t> bshape_;    // 1 everywhere but axis_ (to broadcast the weights)
};

Ref<BatchNormalizationLayer> BatchNormalization(const BatchNormalizationOptions& options = {});

}  // namespace keras::layers
