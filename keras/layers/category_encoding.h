// category_encoding.h - CategoryEncoding (Keras 3's keras.layers.CategoryEncoding):
// integer category ids in [0, num_tokens) to one-hot, multi-hot or count vectors.
// one_hot gives each id a vector (a last axis of size 1 is replaced); multi_hot and count
// reduce the last axis. Ids >= num_tokens are dropped, as TensorFlow's bincount does;
// negative ids raise. count_weights (mode "count") weight each id's count.
//   auto enc = keras::layers::CategoryEncoding(4, {.output_mode = "one_hot"});
//   enc(keras::constant({3, 2, 0, 1}));   // (4, 4) float32
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of CategoryEncoding (the keyword arguments of keras.layers.CategoryEncoding).
struct CategoryEncodingOptions {
  /// "multi_hot" (default), "one_hot" or "count".
  std::string output_mode = "multi_hot";
  bool sparse = false;       ///< a SparseTensor handle (SparseTensor::as_tensor) instead
  /// The outputs' dtype (Keras `dtype`, a float or an integer type; unset: the global
  /// policy's variable dtype, float32 by default).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  std::string name{};        ///< layer name (default: generated)
  ShapeSpec input_shape{};   ///< without the batch axis (first layer of a Sequential)
};

/// keras.layers.CategoryEncoding, made by CategoryEncoding().
class CategoryEncodingLayer : public Layer {
 public:
  /// Throws std::invalid_argument for num_tokens < 1 or a bad output_mode.
  CategoryEncodingLayer(int64_t num_tokens, const CategoryEncodingOptions& options = {});
  /// The number of categories (Keras `num_tokens`).
  int64_t num_tokens() const { return num_tokens_; }
  Tensor call(const Tensor& x, bool training) override;
  /// Takes the keyword argument count_weights (a list of numbers, one per id) in ctx.kwargs.
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  /// The ids `x` encoded, each counted with its weight in count_weights (x's shape; mode
  /// "count" only, std::invalid_argument otherwise).
  Tensor encode(const Tensor& x, const Tensor& count_weights) const;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  DType output_dtype() const override { return dtype(); }
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "CategoryEncoding").
  static LayerPtr from_config(const Config& c);

 private:
  int64_t num_tokens_;
  CategoryEncodingOptions o_;
};

/// keras.layers.CategoryEncoding: category ids to one-hot / multi-hot / count vectors.
Ref<CategoryEncodingLayer> CategoryEncoding(int64_t num_tokens, const CategoryEncodingOptions& options = {});

}  // namespace keras::layers
