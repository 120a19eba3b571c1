#include "keras/layers/dense.h"
#include "keras/layers/options_base.h"

#include <stdexcept>
#include <tuple>

#include "keras/layers/calibrated_layer.h"
#include "keras/layers/float8_training.h"
#include "keras/layers/kernel_bias_config.h"
#include "keras/layers/quantize_util.h"
#include "keras/quantizers.h"

#include "core/errors.h"
#include "core/ops.h"
#include "core/sparse.h"

namespace keras::layers {
namespace ops = core::ops;

DenseLayer::DenseLayer(int64_t units, const DenseOptions& o)
    : Layer("Dense", detail::layer_options_of(o)),
      units_(units),
      o_(o) {
  if (units <= 0)
    throw std::invalid_argument(name() + ": expected units > 0, but received " + std::to_string(units));
  detail::check_lora_rank_option(name(), o.lora_rank);
  input_spec.min_ndim = 2;
  supports_masking_ = true;
}

namespace {
bool calibrated_mode(const std::string& mode) { return mode == "gptq" || mode == "awq"; }

// Keras's _gptq_build / _awq_build beside the kernel: kernel_scale, kernel_zero, (AWQ)
// awq_scales, g_idx.
void build_calibrated(DenseLayer& l, int64_t in) {
  const detail::CalibratedVariables v =
      detail::add_calibrated_weights(l, "kernel_zero", in, l.units(), quantizers::calibrated_policy_params(l.dtype_policy()),
                                     l.quantization_mode() == "awq");
  l.kernel_scale = v.scale, l.kernel_zero = v.zero, l.awq_scales = v.awq_scales, l.g_idx = v.g_idx;
}
}  // namespace

void DenseLayer::build(const ShapeSpec& s) {
  if (s.empty() || s.back() < 0)
    throw std::invalid_argument(name() + ": the last axis of the input must be known to build a "
                                "Dense layer, but received input shape " + shape_str(s));
  const int64_t in = s.back();
  // A quantized policy ("int8_from_...", "int4/128_from_..."): Keras's quantized_build.
  const bool int8 = quantization_mode() == "int8", int4 = quantization_mode() == "int4",
             calibrated = calibrated_mode(quantization_mode());
  if (int8 || int4)
    kernel = add_weight("kernel", Shape{in, int4 ? (units_ + 1) / 2 : units_},
                        {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::int8});
  else if (calibrated)  // (Keras's _gptq_build / _awq_build: levels (units, in), packed along the units for 4 bits)
    kernel = add_weight("kernel",
                        detail::calibrated_kernel_shape(in, units_,
                                                        quantizers::calibrated_policy_params(dtype_policy()).weight_bits),
                        {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::uint8});
  else
    kernel = add_weight("kernel", Shape{in, units_},
                        {o_.kernel_initializer.ptr(), o_.kernel_regularizer.ptr(), o_.kernel_constraint.ptr()});
  if (o_.use_bias)
    bias = add_weight("bias", Shape{units_},
                      {o_.bias_initializer.ptr(), o_.bias_regularizer.ptr(), o_.bias_constraint.ptr()});
  if (int8) build_int8(in);
  if (int4) build_int4(in);
  if (calibrated) build_calibrated(*this, in);
  if (quantization_mode() == "float8") build_float8();
  input_spec.axes = {{-1, in}};
  if (o_.lora_rank) {
    set_built();  // (enable_lora needs a built layer)
    enable_lora(*o_.lora_rank, {.lora_alpha = o_.lora_alpha});
  }
}

void DenseLayer::build_int8(int64_t) {
  kernel_scale = add_weight("kernel_scale", Shape{units_}, {.initializer = initializers::get("ones"), .trainable = false});
}

// Keras's _int4_build: the scale per unit (block_size -1), or per group of input rows and
// unit with int8 zero points and each row's group index.
void DenseLayer::build_int4(int64_t in) {
  const int64_t block = dtype_policy().int4_block_size();
  const Shape scale_shape = block == -1 ? Shape{units_} : Shape{(in + block - 1) / block, units_};
  std::tie(kernel_scale, kernel_zero, g_idx) = detail::add_int4_weights(*this, "kernel", scale_shape, in, block);
}

void DenseLayer::build_float8() {
  detail::build_float8(*this, {inputs_scale, inputs_amax_history, kernel_scale, kernel_amax_history, outputs_grad_scale,
                               outputs_grad_amax_history});
}

void DenseLayer::enable_lora(int64_t rank, const LoraOptions& lo) {
  if (calibrated_mode(quantization_mode()))
    throw core::NotImplementedError(name() + ": lora is not currently supported with " +
                                    (quantization_mode() == "awq" ? "AWQ" : "GPTQ") + " quantization.");
  detail::check_enable_lora(*this, lora_enabled(), rank, static_cast<bool>(o_.kernel_constraint.ptr()), "kernel");
  std::tie(lora_kernel_a, lora_kernel_b) = detail::add_lora_factors(
      *this, "lora_kernel", Shape{kernel.shape()[0], rank}, Shape{rank, units_}, lo, o_.kernel_regularizer.ptr());
  set_weight_trainable(kernel, false);
  lora_rank_ = rank;
  lora_alpha_ = lo.lora_alpha.value_or(static_cast<double>(rank));
}

Tensor DenseLayer::effective_kernel() const {
  Tensor k = quantization_mode() == "int8" ? ops::divide(ops::cast(kernel, compute_dtype()), kernel_scale.value())
             : quantization_mode() == "int4"
                 ? detail::dequantize_int4(quantizers::unpack_int4(kernel.value(), units_, -1), kernel_scale.value(),
                                           kernel_zero.defined() ? kernel_zero.value() : Tensor(),
                                           g_idx.defined() ? g_idx.value() : Tensor(), compute_dtype())
             : calibrated_mode(quantization_mode())
                 ? detail::calibrated_float_kernel(kernel.value(), kernel_scale.value(), kernel_zero.value(),
                                                   g_idx.value(), awq_scales.defined() ? awq_scales.value() : Tensor(),
                                                   quantizers::calibrated_policy_params(dtype_policy()).weight_bits,
                                                   units_, compute_dtype())
                 : kernel.value();
  if (!lora_enabled()) return k;
  const Tensor delta = detail::lora_scaled(ops::matmul(lora_kernel_a, lora_kernel_b), lora_alpha_, lora_rank_);
  return ops::cast(ops::add(k, delta), compute_dtype());
}

namespace {
// Keras's _int8_call: the inputs quantized per row (abs-max over the last axis), the
// int8 product (int32 sums), de-scaled by inputs_scale * kernel_scale; the inputs'
// gradient goes through the dequantized kernel (the int8 kernel has none).
Tensor int8_matmul(const Tensor& x, const Tensor& kernel, const Tensor& kernel_scale, DType compute) {
  auto forward = [compute](const std::vector<Tensor>& in) {
    const quantizers::Quantized q = quantizers::abs_max_quantize(in[0], {-1});
    const Tensor y = ops::matmul(q.values, in[1]);
    return ops::divide(ops::cast(y, compute), ops::multiply(in[2], q.scale));
  };
  auto backward = [compute](const std::vector<Tensor>& in, const Tensor&, const Tensor& upstream) {
    const Tensor float_kernel = ops::divide(ops::cast(in[1], compute), in[2]);
    return std::vector<Tensor>{ops::matmul(upstream, float_kernel, false, true), Tensor(), Tensor()};
  };
  return core::custom_gradient({x, kernel, kernel_scale}, forward, backward);
}

// Keras's _int4_call: the kernel unpacked; per unit, x @ values / kernel_scale; in blocks,
// x @ ((values - zero) * scale by row group); the inputs' gradient through the
// dequantized kernel. in = {x, packed kernel, kernel_scale[, kernel_zero, g_idx]}.
Tensor int4_matmul(const std::vector<Tensor>& inputs, int64_t units, DType compute) {
  auto float_kernel = [units, compute](const std::vector<Tensor>& in) {
    const Tensor values = quantizers::unpack_int4(in[1], units, -1);
    return in.size() > 3 ? detail::dequantize_int4(values, in[2], in[3], in[4], compute) : values;
  };
  auto forward = [=](const std::vector<Tensor>& in) {
    if (in.size() > 3) return ops::matmul(in[0], float_kernel(in));
    const Tensor y = ops::matmul(in[0], ops::cast(float_kernel(in), in[0].dtype()));
    return ops::divide(ops::cast(y, compute), in[2]);
  };
  auto backward = [=](const std::vector<Tensor>& in, const Tensor&, const Tensor& upstream) {
    const Tensor k = in.size() > 3 ? float_kernel(in) : ops::divide(ops::cast(float_kernel(in), compute), in[2]);
    std::vector<Tensor> grads(in.size());
    grads[0] = ops::matmul(upstream, k, false, true);
    return grads;
  };
  return core::custom_gradient(inputs, forward, backward);
}
}  // namespace

Tensor DenseLayer::call(const Tensor& input, bool training) {
  Tensor y;
  const bool int8 = quantization_mode() == "int8", int4 = quantization_mode() == "int4",
             calibrated = calibrated_mode(quantization_mode());
  // Integer and bool inputs compute in the compute dtype (Keras's matmul promotes them).
  const Tensor x = core::sparse::is_sparse(input) || core::is_floating(input.dtype()) || core::is_complex(input.dtype())
                       ? input
                       : ops::cast(input, compute_dtype());
  if (core::sparse::is_sparse(x)) {  // a sparse input (Input(..., {.sparse = true}))
    if (quantization_mode() == "float8")
      throw core::NotImplementedError(name() + ": float8 training takes dense inputs, but received a sparse one");
    if (x.rank() != 2)
      throw std::invalid_argument(name() + ": a sparse input must have rank 2 (batch, features), but "
                                  "received dense shape " + x.shape().str());
    y = core::sparse::sparse_dense_matmul(core::sparse::sparse_of(x), int8 || int4 || calibrated || lora_enabled()
                                                                          ? effective_kernel()
                                                                          : kernel.value());
  } else if (quantization_mode() == "float8") {
    if (lora_enabled()) throw core::NotImplementedError(name() + ": float8 training does not support LoRA (Keras: "
                                                        "Currently, `_float8_call` doesn't support LoRA)");
    y = ops::matmul(detail::float8_qdq(x, inputs_scale, inputs_amax_history, training, compute_dtype()),
                    detail::float8_qdq(kernel.value(), kernel_scale, kernel_amax_history, training, compute_dtype()));
    // (Keras puts the gradient's quantization right after the product, then the bias.)
    y = detail::float8_output_grad_qdq(y, outputs_grad_scale, outputs_grad_amax_history, compute_dtype());
    if (o_.use_bias) y = ops::add(y, detail::float8_bias(bias.value(), compute_dtype()));
    return o_.activation(y);
  } else if (int8 || int4) {
    y = int8 ? int8_matmul(x, kernel, kernel_scale, compute_dtype())
             : int4_matmul(kernel_zero.defined() ? std::vector<Tensor>{x, kernel, kernel_scale, kernel_zero, g_idx}
                                                 : std::vector<Tensor>{x, kernel, kernel_scale},
                           units_, compute_dtype());
    if (lora_enabled()) {  // Keras: inputs @ a @ b, scaled, added to the de-scaled product
      const Tensor lora = ops::matmul(ops::matmul(x, lora_kernel_a), lora_kernel_b);
      y = ops::cast(ops::add(y, detail::lora_scaled(lora, lora_alpha_, lora_rank_)), compute_dtype());
    }
  } else if (calibrated) {  // Keras's _gptq_call / _awq_call: the inputs meet the dequantized kernel
    y = ops::matmul(x, effective_kernel());
  } else {
    detail::observe_input(this, x);  // (GPTQ's and AWQ's calibration)
    y = ops::matmul(x, lora_enabled() ? effective_kernel() : kernel.value());
  }
  if (o_.use_bias) y = ops::add(y, bias);
  y = o_.activation(y);
  return y;
}

void DenseLayer::quantize(const std::string& mode) {
  if (class_name() != "Dense") Layer::quantize(mode);  // Keras's type check: not subclasses
  detail::check_quantize_args(*this, mode);
  const mixed_precision::DTypePolicy policy = mixed_precision::DTypePolicy::quantized(mode, dtype_policy());
  if (policy.quantization_mode() == "float8") {  // the kernel stays float and trainable
    set_quantized_policy(policy);
    build_float8();
    return;
  }
  if (calibrated_mode(policy.quantization_mode())) {  // the weights gptq_quantize / awq_quantize computed
    if (lora_enabled())
      throw core::NotImplementedError(name() + ": lora is not currently supported with " +
                                      (policy.quantization_mode() == "awq" ? "AWQ" : "GPTQ") + " quantization.");
    const std::optional<detail::CalibratedWeights> w = detail::take_pending_weights(this);
    if (!w) detail::throw_needs_calibration(*this, mode);
    const int64_t in = kernel.shape()[0];
    kernel = replace_weight(kernel, "kernel", w->kernel.shape(),
                            {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::uint8});
    set_quantized_policy(policy);
    kernel.assign(w->kernel);
    build_calibrated(*this, in);
    kernel_scale.assign(ops::cast(w->scale, kernel_scale.dtype()));
    kernel_zero.assign(w->zero);
    g_idx.assign(w->g_idx);
    if (awq_scales.defined()) awq_scales.assign(ops::cast(w->awq_scales, awq_scales.dtype()));
    return;
  }
  if (policy.quantization_mode() == "int4") {
    const detail::Int4Weight w = detail::quantize_int4(kernel.value(), policy.int4_block_size());
    const int64_t in = kernel.shape()[0];
    const Tensor packed = quantizers::pack_int4(w.values, -1);
    kernel = replace_weight(kernel, "kernel", packed.shape(),
                            {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::int8});
    set_quantized_policy(policy);
    kernel.assign(packed);
    build_int4(in);
    // (the order of a layer built from this config: kernel, bias, kernel_scale, kernel_zero, g_idx)
    move_weight_after(kernel_scale, o_.use_bias ? bias : kernel);
    kernel_scale.assign(ops::cast(w.scale, kernel_scale.dtype()));
    if (kernel_zero.defined()) {
      move_weight_after(kernel_zero, kernel_scale);
      move_weight_after(g_idx, kernel_zero);
      kernel_zero.assign(w.zero);
    }
    return;
  }
  // Per unit (axis 0 reduced), in float32 as Keras quantizes weights (on the host, in NumPy).
  const quantizers::Quantized q = quantizers::abs_max_quantize(ops::cast(kernel.value(), DType::float32), {0});
  const Tensor scale = ops::reshape(q.scale, {units_});
  kernel = replace_weight(kernel, "kernel", kernel.shape(),
                          {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::int8});
  set_quantized_policy(policy);
  kernel.assign(q.values);
  build_int8(kernel.shape()[0]);
  // (the order of a layer built from this config: kernel, bias, kernel_scale, LoRA factors)
  move_weight_after(kernel_scale, o_.use_bias ? bias : kernel);
  kernel_scale.assign(ops::cast(scale, kernel_scale.dtype()));
}

std::vector<Layer::StoredWeight> DenseLayer::stored_weights() const {
  // Keras's variable_serialization_spec: kernel, bias, then (int8, int4) kernel_scale and
  // (int4 in blocks) kernel_zero, g_idx; with LoRA the kernel holds the update (quantized
  // again once int8 or int4) and the factors are not stored. gptq and awq: bias first.
  if (calibrated_mode(quantization_mode()))
    return detail::calibrated_stored_weights(bias, kernel, kernel_scale, kernel_zero, awq_scales, g_idx);
  if (!lora_enabled()) return Layer::stored_weights();
  std::vector<StoredWeight> out;
  Tensor merged_scale;
  Tensor merged_zero;
  if (quantization_mode() == "int8") {
    const quantizers::Quantized q = quantizers::abs_max_quantize(ops::cast(effective_kernel(), DType::float32), {0});
    out.push_back({kernel, q.values});
    merged_scale = ops::cast(ops::reshape(q.scale, {units_}), kernel_scale.dtype());
  } else if (quantization_mode() == "int4") {  // Keras's _get_kernel_with_merged_lora: quantized again
    const detail::Int4Weight w = detail::quantize_int4(effective_kernel(), dtype_policy().int4_block_size());
    out.push_back({kernel, quantizers::pack_int4(w.values, -1)});
    merged_scale = ops::cast(w.scale, kernel_scale.dtype());
    merged_zero = w.zero;
  } else {
    out.push_back({kernel, ops::cast(effective_kernel(), kernel.dtype())});
  }
  if (o_.use_bias) out.push_back({bias, bias.value()});
  if (merged_scale.defined()) out.push_back({kernel_scale, merged_scale});
  if (merged_zero.defined()) {
    out.push_back({kernel_zero, merged_zero});
    out.push_back({g_idx, g_idx.value()});
  }
  return out;
}

void DenseLayer::stored_weights_loaded() {
  if (lora_enabled()) detail::assign_zeros({lora_kernel_a, lora_kernel_b});
}

std::vector<ShapeSpec> DenseLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  ShapeSpec s = shapes.at(0);
  s.back() = units_;
  return {s};
}

Config DenseLayer::get_config() const {
  Config c = base_config();
  c["units"] = static_cast<long long>(units_);
  detail::write_kernel_bias_config(c, o_);
  c["quantization_config"] = detail::quantization_config(dtype_policy());
  detail::write_lora_config(c, lora_enabled(), lora_rank_, lora_alpha_, o_.lora_rank, o_.lora_alpha);
  return c;
}

LayerPtr DenseLayer::from_config(const Config& c) {
  DenseOptions o;
  detail::read_base_options(c, o);
  detail::read_kernel_bias_config(c, o);
  detail::read_lora_config(c, o.lora_rank, o.lora_alpha);
  return make<DenseLayer>(c.at("units").as_int(), o);
}

Ref<DenseLayer> Dense(int64_t units, const DenseOptions& o) { return make<DenseLayer>(units, o); }

}  // namespace keras::layers
