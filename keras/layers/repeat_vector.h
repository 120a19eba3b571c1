// repeat_vector.h - RepeatVector (keras.layers.RepeatVector): (batch, features) ->
// (batch, n, features), the input repeated n times.
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

class RepeatVectorLayer : public Layer {
 public:
  explicit RepeatVectorLayer(int64_t n, const LayerOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

  int64_t n() const { return n_; }

 private:
  int64_t n_;
};

Ref<RepeatVectorLayer> RepeatVector(int64_t n, const LayerOptions& options = {});

}  // namespace keras::layers
