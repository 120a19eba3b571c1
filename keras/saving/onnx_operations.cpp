// onnx_operations.cpp - ONNX converters of the keras.ops calls in functional graphs
// (OperationLayer: elementwise arithmetic and comparisons with tensors or numbers, the
// unary math and activations, reductions, Reshape, Transpose, ExpandDims, Squeeze,
// Concatenate, Cast, Softmax) and of the layers keras.applications defines (convnext's
// LayerScale, inception_resnet_v2's CustomScaleLayer).
#include <algorithm>
#include <map>

#include "core/ops.h"
#include "keras/applications/application_layers.h"
#include "keras/layers/operation.h"
#include "keras/layers/operation_table.h"
#include "keras/saving/onnx_builder.h"

namespace keras::saving::onnx {

namespace {
namespace ops = core::ops;
using A = OnnxAttr;
using V = std::vector<OnnxValue>;
using core::DType;
using layers::OperationLayer;

// Positional argument i of the call: its tensor input, or a number as a scalar of dtype.
OnnxValue argument(GraphBuilder& b, const LayerCall& c, const OperationLayer& op, size_t i, DType dtype) {
  const auto& args = op.arguments().as_list();
  if (i >= args.size()) c.fail("expected at least " + std::to_string(i + 1) + " arguments");
  const int64_t k = layers::detail::marker_index(args[i]);
  if (k >= 0) return cast_to(b, c.inputs.at(size_t(k)), dtype);
  const Value& v = args[i];
  if (v.type() != Value::Type::integer && v.type() != Value::Type::number && v.type() != Value::Type::boolean)
    c.fail("argument " + std::to_string(i) + " (" + v.to_json() + ") has no ONNX form");
  const double d = v.type() == Value::Type::boolean ? (v.as_bool() ? 1.0 : 0.0) : v.as_double();
  return OnnxValue{b.scalar(d, dtype, "constant"), {}, dtype};
}

// The dtype the call's tensors and numbers meet at (as keras-cpp's kernel promotes them).
DType common_dtype(const LayerCall& c, const OperationLayer& op, size_t n, size_t first = 0) {
  return layers::detail::weak_result_type(op.arguments().as_list(), first, n,
                                          [&](int64_t k) { return c.inputs.at(size_t(k)).dtype; });
}

std::vector<int64_t> axes_of(const LayerCall& c, const Value& a, int64_t rank) {
  std::vector<int64_t> axes;
  if (a.is_null()) {
    for (int64_t i = 0; i < rank; ++i) axes.push_back(i);
    return axes;
  }
  for (int64_t ax : a.type() == Value::Type::list ? a.as_ints() : std::vector<int64_t>{a.as_int()})
    axes.push_back(core::normalize_axis(ax, rank, c.layer.name().c_str()));
  std::sort(axes.begin(), axes.end());
  return axes;
}

const std::map<std::string, std::string>& binary_ops() {
  static const std::map<std::string, std::string> m = {
      {"Add", "Add"},         {"Subtract", "Sub"},  {"Multiply", "Mul"},         {"Divide", "Div"},
      {"TrueDivide", "Div"},  {"Maximum", "Max"},   {"Minimum", "Min"},          {"Power", "Pow"},
      {"Equal", "Equal"},     {"Greater", "Greater"}, {"GreaterEqual", "GreaterOrEqual"},
      {"Less", "Less"},       {"LessEqual", "LessOrEqual"}};
  return m;
}
// Unary ops written with one ONNX node, and those keras.activations already maps.
const std::map<std::string, std::string>& unary_ops() {
  static const std::map<std::string, std::string> m = {
      {"Negative", "Neg"}, {"Absolute", "Abs"}, {"Exp", "Exp"},   {"Log", "Log"},   {"Sqrt", "Sqrt"},
      {"Tanh", "Tanh"},    {"Sin", "Sin"},      {"Cos", "Cos"},   {"Floor", "Floor"}, {"Ceil", "Ceil"},
      {"Sign", "Sign"},    {"Erf", "Erf"},      {"Reciprocal", "Reciprocal"}, {"Sigmoid", "Sigmoid"}};
  return m;
}
const std::map<std::string, std::string>& activation_ops() {
  static const std::map<std::string, std::string> m = {
      {"Relu", "relu"},         {"Relu6", "relu6"},       {"HardSigmoid", "hard_sigmoid"}, {"HardSilu", "hard_silu"},
      {"Silu", "silu"},         {"Selu", "selu"},         {"Softplus", "softplus"},        {"Softsign", "softsign"}};
  return m;
}

V operation(GraphBuilder& b, const LayerCall& c) {
  const auto& op = dynamic_cast<const OperationLayer&>(c.layer);
  const std::string& cls = op.keras_class();
  const Config& cfg = op.op_config();
  const DType out_dtype = op.output_dtype_of(0);
  if (auto it = binary_ops().find(cls); it != binary_ops().end()) {
    DType d = common_dtype(c, op, 2);
    if ((cls == "Divide" || cls == "TrueDivide") && !core::is_floating(d)) d = DType::float32;
    const OnnxValue x = argument(b, c, op, 0, d), y = argument(b, c, op, 1, d);
    return {out(b.add(it->second, {x.name, y.name}), out_dtype)};
  }
  if (cls == "Where") {
    const DType d = common_dtype(c, op, 2, 1);
    const OnnxValue cond = argument(b, c, op, 0, DType::bool_);
    return {out(b.add("Where", {cond.name, argument(b, c, op, 1, d).name, argument(b, c, op, 2, d).name}), out_dtype)};
  }
  if (cls == "Concatenate") {
    std::vector<std::string> in;
    for (const OnnxValue& v : c.inputs) in.push_back(cast_to(b, v, out_dtype).name);
    return {out(b.add("Concat", in, {A::make_int("axis", cfg.at("axis").as_int())}), out_dtype)};
  }
  // The rest take one tensor, the first argument.
  const OnnxValue x = argument(b, c, op, 0, c.inputs.at(0).dtype);
  const OnnxValue xf = core::is_floating(x.dtype) ? x : cast_to(b, x, out_dtype);
  if (auto it = unary_ops().find(cls); it != unary_ops().end()) return {out(b.add(it->second, {xf.name}), out_dtype)};
  if (auto it = activation_ops().find(cls); it != activation_ops().end()) {
    OnnxValue y = add_activation(b, it->second, xf, c);
    return {out(y.name, out_dtype)};
  }
  if (cls == "Square") return {out(b.add("Mul", {x.name, x.name}), out_dtype)};
  if (cls == "Rsqrt") return {out(b.add("Reciprocal", {b.add("Sqrt", {xf.name})}), out_dtype)};
  if (cls == "Gelu") {
    if (!cfg.at("approximate").as_bool()) return {out(add_activation(b, "gelu", xf, c).name, out_dtype)};
    // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
    auto k = [&](double v) { return b.scalar(v, out_dtype, "gelu_constant"); };
    const std::string cube = b.add("Mul", {b.add("Mul", {xf.name, xf.name}), xf.name});
    const std::string inner = b.add("Mul", {b.add("Add", {xf.name, b.add("Mul", {cube, k(0.044715)})}), k(0.7978845608028654)});
    return {out(b.add("Mul", {b.add("Mul", {xf.name, k(0.5)}), b.add("Add", {b.add("Tanh", {inner}), k(1.0)})}), out_dtype)};
  }
  if (cls == "LeakyRelu")
    return {out(b.add("LeakyRelu", {xf.name}, {A::make_float("alpha", cfg.at("negative_slope").as_double())}), out_dtype)};
  if (cls == "Elu") return {out(b.add("Elu", {xf.name}, {A::make_float("alpha", cfg.at("alpha").as_double())}), out_dtype)};
  if (cls == "Softmax" || cls == "LogSoftmax")
    return {out(b.add(cls, {xf.name}, {A::make_int("axis", cfg.at("axis").as_int())}), out_dtype)};
  if (cls == "Mean" || cls == "Max" || cls == "Min" || cls == "Sum") {
    const std::vector<int64_t> axes = axes_of(c, cfg.at("axis"), x.rank());
    const int64_t keep = cfg.at("keepdims").as_bool() ? 1 : 0;
    const OnnxValue in = cls == "Mean" ? xf : x;
    if (cls == "Sum")
      return {out(b.add("ReduceSum", {in.name, b.ints(axes, "axes")}, {A::make_int("keepdims", keep)}), out_dtype)};
    return {out(b.add("Reduce" + cls, {in.name}, {A::make_ints("axes", axes), A::make_int("keepdims", keep)}), out_dtype)};
  }
  if (cls == "Reshape") return {out(b.add("Reshape", {x.name, b.ints(cfg.at("newshape").as_ints(), "shape")}), out_dtype)};
  if (cls == "Transpose") {
    std::vector<int64_t> perm = cfg.at("axes").is_null() ? std::vector<int64_t>{} : cfg.at("axes").as_ints();
    if (perm.empty())
      for (int64_t i = x.rank() - 1; i >= 0; --i) perm.push_back(i);
    return {out(b.add("Transpose", {x.name}, {A::make_ints("perm", perm)}), out_dtype)};
  }
  if (cls == "ExpandDims") {
    std::vector<int64_t> axes = cfg.at("axis").type() == Value::Type::list ? cfg.at("axis").as_ints()
                                                                          : std::vector<int64_t>{cfg.at("axis").as_int()};
    return {out(b.add("Unsqueeze", {x.name, b.ints(axes, "axes")}), out_dtype)};
  }
  if (cls == "Squeeze") {
    if (cfg.at("axis").is_null()) return {out(b.add("Squeeze", {x.name}), out_dtype)};
    return {out(b.add("Squeeze", {x.name, b.ints(axes_of(c, cfg.at("axis"), x.rank()), "axes")}), out_dtype)};
  }
  if (cls == "Cast") return {cast_to(b, x, out_dtype)};
  c.fail("the keras.ops operation " + cls + " has no ONNX mapping (those that export: elementwise arithmetic, "
         "comparisons, unary math and activations, Mean/Sum/Max/Min, Reshape, Transpose, ExpandDims, Squeeze, "
         "Concatenate, Cast, Softmax, LogSoftmax)");
}

V layer_scale(GraphBuilder& b, const LayerCall& c) {
  const OnnxValue x = float_input(b, c, c.x());
  return {out(b.add("Mul", {x.name, b.constant(c.layer.weights().at(0).value(), "gamma")}), x.dtype)};
}
V custom_scale(GraphBuilder& b, const LayerCall& c) {
  const auto& l = dynamic_cast<const applications::detail::CustomScaleLayer&>(c.layer);
  const OnnxValue x = float_input(b, c, c.inputs.at(0)), r = float_input(b, c, c.inputs.at(1));
  return {out(b.add("Add", {x.name, b.add("Mul", {r.name, b.scalar(l.scale(), r.dtype, "scale")})}), x.dtype)};
}
}  // namespace

void add_operation_converters(std::vector<ConverterEntry>& v) {
  add_converter<OperationLayer>(v, "Operation", operation);
  add_converter<applications::detail::LayerScaleLayer>(v, "LayerScale", layer_scale);
  add_converter<applications::detail::CustomScaleLayer>(v, "CustomScaleLayer", custom_scale);
}

}  // namespace keras::saving::onnx
