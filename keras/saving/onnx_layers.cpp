// onnx_layers.cpp - ONNX converters of the core, merge and normalization layers: each
// writes the nodes that compute what the layer's call() computes with training = false.
#include <algorithm>
#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/all.h"
#include "keras/saving/onnx_builder.h"

namespace keras::saving::onnx {

namespace {
namespace ops = core::ops;
using A = OnnxAttr;
using V = std::vector<OnnxValue>;

double num(const LayerCall& c, const std::string& key, double fallback) {
  const Value v = c.config.get(key, Value(fallback));
  return v.is_null() ? fallback : v.as_double();
}

// Keras's int8 Dense product: x quantized per row by its abs-max (over the last axis),
// MatMulInteger with the int8 kernel, de-scaled by the two scales.
std::string int8_matmul(GraphBuilder& b, const OnnxValue& x, const Tensor& kernel, const Tensor& kernel_scale) {
  auto k = [&](double v) { return b.scalar(v, x.dtype, "const"); };
  const std::string amax = b.add("ReduceMax", {b.add("Abs", {x.name})}, {A::make_ints("axes", {-1}), A::make_int("keepdims", 1)});
  const std::string scale = b.add("Div", {k(127.0), b.add("Add", {amax, k(1e-7)})});
  const std::string q = b.add("Cast", {b.add("Clip", {b.add("Round", {b.add("Mul", {x.name, scale})}), k(-127.0), k(127.0)})},
                              {A::make_int("to", onnx_elem_type(core::DType::int8))});
  const std::string y = b.add("MatMulInteger", {q, b.constant(kernel, "kernel")});
  return b.add("Div", {b.add("Cast", {y}, {A::make_int("to", onnx_elem_type(x.dtype))}),
                       b.add("Mul", {b.constant(kernel_scale, "kernel_scale"), scale})});
}

// (alpha / rank) * (lhs @ b): LoRA's update on an int8 layer, added after de-scaling.
std::string lora_update(GraphBuilder& b, const std::string& lhs, const Tensor& factor_b, double scale, core::DType dtype) {
  return b.add("Mul", {b.add("MatMul", {lhs, b.constant(factor_b, "lora_b")}), b.scalar(scale, dtype, "lora_scale")});
}

V dense(GraphBuilder& b, const LayerCall& c) {
  OnnxValue x = float_input(b, c, c.x());
  const auto* d = dynamic_cast<const layers::DenseLayer*>(&c.layer);
  if (d && d->quantization_mode() == "float8")  // (its float8 rounding has no ONNX form here)
    throw std::invalid_argument("export_onnx: layer '" + d->name() + "' (Dense) trains in float8 (policy '" +
                                d->dtype_policy().name() + "'); its inputs' float8 rounding is not written to ONNX. "
                                "Export it with format \"kgraph\", or rebuild the layer without the float8 policy");
  std::string y;
  if (d && d->quantization_mode() == "int8") {
    y = int8_matmul(b, x, d->kernel.value(), d->kernel_scale.value());
    if (d->lora_enabled())
      y = b.add("Add", {y, lora_update(b, b.add("MatMul", {x.name, b.constant(d->lora_kernel_a.value(), "lora_a")}),
                                       d->lora_kernel_b.value(), d->lora_alpha() / double(d->lora_rank()), x.dtype)});
  } else {  // (int4, gptq, awq, or with LoRA: the float kernel the layer computes with, dequantized and merged)
    const std::string mode = d ? d->quantization_mode() : "";
    const bool computed = d && (d->lora_enabled() || mode == "int4" || mode == "gptq" || mode == "awq");
    y = b.add("MatMul", {x.name, b.constant(computed ? d->effective_kernel() : c.weight("kernel"), "kernel")});
  }
  if (c.config.get("use_bias", true).as_bool()) y = b.add("Add", {y, b.constant(c.weight("bias"), "bias")});
  OnnxValue pre{y, c.output_shapes.at(0), x.dtype};
  return {add_activation(b, activation_name(c.config.get("activation", "linear")), pre, c)};
}

V activation(GraphBuilder& b, const LayerCall& c) {
  OnnxValue x = float_input(b, c, c.x());
  return {add_activation(b, activation_name(c.config.get("activation", "linear")), x, c)};
}

// keras.activations.relu(x, negative_slope, max_value, threshold), as keras-cpp composes it.
V relu(GraphBuilder& b, const LayerCall& c) {
  OnnxValue x = float_input(b, c, c.x());
  const double slope = num(c, "negative_slope", 0.0), threshold = num(c, "threshold", 0.0);
  const Value mv = c.config.get("max_value", Value());
  auto k = [&](double v) { return b.scalar(v, x.dtype, "const"); };
  if (slope == 0.0 && mv.is_null() && threshold == 0.0) return {out(b.add("Relu", {x.name}), x.dtype)};
  if (slope != 0.0 && mv.is_null() && threshold == 0.0)
    return {out(b.add("LeakyRelu", {x.name}, {A::make_float("alpha", slope)}), x.dtype)};
  std::string y = threshold != 0.0 ? b.add("Where", {b.add("LessOrEqual", {x.name, k(threshold)}), k(0.0), x.name})
                                   : b.add("Relu", {x.name});
  if (!mv.is_null()) y = b.add("Clip", {y, k(0.0), k(mv.as_double())});
  if (slope != 0.0) {
    std::string neg = b.add("Relu", {threshold != 0.0 ? b.add("Sub", {k(threshold), x.name}) : b.add("Neg", {x.name})});
    y = b.add("Sub", {y, b.add("Mul", {neg, k(slope)})});
  }
  return {out(y, x.dtype)};
}

V leaky_relu(GraphBuilder& b, const LayerCall& c) {
  OnnxValue x = float_input(b, c, c.x());
  return {out(b.add("LeakyRelu", {x.name}, {A::make_float("alpha", num(c, "negative_slope", 0.3))}), x.dtype)};
}

V elu(GraphBuilder& b, const LayerCall& c) {
  OnnxValue x = float_input(b, c, c.x());
  return {out(b.add("Elu", {x.name}, {A::make_float("alpha", num(c, "alpha", 1.0))}), x.dtype)};
}

V prelu(GraphBuilder& b, const LayerCall& c) {  // alpha: the input's shape without the batch axis
  OnnxValue x = float_input(b, c, c.x());
  return {out(b.add("PRelu", {x.name, b.constant(c.weight("alpha"), "alpha")}), x.dtype)};
}

V softmax(GraphBuilder& b, const LayerCall& c) {
  OnnxValue x = float_input(b, c, c.x());
  const Value a = c.config.get("axis", Value(-1));
  std::vector<int64_t> axes = a.type() == Value::Type::list ? a.as_ints() : std::vector<int64_t>{a.as_int()};
  if (axes.size() == 1) return {out(b.add("Softmax", {x.name}, {A::make_int("axis", axes[0])}), x.dtype)};
  // exp(x - logsumexp(x, axes))
  std::string lse = b.add("ReduceLogSumExp", {x.name}, {A::make_ints("axes", axes), A::make_int("keepdims", 1)});
  return {out(b.add("Exp", {b.add("Sub", {x.name, lse})}), x.dtype)};
}

V identity(GraphBuilder& b, const LayerCall& c) { return {out(b.add("Identity", {c.x().name}), c.x().dtype)}; }

V flatten(GraphBuilder& b, const LayerCall& c) {
  std::string x = c.x().name;
  const int64_t r = c.x().rank();
  if (c.config.get("data_format", "").as_string() == "channels_first" && r > 2) {  // to channels_last first
    std::vector<int64_t> perm{0};
    for (int64_t i = 2; i < r; ++i) perm.push_back(i);
    perm.push_back(1);
    x = b.add("Transpose", {x}, {A::make_ints("perm", perm)});
  }
  return {out(b.add("Flatten", {x}, {A::make_int("axis", 1)}), c.x().dtype)};
}

V reshape(GraphBuilder& b, const LayerCall& c) {  // 0 copies the batch size
  std::vector<int64_t> shape{0};
  for (int64_t d : c.config.at("target_shape").as_ints()) shape.push_back(d);
  return {out(b.add("Reshape", {c.x().name, b.ints(shape, "shape")}), c.x().dtype)};
}

V permute(GraphBuilder& b, const LayerCall& c) {
  std::vector<int64_t> perm{0};
  for (int64_t d : c.config.at("dims").as_ints()) perm.push_back(d);
  return {out(b.add("Transpose", {c.x().name}, {A::make_ints("perm", perm)}), c.x().dtype)};
}

V repeat_vector(GraphBuilder& b, const LayerCall& c) {  // (batch, f) -> (batch, n, f)
  std::string e = b.add("Unsqueeze", {c.x().name, b.ints({1}, "axes")});
  return {out(b.add("Expand", {e, b.ints({1, c.config.at("n").as_int(), 1}, "shape")}), c.x().dtype)};
}

V rescaling(GraphBuilder& b, const LayerCall& c) {
  const core::DType dt = c.layer.dtype();
  OnnxValue x = cast_to(b, c.x(), dt);
  auto param = [&](const char* key) {
    const Value v = c.config.at(key);
    std::vector<double> vals;
    if (v.type() == Value::Type::list)
      for (const Value& e : v.as_list()) vals.push_back(e.as_double());
    else
      vals.push_back(v.as_double());
    Tensor t = ops::cast(core::constant(vals), dt);
    return b.constant(vals.size() == 1 ? ops::reshape(t, {}) : t, key);
  };
  std::string scale = param("scale"), offset = param("offset");
  return {out(b.add("Add", {b.add("Mul", {x.name, scale}), offset}), dt)};
}

V embedding(GraphBuilder& b, const LayerCall& c) {
  if (c.config.get("mask_zero", false).as_bool())
    c.fail("mask_zero=True: masks are not part of an ONNX export; use mask_zero=False");
  OnnxValue ids = c.x();
  if (ids.dtype != core::DType::int32 && ids.dtype != core::DType::int64) ids = cast_to(b, ids, core::DType::int64);
  const auto* e = dynamic_cast<const layers::EmbeddingLayer*>(&c.layer);
  auto gather = [&](const Tensor& table, const char* hint) {
    return b.add("Gather", {b.constant(table, hint), ids.name}, {A::make_int("axis", 0)});
  };
  if (e && e->quantization_mode() == "int8") {  // int8 rows de-scaled by their row's scale
    const core::DType dt = e->compute_dtype();
    std::string rows = b.add("Div", {b.add("Cast", {gather(e->embeddings.value(), "embeddings")},
                                           {A::make_int("to", onnx_elem_type(dt))}),
                                     b.add("Unsqueeze", {gather(e->embeddings_scale.value(), "embeddings_scale"),
                                                         b.constant(core::constant(std::vector<int64_t>{-1}), "axes")})});
    if (e->lora_enabled())
      rows = b.add("Add", {rows, lora_update(b, gather(e->lora_embeddings_a.value(), "lora_a"), e->lora_embeddings_b.value(),
                                             e->lora_alpha() / double(e->lora_rank()), dt)});
    return {out(rows, dt)};
  }
  Tensor table = e && (e->lora_enabled() || e->quantization_mode() == "int4") ? e->effective_embeddings()
                                                                                : c.weight("embeddings");
  return {out(gather(table, "embeddings"), table.dtype())};
}

V merge(GraphBuilder& b, const LayerCall& c) {
  std::vector<std::string> in;
  for (const OnnxValue& v : c.inputs) in.push_back(v.name);
  const std::string& k = c.layer.class_name();
  const core::DType dt = c.x().dtype;
  if (in.size() == 1) return {out(b.add("Identity", in), dt)};
  if (k == "Subtract") return {out(b.add("Sub", in), dt)};
  if (k == "Multiply") {
    std::string y = in[0];
    for (size_t i = 1; i < in.size(); ++i) y = b.add("Mul", {y, in[i]});
    return {out(y, dt)};
  }
  const std::string op = k == "Add" ? (in.size() == 2 ? "Add" : "Sum") : k == "Average" ? "Mean" : k == "Maximum" ? "Max" : "Min";
  return {out(b.add(op, in), dt)};
}

V concatenate(GraphBuilder& b, const LayerCall& c) {
  std::vector<std::string> in;
  for (const OnnxValue& v : c.inputs) in.push_back(v.name);
  return {out(b.add("Concat", in, {A::make_int("axis", c.config.get("axis", Value(-1)).as_int())}), c.x().dtype)};
}

// The weight w (1-D, along axis) shaped to broadcast against a rank-r input.
Tensor along(const Tensor& w, int64_t axis, int64_t r) {
  if (axis == r - 1) return w;
  std::vector<int64_t> shape(static_cast<size_t>(r), 1);
  shape[static_cast<size_t>(axis)] = w.size();
  return ops::reshape(w, shape);
}

// y = x * inv + (beta - mean * inv), inv = gamma / sqrt(moving_variance + epsilon): the
// two constants computed here with the ops the layer's call() uses.
V batch_normalization(GraphBuilder& b, const LayerCall& c) {
  OnnxValue x = float_input(b, c, c.x());
  const int64_t r = x.rank();
  const int64_t axis = core::normalize_axis(c.config.get("axis", Value(-1)).as_int(), r, "BatchNormalization");
  auto as = [&](const Tensor& t) { return t.dtype() == x.dtype ? t : ops::cast(t, x.dtype); };
  Tensor mean = as(c.weight("moving_mean")), variance = as(c.weight("moving_variance"));
  Tensor inv = ops::rsqrt(ops::add(variance, ops::scalar_like(variance, num(c, "epsilon", 1e-3))));
  if (c.config.get("scale", true).as_bool()) inv = ops::multiply(inv, as(c.weight("gamma")));
  Tensor res = ops::neg(ops::multiply(mean, inv));
  if (c.config.get("center", true).as_bool()) res = ops::add(res, as(c.weight("beta")));
  std::string y = b.add("Mul", {x.name, b.constant(along(inv, axis, r), "scale")});
  return {out(b.add("Add", {y, b.constant(along(res, axis, r), "offset")}), x.dtype)};
}

V layer_normalization(GraphBuilder& b, const LayerCall& c) {
  OnnxValue x = float_input(b, c, c.x());
  const int64_t r = x.rank();
  const Value a = c.config.get("axis", Value(-1));
  std::vector<int64_t> axes;
  if (a.is_null())
    for (int64_t i = 1; i < r; ++i) axes.push_back(i);
  else
    for (int64_t ax : a.type() == Value::Type::list ? a.as_ints() : std::vector<int64_t>{a.as_int()})
      axes.push_back(core::normalize_axis(ax, r, "LayerNormalization"));
  std::sort(axes.begin(), axes.end());
  const bool scale = c.config.get("scale", true).as_bool(), center = c.config.get("center", true).as_bool();
  const bool rms = c.config.get("rms_scaling", false).as_bool();
  const double eps = num(c, "epsilon", 1e-3);
  auto as = [&](const Tensor& t) { return t.dtype() == x.dtype ? t : ops::cast(t, x.dtype); };
  bool trailing = true;
  for (size_t i = 0; i < axes.size(); ++i) trailing = trailing && axes[i] == r - int64_t(axes.size()) + int64_t(i);
  if (trailing && !rms && !axes.empty()) {  // ONNX's LayerNormalization (opset 17)
    Tensor gamma = scale ? as(c.weight("gamma")) : Tensor();
    if (!scale) {
      std::vector<int64_t> pshape;
      for (int64_t ax : axes) pshape.push_back(x.shape[size_t(ax)]);
      if (std::count(pshape.begin(), pshape.end(), -1)) c.fail("the normalized axes must have known sizes");
      gamma = ops::ones(core::Shape(pshape), x.dtype);
    }
    std::vector<std::string> in{x.name, b.constant(gamma, "gamma")};
    if (center) in.push_back(b.constant(as(c.weight("beta")), "beta"));
    return {out(b.add("LayerNormalization", in, {A::make_int("axis", axes[0]), A::make_float("epsilon", eps)}), x.dtype)};
  }
  // Other axes, or rms_scaling (Keras 3: x * rsqrt(variance + epsilon) * gamma).
  std::vector<int64_t> bshape(static_cast<size_t>(r), 1);
  for (int64_t ax : axes) bshape[size_t(ax)] = x.shape[size_t(ax)];
  auto shaped = [&](const char* w) { return b.constant(ops::reshape(as(c.weight(w)), bshape), w); };
  const std::vector<OnnxAttr> reduce{A::make_ints("axes", axes), A::make_int("keepdims", 1)};
  std::string d = b.add("Sub", {x.name, b.add("ReduceMean", {x.name}, reduce)});
  std::string var = b.add("ReduceMean", {b.add("Mul", {d, d})}, reduce);
  std::string inv = b.add("Reciprocal", {b.add("Sqrt", {b.add("Add", {var, b.scalar(eps, x.dtype, "epsilon")})})});
  if (rms) return {out(b.add("Mul", {b.add("Mul", {x.name, inv}), shaped("gamma")}), x.dtype)};
  std::string y = b.add("Mul", {d, inv});
  if (scale) y = b.add("Mul", {y, shaped("gamma")});
  if (center) y = b.add("Add", {y, shaped("beta")});
  return {out(y, x.dtype)};
}

}  // namespace

void add_core_converters(std::vector<ConverterEntry>& v) {
  using namespace layers;
  add_converter<DenseLayer>(v, "Dense", dense);
  add_converter<ActivationLayer>(v, "Activation", activation);
  add_converter<ReLULayer>(v, "ReLU", relu);
  add_converter<LeakyReLULayer>(v, "LeakyReLU", leaky_relu);
  add_converter<ELULayer>(v, "ELU", elu);
  add_converter<PReLULayer>(v, "PReLU", prelu);
  add_converter<SoftmaxLayer>(v, "Softmax", softmax);
  // Identities at inference (training = false):
  add_converter<DropoutLayer>(v, "Dropout", identity);
  add_converter<GaussianNoiseLayer>(v, "GaussianNoise", identity);
  add_converter<ActivityRegularizationLayer>(v, "ActivityRegularization", identity);
  add_converter<IdentityLayer>(v, "Identity", identity);
  add_converter<SpatialDropoutLayer>(v, "SpatialDropout1D", identity);
  add_converter<SpatialDropoutLayer>(v, "SpatialDropout2D", identity);
  add_converter<SpatialDropoutLayer>(v, "SpatialDropout3D", identity);
  add_converter<FlattenLayer>(v, "Flatten", flatten);
  add_converter<ReshapeLayer>(v, "Reshape", reshape);
  add_converter<PermuteLayer>(v, "Permute", permute);
  add_converter<RepeatVectorLayer>(v, "RepeatVector", repeat_vector);
  add_converter<RescalingLayer>(v, "Rescaling", rescaling);
  add_converter<EmbeddingLayer>(v, "Embedding", embedding);
  for (const char* k : {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"}) add_converter<MergeLayer>(v, k, merge);
  add_converter<ConcatenateLayer>(v, "Concatenate", concatenate);
  add_converter<BatchNormalizationLayer>(v, "BatchNormalization", batch_normalization);
  add_converter<LayerNormalizationLayer>(v, "LayerNormalization", layer_normalization);
}

}  // namespace keras::saving::onnx
