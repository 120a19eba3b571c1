// rms_normalization.h - RMSNormalization (keras.layers.RMSNormalization): each sample
// divided by its root mean square over `axis`, then scaled by a learned weight:
//   y = x * rsqrt(mean(x^2, axis) + epsilon) * scale
// No centering (unlike LayerNormalization). Weight: scale, ones, of the normalized axes'
// sizes.
//
//   auto norm = keras::layers::RMSNormalization({.axis = -1, .epsilon = 1e-6});
#pragma once

#include "keras/layers/layer.h"
#include "keras/layers/layer_normalization.h"

namespace keras::layers {

/// Options of RMSNormalization (the keyword arguments of keras.layers.RMSNormalization).
struct RMSNormalizationOptions {
  /// The axis or axes normalized over (Keras `axis`, default -1); None throws
  /// std::invalid_argument.
  AxisArg axis = -1;
  /// Added to the mean square before the square root (Keras `epsilon`, default 1e-6).
  double epsilon = 1e-6;
  /// Layer name (default: generated, rms_normalization, rms_normalization_1, ...).
  std::string name{};
  /// Whether scale is trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

/// The RMS normalization layer (keras.layers.RMSNormalization), made by
/// RMSNormalization().
class RMSNormalizationLayer : public Layer {
 public:
  /// Throws std::invalid_argument for an empty or None axis or a negative epsilon; the
  /// axes are checked against the input when built.
  explicit RMSNormalizationLayer(const RMSNormalizationOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  /// As Keras, `axis` is a list once built (the sorted axes as given).
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "RMSNormalization").
  static LayerPtr from_config(const Config& c);

  /// The options the layer was made with.
  const RMSNormalizationOptions& options() const { return o_; }
  /// The scale weight (ones initially), of the normalized axes' sizes; defined once built.
  Variable scale;

 private:
  RMSNormalizationOptions o_;
  std::vector<int64_t> axes_;    // normalized against the built rank, sorted
  std::vector<int64_t> bshape_;  // 1 except on axes_ (to broadcast scale)
};

/// keras.layers.RMSNormalization: divides each sample by its root mean square over
/// `axis`, then multiplies by the learned scale.
Ref<RMSNormalizationLayer> RMSNormalization(const RMSNormalizationOptions& options = {});

}  // namespace keras::layers
