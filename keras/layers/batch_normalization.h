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

/// Options of BatchNormalization (the keyword arguments of
/// keras.layers.BatchNormalization).
struct BatchNormalizationOptions {
  int64_t axis = -1;  ///< the features axis (negative counts from the end)
  /// Weight of the old value in the moving statistics' update (Keras `momentum`, default
  /// 0.99).
  double momentum = 0.99;
  /// Added to the variance before the square root (Keras `epsilon`, default 1e-3).
  double epsilon = 1e-3;
  bool center = true;  ///< add beta
  bool scale = true;   ///< multiply by gamma
  /// Initializer of beta (default zeros).
  InitializerArg beta_initializer = "zeros";
  /// Initializer of gamma (default ones).
  InitializerArg gamma_initializer = "ones";
  /// Initializer of the moving mean (default zeros).
  InitializerArg moving_mean_initializer = "zeros";
  /// Initializer of the moving variance (default ones).
  InitializerArg moving_variance_initializer = "ones";
  ///@{
  /// Penalties on beta and gamma (Keras `beta_regularizer`, `gamma_regularizer`; none by
  /// default).
  RegularizerArg beta_regularizer{}, gamma_regularizer{};
  ///@}
  ///@{
  /// Constraints applied to beta and gamma after each optimizer step (none by default).
  ConstraintArg beta_constraint{}, gamma_constraint{};
  ///@}
  /// Layer name (default: generated, batch_normalization, batch_normalization_1, ...).
  std::string name{};
  /// Whether gamma and beta are trained (default true); a frozen layer also normalizes with
  /// the moving statistics in training.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

/// The batch normalization layer (keras.layers.BatchNormalization), made by
/// BatchNormalization().
class BatchNormalizationLayer : public Layer {
 public:
  /// Takes the options as given; the axis is checked against the input when built
  /// (std::invalid_argument).
  explicit BatchNormalizationLayer(const BatchNormalizationOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  /// With a mask (one axis fewer than the input, as Keras 3), training takes the batch
  /// statistics over the unmasked positions only; inference ignores the mask.
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "BatchNormalization"); throws std::invalid_argument for synchronized=true.
  static LayerPtr from_config(const Config& c);

  /// The options the layer was made with.
  const BatchNormalizationOptions& options() const { return o_; }
  ///@{
  /// Defined once built (gamma / beta only with scale / center).
  Variable gamma, beta, moving_mean, moving_variance;
  ///@}

 private:
  BatchNormalizationOptions o_;
  int64_t axis_ = -1;              // normalized against the built rank
  std::vector<int64_t> reduce_;    // every axis but axis_
  std::vector<int64_t> bshape_;    // 1 everywhere but axis_ (to broadcast the weights)
  Tensor normalize(const Tensor& input, bool training, const Tensor& mask);
};

/// keras.layers.BatchNormalization: normalizes with the batch statistics in training and
/// the moving statistics in inference.
Ref<BatchNormalizationLayer> BatchNormalization(const BatchNormalizationOptions& options = {});

}  // namespace keras::layers
