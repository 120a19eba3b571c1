// hashed_crossing.h - HashedCrossing (keras.layers.HashedCrossing): two or more
// categorical features (strings or integers, one value per sample) crossed into one
// hashed bin, TensorFlow's tf.sparse.cross_hashed: FingerprintCat64 over the features
// (a string's FarmHash Fingerprint64, an integer's value) from the key 0xDECAFCAFFE,
// modulo num_bins.
//
//   auto cross = keras::layers::HashedCrossing(1000);
//   Tensor bins = cross({country, age_bucket})[0];   // int64 (batch,)
#pragma once
#include <string>

#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of HashedCrossing (Keras 3's keyword arguments).
struct HashedCrossingOptions {
  std::string output_mode = "int";  ///< "int" (int64 bins) or "one_hot" (float32 vectors)
  bool sparse = false;              ///< one_hot outputs as a SparseTensor handle
  /// The outputs' dtype (Keras `dtype`; unset: int64 for "int", else the global policy's).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  std::string name{};               ///< layer name (default: generated)
};

/// keras.layers.HashedCrossing, made by HashedCrossing().
class HashedCrossingLayer : public Layer {
 public:
  /// Throws std::invalid_argument for num_bins < 1 or another output_mode.
  HashedCrossingLayer(int64_t num_bins, const HashedCrossingOptions& options = {});
  /// At least two inputs of one shape, () or (batch,) or (batch, 1), each string or
  /// integer (Keras's checks and messages otherwise).
  std::vector<Tensor> call(const std::vector<Tensor>& xs, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  DType output_dtype() const override { return o_.output_mode == "int" ? dtype() : compute_dtype(); }
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "HashedCrossing").
  static LayerPtr from_config(const Config& c);
  /// The number of bins.
  int64_t num_bins() const { return num_bins_; }

 private:
  int64_t num_bins_;
  HashedCrossingOptions o_;
};

/// keras.layers.HashedCrossing: crosses categorical features into num_bins hashed bins.
Ref<HashedCrossingLayer> HashedCrossing(int64_t num_bins, const HashedCrossingOptions& options = {});

/// tf.sparse.cross_hashed for dense features of one value per row: each row's cross of
/// the features' values, FingerprintCat64-chained from `hash_key`, modulo num_buckets
/// (0: modulo the largest int64). Features: (batch,) or (batch, 1) string or integer
/// tensors. Returns int64 (batch,).
Tensor cross_hashed(const std::vector<Tensor>& features, int64_t num_buckets, uint64_t hash_key = 0xDECAFCAFFEull);

}  // namespace keras::layers
