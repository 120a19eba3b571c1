// dense.h - Dense: activation(inputs @ kernel + bias), on the last axis of the input.
#pragma once
#include "keras/layers/args.h"
#include "keras/layers/layer.h"
#include "keras/layers/lora.h"

namespace keras::layers {

/// Options of Dense (the keyword arguments of keras.layers.Dense).
struct DenseOptions {
  ActivationArg activation{};  ///< "relu", a callable, ... (default linear)
  /// Whether to add a bias vector (Keras `use_bias`, default true).
  bool use_bias = true;
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
  /// Layer name (default: generated, dense, dense_1, ...).
  std::string name{};
  /// Whether the weights are trained (default true).
  bool trainable = true;
  ShapeSpec input_shape{};  ///< without the batch axis (first layer of a Sequential)
  /// The dtype policy ("mixed_float16", a DType, ...; unset: the global policy;
  /// "int8_from_float32" builds the quantized weights that quantize("int8") makes).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// LoRA enabled with this rank when the layer is built (Keras `lora_rank`; unset: none).
  std::optional<int64_t> lora_rank{};
  /// LoRA's scale numerator (Keras `lora_alpha`; unset: lora_rank).
  std::optional<double> lora_alpha{};
};

/// The densely connected layer (keras.layers.Dense), made by Dense().
class DenseLayer : public Layer {
 public:
  /// Throws std::invalid_argument unless units > 0.
  explicit DenseLayer(int64_t units, const DenseOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "Dense").
  static LayerPtr from_config(const Config& c);

  /// Size of the output's last axis (Keras `units`).
  int64_t units() const { return units_; }
  ///@{
  /// The kernel (input features, units) and bias (units) weights, defined once built (bias
  /// stays undefined without use_bias). Once quantized, the kernel is int8 and frozen.
  Variable kernel, bias;
  ///@}
  /// int8 and int4 per channel: the kernel's per-unit scale (units): kernel ~ round(float
  /// kernel * kernel_scale). float8: the kernel's scalar scale. int4 in blocks: (groups, units), float kernel ~ (kernel -
  /// kernel_zero) * kernel_scale per group of block_size input rows.
  Variable kernel_scale;
  ///@{
  /// int4 in blocks (Keras's sub-channel mode): the int8 zero points (groups, units) and
  /// each input row's group index as float32 (input features), Keras's g_idx. Undefined
  /// otherwise. (Once int4, `kernel` holds the values packed two per byte along the units:
  /// (input features, ceil(units / 2)).)
  Variable kernel_zero, g_idx;
  ///@}
  /// AWQ (quantizers::awq_quantize): the per-input-feature scales (input features) the
  /// kernel was multiplied by before its 4-bit quantization; the layer divides the
  /// dequantized kernel's rows by them. Undefined otherwise. (GPTQ and AWQ: `kernel` holds
  /// the levels (units, input features) as uint8, packed two per byte along the units for
  /// 4 bits; kernel_scale and kernel_zero (uint8) are (units, groups).)
  Variable awq_scales;
  ///@{
  /// float8 training (quantize("float8"), Keras's names): scalar scales and amax histories
  /// (amax_history_length values) of the inputs, the kernel (whose scale is kernel_scale)
  /// and the outputs' gradient, float32, trainable and overwritten by their "gradients"
  /// (WeightOptions::overwrite_with_gradient). Undefined otherwise.
  Variable inputs_scale, inputs_amax_history, kernel_amax_history, outputs_grad_scale, outputs_grad_amax_history;
  ///@}
  ///@{
  /// LoRA's trainable float32 factors, (input features, rank) and (rank, units), defined
  /// once enable_lora() ran.
  Variable lora_kernel_a, lora_kernel_b;
  ///@}

  /// Keras's enable_lora: freezes the kernel and adds lora_kernel_a and lora_kernel_b; the
  /// layer then computes with kernel + (lora_alpha / rank) * a @ b. Throws
  /// std::invalid_argument when the layer is not built, LoRA is already on, rank < 1, or a
  /// kernel constraint is set (as Keras).
  void enable_lora(int64_t rank, const LoraOptions& options = {});
  /// Whether enable_lora() ran.
  bool lora_enabled() const { return lora_kernel_a.defined(); }
  /// LoRA's rank and alpha (0 when LoRA is off).
  int64_t lora_rank() const { return lora_rank_; }
  /// LoRA's scale numerator (the update is scaled by lora_alpha() / lora_rank()).
  double lora_alpha() const { return lora_alpha_; }
  /// The float kernel the outputs follow: the kernel (dequantized once int8 or int4) plus
  /// the LoRA update when enabled.
  Tensor effective_kernel() const;
  /// "int8": per-unit abs-max int8 kernel, inputs quantized per row at each call, the
  /// product computed in int32 (Keras's Dense.quantize). "int4" / "int4/<block_size>"
  /// (Keras's Int4QuantizationConfig(block_size), 128 by default; -1 per unit): the kernel
  /// quantized to [-8, 7] (per unit by abs-max, or in blocks of input rows with a zero
  /// point) and packed two values per byte; the inputs stay float. The bias stays float
  /// and trainable; gradients flow to the inputs through the dequantized kernel.
  /// "float8" (Keras's float8 training): the kernel stays float and trainable; at each
  /// call the inputs and the kernel go through float8_e4m3fn and back, and in the backward
  /// pass the outputs' gradient through float8_e5m2, each with a scale that follows the
  /// maxima of its recent values (delayed scaling).
  void quantize(const std::string& mode) override;
  std::vector<StoredWeight> stored_weights() const override;
  void stored_weights_loaded() override;

 private:
  void build_int8(int64_t in);
  void build_int4(int64_t in);
  void build_float8();
  int64_t units_;
  DenseOptions o_;
  int64_t lora_rank_ = 0;
  double lora_alpha_ = 0;
};

/// keras.layers.Dense: activation(x @ kernel + bias) over the last axis of x, which must be
/// known when the layer is built.
Ref<DenseLayer> Dense(int64_t units, const DenseOptions& options = {});

}  // namespace keras::layers
