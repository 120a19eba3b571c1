// symbolic_ops.cpp - keras::ops and operators on KerasTensors as operation nodes
// (symbolic_ops.h).
#include "keras/symbolic_ops.h"

#include "core/dtype.h"

namespace keras::layers {

namespace {
KerasTensor op(const char* cls, const std::vector<OpArg>& args, const Config& config = Config::object()) {
  return operation(cls, args, config).single();
}
Config one(const char* key, Value v) {
  Config c = Config::object();
  c[key] = std::move(v);
  return c;
}
Value axes_value(const std::vector<int64_t>& axes) {
  if (axes.empty()) return Value();
  if (axes.size() == 1) return Value(static_cast<long long>(axes[0]));
  return Value(axes);
}
Config reduce_config(const std::vector<int64_t>& axes, bool keepdims) {
  Config c = one("axis", axes_value(axes));
  c["keepdims"] = keepdims;
  return c;
}
}  // namespace

KerasTensor operator+(const KerasTensor& a, const KerasTensor& b) { return op("Add", {a, b}); }
KerasTensor operator+(const KerasTensor& a, double b) { return op("Add", {a, b}); }
KerasTensor operator+(double a, const KerasTensor& b) { return op("Add", {a, b}); }
KerasTensor operator-(const KerasTensor& a, const KerasTensor& b) { return op("Subtract", {a, b}); }
KerasTensor operator-(const KerasTensor& a, double b) { return op("Subtract", {a, b}); }
KerasTensor operator-(double a, const KerasTensor& b) { return op("Subtract", {a, b}); }
KerasTensor operator*(const KerasTensor& a, const KerasTensor& b) { return op("Multiply", {a, b}); }
KerasTensor operator*(const KerasTensor& a, double b) { return op("Multiply", {a, b}); }
KerasTensor operator*(double a, const KerasTensor& b) { return op("Multiply", {a, b}); }
KerasTensor operator/(const KerasTensor& a, const KerasTensor& b) { return op("TrueDivide", {a, b}); }
KerasTensor operator/(const KerasTensor& a, double b) { return op("TrueDivide", {a, b}); }
KerasTensor operator/(double a, const KerasTensor& b) { return op("TrueDivide", {a, b}); }
KerasTensor operator-(const KerasTensor& a) { return op("Negative", {a}); }
KerasTensor operator>(const KerasTensor& a, double b) { return op("Greater", {a, b}); }
KerasTensor operator>=(const KerasTensor& a, double b) { return op("GreaterEqual", {a, b}); }
KerasTensor operator<(const KerasTensor& a, double b) { return op("Less", {a, b}); }
KerasTensor operator<=(const KerasTensor& a, double b) { return op("LessEqual", {a, b}); }

}  // namespace keras::layers

namespace keras::core::ops {

using layers::op;
using layers::one;
using layers::reduce_config;
using layers::OpArg;

#define KERAS_SYMBOLIC_UNARY(fn, cls) \
  KerasTensor fn(const KerasTensor& x) { return op(cls, {x}); }
KERAS_SYMBOLIC_UNARY(relu, "Relu")
KERAS_SYMBOLIC_UNARY(relu6, "Relu6")
KERAS_SYMBOLIC_UNARY(sigmoid, "Sigmoid")
KERAS_SYMBOLIC_UNARY(hard_sigmoid, "HardSigmoid")
KERAS_SYMBOLIC_UNARY(hard_silu, "HardSilu")
KERAS_SYMBOLIC_UNARY(hard_swish, "HardSilu")
KERAS_SYMBOLIC_UNARY(silu, "Silu")
KERAS_SYMBOLIC_UNARY(swish, "Silu")
KERAS_SYMBOLIC_UNARY(selu, "Selu")
KERAS_SYMBOLIC_UNARY(softplus, "Softplus")
KERAS_SYMBOLIC_UNARY(softsign, "Softsign")
KERAS_SYMBOLIC_UNARY(tanh, "Tanh")
KERAS_SYMBOLIC_UNARY(exp, "Exp")
KERAS_SYMBOLIC_UNARY(log, "Log")
KERAS_SYMBOLIC_UNARY(sqrt, "Sqrt")
KERAS_SYMBOLIC_UNARY(rsqrt, "Rsqrt")
KERAS_SYMBOLIC_UNARY(square, "Square")
KERAS_SYMBOLIC_UNARY(abs, "Absolute")
KERAS_SYMBOLIC_UNARY(negative, "Negative")
KERAS_SYMBOLIC_UNARY(erf, "Erf")
KERAS_SYMBOLIC_UNARY(floor, "Floor")
KERAS_SYMBOLIC_UNARY(sign, "Sign")
#undef KERAS_SYMBOLIC_UNARY

#define KERAS_SYMBOLIC_BINARY(fn, cls) \
  KerasTensor fn(const KerasTensor& a, const OpArg& b) { return op(cls, {a, b}); }
KERAS_SYMBOLIC_BINARY(add, "Add")
KERAS_SYMBOLIC_BINARY(subtract, "Subtract")
KERAS_SYMBOLIC_BINARY(multiply, "Multiply")
KERAS_SYMBOLIC_BINARY(divide, "Divide")
KERAS_SYMBOLIC_BINARY(maximum, "Maximum")
KERAS_SYMBOLIC_BINARY(minimum, "Minimum")
KERAS_SYMBOLIC_BINARY(power, "Power")
#undef KERAS_SYMBOLIC_BINARY

KerasTensor matmul(const KerasTensor& a, const KerasTensor& b) { return op("Matmul", {a, b}); }
KerasTensor where(const KerasTensor& condition, const OpArg& x, const OpArg& y) {
  return op("Where", {condition, x, y});
}
KerasTensor gelu(const KerasTensor& x, bool approximate) { return op("Gelu", {x}, one("approximate", approximate)); }
KerasTensor elu(const KerasTensor& x, double alpha) { return op("Elu", {x}, one("alpha", alpha)); }
KerasTensor leaky_relu(const KerasTensor& x, double negative_slope) {
  return op("LeakyRelu", {x}, one("negative_slope", negative_slope));
}
KerasTensor softmax(const KerasTensor& x, int64_t axis) { return op("Softmax", {x}, one("axis", int64_t(axis))); }
KerasTensor log_softmax(const KerasTensor& x, int64_t axis) { return op("LogSoftmax", {x}, one("axis", axis)); }

KerasTensor mean(const KerasTensor& x, const std::vector<int64_t>& axes, bool keepdims) {
  return op("Mean", {x}, reduce_config(axes, keepdims));
}
KerasTensor sum(const KerasTensor& x, const std::vector<int64_t>& axes, bool keepdims) {
  return op("Sum", {x}, reduce_config(axes, keepdims));
}
KerasTensor max(const KerasTensor& x, const std::vector<int64_t>& axes, bool keepdims) {
  return op("Max", {x}, reduce_config(axes, keepdims));
}
KerasTensor min(const KerasTensor& x, const std::vector<int64_t>& axes, bool keepdims) {
  return op("Min", {x}, reduce_config(axes, keepdims));
}
KerasTensor argmax(const KerasTensor& x, std::optional<int64_t> axis, bool keepdims) {
  return op("Argmax", {x}, reduce_config(axis ? std::vector<int64_t>{*axis} : std::vector<int64_t>{}, keepdims));
}

KerasTensor reshape(const KerasTensor& x, const std::vector<int64_t>& newshape) {
  return op("Reshape", {x}, one("newshape", Value(newshape)));
}
KerasTensor transpose(const KerasTensor& x, const std::vector<int64_t>& axes) {
  return op("Transpose", {x}, one("axes", axes.empty() ? Value() : Value(axes)));
}
KerasTensor expand_dims(const KerasTensor& x, int64_t axis) { return op("ExpandDims", {x}, one("axis", axis)); }
KerasTensor squeeze(const KerasTensor& x, const std::vector<int64_t>& axes) {
  return op("Squeeze", {x}, one("axis", layers::axes_value(axes)));
}
KerasTensor concatenate(const std::vector<KerasTensor>& xs, int64_t axis) {
  return op("Concatenate", {xs}, one("axis", axis));
}
KerasTensor stack(const std::vector<KerasTensor>& xs, int64_t axis) { return op("Stack", {xs}, one("axis", axis)); }
KerasTensor cast(const KerasTensor& x, DType dtype) { return op("Cast", {x}, one("dtype", dtype_name(dtype))); }
KerasTensor clip(const KerasTensor& x, Number x_min, Number x_max) {
  auto number = [](const Number& n) { return n.integral ? Value(static_cast<long long>(n.value)) : Value(n.value); };
  Config c = one("x_min", number(x_min));
  c["x_max"] = number(x_max);
  return op("Clip", {x}, c);
}
KerasTensor take(const KerasTensor& x, const KerasTensor& indices, std::optional<int64_t> axis) {
  return op("Take", {x, indices}, one("axis", axis ? Value(static_cast<long long>(*axis)) : Value()));
}

KerasTensor get_item(const KerasTensor& x, const std::vector<Index>& key) {
  std::vector<Value> items;
  auto opt = [](const std::optional<int64_t>& v) { return v ? Value(static_cast<long long>(*v)) : Value(); };
  for (const Index& i : key) {
    switch (i.kind) {
      case Index::Kind::integer: items.push_back(Value(static_cast<long long>(i.value))); break;
      case Index::Kind::new_axis: items.push_back(Value()); break;
      case Index::Kind::ellipsis: {
        Value e = Value::object();
        e["class_name"] = "__ellipsis__";
        e["config"] = Config::object();
        items.push_back(e);
        break;
      }
      case Index::Kind::slice: {
        Config c = one("start", opt(i.slice.start));
        c["stop"] = opt(i.slice.stop);
        c["step"] = opt(i.slice.step);
        Value s = Value::object();
        s["class_name"] = "__slice__";
        s["config"] = c;
        items.push_back(s);
        break;
      }
      case Index::Kind::tensor:
        throw std::invalid_argument("get_item: a symbolic tensor's key takes integers, Slice, NewAxis and Ellipsis; "
                                    "use take() for tensor indices");
    }
  }
  return op("GetItem", {x, Value(items)});
}

}  // namespace keras::core::ops
