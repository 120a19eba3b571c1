// hashing.h - Hashing (Keras 3's keras.layers.Hashing): hashes strings or integers into
// num_bins bins, as TensorFlow: FarmHash Fingerprint64(value) % num_bins
// (tf.strings.to_hash_bucket_fast), or with a salt SipHash-2-4 keyed by it
// (to_hash_bucket_strong). Integers (and floats, cast to int64) hash their decimal text.
// With mask_value, bin 0 is reserved for it and the others hash into bins 1..num_bins-1.
//   auto h = keras::layers::Hashing(3);
//   h(keras::constant({"A", "B"}));   // int64 bins in [0, 3)
#pragma once
#include <array>
#include <optional>
#include <variant>

#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of Hashing (the keyword arguments of keras.layers.Hashing).
struct HashingOptions {
  /// The value given bin 0 (Keras `mask_value`, default None): a string, or an integer.
  std::optional<std::variant<std::string, int64_t>> mask_value{};
  /// A key for SipHash (Keras `salt`: two integers, or one used twice; none: FarmHash).
  std::optional<std::array<uint64_t, 2>> salt{};
  /// "int" (default: the bins), "one_hot", "multi_hot" or "count".
  std::string output_mode = "int";
  bool sparse = false;       ///< encoded outputs as a SparseTensor handle
  /// The outputs' dtype (Keras `dtype`; unset: int64 for "int", else config::floatx());
  /// "int" takes int32 or int64 only.
  std::optional<mixed_precision::DTypePolicy> dtype{};
  std::string name{};        ///< layer name (default: generated)
  ShapeSpec input_shape{};   ///< without the batch axis (first layer of a Sequential)
};

/// keras.layers.Hashing, made by Hashing().
class HashingLayer : public Layer {
 public:
  /// Throws std::invalid_argument for num_bins <= 0 or a bad output_mode.
  HashingLayer(int64_t num_bins, const HashingOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  DType output_dtype() const override { return dtype(); }
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "Hashing").
  static LayerPtr from_config(const Config& c);
  /// The number of bins.
  int64_t num_bins() const { return num_bins_; }

 private:
  int64_t num_bins_;
  HashingOptions o_;
};

/// keras.layers.Hashing: values to num_bins hash bins.
Ref<HashingLayer> Hashing(int64_t num_bins, const HashingOptions& options = {});

}  // namespace keras::layers
