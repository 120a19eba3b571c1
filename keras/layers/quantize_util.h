// quantize_util.h - what the layers' quantize() and enable_lora() share (internal):
// Keras's argument checks and the LoRA factors.
#pragma once
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "keras/layers/layer.h"
#include "keras/layers/lora.h"

namespace keras::layers::detail {

/// Keras's _check_quantize_args: std::invalid_argument unless the layer is built, not yet
/// quantized, the mode is "int8", "int4", "int4/<block_size>" or "float8", and the compute
/// dtype is not float16 (float8 allows it).
void check_quantize_args(const Layer& layer, const std::string& mode);

/// enable_lora's checks (Keras): built, not yet enabled, rank >= 1, no constraint on the
/// frozen weight. `what` names the frozen weight ("kernel", "embeddings").
void check_enable_lora(const Layer& layer, bool enabled, int64_t rank, bool has_constraint, const char* what);

/// Writes "lora_rank" and "lora_alpha" into a config when LoRA is enabled (its rank and
/// alpha) or asked for by the options (Keras writes them only then); an integral alpha as
/// an integer, as Keras's configs hold it.
void write_lora_config(Config& c, bool enabled, int64_t rank, double alpha, const std::optional<int64_t>& option_rank,
                       const std::optional<double>& option_alpha);
/// Reads them back (absent: unset).
void read_lora_config(const Config& c, std::optional<int64_t>& rank, std::optional<double>& alpha);

/// Keras's quantization_config of a layer with this policy: for "int8", the
/// Int8QuantizationConfig that quantize("int8") makes (the default weight quantizer, an
/// AbsMaxQuantizer over [-127, 127] with epsilon 1e-7 for the inputs); for int4, the
/// Int4QuantizationConfig (default quantizers: none on the inputs) with the policy's
/// block_size; for float8, the empty Float8QuantizationConfig; null otherwise. (A Keras
/// file with another one is refused as an option keras-cpp does not honour.)
Value quantization_config(const mixed_precision::DTypePolicy& policy);

/// The group index of each of n rows in blocks of block_size, as float32 (Keras's g_idx:
/// floor(arange(n) / block_size)).
Tensor int4_group_index(int64_t n, int64_t block_size);

/// The weights of Keras's _int4_build beside the packed one: `<prefix>_scale` (float32
/// ones) of `scale_shape`, and in blocks (block != -1) `<prefix>_zero` (int8 zeros, the
/// same shape) and `g_idx`, the group index of each of `grouped` positions (float32):
/// (scale, zero, g_idx), the last two undefined per channel.
std::tuple<Variable, Variable, Variable> add_int4_weights(Layer& layer, const std::string& prefix,
                                                          const Shape& scale_shape, int64_t grouped, int64_t block);

/// A float (rows, cols) weight quantized to int4 along its rows, as Keras's Dense does:
/// per column by abs-max into [-8, 7] (block_size -1: scale (cols), no zero point), or in
/// groups of block_size rows with a zero point (scale and zero (groups, cols)); `values`
/// int8 (rows, cols), unpacked. In float32, as Keras quantizes weights (in NumPy).
struct Int4Weight {
  Tensor values, scale, zero;
};
Int4Weight quantize_int4(const Tensor& weight, int64_t block_size);

/// The float weight int4 values stand for, in `dtype`: values / scale (scale broadcast
/// against values: per column), or, with a zero point, (values - zero) * scale where scale
/// and zero are taken along `axis` by each position's group (g_idx: Keras's
/// dequantize_with_sz_map).
Tensor dequantize_int4(const Tensor& values, const Tensor& scale, const Tensor& zero, const Tensor& g_idx,
                       core::DType dtype, int64_t axis = 0);

/// std::invalid_argument naming the layer unless an option's lora_rank is unset or >= 1.
void check_lora_rank_option(const std::string& layer, const std::optional<int64_t>& rank);

/// Adds LoRA's two float32 trainable factors, <prefix>_a and <prefix>_b, with the
/// options' initializers and the frozen weight's regularizer.
std::pair<Variable, Variable> add_lora_factors(Layer& layer, const std::string& prefix, const Shape& a_shape,
                                               const Shape& b_shape, const LoraOptions& options,
                                               const std::shared_ptr<const regularizers::Regularizer>& regularizer);

/// t * (alpha / rank): the LoRA update's scale.
Tensor lora_scaled(const Tensor& t, double alpha, int64_t rank);

/// Sets each variable to zeros (loaded LoRA factors: the stored kernel holds their update).
void assign_zeros(std::initializer_list<Variable> variables);

}  // namespace keras::layers::detail
