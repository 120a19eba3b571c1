// calibrated_layer.h - (internal) what Dense and EinsumDense share for the quantizations
// calibrated on data, GPTQ and AWQ (quantizers::gptq_quantize, awq_quantize): the
// calibration hooks, Keras's weights for them, and the float kernel they stand for.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/layers/layer.h"
#include "keras/quantizers_gptq.h"

namespace keras::quantizers {
struct AWQResult;
}

namespace keras::layers::detail {

/// Calibration: while set, `observer` receives the input of each call of `layer` (as the
/// layer computes with it). An empty function removes it. (Keras patches layer.call.)
void set_input_observer(const Layer* layer, std::function<void(const Tensor&)> observer);
/// Called by Dense and EinsumDense at each float call: gives x to the layer's observer.
void observe_input(const Layer* layer, const Tensor& x);

/// A calibrated layer's weights, in their stored layout: the levels uint8 (columns,
/// rows), packed two per byte along the columns for 4 bits; scale float32 and zero uint8
/// (columns, groups); g_idx float32 (rows); AWQ's scales float32 (rows; undefined for
/// GPTQ).
struct CalibratedWeights {
  Tensor kernel, scale, zero, g_idx, awq_scales;
};
/// The stored layout of a GPTQResult for `bits`, and of an AWQResult (4 bits).
CalibratedWeights gptq_weights(const quantizers::GPTQResult& result, int bits);
CalibratedWeights awq_weights(const quantizers::AWQResult& result);
/// gptq_quantize and awq_quantize hand a layer its weights before calling
/// quantize("gptq/..." or "awq/..."), which takes them (nullopt: none waiting, so
/// quantize() raises).
void set_pending_weights(const Layer* layer, CalibratedWeights weights);
std::optional<CalibratedWeights> take_pending_weights(const Layer* layer);

/// The layer's weights beside `kernel` (uint8 (packed columns, rows), added by the
/// caller), as Keras's _gptq_build / _awq_build: kernel_scale (columns, groups) ones,
/// `zero_name` (uint8, the same shape), for AWQ awq_scales (rows) ones, and g_idx (rows).
struct CalibratedVariables {
  Variable scale, zero, awq_scales, g_idx;
};
CalibratedVariables add_calibrated_weights(Layer& layer, const std::string& zero_name, int64_t rows, int64_t columns,
                                           const quantizers::CalibratedPolicyParams& params, bool awq);
/// The kernel's stored shape: (ceil(columns / 2), rows) for 4 bits, else (columns, rows).
Shape calibrated_kernel_shape(int64_t rows, int64_t columns, int bits);
/// The float kernel (rows, columns) in `dtype`: the levels unpacked, (level - zero) *
/// scale by each row's group, transposed, and (AWQ, when awq_scales is defined) each row
/// divided by its scale (Keras's _gptq_call, _awq_call).
Tensor calibrated_float_kernel(const Tensor& kernel, const Tensor& scale, const Tensor& zero, const Tensor& g_idx,
                               const Tensor& awq_scales, int bits, int64_t columns, DType dtype);
/// Keras's variable_serialization_spec for gptq and awq: bias (when there is one),
/// kernel, kernel_scale, the zero points, awq_scales (AWQ), g_idx.
std::vector<Layer::StoredWeight> calibrated_stored_weights(const Variable& bias, const Variable& kernel,
                                                           const Variable& scale, const Variable& zero,
                                                           const Variable& awq_scales, const Variable& g_idx);

/// An EinsumDense kernel read as (rows, columns): its contracted axes must be its leading
/// ones and the input's trailing ones, in the same order (so the input reads as (-1, rows)
/// and the kernel as (rows, columns)); core::NotImplementedError naming the layer and the
/// equation otherwise, or for an ellipsis.
std::pair<int64_t, int64_t> calibrated_einsum_matrix(const std::string& layer, const std::string& equation,
                                                     const std::vector<int64_t>& kernel_shape);

/// Layer::quantize's refusal of "gptq/..." or "awq/..." without calibration data.
[[noreturn]] void throw_needs_calibration(const Layer& layer, const std::string& mode);

}  // namespace keras::layers::detail
