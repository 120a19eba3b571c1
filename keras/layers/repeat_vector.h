// repeat_vector.h - RepeatVector (keras.layers.RepeatVector): (batch, features) ->
// (batch, n, features), the input repeated n times.
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

/// Repeats a (batch, features) input n times (keras.layers.RepeatVector), made by
/// RepeatVector().
class RepeatVectorLayer : public Layer {
 public:
  /// Throws std::invalid_argument for a negative n.
  explicit RepeatVectorLayer(int64_t n, const LayerOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "RepeatVector").
  static LayerPtr from_config(const Config& c);

  /// Number of repetitions (Keras `n`).
  int64_t n() const { return n_; }

 private:
  int64_t n_;
};

/// keras.layers.RepeatVector: (batch, features) to (batch, n, features).
Ref<RepeatVectorLayer> RepeatVector(int64_t n, const LayerOptions& options = {});

}  // namespace keras::layers
