// legacy_h5_tfop.cpp - Keras 2's TFOpLambda layers (a TensorFlow function called on
// symbolic tensors in a functional model: tf.nn.relu(x), x * 2.0, tf.concat([a, b], -1))
// as the keras.ops calls of Keras 3's config.json (legacy_h5_model.h).
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "keras/saving/keras_config.h"
#include "keras/saving/legacy_h5_model.h"

namespace keras::saving::detail {
namespace {

// A TensorFlow function as a keras.ops class: the TensorFlow names of its positional
// arguments after the first (taken from the call's keyword arguments) and of its options
// (with the op's config key for each).
struct TfOp {
  const char* op;
  std::vector<const char*> args;
  std::vector<std::pair<const char*, const char*>> options;
};

const std::map<std::string, TfOp>& tf_ops() {
  static const std::map<std::string, TfOp> t = [] {
    std::map<std::string, TfOp> m;
    for (const char* f : {"__operators__.add", "math.add"}) m[f] = {"Add", {"y"}, {}};
    m["math.subtract"] = {"Subtract", {"y"}, {}};
    m["math.multiply"] = {"Multiply", {"y"}, {}};
    for (const char* f : {"math.truediv", "math.divide"}) m[f] = {"Divide", {"y"}, {}};
    m["math.maximum"] = {"Maximum", {"y"}, {}};
    m["math.minimum"] = {"Minimum", {"y"}, {}};
    m["math.pow"] = {"Power", {"y"}, {}};
    for (const char* f : {"linalg.matmul", "__operators__.matmul"}) m[f] = {"Matmul", {"b"}, {}};
    const std::pair<const char*, const char*> unary[] = {{"nn.relu", "Relu"},
                                                         {"nn.relu6", "Relu6"},
                                                         {"math.sigmoid", "Sigmoid"},
                                                         {"nn.sigmoid", "Sigmoid"},
                                                         {"math.tanh", "Tanh"},
                                                         {"nn.tanh", "Tanh"},
                                                         {"math.exp", "Exp"},
                                                         {"math.log", "Log"},
                                                         {"math.sqrt", "Sqrt"},
                                                         {"math.rsqrt", "Rsqrt"},
                                                         {"math.square", "Square"},
                                                         {"math.abs", "Absolute"},
                                                         {"math.negative", "Negative"},
                                                         {"math.reciprocal", "Reciprocal"},
                                                         {"math.softplus", "Softplus"},
                                                         {"nn.softplus", "Softplus"},
                                                         {"nn.silu", "Silu"},
                                                         {"nn.swish", "Silu"},
                                                         {"nn.elu", "Elu"},
                                                         {"nn.selu", "Selu"},
                                                         {"math.erf", "Erf"},
                                                         {"math.floor", "Floor"},
                                                         {"math.ceil", "Ceil"},
                                                         {"math.round", "Round"},
                                                         {"math.sin", "Sin"},
                                                         {"math.cos", "Cos"},
                                                         {"math.log1p", "Log1p"},
                                                         {"math.expm1", "Expm1"},
                                                         {"math.sign", "Sign"}};
    for (const auto& [f, op] : unary) m[f] = {op, {}, {}};
    const std::pair<const char*, const char*> reductions[] = {{"math.reduce_mean", "Mean"},
                                                              {"math.reduce_sum", "Sum"},
                                                              {"math.reduce_max", "Max"},
                                                              {"math.reduce_min", "Min"},
                                                              {"math.reduce_prod", "Prod"}};
    for (const auto& [f, op] : reductions) m[f] = {op, {}, {{"axis", "axis"}, {"keepdims", "keepdims"}}};
    for (const char* f : {"nn.softmax", "math.softmax"}) m[f] = {"Softmax", {}, {{"axis", "axis"}}};
    m["reshape"] = {"Reshape", {}, {{"shape", "newshape"}}};
    for (const char* f : {"transpose", "compat.v1.transpose"}) m[f] = {"Transpose", {}, {{"perm", "axes"}}};
    m["expand_dims"] = {"ExpandDims", {}, {{"axis", "axis"}}};
    for (const char* f : {"squeeze", "compat.v1.squeeze"}) m[f] = {"Squeeze", {}, {{"axis", "axis"}}};
    m["concat"] = {"Concatenate", {}, {{"axis", "axis"}}};
    m["stack"] = {"Stack", {}, {{"axis", "axis"}}};
    m["cast"] = {"Cast", {}, {{"dtype", "dtype"}}};
    return m;
  }();
  return t;
}

bool is_ref(const Value& v) {  // [name, node, index(, kwargs)]
  if (v.type() != Value::Type::list) return false;
  const auto& l = v.as_list();
  return l.size() >= 3 && l[0].type() == Value::Type::string && l[1].type() == Value::Type::integer &&
         l[2].type() == Value::Type::integer;
}

// A reference as Keras 3 writes a tensor argument; lists map item by item; constants stay.
Value keras_tensor(const Value& v) {
  if (is_ref(v)) {
    const auto& l = v.as_list();
    Value c = Value::object();
    c["keras_history"] = Value::list({l[0], l[1], l[2]});
    Value t = Value::object();
    t["class_name"] = "__keras_tensor__";
    t["config"] = c;
    return t;
  }
  if (v.type() != Value::Type::list) return v;
  std::vector<Value> out;
  for (const Value& x : v.as_list()) out.push_back(keras_tensor(x));
  return Value(out);
}

// Keras 2's slice_spec item as keras.ops.GetItem's key item: a slice {"start", "stop",
// "step"} as Keras 3's "__slice__" entry; an integer, null (a new axis) or Ellipsis as it is.
Value slice_item(const Value& v, const std::string& name) {
  if (v.type() == Value::Type::integer || v.is_null()) return v;
  if (v.is_object() && string_field(v, "class_name") == "__ellipsis__") return v;
  if (v.is_object() && v.contains("start") && v.contains("stop")) {
    Value c = Value::object();
    for (const char* k : {"start", "stop", "step"}) {
      const Value& x = field(v, k);
      if (!x.is_null() && x.type() != Value::Type::integer)
        throw std::invalid_argument("the layer '" + name + "' slices with " + k + "=" + x.to_json() +
                                    ", which keras-cpp does not read (integers or None)");
      c[k] = x;
    }
    Value out = Value::object();
    out["class_name"] = "__slice__";
    out["config"] = c;
    return out;
  }
  throw std::invalid_argument("the layer '" + name + "' slices with " + v.to_json() +
                              ", which keras-cpp does not read");
}

// Keras 3's entry of a keras.ops call: class `op`, options `op_config` (with the name),
// positional `args`.
Value op_entry(const char* op, const std::string& name, Value op_config, std::vector<Value> args) {
  op_config["name"] = name;
  Value call = Value::object();
  call["args"] = Value(std::move(args));
  call["kwargs"] = Value::object();
  Value out = Value::object();
  out["module"] = "keras.src.ops";
  out["class_name"] = op;
  out["config"] = std::move(op_config);
  out["name"] = name;
  out["inbound_nodes"] = Value::list({call});
  return out;
}

}  // namespace

Value tf_op_lambda_entry(const Value& entry) {
  const Value& config = field(entry, "config");
  const std::string name = string_field(entry, "name", string_field(config, "name"));
  const std::string fn = string_field(config, "function");
  if (string_field(entry, "class_name") == "SlicingOpLambda" && fn == "__operators__.getitem") {
    // x[...]: one reference carrying slice_spec.
    const Value& inbound = field(entry, "inbound_nodes");
    const Value node =
        inbound.type() == Value::Type::list && inbound.as_list().size() == 1 ? inbound.as_list()[0] : Value();
    if (!is_ref(node) || node.as_list().size() < 4 || field(node.as_list()[3], "slice_spec").is_null())
      throw std::invalid_argument("the layer '" + name + "' (a slice) must have one inbound node with its slice_spec");
    const Value& spec = field(node.as_list()[3], "slice_spec");
    Value key;
    if (spec.type() == Value::Type::list) {
      std::vector<Value> items;
      for (const Value& v : spec.as_list()) items.push_back(slice_item(v, name));
      key = Value(items);
    } else {
      key = slice_item(spec, name);
    }
    return op_entry("GetItem", name, Value::object(), {keras_tensor(node), key});
  }
  const auto it = tf_ops().find(fn);
  if (it == tf_ops().end())
    throw std::invalid_argument("the layer '" + name + "' calls TensorFlow's tf." + fn +
                                ", which keras-cpp does not read (see README, \"Keras 2's TensorFlow calls\")");
  const TfOp& spec = it->second;
  const Value& inbound = field(entry, "inbound_nodes");
  if (inbound.type() != Value::Type::list || inbound.as_list().size() != 1)
    throw std::invalid_argument("the layer '" + name + "' (tf." + fn + ") must have one inbound node");
  // Keras 2 keeps the first argument's structure: one reference, or a list of them, each
  // carrying the call's other arguments by name.
  const Value& node = inbound.as_list()[0];
  Value kwargs;
  if (is_ref(node)) {
    if (node.as_list().size() > 3) kwargs = node.as_list()[3];
  } else if (node.type() == Value::Type::list && !node.as_list().empty() && is_ref(node.as_list().back())) {
    const auto& last = node.as_list().back().as_list();
    if (last.size() > 3) kwargs = last[3];
  } else {
    throw std::invalid_argument("the layer '" + name + "' (tf." + fn +
                                ") has an inbound node Keras 2 does not write: " + node.to_json());
  }
  std::vector<Value> args = {keras_tensor(node)};
  for (const char* a : spec.args) {
    if (!kwargs.is_object() || !kwargs.contains(a))
      throw std::invalid_argument("the layer '" + name + "' (tf." + fn + ") has no argument '" + a + "'");
    args.push_back(keras_tensor(field(kwargs, a)));
  }
  Value op_config = Value::object();
  for (const auto& [tf_key, key] : spec.options)
    if (kwargs.is_object() && kwargs.contains(tf_key)) op_config[key] = field(kwargs, tf_key);
  // What else the call passed must change nothing.
  if (!kwargs.is_object()) kwargs = Value::object();
  for (const auto& [k, v] : kwargs.items()) {
    bool known = k == "name" || (k == "conjugate" && v == Value(false));
    for (const char* a : spec.args) known = known || k == a;
    for (const auto& [tf_key, key] : spec.options) known = known || k == tf_key;
    if (!known && !v.is_null())
      throw std::invalid_argument("the layer '" + name + "' (tf." + fn + ") passes " + k + "=" + v.to_json() +
                                  ", which keras-cpp does not read");
  }
  return op_entry(spec.op, name, op_config, args);
}

}  // namespace keras::saving::detail
