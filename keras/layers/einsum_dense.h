// einsum_dense.h - EinsumDense (keras.layers.EinsumDense): activation(einsum(equation,
// inputs, kernel) + bias), a Dense layer over any axes. The equation has the forms Keras
// accepts: "ab,bc->ac", "...b,bc->...c" (left-elided) and "ab...,bc->ac..." (right-elided);
// output_shape gives the output's axes after the batch axis (-1 = None: taken from the
// input), bias_axes the output letters the bias runs over. Kernel and bias shapes
// follow Keras's _analyze_einsum_string.
//
//   auto heads = keras::layers::EinsumDense("abc,cde->abde", {-1, 8, 16}, {.bias_axes = "de"});
#pragma once
#include <optional>

#include "keras/layers/args.h"
#include "keras/layers/layer.h"
#include "keras/layers/lora.h"

namespace keras::layers {

/// Options of EinsumDense (the keyword arguments of keras.layers.EinsumDense).
struct EinsumDenseOptions {
  /// Applied to the output (Keras `activation`; empty: linear).
  ActivationArg activation{};
  std::optional<std::string> bias_axes{};  ///< unset: no bias (Keras: None)
  /// Initializer of the kernel (default glorot_uniform).
  InitializerArg kernel_initializer = "glorot_uniform";
  /// Initializer of the bias (default zeros).
  InitializerArg bias_initializer = "zeros";
  ///@{
  /// Penalties on the kernel, the bias and the layer's outputs (Keras `kernel_regularizer`,
  /// `bias_regularizer`, `activity_regularizer`; none by default).
  RegularizerArg kernel_regularizer{}, bias_regularizer{}, activity_regularizer{};
  ///@}
  ///@{
  /// Constraints applied to the kernel and the bias after each optimizer step (none by
  /// default).
  ConstraintArg kernel_constraint{}, bias_constraint{};
  ///@}
  /// Layer name (default: generated, einsum_dense, einsum_dense_1, ...).
  std::string name{};
  /// Whether the weights are trained (default true).
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
  /// LoRA enabled with this rank when the layer is built (Keras `lora_rank`; unset: none).
  std::optional<int64_t> lora_rank{};
  /// LoRA's scale numerator (Keras `lora_alpha`; unset: lora_rank).
  std::optional<double> lora_alpha{};
};

/// A Dense layer over any axes, given by an einsum equation (keras.layers.EinsumDense),
/// made by EinsumDense().
class EinsumDenseLayer : public Layer {
 public:
  /// output_shape: the output's axes after the batch axis (-1: taken from the input); an
  /// invalid equation or output_shape throws std::invalid_argument.
  EinsumDenseLayer(std::string equation, ShapeSpec output_shape, const EinsumDenseOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "EinsumDense").
  static LayerPtr from_config(const Config& c);

  /// The einsum equation ("ab,bc->ac").
  const std::string& equation() const { return equation_; }
  ///@{
  /// The kernel and bias weights, defined once built (bias only with bias_axes).
  Variable kernel, bias;
  ///@}
  ///@{
  /// LoRA's trainable float32 factors, kernel shape[:-1] + (rank,) and (rank, kernel
  /// shape[-1]), defined once enable_lora() ran.
  Variable lora_kernel_a, lora_kernel_b;
  ///@}

  /// Keras's enable_lora: freezes the kernel and adds lora_kernel_a and lora_kernel_b; the
  /// layer then computes with kernel + (lora_alpha / rank) * (a @ b over the last axis).
  /// Throws std::invalid_argument when the layer is not built, LoRA is already on,
  /// rank < 1, or a kernel constraint is set (as Keras).
  void enable_lora(int64_t rank, const LoraOptions& options = {});
  /// Whether enable_lora() ran.
  bool lora_enabled() const { return lora_kernel_a.defined(); }
  /// LoRA's rank (0 when LoRA is off).
  int64_t lora_rank() const { return lora_rank_; }
  /// LoRA's scale numerator (the update is scaled by lora_alpha() / lora_rank()).
  double lora_alpha() const { return lora_alpha_; }
  /// The float kernel the outputs follow: the kernel (dequantized once int8) plus the LoRA
  /// update when enabled.
  Tensor effective_kernel() const;
  /// int8: the kernel's scale, in Keras's layout (the contracted axes reduced, the rest
  /// laid out to broadcast over the output). int4: per column of the flattened kernel
  /// (columns), or per group of rows and column (groups, columns). float8: the kernel's
  /// scalar scale.
  Variable kernel_scale;
  ///@{
  /// int4 in blocks: the int8 zero points (groups, columns) and each row's group index as
  /// float32 (rows), Keras's g_idx; undefined otherwise. (Once int4, `kernel` holds the
  /// kernel reshaped to (rows, columns), rows the product of the contracted axes and
  /// columns of the others, as Keras flattens it, with its values packed two per byte along
  /// the columns: (rows, ceil(columns / 2)).)
  Variable kernel_zero, g_idx;
  ///@}
  /// AWQ (quantizers::awq_quantize): the per-row scales (rows) the flattened kernel was
  /// multiplied by before its 4-bit quantization; undefined otherwise. (GPTQ and AWQ:
  /// `kernel` holds the levels (columns, rows) as uint8, packed two per byte along the
  /// columns for 4 bits, the kernel read as (rows, columns) with its contracted axes
  /// first; kernel_scale and kernel_zero (uint8) are (columns, groups).)
  Variable awq_scales;
  ///@{
  /// float8 training (quantize("float8"), Keras's names): scalar scales and amax histories
  /// (amax_history_length values) of the inputs, the kernel (whose scale is kernel_scale)
  /// and the outputs' gradient, float32, trainable and overwritten by their "gradients"
  /// (WeightOptions::overwrite_with_gradient). Undefined otherwise.
  Variable inputs_scale, inputs_amax_history, kernel_amax_history, outputs_grad_scale, outputs_grad_amax_history;
  ///@}
  /// "int8" (Keras's EinsumDense.quantize): the kernel quantized by its abs-max over the
  /// contracted axes, the inputs likewise at each call, the einsum computed in int32 and
  /// de-scaled; gradients flow to the inputs through the dequantized kernel. "int4" /
  /// "int4/<block_size>" (Keras's EinsumDense int4): the kernel flattened to (rows,
  /// columns) and quantized to [-8, 7] per column by abs-max, or in blocks of rows with a
  /// zero point, packed two per byte; the inputs stay float and meet the dequantized
  /// kernel. Equations with an ellipsis raise core::NotImplementedError for int8 and int4
  /// (Keras cannot quantize them either).
  /// "float8": float8 training as DenseLayer::quantize("float8") (any equation).
  void quantize(const std::string& mode) override;
  std::vector<StoredWeight> stored_weights() const override;
  void stored_weights_loaded() override;

  /// Keras's shapes of the kernel, the bias (empty when none) and the full output for an
  /// input shape; std::invalid_argument naming the layer when they do not fit.
  struct Shapes {
    ///@{
    /// The kernel's, the bias's and the full output's shapes.
    ShapeSpec kernel, bias, output;
    ///@}
    /// Whether bias_axes asks for a bias.
    bool has_bias = false;
  };
  /// Computes the Shapes for an input shape; throws std::invalid_argument when they do not
  /// fit.
  Shapes analyze(const ShapeSpec& input_shape) const;

 private:
  void build_int8();
  void build_int4();
  void build_float8();
  void quantize_int4(const mixed_precision::DTypePolicy& policy);
  Tensor int4_kernel() const;
  std::vector<int64_t> float_kernel_shape_;  // int4: the kernel's shape before flattening
  std::string equation_;
  ShapeSpec partial_output_;
  EinsumDenseOptions o_;
  int64_t lora_rank_ = 0;
  double lora_alpha_ = 0;
};

///@{
/// output_shape: one value (EinsumDense("ab,bc->ac", 64)) or the axes after the batch one.
Ref<EinsumDenseLayer> EinsumDense(std::string equation, ShapeSpec output_shape,
                                  const EinsumDenseOptions& options = {});
Ref<EinsumDenseLayer> EinsumDense(std::string equation, int64_t output_dim, const EinsumDenseOptions& options = {});
///@}

}  // namespace keras::layers
