// onnx_activations.cpp - keras.activations as ONNX opset-17 nodes: an op of the same
// definition where ONNX has one (Relu, Elu, Selu, Celu, HardSigmoid, HardSwish, Shrink,
// Softmax, ...), otherwise the composition keras-cpp computes (gelu with Erf, mish,
// squareplus, sparse_plus, glu with Split).
#include <cmath>

#include "keras/saving/onnx_builder.h"

namespace keras::saving::onnx {

namespace {
using A = OnnxAttr;
}

std::string activation_name(const Value& v) {
  if (v.is_null()) return "linear";
  if (v.type() == Value::Type::string) return v.as_string().empty() ? "linear" : v.as_string();
  if (v.is_object() && v.contains("config") && v.at("config").type() == Value::Type::string)
    return v.at("config").as_string();
  return "custom";
}

namespace {
std::string activation_node(GraphBuilder& b, const std::string& name, const OnnxValue& x, const LayerCall& call) {
  const std::string& v = x.name;
  auto c = [&](double value) { return b.scalar(value, x.dtype, "const"); };
  if (name == "linear") return v;
  if (name == "relu") return b.add("Relu", {v});
  if (name == "relu6") return b.add("Clip", {v, c(0.0), c(6.0)});
  if (name == "leaky_relu") return b.add("LeakyRelu", {v}, {A::make_float("alpha", 0.2)});
  if (name == "elu") return b.add("Elu", {v}, {A::make_float("alpha", 1.0)});
  // Keras's constants (ONNX's defaults differ in the last digits).
  if (name == "selu")
    return b.add("Selu", {v}, {A::make_float("alpha", 1.6732632423543772), A::make_float("gamma", 1.0507009873554805)});
  if (name == "gelu") {  // x * (1 + erf(x / sqrt(2))) / 2 (Keras's default, approximate = false)
    std::string erf = b.add("Erf", {b.add("Mul", {v, c(1.0 / std::sqrt(2.0))})});
    return b.add("Mul", {b.add("Mul", {v, c(0.5)}), b.add("Add", {erf, c(1.0)})});
  }
  if (name == "silu" || name == "swish") return b.add("Mul", {v, b.add("Sigmoid", {v})});
  if (name == "sigmoid") return b.add("Sigmoid", {v});
  // relu6(x + 3) / 6 = clip(x / 6 + 1 / 2, 0, 1)
  if (name == "hard_sigmoid")
    return b.add("HardSigmoid", {v}, {A::make_float("alpha", 1.0 / 6.0), A::make_float("beta", 0.5)});
  if (name == "hard_silu" || name == "hard_swish") return b.add("HardSwish", {v});
  if (name == "tanh") return b.add("Tanh", {v});
  if (name == "softmax") return b.add("Softmax", {v}, {A::make_int("axis", -1)});
  if (name == "log_softmax") return b.add("LogSoftmax", {v}, {A::make_int("axis", -1)});
  if (name == "softplus") return b.add("Softplus", {v});
  if (name == "softsign") return b.add("Softsign", {v});
  if (name == "exponential") return b.add("Exp", {v});
  if (name == "mish") return b.add("Mul", {v, b.add("Tanh", {b.add("Softplus", {v})})});
  if (name == "log_sigmoid") return b.add("Neg", {b.add("Softplus", {b.add("Neg", {v})})});
  if (name == "celu") return b.add("Celu", {v}, {A::make_float("alpha", 1.0)});
  if (name == "hard_tanh") return b.add("Clip", {v, c(-1.0), c(1.0)});
  if (name == "tanh_shrink") return b.add("Sub", {v, b.add("Tanh", {v})});
  if (name == "squareplus")  // (x + sqrt(x^2 + 4)) / 2
    return b.add("Div", {b.add("Add", {v, b.add("Sqrt", {b.add("Add", {b.add("Mul", {v, v}), c(4.0)})})}), c(2.0)});
  if (name == "soft_shrink")
    return b.add("Shrink", {v}, {A::make_float("lambd", 0.5), A::make_float("bias", 0.5)});
  if (name == "hard_shrink")
    return b.add("Shrink", {v}, {A::make_float("lambd", 0.5), A::make_float("bias", 0.0)});
  if (name == "sparse_plus") {  // 0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1
    std::string t = b.add("Add", {b.add("Clip", {v, c(-1.0), c(1.0)}), c(1.0)});
    std::string mid = b.add("Mul", {b.add("Mul", {t, t}), c(0.25)});
    return b.add("Where", {b.add("GreaterOrEqual", {v, c(1.0)}), v, mid});
  }
  if (name == "sparse_sigmoid") return b.add("Clip", {b.add("Mul", {b.add("Add", {v, c(1.0)}), c(0.5)}), c(0.0), c(1.0)});
  if (name == "glu") {  // a * sigmoid(b), a and b the halves of the last axis
    if (x.shape.empty() || (x.shape.back() >= 0 && x.shape.back() % 2 != 0))
      call.fail("activation 'glu' needs an even size on the last axis, but the input has shape " +
                layers::shape_str(x.shape));
    std::vector<std::string> halves = b.add_n("Split", {v}, 2, {A::make_int("axis", -1)});
    return b.add("Mul", {halves[0], b.add("Sigmoid", {halves[1]})});
  }
  call.fail("activation '" + name + "' has no ONNX mapping (only keras.activations' built-in functions export)");
}
}  // namespace

OnnxValue add_activation(GraphBuilder& b, const std::string& name, const OnnxValue& x, const LayerCall& call) {
  OnnxValue y{activation_node(b, name, x, call), x.shape, x.dtype};
  if (name == "glu" && !y.shape.empty() && y.shape.back() > 0) y.shape.back() /= 2;
  return y;
}

}  // namespace keras::saving::onnx
