// quantize_util.h - what the layers' quantize() and enable_lora() share (internal):
// Keras's argument checks and the LoRA factors.
#pragma once
#include <optional>
#include <string>

#include "keras/layers/layer.h"
#include "keras/layers/lora.h"

namespace keras::layers::detail {

/// Keras's _check_quantize_args: std::invalid_argument unless the layer is built, not yet
/// quantized, the mode is "int8" and the compute dtype is not float16.
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

/// Keras's quantization_config of a layer: for "int8", the Int8QuantizationConfig that
/// quantize("int8") makes (the default weight quantizer, an AbsMaxQuantizer over
/// [-127, 127] with epsilon 1e-7 for the inputs), which is what keras-cpp computes; null
/// otherwise. (A Keras file with another one is refused as an option keras-cpp does not
/// honour.)
Value quantization_config(const std::string& mode);

/// lora_alpha / rank.
inline double lora_scale(double alpha, int64_t rank) { return alpha / static_cast<double>(rank); }

}  // namespace keras::layers::detail
