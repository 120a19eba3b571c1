// reversible_embedding.h - ReversibleEmbedding (keras.layers.ReversibleEmbedding): an
// Embedding that can also map hidden states back to logits over the vocabulary, with the
// transposed embeddings (tie_weights, the default) or its own reverse_embeddings. The
// reverse direction is the call keyword argument reverse=true, as in Keras:
//
//   auto emb = keras::layers::ReversibleEmbedding(vocab, hidden);
//   Tensor h = (*emb)(ids);                  // (batch, seq, hidden)
//   Tensor logits = emb->reverse(h);         // (batch, seq, vocab)
//   // functional: (*emb)(h_symbolic, {.kwargs = keras::layers::ReversibleEmbeddingLayer::reverse_kwargs()})
#pragma once
#include <optional>

#include "keras/layers/embedding.h"

namespace keras::layers {

/// Options of ReversibleEmbedding (keras.layers.ReversibleEmbedding's keyword arguments).
struct ReversibleEmbeddingOptions {
  /// Reverse with the transposed embeddings (Keras `tie_weights`, default true); false:
  /// a separate (output_dim, input_dim) weight, reverse_embeddings.
  bool tie_weights = true;
  InitializerArg embeddings_initializer = "uniform";  ///< RandomUniform(-0.05, 0.05)
  /// Penalty on the embeddings matrix (Keras `embeddings_regularizer`; none by default).
  RegularizerArg embeddings_regularizer{};
  /// Applied to the embeddings after each optimizer step (Keras `embeddings_constraint`).
  ConstraintArg embeddings_constraint{};
  bool mask_zero = false;  ///< id 0 is padding: the forward output carries the mask ids != 0
  /// The dtype the reverse matmul runs in (Keras `reverse_dtype`; none: the compute dtype).
  std::optional<DType> reverse_dtype{};
  /// logits = cap * tanh(logits / cap) (Keras `logit_soft_cap`; none by default).
  std::optional<double> logit_soft_cap{};
  /// Layer name (default: generated, reversible_embedding, ...).
  std::string name{};
  /// Whether the weights are trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// keras.layers.ReversibleEmbedding, made by ReversibleEmbedding() (see above).
class ReversibleEmbeddingLayer : public EmbeddingLayer {
 public:
  /// Throws std::invalid_argument unless input_dim > 0, output_dim > 0 and the soft cap
  /// (when given) > 0.
  ReversibleEmbeddingLayer(int64_t input_dim, int64_t output_dim, const ReversibleEmbeddingOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  /// The lookup, or with the keyword argument reverse=true the logits.
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  using EmbeddingLayer::call;
  using EmbeddingLayer::operator();
  /// The logits of hidden states (..., output_dim): (..., input_dim) (a call with
  /// reverse=true).
  Tensor reverse(const Tensor& hidden);
  /// The same on a symbolic tensor (functional models).
  KerasTensor reverse(const KerasTensor& hidden);
  /// The call arguments of the reverse direction: {"reverse": true}.
  static Config reverse_kwargs();
  /// The forward mask (mask_zero) for ids; none for the (floating) inputs of the reverse.
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  /// Either direction, from the call's keyword arguments.
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  /// Embedding's keys plus "tie_weights", "reverse_dtype", "logit_soft_cap".
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "ReversibleEmbedding").
  static LayerPtr from_config(const Config& c);
  /// (output_dim, input_dim), defined once built without tie_weights.
  Variable reverse_embeddings;

 private:
  ReversibleEmbeddingOptions ro_;
};

/// keras.layers.ReversibleEmbedding: an Embedding with a reverse (logits) direction.
Ref<ReversibleEmbeddingLayer> ReversibleEmbedding(int64_t input_dim, int64_t output_dim,
                                                  const ReversibleEmbeddingOptions& options = {});

}  // namespace keras::layers
