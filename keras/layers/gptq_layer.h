// gptq_layer.h - (internal) what Dense and EinsumDense share for GPTQ
// (quantizers::gptq_quantize): the calibration hooks, Keras's gptq weights, and the float
// kernel they stand for.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "keras/layers/layer.h"
#include "keras/quantizers_gptq.h"

namespace keras::layers::detail {

/// Calibration: while set, `observer` receives the input of each call of `layer` (as the
/// layer computes with it). An empty function removes it. (Keras patches layer.call.)
void set_input_observer(const Layer* layer, std::function<void(const Tensor&)> observer);
/// Called by Dense and EinsumDense at each call: gives x to the layer's observer, if any.
void observe_input(const Layer* layer, const Tensor& x);

/// A calibrated layer's weights, in their stored layout: the levels uint8 (columns,
/// rows), packed two per byte along the columns for 4 bits; scale float32 and zero uint8
/// (columns, groups); g_idx float32 (rows).
struct GptqWeights {
  Tensor kernel, scale, zero, g_idx;
};
/// The stored layout of a GPTQResult for `bits`.
GptqWeights gptq_weights(const quantizers::GPTQResult& result, int bits);
/// gptq_quantize hands a layer its weights before calling quantize("gptq/..."), which
/// takes them (nullopt: none waiting, so quantize() raises).
void set_pending_gptq(const Layer* layer, GptqWeights weights);
std::optional<GptqWeights> take_pending_gptq(const Layer* layer);

/// The layer's gptq weights beside `kernel` (uint8 (packed columns, rows), added by the
/// caller): kernel_scale (columns, groups) ones, `zero_name` (uint8, the same shape) and
/// g_idx (rows), as Keras's _gptq_build.
struct GptqVariables {
  Variable scale, zero, g_idx;
};
GptqVariables add_gptq_weights(Layer& layer, const std::string& zero_name, int64_t rows, int64_t columns,
                               const quantizers::GPTQPolicyParams& params);
/// The kernel's stored shape: (ceil(columns / 2), rows) for 4 bits, else (columns, rows).
Shape gptq_kernel_shape(int64_t rows, int64_t columns, int bits);
/// The float kernel (rows, columns) in `dtype`: the levels unpacked, (level - zero) *
/// scale by each row's group, transposed (Keras's _gptq_call).
Tensor gptq_float_kernel(const Tensor& kernel, const Tensor& scale, const Tensor& zero, const Tensor& g_idx, int bits,
                         int64_t columns, DType dtype);

/// An EinsumDense kernel read as (rows, columns): its contracted axes must be its leading
/// ones and the input's trailing ones, in the same order (so the input reads as (-1, rows)
/// and the kernel as (rows, columns)); core::NotImplementedError naming the layer and the
/// equation otherwise, or for an ellipsis.
std::pair<int64_t, int64_t> gptq_einsum_matrix(const std::string& layer, const std::string& equation,
                                               const std::vector<int64_t>& kernel_shape);

/// Keras's variable_serialization_spec for gptq: bias (when there is one), kernel,
/// kernel_scale, the zero points, g_idx.
std::vector<Layer::StoredWeight> gptq_stored_weights(const Variable& bias, const Variable& kernel, const Variable& scale,
                                                     const Variable& zero, const Variable& g_idx);

/// Layer::quantize's refusal of "gptq/..." without calibration, or of LoRA on a GPTQ layer.
[[noreturn]] void throw_gptq_needs_calibration(const Layer& layer);

}  // namespace keras::layers::detail
