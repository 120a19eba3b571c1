// discretization.h - Discretization (Keras 3's keras.layers.Discretization): buckets
// continuous values by bin boundaries, np.digitize's rule: value x goes to bin i when
// boundaries[i-1] <= x < boundaries[i]. The boundaries are given (.bin_boundaries), or
// adapt() computes num_bins - 1 of them as approximate quantiles with Keras's own
// summary algorithm (epsilon: the approximation's precision), so the bins match Keras's.
// output_mode "int" gives int32 bin ids; "one_hot", "multi_hot" and "count" encode them.
//   auto d = keras::layers::Discretization({.bin_boundaries = {0.0, 1.0, 2.0}});
//   d(keras::constant({-1.5f, 1.0f, 3.4f}));   // [0, 2, 3] (int32)
#pragma once
#include "keras/layers/layer.h"

namespace keras::data { class Dataset; }

namespace keras::layers {

/// Options of Discretization (the keyword arguments of keras.layers.Discretization).
struct DiscretizationOptions {
  /// Sorted boundaries (Keras `bin_boundaries`); give these or num_bins, not both.
  std::vector<double> bin_boundaries{};
  /// The number of bins adapt() computes (Keras `num_bins`, -1: None).
  int64_t num_bins = -1;
  /// The precision of adapt()'s quantiles (Keras `epsilon`, default 0.01).
  double epsilon = 0.01;
  /// "int" (default), "one_hot", "multi_hot" or "count".
  std::string output_mode = "int";
  bool sparse = false;       ///< encoded outputs as a SparseTensor handle
  /// The dtype policy (Keras `dtype`; unset: the global policy): float inputs are cast to
  /// its compute dtype before they are binned, and it is the dtype of the encoded outputs
  /// ("int" gives int32 indices whatever it is, as Keras).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  std::string name{};        ///< layer name (default: generated)
  ShapeSpec input_shape{};   ///< without the batch axis (first layer of a Sequential)
};

/// keras.layers.Discretization, made by Discretization().
class DiscretizationLayer : public Layer {
 public:
  /// Throws std::invalid_argument for both or neither of bin_boundaries and num_bins, or a
  /// bad output_mode.
  explicit DiscretizationLayer(const DiscretizationOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  DType output_dtype() const override { return o_.output_mode == "int" ? DType::int32 : compute_dtype(); }
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "Discretization").
  static LayerPtr from_config(const Config& c);

  /// Computes num_bins - 1 boundaries from the values of data (any shape, numbers).
  void adapt(const Tensor& data);
  /// The same over a dataset's elements (single tensors), merged batch by batch as Keras.
  void adapt(const data::Dataset& data);
  /// The boundaries in use (given or adapted; empty before adapt()).
  const std::vector<double>& bin_boundaries() const { return boundaries_; }

 private:
  void update(const Tensor& batch);
  DiscretizationOptions o_;
  std::vector<double> boundaries_;
  bool have_boundaries_ = false;
  std::vector<float> summary_values_, summary_weights_;  // Keras's quantile summary
};

/// keras.layers.Discretization: continuous values to bin ids.
Ref<DiscretizationLayer> Discretization(const DiscretizationOptions& options = {});

}  // namespace keras::layers
