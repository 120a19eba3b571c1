#include "keras/layers/quantize_util.h"

#include "keras/quantizers_gptq.h"
#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/ops.h"
#include "keras/initializers.h"
#include "keras/mixed_precision.h"
#include "keras/quantizers.h"
#include "keras/quantizers_gptq.h"
#include "core/ops_numpy.h"

namespace keras::layers::detail {

void check_quantize_args(const Layer& layer, const std::string& mode) {
  if (!layer.built())
    throw std::invalid_argument("Cannot quantize a layer that isn't yet built. Layer '" + layer.name() + "' (of type '" +
                                layer.class_name() + "') is not built yet.");
  if (!layer.quantization_mode().empty())
    throw std::invalid_argument("Layer '" + layer.name() + "' is already quantized with dtype_policy='" +
                                layer.dtype_policy().name() + "'. Received: mode=" + mode);
  // The mode (raises naming it), and int8 over float16.
  (void)mixed_precision::DTypePolicy::quantized(mode, "float32");
  if (layer.compute_dtype() == core::DType::float16 && mode != "float8")  // (Keras allows float8 there)
    throw std::invalid_argument("Quantization mode='" + mode + "' doesn't work well with compute_dtype='float16' (layer '" +
                                layer.name() + "', policy '" + layer.dtype_policy().name() + "')");
}

void check_enable_lora(const Layer& layer, bool enabled, int64_t rank, bool has_constraint, const char* what) {
  if (has_constraint)
    throw std::invalid_argument(layer.name() + ": Lora is incompatible with " + what + " constraints. In order to enable "
                                "lora on this layer, remove the `" + what + "_constraint` argument.");
  if (!layer.built())
    throw std::invalid_argument(layer.name() + ": Cannot enable lora on a layer that isn't yet built.");
  if (enabled)
    throw std::invalid_argument(layer.name() + ": lora is already enabled. This can only be done once per layer.");
  if (rank < 1)
    throw std::invalid_argument(layer.name() + ": expected a lora rank >= 1, but received " + std::to_string(rank));
}

Value quantization_config(const mixed_precision::DTypePolicy& policy) {
  const std::string& mode = policy.quantization_mode();
  if (mode != "int8" && mode != "int4" && mode != "float8" && mode != "gptq" && mode != "awq") return Value();
  auto serialized = [](const char* cls, Config inner) {
    Config c = Config::object();
    c["module"] = "keras.quantizers";
    c["class_name"] = cls;
    c["config"] = std::move(inner);
    c["registered_name"] = Value();
    return c;
  };
  if (mode == "float8") return serialized("Float8QuantizationConfig", Config::object());
  if (mode == "gptq" || mode == "awq") {  // what the layer needs; the calibration options do not outlive it
    const quantizers::CalibratedPolicyParams p = quantizers::calibrated_policy_params(policy);
    Config inner = Config::object();
    inner["dataset"] = Value();
    inner["tokenizer"] = Value();
    inner["weight_bits"] = static_cast<long long>(p.weight_bits);
    inner["group_size"] = static_cast<long long>(p.group_size);
    return serialized(mode == "gptq" ? "GPTQConfig" : "AWQConfig", inner);
  }
  if (mode == "int4") {
    Config inner = Config::object();
    inner["weight_quantizer"] = Value();
    inner["activation_quantizer"] = Value();
    inner["block_size"] = static_cast<long long>(policy.int4_block_size());
    return serialized("Int4QuantizationConfig", inner);
  }
  Config act = Config::object();
  act["value_range"] = Value::list({-127, 127});
  act["epsilon"] = 1e-7;
  act["output_dtype"] = "int8";
  Config inner = Config::object();
  inner["weight_quantizer"] = Value();
  inner["activation_quantizer"] = serialized("AbsMaxQuantizer", act);
  return serialized("Int8QuantizationConfig", inner);
}

Tensor int4_group_index(int64_t n, int64_t block_size) {
  std::vector<float> idx(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) idx[size_t(i)] = static_cast<float>(i / block_size);
  return core::from_buffer(idx.data(), DType::float32, Shape{n}, DType::float32);
}

Int4Weight quantize_int4(const Tensor& weight, int64_t block_size) {
  const Tensor w = core::ops::cast(weight, DType::float32);
  Int4Weight out;
  Tensor values;
  if (block_size == -1) {
    const quantizers::Quantized q = quantizers::abs_max_quantize(w, {0}, {-8, 7});
    values = q.values;
    out.scale = core::ops::reshape(q.scale, {w.shape()[1]});
  } else {
    quantizers::GroupedQuantized q = quantizers::abs_max_quantize_grouped_with_zero_point(w, block_size);
    values = q.values;
    out.scale = q.scale;
    out.zero = q.zero;
  }
  out.values = values;
  return out;
}

std::tuple<Variable, Variable, Variable> add_int4_weights(Layer& layer, const std::string& prefix,
                                                          const Shape& scale_shape, int64_t grouped, int64_t block) {
  Variable scale =
      layer.add_weight(prefix + "_scale", scale_shape, {.initializer = initializers::get("ones"), .trainable = false});
  if (block == -1) return {scale, Variable(), Variable()};
  Variable zero = layer.add_weight(prefix + "_zero", scale_shape,
                                   {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::int8});
  Variable g_idx = layer.add_weight("g_idx", Shape{grouped},
                                    {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::float32});
  g_idx.assign(int4_group_index(grouped, block));
  return {scale, zero, g_idx};
}

Tensor dequantize_int4(const Tensor& values, const Tensor& scale, const Tensor& zero, const Tensor& g_idx, DType dtype,
                       int64_t axis) {
  namespace ops = core::ops;
  if (!zero.defined()) return ops::divide(ops::cast(values, dtype), ops::cast(scale, dtype));
  const Tensor groups = ops::cast(g_idx, DType::int32);
  const Tensor s = ops::take(scale, groups, axis), z = ops::cast(ops::take(zero, groups, axis), s.dtype());
  return ops::cast(ops::multiply(ops::subtract(ops::cast(values, s.dtype()), z), s), dtype);
}

void write_lora_config(Config& c, bool enabled, int64_t rank, double alpha, const std::optional<int64_t>& option_rank,
                       const std::optional<double>& option_alpha) {
  if (!enabled) {
    if (!option_rank) return;
    rank = *option_rank;
    alpha = option_alpha.value_or(static_cast<double>(rank));
  }
  c["lora_rank"] = static_cast<long long>(rank);
  if (alpha == std::floor(alpha) && std::fabs(alpha) < 9e15) c["lora_alpha"] = static_cast<long long>(alpha);
  else c["lora_alpha"] = alpha;
}

void read_lora_config(const Config& c, std::optional<int64_t>& rank, std::optional<double>& alpha) {
  if (c.contains("lora_rank") && !c.at("lora_rank").is_null()) rank = c.at("lora_rank").as_int();
  if (c.contains("lora_alpha") && !c.at("lora_alpha").is_null()) alpha = c.at("lora_alpha").as_double();
}

void check_lora_rank_option(const std::string& layer, const std::optional<int64_t>& rank) {
  if (rank && *rank < 1)
    throw std::invalid_argument(layer + ": expected lora_rank >= 1, but received " + std::to_string(*rank));
}

std::pair<Variable, Variable> add_lora_factors(Layer& layer, const std::string& prefix, const Shape& a_shape,
                                               const Shape& b_shape, const LoraOptions& o,
                                               const std::shared_ptr<const regularizers::Regularizer>& regularizer) {
  // float32 whatever the policy (Keras: no under- or overflow while fine-tuning)
  return {layer.add_weight(prefix + "_a", a_shape, {o.a_initializer.ptr(), regularizer, {}, true, core::DType::float32}),
          layer.add_weight(prefix + "_b", b_shape, {o.b_initializer.ptr(), regularizer, {}, true, core::DType::float32})};
}

Tensor lora_scaled(const Tensor& t, double alpha, int64_t rank) {
  return core::ops::multiply(t, core::ops::scalar_like(t, alpha / static_cast<double>(rank)));
}

void assign_zeros(std::initializer_list<Variable> variables) {
  for (Variable v : variables) v.assign(core::ops::zeros_like(v.value()));
}

}  // namespace keras::layers::detail
