// keras_config_write.cpp - a keras-cpp model as Keras 3's config.json model entry
// (keras_config.h: cpp_to_keras).
#include <algorithm>
#include <map>
#include <stdexcept>

#include "keras/layers/operation.h"
#include "keras/layers/operation_table.h"
#include "keras/layers/registry.h"
#include "keras/layers/registry_internal.h"
#include "keras/saving/keras_config.h"
#include "keras/saving/object_registration.h"

namespace keras::saving::detail {

namespace {
// keras-cpp's own options, which Keras's layer constructors do not take.
const char* const kCppOnly[] = {"dynamic", "input_shape"};


Value shape_value(const ShapeSpec& s) {
  std::vector<Value> dims;
  for (int64_t d : s) dims.push_back(d < 0 ? Value() : Value(static_cast<long long>(d)));
  return Value(dims);
}

// keras-cpp writes an unknown dimension as -1, Keras as null.
Value dims_value(const Value& v) {
  if (v.type() != Value::Type::list) return v;
  std::vector<Value> out;
  for (const Value& d : v.as_list())
    out.push_back(d.type() == Value::Type::integer && d.as_int() < 0 ? Value() : d);
  return Value(out);
}

}  // namespace

Value keras_entry(const char* module, const std::string& cls, Config config, Value registered) {
  Value e = Value::object();
  e["module"] = module;
  e["class_name"] = cls;
  e["config"] = std::move(config);
  e["registered_name"] = std::move(registered);
  return e;
}

namespace {

Config keras_layer_config(const Config& src);

bool is_layer_entry(const Value& v) {
  return v.is_object() && v.contains("class_name") && v.contains("config") &&
         v.at("class_name").type() == Value::Type::string && v.at("config").is_object() &&
         layers::is_registered(v.at("class_name").as_string());
}

// A layer's config for Keras: keras-cpp-only options left out, unknown dimensions as null,
// and nested layer configs (Bidirectional's and TimeDistributed's "layer", the cells of
// StackedRNNCells) as Keras entries.
Config keras_layer_config(const Config& src) {
  Config c = Config::object();
  for (const auto& [k, v] : src.items()) {
    bool skip = false;
    for (const char* x : kCppOnly) skip = skip || k == x;
    // true is every Keras layer's default, and a few (SpatialDropout*) do not take it.
    if (skip || (k == "trainable" && v == Value(true))) continue;
    if (k == "batch_shape") {
      c[k] = dims_value(v);
    } else if (is_layer_entry(v)) {
      c[k] = keras_entry("keras.layers", v.at("class_name").as_string(), keras_layer_config(v.at("config")));
    } else if (v.type() == Value::Type::list && !v.as_list().empty() &&
               std::all_of(v.as_list().begin(), v.as_list().end(), is_layer_entry)) {
      std::vector<Value> entries;
      for (const Value& e : v.as_list())
        entries.push_back(
            keras_entry("keras.layers", e.at("class_name").as_string(), keras_layer_config(e.at("config"))));
      c[k] = Value(entries);
    } else {
      c[k] = v;
    }
  }
  return c;
}

// A layer or, in a functional model, an operation node by name.
LayerPtr node_owner(const Model& model, const std::string& name) {
  if (const auto* f = dynamic_cast<const FunctionalModel*>(&model))
    for (const LayerPtr& l : f->operations())
      if (l->name() == name) return l;
  return model.get_layer(name);
}

Value layer_entry(const layers::Layer& l) {
  if (auto* m = dynamic_cast<const Model*>(&l)) return cpp_to_keras(*m);
  if (auto* op = dynamic_cast<const layers::OperationLayer*>(&l)) {
    Config c = Config::object();
    c["name"] = op->name();
    for (const auto& [k, v] : op->op_config().items()) c[k] = v;
    return keras_entry(op->keras_module().c_str(), op->keras_class(), c, op->keras_class());
  }
  // The layer classes keras.applications defines keep their module and registered name.
  static const std::map<std::string, const char*> application_modules = {
      {"LayerScale", "keras.src.applications.convnext"},
      {"CustomScaleLayer", "keras.src.applications.inception_resnet_v2"}};
  if (auto it = application_modules.find(l.class_name()); it != application_modules.end())
    return keras_entry(it->second, l.class_name(), keras_layer_config(l.get_config()), l.class_name());
  if (!layers::detail::is_builtin(l.class_name())) {
    // A user's class, as Keras writes a class registered with register_keras_serializable():
    // Keras finds it by its registered name ("package>Name"; "Custom>Name" when the class
    // was not registered through register_serializable) among its registered objects.
    std::string registered = registered_name_of(typeid(l));
    if (registered.empty()) registered = "Custom>" + l.class_name();
    Value e = keras_entry("", l.class_name(), keras_layer_config(l.get_config()), registered);
    e["module"] = Value();
    return e;
  }
  return keras_entry("keras.layers", l.class_name(), keras_layer_config(l.get_config()));
}

// {"class_name": "__keras_tensor__", ...} for keras-cpp's [layer, node, index].
Value keras_tensor(const Value& ref, const Model& model) {
  const auto& r = ref.as_list();
  const LayerPtr producer = node_owner(model, r.at(0).as_string());
  const size_t j = size_t(r.at(2).as_int());
  Value shape = Value::list();
  if (auto* in = dynamic_cast<const InputLayer*>(producer.get())) shape = dims_value(in->get_config().at("batch_shape"));
  else if (j < producer->output_shapes().size()) shape = shape_value(producer->output_shapes()[j]);
  Config c = Config::object();
  c["shape"] = shape;
  const auto* in = dynamic_cast<const InputLayer*>(producer.get());
  c["dtype"] = in ? in->get_config().get("dtype", Value("float32")) : Value(core::dtype_name(producer->output_dtype_of(j)));
  c["keras_history"] = ref;
  Value t = Value::object();
  t["class_name"] = "__keras_tensor__";
  t["config"] = c;
  return t;
}

// keras-cpp's inbound node (a list of tensor references, plus keyword arguments) as
// Keras 3's {"args", "kwargs"}: one tensor as the argument, several as one list (merge
// layers, Attention), MultiHeadAttention's and GroupQueryAttention's query and value as
// two arguments (key and attention mask as keywords), an RNN's extra inputs as initial_state.
// An operation's arguments: its constant arguments with the tensors in their places.
Value with_tensors(const Value& v, const std::vector<Value>& ts) {
  const int64_t k = layers::detail::marker_index(v);
  if (k >= 0) return ts.at(size_t(k));
  if (v.type() != Value::Type::list) return v;
  std::vector<Value> out;
  for (const Value& x : v.as_list()) out.push_back(with_tensors(x, ts));
  return Value(out);
}

Value keras_node(const layers::Layer& layer, const std::vector<Value>& refs, const Value& kwargs, const Model& model) {
  const std::string& cls = layer.class_name();
  std::vector<Value> ts;
  for (const Value& r : refs) ts.push_back(keras_tensor(r, model));
  if (auto* op = dynamic_cast<const layers::OperationLayer*>(&layer)) {
    Value n = Value::object();
    n["args"] = with_tensors(op->arguments(), ts);
    n["kwargs"] = op->call_kwargs();
    return n;
  }
  Value args = Value::list();
  Config kw = kwargs.is_object() ? kwargs : Config::object();
  const bool rnn = cls == "LSTM" || cls == "GRU" || cls == "SimpleRNN" || cls == "RNN";
  if (ts.size() == 1) {
    args.as_list().push_back(ts[0]);
  } else if ((cls == "MultiHeadAttention" || cls == "GroupQueryAttention") && ts.size() >= 2) {
    args.as_list().push_back(ts[0]);
    args.as_list().push_back(ts[1]);
    if (ts.size() >= 3) kw["key"] = ts[2];
    if (ts.size() >= 4) kw["attention_mask"] = ts[3];
  } else if (rnn && ts.size() >= 2) {
    args.as_list().push_back(ts[0]);
    kw["initial_state"] = Value(std::vector<Value>(ts.begin() + 1, ts.end()));
  } else {
    args.as_list().push_back(Value(ts));
  }
  Value n = Value::object();
  n["args"] = args;
  n["kwargs"] = kw;
  return n;
}

Value sequential_entry(const Model& m) {
  const Config cpp = m.get_config();
  Config c = Config::object();
  c["name"] = m.name();
  c["trainable"] = m.trainable();
  c["dtype"] = m.dtype_policy().serialize();
  std::vector<Value> ls;
  const Value bis = dims_value(cpp.get("build_input_shape", Value()));
  if (!bis.is_null()) {
    Config in = Config::object();
    in["batch_shape"] = bis;
    in["dtype"] = "float32";
    in["name"] = m.name() + "_input";
    ls.push_back(keras_entry("keras.layers", "InputLayer", in));
  }
  for (const LayerPtr& l : m.layers()) ls.push_back(layer_entry(*l));
  c["layers"] = Value(ls);
  if (!bis.is_null()) c["build_input_shape"] = bis;
  Value e = keras_entry("keras", "Sequential", c);
  if (!bis.is_null()) {
    Config b = Config::object();
    b["input_shape"] = bis;
    e["build_config"] = b;
  }
  return e;
}

Value functional_entry(const Model& m) {
  const Config cpp = m.get_config();
  std::map<std::string, const Value*> by_name;
  for (const Value& e : cpp.at("layers").as_list()) by_name[e.at("name").as_string()] = &e;
  std::vector<Value> ls;
  for (const std::string& name : keras_layer_order(cpp)) {
    const Value& src = *by_name.at(name);
    const LayerPtr layer = node_owner(m, name);
    Value e = layer_entry(*layer);
    e["name"] = name;
    std::vector<Value> nodes;
    const Value inbound_nodes = src.get("inbound_nodes", Value::list());
    const auto& inbound = inbound_nodes.as_list();
    const Value kws = src.get("inbound_node_kwargs", Value());
    for (size_t i = 0; i < inbound.size(); ++i)
      nodes.push_back(keras_node(*layer, inbound[i].as_list(),
                                 kws.is_null() ? Value() : kws.as_list().at(i), m));
    e["inbound_nodes"] = Value(nodes);
    ls.push_back(e);
  }
  Config c = Config::object();
  c["name"] = m.name();
  c["trainable"] = m.trainable();
  c["layers"] = Value(ls);
  c["input_layers"] = cpp.at("input_layers");
  c["output_layers"] = cpp.at("output_layers");
  Value e = keras_entry("keras.src.models.functional", "Functional", c, "Functional");
  Config b = Config::object();
  b["input_shape"] = Value();
  e["build_config"] = b;
  return e;
}
}  // namespace

Value keras_layer_entry(const layers::Layer& layer) { return layer_entry(layer); }

Value cpp_to_keras(const Model& model) {
  if (model.class_name() == "Sequential") return sequential_entry(model);
  if (model.class_name() == "Functional") return functional_entry(model);
  throw std::invalid_argument("save: the model '" + model.name() + "' is a subclassed " + model.class_name() +
                              ", which a Keras 3 .keras file cannot describe; save it as a .kcpp file (keras-cpp's "
                              "own format), or save its weights (.weights.h5)");
}

}  // namespace keras::saving::detail
