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
#include "keras/layers/lora.h"

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
  /// LoRA enabled with this rank when the layer is built (Keras `lora_rank`; unset: none).
  std::optional<int64_t> lora_rank{};
  /// LoRA's scale numerator (Keras `lora_alpha`; unset: lora_rank).
  std::optional<double> lora_alpha{};
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
  /// (input_dim, output_dim), defined once built; int8 once quantized (int4: the values
  /// packed two per byte along the row, (input_dim, ceil(output_dim / 2))).
  Variable embeddings;
  /// int8 and int4 per row: each row's scale (input_dim): embeddings ~ round(float row *
  /// scale). int4 in blocks: (input_dim, groups), row ~ (values - zero) * scale per group.
  Variable embeddings_scale;
  ///@{
  /// int4 in blocks: the int8 zero points (input_dim, groups) and each output column's
  /// group index as float32 (output_dim), Keras's g_idx. Undefined otherwise.
  Variable embeddings_zero, g_idx;
  ///@}
  ///@{
  /// LoRA's trainable float32 factors, (input_dim, rank) and (rank, output_dim), defined
  /// once enable_lora() ran.
  Variable lora_embeddings_a, lora_embeddings_b;
  ///@}

  /// Keras's enable_lora: freezes the embeddings and adds lora_embeddings_a and
  /// lora_embeddings_b; the layer then looks ids up in embeddings + (lora_alpha / rank) *
  /// a @ b. Throws std::invalid_argument when the layer is not built, LoRA is already on,
  /// rank < 1, or an embeddings constraint is set (as Keras).
  void enable_lora(int64_t rank, const LoraOptions& options = {});
  /// Whether enable_lora() ran.
  bool lora_enabled() const { return lora_embeddings_a.defined(); }
  /// LoRA's rank (0 when LoRA is off).
  int64_t lora_rank() const { return lora_rank_; }
  /// LoRA's scale numerator (the update is scaled by lora_alpha() / lora_rank()).
  double lora_alpha() const { return lora_alpha_; }
  /// The float table the lookups follow: the embeddings (dequantized once int8 or int4)
  /// plus the LoRA update when enabled.
  Tensor effective_embeddings() const;
  /// "int8": each row quantized to int8 by its abs-max (Keras's Embedding.quantize); the
  /// rows looked up are dequantized. "int4" / "int4/<block_size>" (128 by default, -1 per
  /// row): each row quantized to [-8, 7] by its abs-max, or in blocks of columns with a
  /// zero point, packed two per byte. A subclass (ReversibleEmbedding) raises
  /// core::NotImplementedError, as Keras's type check does.
  void quantize(const std::string& mode) override;
  std::vector<StoredWeight> stored_weights() const override;
  void stored_weights_loaded() override;

 protected:
  /// For subclasses (ReversibleEmbedding): the class name they register under.
  EmbeddingLayer(std::string class_name, int64_t input_dim, int64_t output_dim, const EmbeddingOptions& options);
  /// The options the layer was made with.
  const EmbeddingOptions& embedding_options() const { return o_; }

 private:
  void build_int8();
  void build_int4();
  Tensor int4_rows(const Tensor& ids) const;
  int64_t input_dim_, output_dim_;
  EmbeddingOptions o_;
  int64_t lora_rank_ = 0;
  double lora_alpha_ = 0;
};

/// keras.layers.Embedding: integer ids (batch, ...) to vectors (batch, ..., output_dim).
Ref<EmbeddingLayer> Embedding(int64_t input_dim, int64_t output_dim, const EmbeddingOptions& options = {});

}  // namespace keras::layers
