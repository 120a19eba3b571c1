// normalization.h - Normalization (Keras 3's keras.layers.Normalization), the
// preprocessing layer that standardizes continuous features:
//   y = (x - mean) / max(sqrt(variance), 1e-7)       (invert: y = mean + x * max(...))
// with one mean and variance per index of the kept `axis` (an int, a list, or nullptr
// for one scalar mean and variance). They are either given (`.mean`, `.variance`:
// one value, one per index of the last kept axis, or one per kept index, flat in
// row-major order) or computed from data by adapt(), which stores them as the
// non-trainable weights mean and variance (so they save with the model), as Keras 3:
// before adapt() they are 0 and 1 (the layer passes its input through), and the
// third weight, count, is kept for Keras's file layout only (Keras 3 leaves it 0).
#pragma once
#include "keras/layers/layer.h"
#include "keras/layers/layer_normalization.h"

namespace keras::layers {

/// Options of Normalization (the keyword arguments of keras.layers.Normalization).
struct NormalizationOptions {
  /// The axis or axes kept, each with its own mean and variance (Keras `axis`, default -1);
  /// nullptr: one scalar mean and variance.
  AxisArg axis = -1;
  ///@{
  /// Given mean and variance (both or neither, the same size; empty: computed by adapt()).
  std::vector<double> mean{}, variance{};
  ///@}
  /// Undo the normalization instead: y = mean + x * sqrt(variance) (Keras `invert`, default
  /// false).
  bool invert = false;
  /// Layer name (default: generated, normalization, normalization_1, ...).
  std::string name{};
  /// Keras `trainable` (default true); the adapted state is never trained.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
};

/// The standardizing preprocessing layer (keras.layers.Normalization), made by
/// Normalization().
class NormalizationLayer : public Layer {
 public:
  /// Throws std::invalid_argument when only one of mean and variance is given, or their
  /// sizes differ.
  explicit NormalizationLayer(const NormalizationOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "Normalization").
  static LayerPtr from_config(const Config& c);

  /// Computes the mean and (population) variance of `data` over every axis but the
  /// kept ones, and stores them. Builds the layer from data's shape if needed; a built
  /// layer requires the kept axes to match.
  void adapt(const Tensor& data);

  /// The options the layer was made with.
  const NormalizationOptions& options() const { return o_; }
  ///@{
  /// The adapted state, defined once built (not for given mean and variance): mean
  /// (zeros until adapt()), variance (ones until adapt()), and count (int64, always 0 as in
  /// Keras 3, which keeps it for older files).
  Variable adapt_mean, adapt_variance, count;
  ///@}

 private:
  NormalizationOptions o_;
  ShapeSpec build_shape_;
  std::vector<int64_t> keep_, reduce_, bshape_;
  Tensor mean_, variance_;  // given values, shaped to broadcast (bshape_)
};

/// keras.layers.Normalization: (x - mean) / sqrt(variance) per kept index, from given
/// values or adapt() (before adapt(): mean 0 and variance 1, as Keras).
Ref<NormalizationLayer> Normalization(const NormalizationOptions& options = {});

}  // namespace keras::layers
