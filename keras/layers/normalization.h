// normalization.h - Normalization (Keras 3's keras.layers.Normalization), the
// preprocessing layer that standardizes continuous features:
//   y = (x - mean) / max(sqrt(variance), 1e-7)       (invert: y = mean + x * max(...))
// with one mean and variance per index of the kept `axis` (an int, a list, or nullptr
// for one scalar mean and variance). They are either given (`.mean`, `.variance`:
// one value, one per index of the last kept axis, or one per kept index, flat in
// row-major order) or computed from data by adapt(), which stores them as the
// non-trainable weights mean, variance and count (so they save with the model).
// Calling an adaptable layer before adapt() (count still 0) raises.
#pragma once
#include "keras/layers/layer.h"
#include "keras/layers/layer_normalization.h"

namespace keras::layers {

struct NormalizationOptions {
  AxisArg axis = -1;
  std::vector<double> mean{}, variance{};  ///< both or neither (empty: adapt)
  bool invert = false;
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

class NormalizationLayer : public Layer {
 public:
  explicit NormalizationLayer(const NormalizationOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

  /// Computes the mean and (population) variance of `data` over every axis but the
  /// kept ones, and stores them. Builds the layer from data's shape if needed; a built
  /// layer requires the kept axes to match.
  void adapt(const Tensor& data);
  bool adapted() const;  ///< adapt() ran (or count was loaded > 0), or mean/variance given

  const NormalizationOptions& options() const { return o_; }
  /// The adapted state, defined once built (not for given mean and variance).
  Variable adapt_mean, adapt_variance, count;

 private:
  NormalizationOptions o_;
  ShapeSpec build_shape_;
  std::vector<int64_t> keep_, reduce_, bshape_;
  Tensor mean_, variance_;  // given values, shaped to broadcast (bshape_)
};

Ref<NormalizationLayer> Normalization(const NormalizationOptions& options = {});

}  // namespace keras::layers
