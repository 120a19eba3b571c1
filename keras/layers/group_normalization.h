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

struct GroupNormalizationOptions {
  int64_t groups = 32;  ///< a positive number dividing the channel count, or -1
  int64_t axis = -1;    ///< the channel axis; not the batch axis
  double epsilon = 1e-3;
  bool center = true;  ///< add beta
  bool scale = true;   ///< multiply by gamma
  InitializerArg beta_initializer = "zeros";
  InitializerArg gamma_initializer = "ones";
  RegularizerArg beta_regularizer{}, gamma_regularizer{};
  ConstraintArg beta_constraint{}, gamma_constraint{};
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

class GroupNormalizationLayer : public Layer {
 public:
  explicit GroupNormalizationLayer(const GroupNormalizationOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

  const GroupNormalizationOptions& options() const { return o_; }
  Variable gamma, beta;  ///< defined once built (when used)

 private:
  GroupNormalizationOptions o_;
  int64_t axis_ = -1;  // against the built rank
};

Ref<GroupNormalizationLayer> GroupNormalization(const GroupNormalizationOptions& options = {});

}  // namespace keras::layers
