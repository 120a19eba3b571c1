// group_normalization.h - GroupNormalization (Keras 3's keras.layers.GroupNormalization).
//
// The channels of `axis` are split into `groups` groups; each sample is normalized over
// every non-batch axis within a group (mean and population variance), then scaled by
// gamma and shifted by beta, one per channel:
//   y = gamma * (x - mean_g) / sqrt(variance_g + epsilon) + beta
// groups = -1 means one group per channel (instance normalization); as in Keras, the
// config written after build() then holds the channel count. groups = 1 normalizes
// each sample over all its axes (as LayerNormalization over every non-batch axis).
// Weights: gamma (if scale), beta (if center), each of shape (channels,).
#pragma once
#include "keras/layers/args.h"
#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of GroupNormalization (the keyword arguments of
/// keras.layers.GroupNormalization).
struct GroupNormalizationOptions {
  int64_t groups = 32;  ///< a positive number dividing the channel count, or -1
  int64_t axis = -1;    ///< the channel axis; not the batch axis
  /// Added to the variance before the square root (Keras `epsilon`, default 1e-3).
  double epsilon = 1e-3;
  bool center = true;  ///< add beta
  bool scale = true;   ///< multiply by gamma
  /// Initializer of beta (default zeros).
  InitializerArg beta_initializer = "zeros";
  /// Initializer of gamma (default ones).
  InitializerArg gamma_initializer = "ones";
  ///@{
  /// Penalties on beta and gamma (Keras `beta_regularizer`, `gamma_regularizer`; none by
  /// default).
  RegularizerArg beta_regularizer{}, gamma_regularizer{};
  ///@}
  ///@{
  /// Constraints applied to beta and gamma after each optimizer step (none by default).
  ConstraintArg beta_constraint{}, gamma_constraint{};
  ///@}
  /// Layer name (default: generated, group_normalization, group_normalization_1, ...).
  std::string name{};
  /// Whether gamma and beta are trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", a DType, ...; unset: the global policy), as
  /// LayerOptions::dtype.
  std::optional<mixed_precision::DTypePolicy> dtype{};
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

/// The group normalization layer (keras.layers.GroupNormalization), made by
/// GroupNormalization().
class GroupNormalizationLayer : public Layer {
 public:
  /// Throws std::invalid_argument for groups other than positive or -1; the axis and
  /// divisibility are checked when built.
  explicit GroupNormalizationLayer(const GroupNormalizationOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "GroupNormalization").
  static LayerPtr from_config(const Config& c);

  /// The options the layer was made with (once built, groups -1 reads as the channel
  /// count).
  const GroupNormalizationOptions& options() const { return o_; }
  ///@{
  /// The gamma and beta weights, defined once built (each only when used).
  Variable gamma, beta;
  ///@}

 private:
  GroupNormalizationOptions o_;
  int64_t axis_ = -1;  // against the built rank
};

/// keras.layers.GroupNormalization: normalizes each sample within groups of channels, then
/// scales by gamma and shifts by beta.
Ref<GroupNormalizationLayer> GroupNormalization(const GroupNormalizationOptions& options = {});

}  // namespace keras::layers
