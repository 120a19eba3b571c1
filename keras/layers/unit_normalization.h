// unit_normalization.h - UnitNormalization (Keras 3's keras.layers.UnitNormalization):
// scales each sample to unit L2 norm over `axis` (an int or a list of ints), as
// keras.ops.normalize(x, axis, order=2, epsilon=1e-12):
//   y = x * min(1 / sqrt(sum(x^2)), 1e12)
// computed as x * rsqrt(max(sum(x^2), 1e-24)) (the same values; an all-zero sample
// stays zero and gets a finite gradient). No weights.
#pragma once
#include "keras/layers/layer.h"
#include "keras/layers/layer_normalization.h"  // AxisArg

namespace keras::layers {

/// Options of UnitNormalization (the keyword arguments of keras.layers.UnitNormalization).
struct UnitNormalizationOptions {
  /// The axis or axes the L2 norm is taken over (Keras `axis`, default -1); None throws
  /// std::invalid_argument.
  AxisArg axis = -1;
  /// Layer name (default: generated, unit_normalization, unit_normalization_1, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

/// The unit L2 norm layer (keras.layers.UnitNormalization), made by UnitNormalization().
class UnitNormalizationLayer : public Layer {
 public:
  /// Throws std::invalid_argument for an empty or None axis; axes out of bounds throw when
  /// called.
  explicit UnitNormalizationLayer(const UnitNormalizationOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "UnitNormalization").
  static LayerPtr from_config(const Config& c);

  /// The options the layer was made with.
  const UnitNormalizationOptions& options() const { return o_; }

 private:
  std::vector<int64_t> axes_for(int64_t rank, const std::string& shape) const;  // checked, non-negative
  UnitNormalizationOptions o_;
};

/// keras.layers.UnitNormalization: x / ||x||_2 over `axis`, per sample.
Ref<UnitNormalizationLayer> UnitNormalization(const UnitNormalizationOptions& options = {});

}  // namespace keras::layers
