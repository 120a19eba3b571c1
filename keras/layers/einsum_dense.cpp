#include "keras/layers/einsum_dense.h"
#include "keras/layers/options_base.h"

#include <algorithm>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "core/errors.h"
#include "core/ops.h"
#include "keras/layers/core_layers_util.h"
#include "keras/layers/calibrated_layer.h"
#include "keras/layers/float8_training.h"
#include "keras/layers/kernel_bias_config.h"
#include "keras/layers/einsum_quantization.h"
#include "keras/layers/quantize_util.h"
#include "keras/quantizers.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
bool letters(const std::string& s, size_t min = 1) {
  return s.size() >= min && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
         });
}

// The equation's parts, as Keras's three accepted forms.
struct Parsed {
  std::string input, weight, output;
  bool elided = false, left = false;  // "..." present, and on the left
};

std::optional<Parsed> parse(const std::string& eq) {
  const size_t comma = eq.find(','), arrow = eq.find("->");
  if (comma == std::string::npos || arrow == std::string::npos || arrow < comma) return std::nullopt;
  Parsed p{eq.substr(0, comma), eq.substr(comma + 1, arrow - comma - 1), eq.substr(arrow + 2)};
  auto strip = [](std::string& s, bool front) {
    const bool at = front ? s.rfind("...", 0) == 0 : s.size() >= 3 && s.compare(s.size() - 3, 3, "...") == 0;
    if (at) s = front ? s.substr(3) : s.substr(0, s.size() - 3);
    return at;
  };
  if (strip(p.input, true)) {
    if (!strip(p.output, true)) return std::nullopt;
    p.elided = p.left = true;
  } else if (strip(p.input, false)) {
    if (!strip(p.output, false) || p.input.size() < 2) return std::nullopt;
    p.elided = true;
  }
  if (!letters(p.input) || !letters(p.weight) || !letters(p.output)) return std::nullopt;
  return p;
}

// Keras 3 gives a VarianceScaling kernel initializer (glorot_uniform, he_normal, ...) the
// kernel's input and output axes: fan_in is the product of the kernel axes the input
// shares, fan_out of those the output shares. Its draws are independent with a law that
// depends on the fans only, so they are drawn as a (fan_in, fan_out) matrix and reshaped.
initializers::InitializerPtr kernel_init(const std::string& equation, initializers::InitializerPtr init,
                                         const ShapeSpec& kernel_shape) {
  if (!std::dynamic_pointer_cast<const initializers::VarianceScaling>(init)) return init;
  const Parsed p = *parse(equation);
  int64_t fan_in = 1, fan_out = 1;
  for (size_t i = 0; i < p.weight.size() && i < kernel_shape.size(); ++i)
    (p.output.find(p.weight[i]) != std::string::npos ? fan_out : fan_in) *= kernel_shape[i];
  return initializers::get(
      [init, fan_in, fan_out](const Shape& shape, DType dtype) {
        return ops::reshape((*init)(Shape{fan_in, fan_out}, dtype), shape.dims());
      },
      init->class_name());
}

}  // namespace

EinsumDenseLayer::EinsumDenseLayer(std::string equation, ShapeSpec output_shape, const EinsumDenseOptions& o)
    : Layer("EinsumDense", detail::layer_options_of(o)),
      equation_(std::move(equation)),
      partial_output_(std::move(output_shape)),
      o_(o) {
  if (!parse(equation_))
    throw std::invalid_argument(name() + ": invalid einsum equation '" + equation_ +
                                "'. Equations must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or "
                                "[X]...,[Y]->[Z]....");
  detail::check_lora_rank_option(name(), o.lora_rank);
  for (int64_t d : partial_output_)
    if (d == 0 || d < -1)
      throw std::invalid_argument(name() + ": expected output_shape to hold positive sizes or None (-1), but "
                                  "received " + shape_str(partial_output_));
}

EinsumDenseLayer::Shapes EinsumDenseLayer::analyze(const ShapeSpec& in) const {
  const Parsed p = *parse(equation_);
  const int64_t rank = int64_t(in.size());
  const int64_t elided = rank - int64_t(p.input.size());
  if (elided < 0 || (!p.elided && elided != 0) || rank < 1)
    throw std::invalid_argument(name() + ": the equation '" + equation_ + "' expects an input of rank " +
                                (p.elided ? "at least " : "") + std::to_string(p.input.size()) +
                                ", but received input shape " + shape_str(in));
  ShapeSpec out = partial_output_;
  out.insert(out.begin(), in[0]);
  if (elided > 0 && p.left)
    out.insert(out.begin() + 1, in.begin() + 1, in.begin() + elided);
  else if (elided > 0)
    out.insert(out.end(), in.end() - elided, in.end());
  if (int64_t(out.size()) != int64_t(p.output.size()) + elided)
    throw std::invalid_argument(name() + ": output_shape " + shape_str(partial_output_) + " does not fit the output '" +
                                p.output + "' of the equation '" + equation_ + "' for input shape " + shape_str(in));
  auto in_axis = [&](char c) -> int64_t {
    const size_t i = p.input.find(c);
    if (i == std::string::npos) return -1;
    return p.left ? int64_t(i) + elided : int64_t(i);
  };
  auto out_axis = [&](char c) -> int64_t {
    const size_t i = p.output.find(c);
    if (i == std::string::npos) return -1;
    return p.left ? int64_t(i) + elided : int64_t(i);
  };
  for (char c : p.input)
    if (const int64_t o = out_axis(c); o >= 0) {
      const int64_t d = in[size_t(in_axis(c))];
      if (out[size_t(o)] < 0) out[size_t(o)] = d;
      else if (d >= 0 && out[size_t(o)] != d)
        throw std::invalid_argument(name() + ": input shape and output shape do not match at shared dimension '" +
                                    std::string(1, c) + "'. Input shape is " + std::to_string(d) +
                                    ", and output shape is " + std::to_string(out[size_t(o)]) + ".");
    }
  for (char c : p.output)
    if (p.input.find(c) == std::string::npos && p.weight.find(c) == std::string::npos)
      throw std::invalid_argument(name() + ": dimension '" + std::string(1, c) + "' was specified in the output '" +
                                  p.output + "' but has no corresponding dim in the input spec '" + p.input +
                                  "' or weight spec '" + p.weight + "'");
  Shapes s;
  s.output = out;
  for (char c : p.weight) {
    int64_t d;
    if (const int64_t o = out_axis(c); o >= 0)
      d = out[size_t(o)];
    else if (const int64_t i = in_axis(c); i >= 0)
      d = in[size_t(i)];
    else
      throw std::invalid_argument(name() + ": weight dimension '" + std::string(1, c) +
                                  "' did not have a match in either the input spec '" + p.input +
                                  "' or the output spec '" + p.output + "'. For this layer, the weight must be fully "
                                  "specified.");
    s.kernel.push_back(d);
  }
  if (o_.bias_axes) {
    const std::string& b = *o_.bias_axes;
    if (b.empty()) throw std::invalid_argument(name() + ": bias_axes is an empty string (use no bias_axes for no bias)");
    size_t first = p.output.size();
    for (char c : b) {
      const size_t i = p.output.find(c);
      if (i == std::string::npos)
        throw std::invalid_argument(name() + ": bias dimension '" + std::string(1, c) +
                                    "' was requested, but is not part of the output spec '" + p.output + "'");
      first = std::min(first, i);
    }
    for (size_t i = first; i < p.output.size(); ++i)
      s.bias.push_back(b.find(p.output[i]) != std::string::npos ? out[size_t(out_axis(p.output[i]))] : 1);
    if (!p.left)
      for (int64_t i = 0; i < elided; ++i) s.bias.push_back(1);
    s.has_bias = true;
  }
  return s;
}

void EinsumDenseLayer::build(const ShapeSpec& input_shape) {
  const Shapes s = analyze(input_shape);
  auto known = [&](const ShapeSpec& w, const char* what) {
    for (int64_t d : w)
      if (d < 0)
        throw std::invalid_argument(name() + ": the " + std::string(what) + " shape " + shape_str(w) +
                                    " has an unknown size for input shape " + shape_str(input_shape) +
                                    "; give it in output_shape");
    return Shape(w);
  };
  // A quantized policy ("int8_from_...", "int4/128_from_..."): Keras's quantized_build.
  const bool int8 = quantization_mode() == "int8", int4 = quantization_mode() == "int4",
             calibrated = quantization_mode() == "gptq" || quantization_mode() == "awq";
  std::pair<int64_t, int64_t> matrix;  // (gptq, awq: the kernel as (rows, columns))
  if (int8) {
    kernel = add_weight("kernel", known(s.kernel, "kernel"),
                        {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::int8});
  } else if (int4) {
    detail::check_no_ellipsis(name(), equation_, "int4");
    float_kernel_shape_ = known(s.kernel, "kernel").dims();
    const auto [rows, columns] =
        detail::int4_matrix(float_kernel_shape_, detail::analyze_einsum_quantization(equation_, name()).kernel_reduced);
    kernel = add_weight("kernel", Shape{rows, (columns + 1) / 2},
                        {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::int8});
  } else if (calibrated) {  // Keras's _gptq_build / _awq_build: levels (columns, rows), packed for 4 bits
    float_kernel_shape_ = known(s.kernel, "kernel").dims();
    matrix = detail::calibrated_einsum_matrix(name(), equation_, float_kernel_shape_);
    kernel = add_weight("kernel",
                        detail::calibrated_kernel_shape(matrix.first, matrix.second,
                                                        quantizers::calibrated_policy_params(dtype_policy()).weight_bits),
                        {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::uint8});
  } else {
    kernel = add_weight("kernel", known(s.kernel, "kernel"),
                        {kernel_init(equation_, o_.kernel_initializer.ptr(), s.kernel), o_.kernel_regularizer.ptr(),
                         o_.kernel_constraint.ptr()});
  }
  if (s.has_bias)
    bias = add_weight("bias", known(s.bias, "bias"),
                      {o_.bias_initializer.ptr(), o_.bias_regularizer.ptr(), o_.bias_constraint.ptr()});
  if (int8) build_int8();
  if (int4) build_int4();
  if (calibrated) {
    const detail::CalibratedVariables v =
        detail::add_calibrated_weights(*this, "zero_point", matrix.first, matrix.second,
                                       quantizers::calibrated_policy_params(dtype_policy()), quantization_mode() == "awq");
    kernel_scale = v.scale, kernel_zero = v.zero, awq_scales = v.awq_scales, g_idx = v.g_idx;
  }
  if (quantization_mode() == "float8") build_float8();
  input_spec = InputSpec{};
  input_spec.ndim = int64_t(input_shape.size());
  if (o_.lora_rank) {
    set_built();  // (enable_lora needs a built layer)
    enable_lora(*o_.lora_rank, {.lora_alpha = o_.lora_alpha});
  }
}

void EinsumDenseLayer::enable_lora(int64_t rank, const LoraOptions& lo) {
  if (quantization_mode() == "gptq" || quantization_mode() == "awq")
    throw core::NotImplementedError(name() + ": lora is not currently supported with " +
                                    (quantization_mode() == "awq" ? "AWQ" : "GPTQ") + " quantization.");
  detail::check_enable_lora(*this, lora_enabled(), rank, static_cast<bool>(o_.kernel_constraint.ptr()), "kernel");
  std::vector<int64_t> a_shape = quantization_mode() == "int4" ? float_kernel_shape_ : kernel.shape().dims();
  const int64_t last = a_shape.back();
  a_shape.back() = rank;
  std::tie(lora_kernel_a, lora_kernel_b) =
      detail::add_lora_factors(*this, "lora_kernel", Shape(a_shape), Shape{rank, last}, lo, o_.kernel_regularizer.ptr());
  set_weight_trainable(kernel, false);
  lora_rank_ = rank;
  lora_alpha_ = lo.lora_alpha.value_or(static_cast<double>(rank));
}

Tensor EinsumDenseLayer::call(const Tensor& input, bool training) {
  Tensor y;
  // Integer and bool inputs compute in the compute dtype (Keras's einsum promotes them).
  const Tensor x = core::is_floating(input.dtype()) || core::is_complex(input.dtype()) ? input
                                                                                       : ops::cast(input, compute_dtype());
  if (quantization_mode() == "float8") {
    if (lora_enabled()) throw core::NotImplementedError(name() + ": float8 training does not support LoRA (Keras: "
                                                        "Currently, `_float8_call` doesn't support LoRA)");
    y = ops::einsum(equation_, detail::float8_qdq(x, inputs_scale, inputs_amax_history, training, compute_dtype()),
                    detail::float8_qdq(kernel.value(), kernel_scale, kernel_amax_history, training, compute_dtype()));
    y = detail::float8_output_grad_qdq(y, outputs_grad_scale, outputs_grad_amax_history, compute_dtype());
    if (bias.defined()) y = ops::add(y, detail::float8_bias(bias.value(), compute_dtype()));
    return o_.activation(y);
  }
  if (quantization_mode() == "gptq" || quantization_mode() == "awq") {  // the inputs meet the dequantized kernel
    y = ops::einsum(equation_, x, effective_kernel());
  } else if (quantization_mode() == "int4") {  // Keras's _int4_call: the inputs meet the dequantized kernel
    y = ops::einsum(equation_, x, int4_kernel());
    if (lora_enabled()) {  // Keras: einsum(inputs, a) @ b, scaled, added
      const Tensor lora = ops::matmul(ops::einsum(equation_, x, lora_kernel_a.value()), lora_kernel_b.value());
      y = ops::cast(ops::add(y, detail::lora_scaled(lora, lora_alpha_, lora_rank_)), compute_dtype());
    }
  } else if (quantization_mode() == "int8") {
    y = detail::einsum_int8(equation_, detail::analyze_einsum_quantization(equation_, name()), x, kernel, kernel_scale,
                            compute_dtype());
    if (lora_enabled()) {  // Keras: einsum(inputs, a @ b), scaled, added to the de-scaled result
      const Tensor lora = ops::einsum(equation_, x, ops::matmul(lora_kernel_a, lora_kernel_b));
      y = ops::cast(ops::add(y, detail::lora_scaled(lora, lora_alpha_, lora_rank_)), compute_dtype());
    }
  } else {
    detail::observe_input(this, x);  // (GPTQ's and AWQ's calibration)
    y = ops::einsum(equation_, x, lora_enabled() ? effective_kernel() : kernel.value());
  }
  if (bias.defined()) y = ops::add(y, bias);
  return o_.activation(y);
}

std::vector<ShapeSpec> EinsumDenseLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  return {analyze(shapes.at(0)).output};
}

Config EinsumDenseLayer::get_config() const {
  Config c = base_config();
  c["output_shape"] = detail::dims_value(partial_output_);
  c["equation"] = equation_;
  c["bias_axes"] = o_.bias_axes ? Value(*o_.bias_axes) : Value();
  detail::write_kernel_bias_config(c, o_);
  c["quantization_config"] = detail::quantization_config(dtype_policy());
  if (quantization_mode() == "gptq")  // (Keras writes it for gptq only; its awq layers take no such argument)
    c["gptq_unpacked_column_size"] = static_cast<long long>(kernel_scale.shape()[0]);
  detail::write_lora_config(c, lora_enabled(), lora_rank_, lora_alpha_, o_.lora_rank, o_.lora_alpha);
  return c;
}

LayerPtr EinsumDenseLayer::from_config(const Config& c) {
  EinsumDenseOptions o;
  detail::read_base_options(c, o);
  detail::read_kernel_bias_config(c, o);
  const Value b = c.get("bias_axes", Value());
  if (!b.is_null()) o.bias_axes = b.as_string();
  detail::read_lora_config(c, o.lora_rank, o.lora_alpha);
  const Value& os = c.at("output_shape");
  ShapeSpec shape;
  if (os.type() == Value::Type::list) {
    for (const Value& d : os.as_list()) shape.push_back(d.is_null() ? -1 : d.as_int());
  } else {
    shape.push_back(os.as_int());
  }
  return make<EinsumDenseLayer>(c.at("equation").as_string(), shape, o);
}

Ref<EinsumDenseLayer> EinsumDense(std::string equation, ShapeSpec output_shape, const EinsumDenseOptions& o) {
  return make<EinsumDenseLayer>(std::move(equation), std::move(output_shape), o);
}
Ref<EinsumDenseLayer> EinsumDense(std::string equation, int64_t output_dim, const EinsumDenseOptions& o) {
  return make<EinsumDenseLayer>(std::move(equation), ShapeSpec{output_dim}, o);
}

}  // namespace keras::layers
