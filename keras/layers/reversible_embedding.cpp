// reversible_embedding.cpp - ReversibleEmbedding (Keras 3's reverse direction).
#include "keras/layers/reversible_embedding.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ops.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
EmbeddingOptions embedding_options_of(const ReversibleEmbeddingOptions& o) {
  return EmbeddingOptions{.embeddings_initializer = o.embeddings_initializer,
                          .embeddings_regularizer = o.embeddings_regularizer,
                          .embeddings_constraint = o.embeddings_constraint,
                          .mask_zero = o.mask_zero,
                          .name = o.name,
                          .trainable = o.trainable,
                          .dtype = o.dtype,
                          .input_shape = o.input_shape};
}
bool is_reverse(const Config& kwargs) {
  const Value* r = kwargs.find("reverse");
  return r && r->type() == Value::Type::boolean && r->as_bool();
}
}  // namespace

ReversibleEmbeddingLayer::ReversibleEmbeddingLayer(int64_t input_dim, int64_t output_dim,
                                                   const ReversibleEmbeddingOptions& o)
    : EmbeddingLayer("ReversibleEmbedding", input_dim, output_dim, embedding_options_of(o)), ro_(o) {
  if (o.logit_soft_cap && !(*o.logit_soft_cap > 0))
    throw std::invalid_argument(name() + ": expected logit_soft_cap > 0, but received logit_soft_cap=" +
                                Value(*o.logit_soft_cap).to_json());
}

void ReversibleEmbeddingLayer::build(const ShapeSpec& input_shape) {
  EmbeddingLayer::build(input_shape);
  if (!ro_.tie_weights)
    reverse_embeddings = add_weight("reverse_embeddings", Shape{output_dim(), input_dim()},
                                    WeightOptions{.initializer = ro_.embeddings_initializer.ptr()});
}

Config ReversibleEmbeddingLayer::reverse_kwargs() {
  Config kw = Config::object();
  kw["reverse"] = true;
  return kw;
}

std::vector<Tensor> ReversibleEmbeddingLayer::call(const std::vector<Tensor>& xs, const CallContext& ctx) {
  if (!is_reverse(ctx.kwargs)) return Layer::call(xs, ctx);
  const Tensor& h = xs.at(0);
  if (!core::is_floating(h.dtype()))
    throw std::invalid_argument(name() + ": the reverse direction expects floating hidden states, but received " +
                                core::dtype_name(h.dtype()));
  if (h.rank() < 1 || h.shape()[h.rank() - 1] != output_dim())
    throw std::invalid_argument(name() + ": the reverse direction expects hidden states (..., " +
                                std::to_string(output_dim()) + "), but received shape " + h.shape().str());
  Tensor kernel = ro_.tie_weights ? ops::transpose(embeddings.value()) : reverse_embeddings.value();
  Tensor in = h;
  if (ro_.reverse_dtype) {
    in = ops::cast(in, *ro_.reverse_dtype);
    kernel = ops::cast(kernel, *ro_.reverse_dtype);
  } else if (kernel.dtype() != in.dtype()) {
    kernel = ops::cast(kernel, in.dtype());
  }
  Tensor logits = ops::matmul(in, kernel);
  if (ro_.logit_soft_cap) {
    const Tensor cap = ops::scalar_like(logits, *ro_.logit_soft_cap);
    logits = ops::multiply(ops::tanh(ops::divide(logits, cap)), cap);
  }
  return {logits};
}

Tensor ReversibleEmbeddingLayer::reverse(const Tensor& hidden) { return (*this)(hidden, CallArgs{.kwargs = reverse_kwargs()}); }
KerasTensor ReversibleEmbeddingLayer::reverse(const KerasTensor& hidden) {
  return (*this)(hidden, CallArgs{.kwargs = reverse_kwargs()});
}

std::vector<Tensor> ReversibleEmbeddingLayer::compute_mask(const std::vector<Tensor>& inputs,
                                                           const std::vector<Tensor>& masks) {
  if (core::is_floating(inputs.at(0).dtype())) return {};
  return EmbeddingLayer::compute_mask(inputs, masks);
}

std::vector<ShapeSpec> ReversibleEmbeddingLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  return Layer::compute_output_shape(shapes);  // the probe call sees the keyword arguments
}

Config ReversibleEmbeddingLayer::get_config() const {
  Config c = EmbeddingLayer::get_config();
  c["tie_weights"] = ro_.tie_weights;
  c["reverse_dtype"] = ro_.reverse_dtype ? Value(core::dtype_name(*ro_.reverse_dtype)) : Value();
  c["logit_soft_cap"] = ro_.logit_soft_cap ? Value(*ro_.logit_soft_cap) : Value();
  return c;
}

LayerPtr ReversibleEmbeddingLayer::from_config(const Config& c) {
  ReversibleEmbeddingOptions o;
  detail::read_base_options(c, o);
  o.embeddings_initializer = initializer_from(c.get("embeddings_initializer", "uniform"));
  o.embeddings_regularizer = regularizer_from(c.get("embeddings_regularizer", Value()));
  o.embeddings_constraint = constraint_from(c.get("embeddings_constraint", Value()));
  o.mask_zero = c.get("mask_zero", false).as_bool();
  o.tie_weights = c.get("tie_weights", true).as_bool();
  const Value rd = c.get("reverse_dtype", Value());
  if (!rd.is_null()) o.reverse_dtype = core::dtype_from_name(rd.as_string());
  const Value cap = c.get("logit_soft_cap", Value());
  if (!cap.is_null()) o.logit_soft_cap = cap.as_double();
  return make<ReversibleEmbeddingLayer>(c.at("input_dim").as_int(), c.at("output_dim").as_int(), o);
}

Ref<ReversibleEmbeddingLayer> ReversibleEmbedding(int64_t input_dim, int64_t output_dim,
                                                  const ReversibleEmbeddingOptions& o) {
  return make<ReversibleEmbeddingLayer>(input_dim, output_dim, o);
}

}  // namespace keras::layers
