#include "keras/layers/embedding.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ops.h"
#include "core/ragged.h"

namespace keras::layers {
namespace ops = core::ops;

EmbeddingLayer::EmbeddingLayer(int64_t input_dim, int64_t output_dim, const EmbeddingOptions& o)
    : EmbeddingLayer("Embedding", input_dim, output_dim, o) {}

EmbeddingLayer::EmbeddingLayer(std::string class_name, int64_t input_dim, int64_t output_dim, const EmbeddingOptions& o)
    : Layer(std::move(class_name), detail::layer_options_of(o)),
      input_dim_(input_dim),
      output_dim_(output_dim),
      o_(o) {
  if (input_dim <= 0)
    throw std::invalid_argument(name() + ": expected input_dim > 0, but received input_dim=" +
                                std::to_string(input_dim));
  if (output_dim <= 0)
    throw std::invalid_argument(name() + ": expected output_dim > 0, but received output_dim=" +
                                std::to_string(output_dim));
  supports_masking_ = o.mask_zero;
  supports_ragged_ = true;  // ragged ids give ragged embeddings
}

// mask_zero: id 0 is padding, masked for the layers downstream.
std::vector<Tensor> EmbeddingLayer::compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>&) {
  if (!o_.mask_zero || core::ragged::is_ragged(inputs.at(0))) return {};  // ragged rows need no mask
  return {ops::not_equal(inputs.at(0), ops::scalar_like(inputs.at(0), 0.0))};
}

void EmbeddingLayer::build(const ShapeSpec&) {
  embeddings = add_weight("embeddings", Shape{input_dim_, output_dim_},
                          {o_.embeddings_initializer.ptr(), o_.embeddings_regularizer.ptr(),
                           o_.embeddings_constraint.ptr()});
}

Tensor EmbeddingLayer::call(const Tensor& x, bool training) {
  if (core::ragged::is_ragged(x)) {  // the flat ids embedded, the row partitions kept
    const core::RaggedTensor rt = core::ragged::ragged_of(x);
    return rt.with_flat_values(call(rt.flat_values(), training)).as_tensor();
  }
  Tensor ids = x;
  // Keras casts other ids to int32; a float id that is not an exact integer (2.5, NaN)
  // names no row, so it raises instead of being truncated (to row 0 for NaN).
  if (ids.dtype() != DType::int32 && ids.dtype() != DType::int64) {
    try {
      ids = ops::cast_exact(ids, DType::int32);
    } catch (const core::ConversionError& e) {
      throw core::ConversionError(name() + ": expected integer ids, but received " + e.what());
    }
  }
  try {
    return ops::gather(embeddings.value(), ids, 0);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(name() + ": expected ids in [0, " + std::to_string(input_dim_) +
                                ") (input_dim=" + std::to_string(input_dim_) + "), but received input with " +
                                "an out-of-range id: " + e.what());
  }
}

core::RaggedTensor EmbeddingLayer::operator()(const core::RaggedTensor& ids) {
  if (!ids.defined()) throw std::invalid_argument(name() + ": expected ragged ids, but received an undefined RaggedTensor");
  Tensor out = Layer::operator()(ids.flat_values());
  out.set_keras_mask(Tensor());
  return ids.with_flat_values(out);
}

std::vector<ShapeSpec> EmbeddingLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  ShapeSpec s = shapes.at(0);
  s.push_back(output_dim_);
  return {s};
}

Config EmbeddingLayer::get_config() const {
  Config c = base_config();
  c["input_dim"] = static_cast<long long>(input_dim_);
  c["output_dim"] = static_cast<long long>(output_dim_);
  c["embeddings_initializer"] = to_config(o_.embeddings_initializer);
  c["embeddings_regularizer"] = to_config(o_.embeddings_regularizer);
  c["embeddings_constraint"] = to_config(o_.embeddings_constraint);
  c["mask_zero"] = o_.mask_zero;
  return c;
}

LayerPtr EmbeddingLayer::from_config(const Config& c) {
  EmbeddingOptions o;
  detail::read_base_options(c, o);
  o.embeddings_initializer = initializer_from(c.get("embeddings_initializer", "uniform"));
  o.embeddings_regularizer = regularizer_from(c.get("embeddings_regularizer", Value()));
  o.embeddings_constraint = constraint_from(c.get("embeddings_constraint", Value()));
  o.mask_zero = c.get("mask_zero", false).as_bool();
  return make<EmbeddingLayer>(c.at("input_dim").as_int(), c.at("output_dim").as_int(), o);
}

Ref<EmbeddingLayer> Embedding(int64_t input_dim, int64_t output_dim, const EmbeddingOptions& o) {
  return make<EmbeddingLayer>(input_dim, output_dim, o);
}

}  // namespace keras::layers
