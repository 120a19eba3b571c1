// legacy_h5_config.cpp - the model_config and training_config of legacy HDF5 model files
// (Keras 2's forms) as Keras 3's config.json and compile_config, and Lambda layers' Python
// functions as registered C++ ones (legacy_h5_model.h).
#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "keras/saving/keras_config.h"
#include "keras/saving/legacy_h5_model.h"

namespace keras::saving::detail {
namespace {

bool is_model_class(const std::string& c) { return c == "Sequential" || c == "Functional" || c == "Model"; }

// The object without `keys`.
Value without(const Value& v, std::initializer_list<const char*> keys) {
  Value out = Value::object();
  for (const auto& item : v.items()) {
    const std::string& k = item.first;
    if (std::none_of(keys.begin(), keys.end(), [&](const char* d) { return k == d; })) out[k] = item.second;
  }
  return out;
}

// What an upgrade knows of the file.
struct Upgrade {
  bool keras2 = true;  // written by Keras 2 (its hard_sigmoid differs from Keras 3's)
};

Value upgrade_entry(const Value& entry, Upgrade& u);

}  // namespace

Value lambda_layer_config(const Value& config) {
  if (!config.is_object() || field(config, "function").type() == Value::Type::string) return config;
  const std::string name = string_field(config, "name");
  const Value& arguments = field(config, "arguments");
  if (arguments.is_object() && !arguments.items().empty())
    throw std::invalid_argument("the Lambda layer '" + name + "' passes arguments " + arguments.to_json() +
                                " to its Python function, which a C++ function registered for it cannot take");
  Value c = without(config, {"function", "function_type", "module", "output_shape", "output_shape_type",
                             "output_shape_module", "arguments"});
  c["function"] = name;  // the layer's name: register_lambda(name, fn) gives its C++ function
  const Value& shape = field(config, "output_shape");
  if (shape.type() == Value::Type::list && string_field(config, "output_shape_type") != "lambda")
    c["output_shape"] = shape;
  return c;
}

namespace {

// A layer's own options as Keras 3's legacy loader reads them (saving_utils.model_from_config).
Value upgrade_layer_config(const std::string& cls, const Value& config, Upgrade& u) {
  if (!config.is_object()) return config;
  if (cls == "Lambda") return lambda_layer_config(config);
  Value c = Value::object();
  for (const auto& [k, v] : config.items()) {
    if (k == "batch_input_shape") {
      if (cls == "InputLayer") c["batch_shape"] = v;
      continue;  // another layer's: its model's input (see keras2_model_config)
    }
    if (k == "input_length" && cls == "Embedding") continue;
    if (k == "implementation") continue;  // Keras 2's RNN kernels' order of operations: the same results
    if (k == "time_major" && v.type() == Value::Type::boolean && !v.as_bool()) continue;  // Keras 2's default
    // Keras 2's separable, depthwise and transposed convolutions inherited Conv's groups (1)
    // and the separable ones its unused kernel options.
    const bool derived_conv =
        cls.find("Transpose") != std::string::npos || cls.rfind("Depthwise", 0) == 0 || cls.rfind("Separable", 0) == 0;
    if (derived_conv && k == "groups" && v == Value(1)) continue;
    if (cls.rfind("Separable", 0) == 0 &&
        (k == "kernel_initializer" || k == "kernel_regularizer" || k == "kernel_constraint"))
      continue;
    // Keras 2's MultiHeadAttention records the shapes it was built for; the call builds it.
    if ((k == "query_shape" || k == "key_shape" || k == "value_shape") && cls == "MultiHeadAttention") continue;
    if ((k == "activation" || k == "recurrent_activation") && v.type() == Value::Type::string) {
      if (v.as_string() == "swish") {  // Keras 3's name for it
        c[k] = "silu";
        continue;
      }
      if (v.as_string() == "hard_sigmoid" && u.keras2) {  // Keras 2's slope 0.2, not Keras 3's 1/6
        c[k] = "keras2_hard_sigmoid";
        continue;
      }
    }
    if (k == "alpha" && cls == "LeakyReLU") {  // Keras 3's name for it
      c["negative_slope"] = v;
      continue;
    }
    if (k == "axis" && v.type() == Value::Type::list && v.as_list().size() == 1) {
      c[k] = v.as_list()[0];
      continue;
    }
    if (k == "dtype" && v.is_object() && string_field(v, "class_name") == "Policy") {
      c[k] = field(field(v, "config"), "name");
      continue;
    }
    // Wrapped layers and cells (Bidirectional, TimeDistributed, RNN, StackedRNNCells).
    if ((k == "layer" || k == "backward_layer" || k == "cell") && v.is_object() && v.contains("class_name")) {
      c[k] = upgrade_entry(v, u);
      // Keras 3's Bidirectional names its copies forward_<name> and backward_<name>, Keras 2
      // wrote the layer it was given.
      const std::string prefix = k == "layer" ? "forward_" : "backward_";
      Value& layer_config = c[k]["config"];
      const std::string inner = cls == "Bidirectional" && k != "cell" ? string_field(layer_config, "name") : "";
      if (!inner.empty() && inner.rfind(prefix, 0) != 0) layer_config["name"] = prefix + inner;
      continue;
    }
    if (k == "cells" && v.type() == Value::Type::list) {
      std::vector<Value> cells;
      for (const Value& x : v.as_list()) cells.push_back(x.is_object() ? upgrade_entry(x, u) : x);
      c[k] = Value(cells);
      continue;
    }
    c[k] = v;
  }
  return c;
}

// A legacy reference [name, node, index(, kwargs)] (or a keyword argument holding some) to
// a layer in `shifted` takes its node index one lower.
void shift_refs(Value& v, const std::set<std::string>& shifted) {
  if (v.type() == Value::Type::object) {
    std::vector<std::string> keys;
    for (const auto& [k, x] : v.items()) keys.push_back(k);
    for (const std::string& k : keys) shift_refs(v[k], shifted);
    return;
  }
  if (v.type() != Value::Type::list) return;
  std::vector<Value>& r = v.as_list();
  if (r.size() >= 3 && r[0].type() == Value::Type::string && r[1].type() == Value::Type::integer) {
    if (shifted.count(r[0].as_string()) && r[1].as_int() > 0) r[1] = Value(r[1].as_int() - 1);
    for (size_t i = 3; i < r.size(); ++i) shift_refs(r[i], shifted);
    return;
  }
  for (Value& x : r) shift_refs(x, shifted);
}

// Keras 2 numbers the calls of a nested model whose first layer is an InputLayer from 1
// (node 0, the model's own graph, is not saved: tf_keras's _should_skip_first_node); Keras
// 3 and keras-cpp number them from 0.
void renumber_nested_calls(const Value& original_layers, std::vector<Value>& layers, Value& config) {
  std::set<std::string> shifted;
  for (const Value& l : original_layers.as_list()) {
    const std::string cls = string_field(l, "class_name");
    if (cls != "Functional" && cls != "Model" && cls != "Sequential") continue;
    const Value& inner = field(field(l, "config"), "layers");
    if (inner.type() == Value::Type::list && !inner.as_list().empty() &&
        string_field(inner.as_list()[0], "class_name") == "InputLayer")
      shifted.insert(string_field(l, "name", string_field(field(l, "config"), "name")));
  }
  if (shifted.empty()) return;
  for (Value& l : layers)
    if (l.contains("inbound_nodes") && field(l, "inbound_nodes").type() == Value::Type::list)
      for (Value& node : l["inbound_nodes"].as_list())
        if (node.type() == Value::Type::list)
          shift_refs(node, shifted);  // (Keras 3's {args, kwargs} nodes count from 0)
  if (config.contains("output_layers")) shift_refs(config["output_layers"], shifted);
}

Value upgrade_model_config(const std::string& cls, const Value& config, Upgrade& u) {
  Value c = upgrade_layer_config(cls, without(config, {"layers"}), u);
  std::vector<Value> layers;
  const Value& ls = field(config, "layers");
  for (const Value& l : ls.type() == Value::Type::list ? ls.as_list() : std::vector<Value>{})
    layers.push_back(upgrade_entry(l, u));
  // Keras 2 wrote a Sequential model built from its first layer's input_shape without an
  // InputLayer (before 2.4): the first layer's batch_input_shape is the model's input.
  if (cls == "Sequential" && !ls.as_list().empty() && string_field(ls.as_list()[0], "class_name") != "InputLayer") {
    const Value& first = field(ls.as_list()[0], "config");
    const Value& shape = field(first, "batch_input_shape");
    if (!shape.is_null()) {
      Value input_config = Value::object();
      input_config["batch_shape"] = shape;
      const Value& dtype = field(first, "dtype");
      if (dtype.type() == Value::Type::string) input_config["dtype"] = dtype;
      Value input = Value::object();
      input["class_name"] = "InputLayer";
      input["config"] = input_config;
      layers.insert(layers.begin(), input);
    }
  }
  if (cls == "Functional" && ls.type() == Value::Type::list) renumber_nested_calls(ls, layers, c);
  for (Value& l : layers)  // Keras 2's TensorFlow calls as keras.ops calls
    if (string_field(l, "class_name") == "TFOpLambda" || string_field(l, "class_name") == "SlicingOpLambda")
      l = tf_op_lambda_entry(l);
  c["layers"] = Value(layers);
  return c;
}

Value upgrade_entry(const Value& entry, Upgrade& u) {
  if (!entry.is_object()) return entry;
  Value out = Value::object();
  std::string cls = string_field(entry, "class_name");
  if (cls == "Model") cls = "Functional";
  for (const auto& [k, v] : entry.items()) {
    if (k == "class_name")
      out[k] = cls;
    else if (k == "config")
      out[k] = is_model_class(cls) ? upgrade_model_config(cls, v, u) : upgrade_layer_config(cls, v, u);
    else
      out[k] = v;
  }
  return out;
}

// One metric entry; `prefix` ("<output>_") is taken off its name, which Keras 2 gave
// per-output metrics and keras-cpp's logs add again.
Value upgrade_metric(const Value& m, const std::string& prefix) {
  if (!m.is_object()) return m;
  Value c = field(m, "config").is_object() ? field(m, "config") : Value::object();
  const std::string cls = string_field(m, "class_name");  // (MeanMetricWrapper's "fn" is a built-in metric function)
  const std::string name = string_field(c, "name");
  if (!prefix.empty() && name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0)
    c["name"] = name.substr(prefix.size());
  Value out = Value::object();
  out["class_name"] = cls;
  out["config"] = c;
  return out;
}

// A metrics value of a training_config: Keras 2 wrote one list per output ([[...]] for one
// output), or a dict by output name.
Value upgrade_metrics(const Value& v, const std::vector<std::string>& outputs) {
  if (v.is_null()) return v;
  auto one_output = [](const Value& list, const std::string& prefix) {
    std::vector<Value> out;
    for (const Value& m : list.type() == Value::Type::list ? list.as_list() : std::vector<Value>{list})
      if (!m.is_null()) out.push_back(upgrade_metric(m, prefix));
    return Value(out);
  };
  if (v.is_object() && !v.contains("class_name")) {
    Value out = Value::object();
    for (const auto& [k, x] : v.items()) out[k] = one_output(x, outputs.size() > 1 ? k + "_" : "");
    return out;
  }
  if (v.type() != Value::Type::list) return one_output(v, "");
  const auto& items = v.as_list();
  const bool nested =
      std::any_of(items.begin(), items.end(), [](const Value& x) { return x.type() == Value::Type::list; });
  if (!nested) return one_output(v, "");
  if (items.size() == 1) return one_output(items[0], "");
  std::vector<Value> lists;
  for (size_t i = 0; i < items.size(); ++i)
    lists.push_back(one_output(items[i], i < outputs.size() && outputs.size() > 1 ? outputs[i] + "_" : ""));
  return Value(lists);
}

Value upgrade_loss(const Value& l) {
  if (!l.is_object()) return l;
  Value c = without(field(l, "config"), {"fn"});
  if (string_field(c, "reduction") == "auto") c["reduction"] = "sum_over_batch_size";
  Value out = Value::object();
  out["class_name"] = string_field(l, "class_name");
  out["config"] = c;
  return out;
}

// A value given by output name (Keras 2's loss={"a": ...}, loss_weights={"a": ...}) as a
// list in the model's output order; any other value unchanged.
Value by_output(const Value& v, const std::vector<std::string>& outputs, const char* what) {
  if (!v.is_object() || v.contains("class_name")) return v;
  for (const auto& [k, x] : v.items())
    if (std::find(outputs.begin(), outputs.end(), k) == outputs.end())
      throw std::invalid_argument(std::string(what) + " given for an output named '" + k +
                                  "', which the model does not have");
  std::vector<Value> out;
  for (const std::string& o : outputs) out.push_back(v.get(o, Value()));
  return Value(out);
}

Value upgrade_optimizer(const Value& o) {
  std::string cls = string_field(o, "class_name");
  if (cls.rfind("Custom>", 0) == 0) cls = cls.substr(7);  // tf_keras's registered name of its optimizers
  Value c = field(o, "config");
  if (!c.is_object()) throw std::invalid_argument("the optimizer_config has no config: " + o.to_json());
  if (c.contains("lr") && !c.contains("learning_rate")) {  // Keras 2 before 2.3
    Value renamed = Value::object();
    for (const auto& [k, x] : c.items()) renamed[k == "lr" ? "learning_rate" : k] = x;
    c = renamed;
  }
  const Value& decay = field(c, "decay");
  if (!decay.is_null() && cls == "Nadam" && !c.contains("is_legacy_optimizer"))
    throw std::invalid_argument("the legacy Nadam (its option decay=" + decay.to_json() +
                                " is the decay of its momentum schedule, which Keras 3's Nadam does not have)");
  if (!decay.is_null() && decay.as_double() != 0.0)
    throw std::invalid_argument("the legacy optimizer option decay=" + decay.to_json() +
                                " (Keras 2's learning-rate decay by iteration; use a LearningRateSchedule)");
  const bool ema = field(c, "use_ema").type() == Value::Type::boolean && field(c, "use_ema").as_bool();
  c = ema ? without(c, {"jit_compile", "is_legacy_optimizer", "decay"})
          : without(c, {"jit_compile", "is_legacy_optimizer", "decay", "ema_momentum", "ema_overwrite_frequency"});
  Value out = Value::object();
  out["class_name"] = cls;
  out["config"] = c;
  return out;
}

}  // namespace

Value keras2_model_config(const Value& model_config, bool written_by_keras2) {
  Upgrade u{written_by_keras2};
  return upgrade_entry(model_config, u);
}

Value keras2_compile_config(const Value& tc, const Model& model) {
  if (!tc.is_object()) throw std::invalid_argument("the training_config is not a JSON object");
  const std::vector<std::string> outputs = model.output_names();
  const Value& opt = field(tc, "optimizer_config");
  if (!opt.is_object()) throw std::invalid_argument("the training_config has no optimizer_config");
  Value cc = Value::object();
  cc["optimizer"] = upgrade_optimizer(opt);
  Value loss = by_output(field(tc, "loss"), outputs, "a loss");
  if (loss.type() == Value::Type::list) {
    std::vector<Value> each;
    for (const Value& l : loss.as_list()) each.push_back(upgrade_loss(l));
    loss = Value(each);
  } else {
    loss = upgrade_loss(loss);
  }
  cc["loss"] = loss;
  cc["loss_weights"] = by_output(field(tc, "loss_weights"), outputs, "a loss weight");
  cc["metrics"] = upgrade_metrics(field(tc, "metrics"), outputs);
  cc["weighted_metrics"] = upgrade_metrics(field(tc, "weighted_metrics"), outputs);
  return cc;
}

}  // namespace keras::saving::detail
