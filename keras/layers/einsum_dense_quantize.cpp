// einsum_dense_quantize.cpp - EinsumDense's quantization: int8, int4 (flattened to
// (rows, columns)), float8 training and GPTQ's weights, with the kernel they stand for and
// the weights a file stores.
#include <algorithm>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "core/errors.h"
#include "core/ops.h"
#include "keras/layers/einsum_dense.h"
#include "keras/layers/einsum_quantization.h"
#include "keras/layers/float8_training.h"
#include "keras/layers/calibrated_layer.h"
#include "keras/layers/quantize_util.h"
#include "keras/quantizers.h"

namespace keras::layers {
namespace ops = core::ops;
using detail::check_no_ellipsis;
using detail::int4_matrix;

void EinsumDenseLayer::build_int8() {
  // Keras's _get_kernel_scale_shape: the reduced kernel laid out over the output.
  const detail::EinsumQuantization q = detail::analyze_einsum_quantization(equation_, name());
  std::vector<int64_t> reduced = kernel.shape().dims();
  for (int64_t a : q.kernel_reduced) reduced[size_t(a)] = 1;
  const Shape shape =
      detail::scale_for_quant(ops::ones(Shape(reduced)), q.kernel_transpose, q.kernel_expand, q.kernel_squeeze).shape();
  kernel_scale = add_weight("kernel_scale", shape, {.initializer = initializers::get("ones"), .trainable = false});
}

// Keras's _int4_build: the scale per column (block_size -1), or per group of rows and
// column with int8 zero points and each row's group index.
void EinsumDenseLayer::build_int4() {
  const int64_t block = dtype_policy().int4_block_size();
  const auto [rows, columns] =
      int4_matrix(float_kernel_shape_, detail::analyze_einsum_quantization(equation_, name()).kernel_reduced);
  const Shape scale_shape = block == -1 ? Shape{columns} : Shape{(rows + block - 1) / block, columns};
  std::tie(kernel_scale, kernel_zero, g_idx) = detail::add_int4_weights(*this, "kernel", scale_shape, rows, block);
}

// The float kernel an int4 layer computes with, in its original shape.
Tensor EinsumDenseLayer::int4_kernel() const {
  const Tensor values = quantizers::unpack_int4(kernel.value(), kernel_scale.shape().dims().back(), -1);
  const Tensor k = detail::dequantize_int4(values, kernel_scale.value(), kernel_zero.defined() ? kernel_zero.value() : Tensor(),
                                           g_idx.defined() ? g_idx.value() : Tensor(), compute_dtype());
  return ops::reshape(k, float_kernel_shape_);
}

// Keras's EinsumDense.quantize("int4"): the kernel flattened to (rows, columns), quantized
// as Dense's, packed along the columns.
void EinsumDenseLayer::quantize_int4(const mixed_precision::DTypePolicy& policy) {
  float_kernel_shape_ = kernel.shape().dims();
  const auto [rows, columns] =
      int4_matrix(float_kernel_shape_, detail::analyze_einsum_quantization(equation_, name()).kernel_reduced);
  const detail::Int4Weight w =
      detail::quantize_int4(ops::reshape(kernel.value(), {rows, columns}), policy.int4_block_size());
  const Tensor packed = quantizers::pack_int4(w.values, -1);
  kernel = replace_weight(kernel, "kernel", packed.shape(),
                          {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::int8});
  set_quantized_policy(policy);
  kernel.assign(packed);
  build_int4();
  // (the order of a layer built from this config: kernel, bias, kernel_scale, kernel_zero, g_idx)
  move_weight_after(kernel_scale, bias.defined() ? bias : kernel);
  kernel_scale.assign(ops::cast(w.scale, kernel_scale.dtype()));
  if (kernel_zero.defined()) {
    move_weight_after(kernel_zero, kernel_scale);
    move_weight_after(g_idx, kernel_zero);
    kernel_zero.assign(w.zero);
  }
}

void EinsumDenseLayer::quantize(const std::string& mode) {
  if (class_name() != "EinsumDense") Layer::quantize(mode);  // Keras's type check: not subclasses
  detail::check_quantize_args(*this, mode);
  if (mode == "float8") {  // any equation; the kernel stays float and trainable
    set_quantized_policy(mixed_precision::DTypePolicy::quantized(mode, dtype_policy()));
    build_float8();
    return;
  }
  const mixed_precision::DTypePolicy policy = mixed_precision::DTypePolicy::quantized(mode, dtype_policy());
  const bool awq = policy.quantization_mode() == "awq";
  if (policy.quantization_mode() == "gptq" || awq) {  // the weights gptq_quantize / awq_quantize computed
    if (lora_enabled())
      throw core::NotImplementedError(name() + ": lora is not currently supported with " + (awq ? "AWQ" : "GPTQ") +
                                      " quantization.");
    const auto [rows, columns] = detail::calibrated_einsum_matrix(name(), equation_, kernel.shape().dims());
    const std::optional<detail::CalibratedWeights> w = detail::take_pending_weights(this);
    if (!w) detail::throw_needs_calibration(*this, mode);
    float_kernel_shape_ = kernel.shape().dims();
    kernel = replace_weight(kernel, "kernel", w->kernel.shape(),
                            {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::uint8});
    set_quantized_policy(policy);
    kernel.assign(w->kernel);
    const detail::CalibratedVariables v =
        detail::add_calibrated_weights(*this, "zero_point", rows, columns, quantizers::calibrated_policy_params(policy), awq);
    kernel_scale = v.scale, kernel_zero = v.zero, awq_scales = v.awq_scales, g_idx = v.g_idx;
    kernel_scale.assign(ops::cast(w->scale, kernel_scale.dtype()));
    kernel_zero.assign(w->zero);
    g_idx.assign(w->g_idx);
    if (awq) awq_scales.assign(ops::cast(w->awq_scales, awq_scales.dtype()));
    return;
  }
  check_no_ellipsis(name(), equation_, policy.quantization_mode());
  if (policy.quantization_mode() == "int4") {
    quantize_int4(policy);
    return;
  }
  const detail::EinsumQuantization q = detail::analyze_einsum_quantization(equation_, name());
  const quantizers::Quantized k = quantizers::abs_max_quantize(ops::cast(kernel.value(), DType::float32), q.kernel_reduced);
  const Tensor scale = detail::scale_for_quant(k.scale, q.kernel_transpose, q.kernel_expand, q.kernel_squeeze);
  kernel = replace_weight(kernel, "kernel", kernel.shape(),
                          {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::int8});
  set_quantized_policy(policy);
  kernel.assign(k.values);
  build_int8();
  // (the order of a layer built from this config: kernel, bias, kernel_scale, LoRA factors)
  move_weight_after(kernel_scale, bias.defined() ? bias : kernel);
  kernel_scale.assign(ops::cast(scale, kernel_scale.dtype()));
}

Tensor EinsumDenseLayer::effective_kernel() const {
  if (quantization_mode() == "gptq" || quantization_mode() == "awq")
    return ops::reshape(
        detail::calibrated_float_kernel(kernel.value(), kernel_scale.value(), kernel_zero.value(), g_idx.value(),
                                        awq_scales.defined() ? awq_scales.value() : Tensor(),
                                        quantizers::calibrated_policy_params(dtype_policy()).weight_bits,
                                        kernel_scale.shape()[0], compute_dtype()),
        float_kernel_shape_);
  Tensor k = quantization_mode() == "int4" ? int4_kernel() : kernel.value();
  if (quantization_mode() == "int8")
    k = ops::divide(ops::cast(k, compute_dtype()),
                    detail::kernel_scale_for_dequant(kernel_scale.value(),
                                                     detail::analyze_einsum_quantization(equation_, name())));
  if (!lora_enabled()) return k;
  const Tensor delta = detail::lora_scaled(ops::matmul(lora_kernel_a, lora_kernel_b), lora_alpha_, lora_rank_);
  return ops::cast(ops::add(k, delta), compute_dtype());
}

std::vector<Layer::StoredWeight> EinsumDenseLayer::stored_weights() const {
  // Keras: kernel, bias, then (int8) kernel_scale; with LoRA the kernel holds the update
  // (quantized again once int8) and the factors are not stored.
  if (quantization_mode() == "gptq" || quantization_mode() == "awq")
    return detail::calibrated_stored_weights(bias, kernel, kernel_scale, kernel_zero, awq_scales, g_idx);
  if (!lora_enabled()) return Layer::stored_weights();
  std::vector<StoredWeight> out;
  Tensor merged_scale, merged_zero;
  if (quantization_mode() == "int4") {  // Keras's _get_kernel_with_merged_lora: quantized again
    const auto [rows, columns] = std::pair{kernel.shape()[0], kernel_scale.shape().dims().back()};
    const detail::Int4Weight w =
        detail::quantize_int4(ops::reshape(effective_kernel(), {rows, columns}), dtype_policy().int4_block_size());
    out.push_back({kernel, quantizers::pack_int4(w.values, -1)});
    merged_scale = ops::cast(w.scale, kernel_scale.dtype());
    merged_zero = w.zero;
  } else if (quantization_mode() == "int8") {
    const detail::EinsumQuantization q = detail::analyze_einsum_quantization(equation_, name());
    const quantizers::Quantized k =
        quantizers::abs_max_quantize(ops::cast(effective_kernel(), DType::float32), q.kernel_reduced);
    out.push_back({kernel, k.values});
    merged_scale = ops::cast(detail::scale_for_quant(k.scale, q.kernel_transpose, q.kernel_expand, q.kernel_squeeze),
                             kernel_scale.dtype());
  } else {
    out.push_back({kernel, ops::cast(effective_kernel(), kernel.dtype())});
  }
  if (bias.defined()) out.push_back({bias, bias.value()});
  if (merged_scale.defined()) out.push_back({kernel_scale, merged_scale});
  if (merged_zero.defined()) {
    out.push_back({kernel_zero, merged_zero});
    out.push_back({g_idx, g_idx.value()});
  }
  return out;
}

void EinsumDenseLayer::stored_weights_loaded() {
  if (lora_enabled()) detail::assign_zeros({lora_kernel_a, lora_kernel_b});
}

void EinsumDenseLayer::build_float8() {
  detail::build_float8(*this, {inputs_scale, inputs_amax_history, kernel_scale, kernel_amax_history, outputs_grad_scale,
                               outputs_grad_amax_history});
}

}  // namespace keras::layers
