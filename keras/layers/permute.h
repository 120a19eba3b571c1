// permute.h - Permute (keras.layers.Permute): permutes the non-batch axes; dims are
// 1-based as in Keras (Permute({2, 1}) swaps the two axes after the batch).
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

class PermuteLayer : public Layer {
 public:
  explicit PermuteLayer(std::vector<int64_t> dims, const LayerOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

  const std::vector<int64_t>& dims() const { return dims_; }

 private:
  std::vector<int64_t> dims_;
};

Ref<PermuteLayer> Permute(std::vector<int64_t> dims, const LayerOptions& options = {});

}  // namespace keras::layers
