// permute.h - Permute (keras.layers.Permute): permutes the non-batch axes; dims are
// 1-based as in Keras (Permute({2, 1}) swaps the two axes after the batch).
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

/// Permutes the non-batch axes (keras.layers.Permute), made by Permute().
class PermuteLayer : public Layer {
 public:
  /// dims: a permutation of 1..rank-1 (1-based, as Keras), else std::invalid_argument.
  explicit PermuteLayer(std::vector<int64_t> dims, const LayerOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "Permute").
  static LayerPtr from_config(const Config& c);

  /// The permutation (1-based, without the batch axis).
  const std::vector<int64_t>& dims() const { return dims_; }

 private:
  std::vector<int64_t> dims_;
};

/// keras.layers.Permute: Permute({2, 1}) swaps the two axes after the batch axis.
Ref<PermuteLayer> Permute(std::vector<int64_t> dims, const LayerOptions& options = {});

}  // namespace keras::layers
