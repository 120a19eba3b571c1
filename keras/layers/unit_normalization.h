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

struct UnitNormalizationOptions {
  AxisArg axis = -1;
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

class UnitNormalizationLayer : public Layer {
 public:
  explicit UnitNormalizationLayer(const UnitNormalizationOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

  const UnitNormalizationOptions& options() const { return o_; }

 private:
  std::vector<int64_t> axes_for(int64_t rank, const std::string& shape) const;  // checked, non-negative
  UnitNormalizationOptions o_;
};

Ref<UnitNormalizationLayer> UnitNormalization(const UnitNormalizationOptions& options = {});

}  // namespace keras::layers
