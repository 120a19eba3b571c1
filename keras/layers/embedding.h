// embedding.h - Embedding (keras.layers.Embedding): maps integer ids in [0, input_dim)
// to dense float32 vectors of size output_dim. Input (batch, ...) of int32/int64 ids
// (other dtypes are cast to int32, as Keras does); output (batch, ..., output_dim).
//
//   auto e = keras::layers::Embedding(10000, 128);
//
// A RaggedTensor of ids, (*e)(ids), gives a RaggedTensor with the same row partitions
// and flat values (nvals, output_dim), as Keras on the TensorFlow backend does; so does a
// ragged handle (RaggedTensor::as_tensor(), e.g. from a ragged TextVectorization or
// Input(..., {.ragged = true}) in a model), giving a ragged handle (mask_zero adds no mask).
#pragma once
#include "core/ragged.h"
#include "keras/layers/args.h"
#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of Embedding (the keyword arguments of keras.layers.Embedding).
struct EmbeddingOptions {
  InitializerArg embeddings_initializer = "uniform";  ///< RandomUniform(-0.05, 0.05)
  /// Penalty on the embeddings matrix (Keras `embeddings_regularizer`; none by default).
  RegularizerArg embeddings_regularizer{};
  /// Applied to the embeddings after each optimizer step (Keras `embeddings_constraint`;
  /// none by default).
  ConstraintArg embeddings_constraint{};
  bool mask_zero = false;  ///< id 0 is padding: the output carries the mask ids != 0
  /// Layer name (default: generated, embedding, embedding_1, ...).
  std::string name{};
  /// Whether the embeddings are trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// The embedding lookup layer (keras.layers.Embedding), made by Embedding(); ids outside
/// [0, input_dim) throw std::invalid_argument at call.
class EmbeddingLayer : public Layer {
 public:
  /// Throws std::invalid_argument unless input_dim > 0 and output_dim > 0.
  EmbeddingLayer(int64_t input_dim, int64_t output_dim, const EmbeddingOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  using Layer::operator();
  /// Ragged ids: the layer runs (build, call) on the flat values; no mask is attached.
  core::RaggedTensor operator()(const core::RaggedTensor& ids);
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "Embedding").
  static LayerPtr from_config(const Config& c);

  /// Vocabulary size: ids lie in [0, input_dim).
  int64_t input_dim() const { return input_dim_; }
  /// Size of each embedding vector.
  int64_t output_dim() const { return output_dim_; }
  Variable embeddings;  ///< (input_dim, output_dim), defined once built

 protected:
  /// For subclasses (ReversibleEmbedding): the class name they register under.
  EmbeddingLayer(std::string class_name, int64_t input_dim, int64_t output_dim, const EmbeddingOptions& options);
  /// The options the layer was made with.
  const EmbeddingOptions& embedding_options() const { return o_; }

 private:
  int64_t input_dim_, output_dim_;
  EmbeddingOptions o_;
};

/// keras.layers.Embedding: integer ids (batch, ...) to vectors (batch, ..., output_dim).
Ref<EmbeddingLayer> Embedding(int64_t input_dim, int64_t output_dim, const EmbeddingOptions& options = {});

}  // namespace keras::layers
