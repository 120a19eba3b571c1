#include "keras/layers/embedding.h"
#include "keras/layers/options_base.h"

#include <stdexcept>
#include <tuple>

#include "core/ops.h"
#include "core/ops_numpy.h"
#include "core/ragged.h"
#include "core/errors.h"
#include "keras/layers/quantize_util.h"
#include "keras/quantizers.h"

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
  detail::check_lora_rank_option(name(), o.lora_rank);
  supports_masking_ = o.mask_zero;
  supports_ragged_ = true;  // ragged ids give ragged embeddings
}

namespace {
// Keras's Embedding.quantize("int4"): each row by its abs-max into [-8, 7] (block_size -1:
// scale (input_dim)), or in groups of block_size columns with a zero point (through the
// transposed table: scale and zero (input_dim, groups)); the values packed along the rows.
struct Int4Table {
  Tensor packed, scale, zero;
};
Int4Table quantize_int4_table(const Tensor& table, int64_t block_size) {
  Int4Table t;
  Tensor values;
  if (block_size == -1) {
    const quantizers::Quantized q = quantizers::abs_max_quantize(ops::cast(table, DType::float32), {-1}, {-8, 7});
    values = q.values;
    t.scale = ops::reshape(q.scale, {table.shape()[0]});
  } else {
    const detail::Int4Weight w = detail::quantize_int4(ops::transpose(table, {1, 0}), block_size);
    values = ops::transpose(w.values, {1, 0});
    t.scale = ops::transpose(w.scale, {1, 0});
    t.zero = ops::transpose(w.zero, {1, 0});
  }
  t.packed = quantizers::pack_int4(values, -1);
  return t;
}
}  // namespace

// mask_zero: id 0 is padding, masked for the layers downstream.
std::vector<Tensor> EmbeddingLayer::compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>&) {
  if (!o_.mask_zero || core::ragged::is_ragged(inputs.at(0))) return {};  // ragged rows need no mask
  return {ops::not_equal(inputs.at(0), ops::scalar_like(inputs.at(0), 0.0))};
}

void EmbeddingLayer::build(const ShapeSpec&) {
  // A quantized policy ("int8_from_...", "int4/128_from_..."): Keras's quantized_build.
  const bool int8 = quantization_mode() == "int8", int4 = quantization_mode() == "int4";
  if (quantization_mode() == "float8")
    throw core::NotImplementedError(name() + ": Embedding has no float8 mode (Keras: Expected one of ('int8', "
                                    "'int4'). Received: quantization_mode=float8)");
  if (int8 || int4) {
    embeddings = add_weight("embeddings", Shape{input_dim_, int4 ? (output_dim_ + 1) / 2 : output_dim_},
                            {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::int8});
    if (int8) build_int8();
    else build_int4();
  } else {
    embeddings = add_weight("embeddings", Shape{input_dim_, output_dim_},
                            {o_.embeddings_initializer.ptr(), o_.embeddings_regularizer.ptr(),
                             o_.embeddings_constraint.ptr()});
  }
  if (o_.lora_rank) {
    set_built();  // (enable_lora needs a built layer)
    enable_lora(*o_.lora_rank, {.lora_alpha = o_.lora_alpha});
  }
}

void EmbeddingLayer::build_int8() {
  // Per row (the output_dim axis reduced): input_dim is usually the larger one (Keras).
  embeddings_scale = add_weight("embeddings_scale", Shape{input_dim_},
                                {.initializer = initializers::get("ones"), .trainable = false});
}

// Keras's _int4_build: a scale per row (block_size -1), or per row and group of columns
// with int8 zero points and each column's group index.
void EmbeddingLayer::build_int4() {
  const int64_t block = dtype_policy().int4_block_size();
  const Shape scale_shape = block == -1 ? Shape{input_dim_} : Shape{input_dim_, (output_dim_ + block - 1) / block};
  std::tie(embeddings_scale, embeddings_zero, g_idx) =
      detail::add_int4_weights(*this, "embeddings", scale_shape, output_dim_, block);
}

// Rows of int4 embeddings (packed rows, unpacked after the lookup) as floats: divided by
// their scale, or (values - zero) * scale by column group (Keras's _int4_call).
Tensor EmbeddingLayer::int4_rows(const Tensor& ids) const {
  const Tensor values = quantizers::unpack_int4(ops::gather(embeddings.value(), ids, 0), output_dim_, -1);
  const Tensor scale = ops::gather(embeddings_scale.value(), ids, 0);
  if (!embeddings_zero.defined())
    return ops::divide(ops::cast(values, compute_dtype()), ops::expand_dims(scale, -1));
  return detail::dequantize_int4(ops::cast(values, compute_dtype()), scale, ops::gather(embeddings_zero.value(), ids, 0),
                                 g_idx.value(), compute_dtype(), -1);
}

void EmbeddingLayer::enable_lora(int64_t rank, const LoraOptions& lo) {
  detail::check_enable_lora(*this, lora_enabled(), rank, static_cast<bool>(o_.embeddings_constraint.ptr()),
                            "embeddings");
  std::tie(lora_embeddings_a, lora_embeddings_b) =
      detail::add_lora_factors(*this, "lora_embeddings", Shape{input_dim_, rank}, Shape{rank, output_dim_}, lo,
                               o_.embeddings_regularizer.ptr());
  set_weight_trainable(embeddings, false);
  lora_rank_ = rank;
  lora_alpha_ = lo.lora_alpha.value_or(static_cast<double>(rank));
}

Tensor EmbeddingLayer::effective_embeddings() const {
  Tensor e = quantization_mode() == "int8"
                 ? ops::divide(ops::cast(embeddings, compute_dtype()), ops::expand_dims(embeddings_scale.value(), -1))
             : quantization_mode() == "int4" ? int4_rows(ops::arange(0, input_dim_, 1, DType::int32))
                                             : embeddings.value();
  if (!lora_enabled()) return e;
  const Tensor delta = detail::lora_scaled(ops::matmul(lora_embeddings_a, lora_embeddings_b), lora_alpha_, lora_rank_);
  return ops::cast(ops::add(e, delta), compute_dtype());
}

void EmbeddingLayer::quantize(const std::string& mode) {
  if (class_name() != "Embedding") Layer::quantize(mode);  // Keras's type check: not subclasses
  detail::check_quantize_args(*this, mode);
  if (mode == "float8")  // (Model::quantize warns and skips it, as Keras)
    throw core::NotImplementedError("Invalid quantization mode. Expected one of ('int8', 'int4'). Received: "
                                    "quantization_mode=float8 (layer '" + name() + "')");
  const mixed_precision::DTypePolicy policy = mixed_precision::DTypePolicy::quantized(mode, dtype_policy());
  if (policy.quantization_mode() == "int4") {
    const Int4Table t = quantize_int4_table(embeddings.value(), policy.int4_block_size());
    embeddings = replace_weight(embeddings, "embeddings", t.packed.shape(),
                                {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::int8});
    set_quantized_policy(policy);
    embeddings.assign(t.packed);
    build_int4();
    // (before the LoRA factors, as when built: embeddings, embeddings_scale, embeddings_zero, g_idx)
    move_weight_after(embeddings_scale, embeddings);
    embeddings_scale.assign(ops::cast(t.scale, embeddings_scale.dtype()));
    if (embeddings_zero.defined()) {
      move_weight_after(embeddings_zero, embeddings_scale);
      move_weight_after(g_idx, embeddings_zero);
      embeddings_zero.assign(t.zero);
    }
    return;
  }
  const quantizers::Quantized q = quantizers::abs_max_quantize(ops::cast(embeddings.value(), DType::float32), {-1});
  const Tensor scale = ops::reshape(q.scale, {input_dim_});
  embeddings = replace_weight(embeddings, "embeddings", embeddings.shape(),
                              {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::int8});
  set_quantized_policy(policy);
  embeddings.assign(q.values);
  build_int8();
  move_weight_after(embeddings_scale, embeddings);  // (before the LoRA factors, as when built)
  embeddings_scale.assign(ops::cast(scale, embeddings_scale.dtype()));
}

std::vector<Layer::StoredWeight> EmbeddingLayer::stored_weights() const {
  // Keras: embeddings, then (int8, int4) embeddings_scale and (int4 in blocks)
  // embeddings_zero, g_idx; with LoRA the embeddings hold the update (quantized again once
  // int8 or int4) and the factors are not stored.
  if (!lora_enabled()) return Layer::stored_weights();
  if (quantization_mode() == "int4") {
    const Int4Table t = quantize_int4_table(effective_embeddings(), dtype_policy().int4_block_size());
    std::vector<StoredWeight> out = {{embeddings, t.packed}, {embeddings_scale, ops::cast(t.scale, embeddings_scale.dtype())}};
    if (embeddings_zero.defined()) {
      out.push_back({embeddings_zero, t.zero});
      out.push_back({g_idx, g_idx.value()});
    }
    return out;
  }
  if (quantization_mode() != "int8") return {{embeddings, ops::cast(effective_embeddings(), embeddings.dtype())}};
  const quantizers::Quantized q = quantizers::abs_max_quantize(ops::cast(effective_embeddings(), DType::float32), {-1});
  return {{embeddings, q.values},
          {embeddings_scale, ops::cast(ops::reshape(q.scale, {input_dim_}), embeddings_scale.dtype())}};
}

void EmbeddingLayer::stored_weights_loaded() {
  if (lora_enabled()) detail::assign_zeros({lora_embeddings_a, lora_embeddings_b});
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
    Tensor rows = quantization_mode() == "int8"  // Keras's _int8_call: the rows de-scaled after the lookup
                      ? ops::divide(ops::cast(ops::gather(embeddings.value(), ids, 0), compute_dtype()),
                                    ops::expand_dims(ops::gather(embeddings_scale.value(), ids, 0), -1))
                  : quantization_mode() == "int4" ? int4_rows(ids)
                                                  : ops::gather(embeddings.value(), ids, 0);
    if (!lora_enabled()) return rows;
    // Plus the rows' share of the update, (a @ b)[ids] = a[ids] @ b, without forming the
    // whole (input_dim, output_dim) update at every call.
    const Tensor lora = ops::matmul(ops::gather(lora_embeddings_a.value(), ids, 0), lora_embeddings_b);
    return ops::cast(ops::add(rows, detail::lora_scaled(lora, lora_alpha_, lora_rank_)), compute_dtype());
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
  c["quantization_config"] = detail::quantization_config(dtype_policy());
  detail::write_lora_config(c, lora_enabled(), lora_rank_, lora_alpha_, o_.lora_rank, o_.lora_alpha);
  return c;
}

LayerPtr EmbeddingLayer::from_config(const Config& c) {
  EmbeddingOptions o;
  detail::read_base_options(c, o);
  o.embeddings_initializer = initializer_from(c.get("embeddings_initializer", "uniform"));
  o.embeddings_regularizer = regularizer_from(c.get("embeddings_regularizer", Value()));
  o.embeddings_constraint = constraint_from(c.get("embeddings_constraint", Value()));
  o.mask_zero = c.get("mask_zero", false).as_bool();
  detail::read_lora_config(c, o.lora_rank, o.lora_alpha);
  return make<EmbeddingLayer>(c.at("input_dim").as_int(), c.at("output_dim").as_int(), o);
}

Ref<EmbeddingLayer> Embedding(int64_t input_dim, int64_t output_dim, const EmbeddingOptions& o) {
  return make<EmbeddingLayer>(input_dim, output_dim, o);
}

}  // namespace keras::layers
