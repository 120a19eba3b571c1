// keras_config.cpp - Keras 3's config.json and keras-cpp's model config, each way
// (keras_config.h).
#include "keras/saving/keras_config.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

#include "keras/custom_object_scope.h"
#include "keras/layers/operation.h"
#include "keras/layers/operation_table.h"
#include "keras/layers/registry.h"
#include "keras/saving/legacy_h5_model.h"

namespace keras::saving::detail {

const Value& field(const Value& v, const char* key) {
  static const Value null;
  const Value* f = v.is_object() ? v.find(key) : nullptr;
  return f ? *f : null;
}
std::string string_field(const Value& v, const char* key, const std::string& fallback) {
  const Value& f = field(v, key);
  return f.type() == Value::Type::string ? f.as_string() : fallback;
}

namespace {
bool is_model_class(const std::string& c) { return c == "Sequential" || c == "Functional"; }

// Keras's {"module", "class_name", "config", "registered_name"} objects become keras-cpp's
// {"class_name", "config"}; a dtype policy becomes its dtype's name.
Value normalize(const Value& v) {
  if (v.type() == Value::Type::list) {
    std::vector<Value> out;
    for (const Value& x : v.as_list()) out.push_back(normalize(x));
    return Value(out);
  }
  if (!v.is_object()) return v;
  const std::string cls = string_field(v, "class_name");
  if (!cls.empty() && v.contains("config") && (v.contains("module") || v.contains("registered_name"))) {
    if (cls == "DTypePolicy" || cls == "FloatDTypePolicy") return field(field(v, "config"), "name");
    Value out = Value::object();
    out["class_name"] = cls;
    Value c = normalize(field(v, "config"));
    // Keras 3.13+ writes these fan options of variance-scaling initializers; null is the
    // default (fans from the first and last axes), which is what keras-cpp computes.
    if (c.is_object() && field(c, "input_axes").is_null() && field(c, "output_axes").is_null() &&
        c.contains("input_axes")) {
      Value kept = Value::object();
      for (const auto& [k, x] : c.items())
        if (k != "input_axes" && k != "output_axes") kept[k] = x;
      c = kept;
    }
    out["config"] = c;
    return out;
  }
  Value out = Value::object();
  for (const auto& [k, x] : v.items())
    if (k != "shared_object_id") out[k] = normalize(x);
  return out;
}

[[noreturn]] void unsupported_class(const std::string& cls, const std::string& layer, const std::string& source) {
  throw std::invalid_argument(source + ": the layer '" + layer + "' is a Keras " + cls +
                              ", a class keras-cpp does not have (see README, \"Keras 3 files\", for the layers it "
                              "reads)");
}

// The keras_history triples of the "__keras_tensor__" objects in `v`, in order.
void tensor_refs(const Value& v, std::vector<Value>& out) {
  if (v.type() == Value::Type::list) {
    for (const Value& x : v.as_list()) tensor_refs(x, out);
  } else if (v.is_object()) {
    if (string_field(v, "class_name") == "__keras_tensor__") {
      out.push_back(field(field(v, "config"), "keras_history"));
      return;
    }
    for (const auto& [k, x] : v.items()) tensor_refs(x, out);
  }
}

// The [name, node, index] triples of a legacy inbound node ([[name, node, index, kwargs], ...]).
void tensor_refs_legacy(const Value& node, std::vector<Value>& out) {
  for (const Value& r : node.as_list())
    if (r.type() == Value::Type::list) out.push_back(r);
}

// [name, node, index] or a list of them.
Value ref_list(const Value& v) {
  if (v.type() == Value::Type::list && !v.as_list().empty() && v.as_list()[0].type() == Value::Type::string)
    return Value::list({v});
  return v;
}

Config layer_to_cpp(const Value& entry, const std::string& source, bool functional);

// The names of the graph's entries that the outputs depend on other than through masks.
std::set<std::string> ops_needed(const std::vector<Value>& entries, const Value& outputs) {
  std::map<std::string, std::vector<std::string>> deps;
  for (const Value& e : entries) {
    std::vector<std::string>& d = deps[string_field(e, "name")];
    const Value& inbound = field(e, "inbound_nodes");
    for (const Value& node : inbound.type() == Value::Type::list ? inbound.as_list() : std::vector<Value>{}) {
      std::vector<Value> refs;
      if (node.type() == Value::Type::list) {
        tensor_refs_legacy(node, refs);
      } else {
        tensor_refs(field(node, "args"), refs);
        const Value& kw = field(node, "kwargs");
        if (kw.is_object())
          for (const auto& [k, v] : kw.items())
            if (k != "mask") tensor_refs(v, refs);
      }
      for (const Value& r : refs)
        if (r.type() == Value::Type::list && !r.as_list().empty() && r.as_list()[0].type() == Value::Type::string)
          d.push_back(r.as_list()[0].as_string());
    }
  }
  std::set<std::string> seen;
  std::vector<std::string> todo;
  for (const Value& o : ref_list(outputs).type() == Value::Type::list ? ref_list(outputs).as_list() : std::vector<Value>{})
    if (o.type() == Value::Type::list && !o.as_list().empty() && o.as_list()[0].type() == Value::Type::string)
      todo.push_back(o.as_list()[0].as_string());
  while (!todo.empty()) {
    const std::string n = todo.back();
    todo.pop_back();
    if (!seen.insert(n).second) continue;
    for (const std::string& d : deps[n]) todo.push_back(d);
  }
  return seen;
}

// A keras.ops call's args with each __keras_tensor__ replaced by {"__tensor__": k}, in the
// order tensor_refs finds them.
Value template_of(const Value& v, int64_t& k) {
  if (v.type() == Value::Type::list) {
    std::vector<Value> out;
    for (const Value& x : v.as_list()) out.push_back(template_of(x, k));
    return Value(out);
  }
  if (v.is_object() && string_field(v, "class_name") == "__keras_tensor__") return layers::detail::tensor_marker(k++);
  return v;
}

Config operation_to_cpp(const Value& entry, const std::string& source) {
  const std::string cls = string_field(entry, "class_name");
  const std::string name = string_field(entry, "name", string_field(field(entry, "config"), "name", "?"));
  if (!layers::is_operation(cls))
    throw std::invalid_argument(source + ": the model uses the Keras operation '" + name + "' (" + cls +
                                "), which keras-cpp does not have (see README, \"keras.ops on symbolic tensors\")");
  const Value& inbound = field(entry, "inbound_nodes");
  if (inbound.type() != Value::Type::list || inbound.as_list().size() != 1 || !inbound.as_list()[0].is_object())
    throw std::invalid_argument(source + ": the Keras operation '" + name + "' must have one inbound node {args, kwargs}");
  const Value& node = inbound.as_list()[0];
  Config kwargs = Config::object();
  const Value& kw = field(node, "kwargs");
  const Config kw_object = kw.is_object() ? kw : Config::object();
  for (const auto& [k, v] : kw_object.items()) {
    std::vector<Value> found;
    tensor_refs(v, found);
    if (!found.empty())
      throw std::invalid_argument(source + ": the Keras operation '" + name + "' (" + cls + ") takes the tensor argument '" +
                                  k + "' by keyword, which keras-cpp does not read");
    kwargs[k] = v;
  }
  int64_t k = 0;
  Config op_config = Config::object();
  const Value& kc = field(entry, "config");
  if (kc.is_object())
    for (const auto& [key, v] : kc.items())
      if (key != "name") op_config[key] = v;
  Config c = Config::object();
  c["name"] = name;
  c["operation"] = cls;
  c["config"] = op_config;
  c["args"] = template_of(field(node, "args"), k);
  if (!kwargs.items().empty()) c["kwargs"] = kwargs;
  std::vector<Value> refs;
  tensor_refs(field(node, "args"), refs);
  Config out = Config::object();
  out["class_name"] = "Operation";
  out["config"] = c;
  out["name"] = name;
  out["inbound_nodes"] = Value::list({Value(refs)});
  return out;
}

Config model_to_cpp(const Value& entry, const std::string& source) {
  const std::string cls = string_field(entry, "class_name");
  const Value& kc = field(entry, "config");
  if (!kc.is_object()) throw std::invalid_argument(source + ": the " + cls + " model entry has no config object");
  Config c = Config::object();
  for (const char* k : {"name", "trainable"})
    if (kc.contains(k)) c[k] = kc.at(k);
  const Value& ls = field(kc, "layers");
  if (ls.type() != Value::Type::list) throw std::invalid_argument(source + ": the " + cls + " model has no layer list");
  std::vector<Value> layers;
  if (cls == "Sequential") {
    for (const Value& e : ls.as_list()) {
      if (string_field(e, "class_name") == "InputLayer") {
        c["build_input_shape"] = field(field(e, "config"), "batch_shape");
        continue;
      }
      layers.push_back(layer_to_cpp(e, source, false));
    }
    if (!c.contains("build_input_shape") && kc.contains("build_input_shape"))
      c["build_input_shape"] = kc.at("build_input_shape");
  } else {
    // keras.ops calls (Add, Relu, GetItem, ...) become keras-cpp's operation nodes. Keras
    // also records the masks it passes by keyword (an RNN's mask=...) as operations
    // (NotEqual, LogicalOr, ...); keras-cpp's masks travel with the tensors, so operations
    // that feed only masks are left out.
    std::set<std::string> needed = ops_needed(ls.as_list(), field(kc, "output_layers"));
    for (const Value& e : ls.as_list()) {
      const std::string name = string_field(e, "name");
      if (string_field(e, "module").rfind("keras.src.ops", 0) == 0) {
        if (needed.count(name)) layers.push_back(operation_to_cpp(e, source));
        continue;
      }
      layers.push_back(layer_to_cpp(e, source, true));
    }
    c["input_layers"] = ref_list(field(kc, "input_layers"));
    c["output_layers"] = ref_list(field(kc, "output_layers"));
  }
  c["layers"] = Value(layers);
  Config out = Config::object();
  out["class_name"] = cls;
  out["config"] = c;
  return out;
}

// The [name, node, index] references of a legacy node's keyword arguments (Keras 2 wrote
// a tensor argument as its reference).
void legacy_kwarg_refs(const Value& v, std::vector<Value>& out) {
  if (v.type() != Value::Type::list) return;
  const auto& l = v.as_list();
  if (l.size() == 3 && l[0].type() == Value::Type::string && l[1].type() == Value::Type::integer &&
      l[2].type() == Value::Type::integer) {
    out.push_back(v);
    return;
  }
  for (const Value& x : l) legacy_kwarg_refs(x, out);
}

// Keyword arguments of a node that hold tensors (found by `find`: Keras 3's
// __keras_tensor__ entries, or a legacy node's references): keras-cpp takes them as extra
// inputs, in the order its layers read them.
void kwarg_tensors(const std::string& cls, const Value& kwargs, std::vector<Value>& refs, Config& rest,
                   const std::string& layer, const std::string& source,
                   void (*find)(const Value&, std::vector<Value>&) = tensor_refs) {
  if (!kwargs.is_object()) return;
  Value key, mask;
  for (const auto& [k, v] : kwargs.items()) {
    std::vector<Value> found;
    find(v, found);
    if (found.empty()) {
      if (!v.is_null() && k != "training" && k != "mask") rest[k] = v;
      continue;
    }
    if (k == "mask") continue;  // keras-cpp's masks travel with the tensors
    if (k == "initial_state") refs.insert(refs.end(), found.begin(), found.end());
    else if (k == "value" && found.size() == 1 && refs.size() == 1)
      refs.push_back(found[0]);  // Keras 2's attention calls
    else if (k == "key" && found.size() == 1) key = found[0];
    else if (k == "attention_mask" && (cls == "MultiHeadAttention" || cls == "GroupQueryAttention") && found.size() == 1)
      mask = found[0];
    else
      throw std::invalid_argument(source + ": the layer '" + layer + "' (" + cls + ") is called with the tensor argument '" +
                                  k + "', which keras-cpp does not take");
  }
  if (!key.is_null()) refs.push_back(key);
  if (!mask.is_null()) {
    if (key.is_null() && refs.size() >= 2) refs.push_back(refs[1]);  // the value again as the key
    refs.push_back(mask);
  }
}

Config layer_to_cpp(const Value& entry, const std::string& source, bool functional) {
  const std::string cls = string_field(entry, "class_name");
  const std::string name = string_field(entry, "name", string_field(field(entry, "config"), "name", "?"));
  if (cls.empty()) throw std::invalid_argument(source + ": a layer entry has no class_name: " + entry.to_json());
  Config out;
  if (is_model_class(cls)) {
    out = model_to_cpp(entry, source);
  } else {
    // Built-in, registered, or given in LoadOptions::custom_objects.
    if (!layers::is_registered(cls) && !keras::detail::scoped_factory(Family::layer, cls))
      unsupported_class(cls, name, source);
    out = Config::object();
    out["class_name"] = cls;
    out["config"] = normalize(field(entry, "config"));
    if (cls == "Lambda") out["config"] = lambda_layer_config(out["config"]);  // its C++ stand-in, by layer name
  }
  if (!functional) return out;
  out["name"] = name;
  std::vector<Value> nodes, node_kwargs;
  bool any_kwargs = false;
  const Value& inbound = field(entry, "inbound_nodes");
  for (const Value& node : inbound.type() == Value::Type::list ? inbound.as_list() : std::vector<Value>{}) {
    std::vector<Value> refs;
    Config rest = Config::object();
    if (node.type() == Value::Type::list) {  // the legacy form: a list of [name, node, index(, kwargs)]
      Value kwargs;
      for (const Value& r : node.as_list()) {
        const auto& l = r.as_list();
        refs.push_back(Value(std::vector<Value>(l.begin(), l.begin() + std::min<size_t>(3, l.size()))));
        if (l.size() >= 4) kwargs = l[3];  // (Keras 2 repeats the call's keyword arguments on every input)
      }
      kwarg_tensors(cls, kwargs, refs, rest, name, source, legacy_kwarg_refs);
    } else {
      tensor_refs(field(node, "args"), refs);
      kwarg_tensors(cls, field(node, "kwargs"), refs, rest, name, source);
    }
    nodes.push_back(Value(refs));
    any_kwargs = any_kwargs || !rest.items().empty();
    node_kwargs.push_back(rest);
  }
  out["inbound_nodes"] = Value(nodes);
  if (any_kwargs) out["inbound_node_kwargs"] = Value(node_kwargs);
  return out;
}

}  // namespace

Value keras_value_to_cpp(const Value& v) { return normalize(v); }

Config keras_layer_to_cpp(const Value& keras_entry, const std::string& source) {
  return layer_to_cpp(keras_entry, source, /*functional=*/false);
}

Config keras_to_cpp(const Value& keras_entry, const std::string& source) {
  const std::string cls = string_field(keras_entry, "class_name");
  if (!is_model_class(cls))
    throw std::invalid_argument(source + ": the model is a Keras " + (cls.empty() ? "?" : cls) +
                                "; keras-cpp reads Sequential and Functional models (a subclassed model's weights "
                                "load with load_weights into the same model built in C++)");
  return model_to_cpp(keras_entry, source);
}


std::vector<std::string> keras_layer_order(const Config& cfg) {
  using Node = std::pair<std::string, int64_t>;
  std::map<std::string, std::vector<std::vector<Value>>> inbound;
  std::vector<std::string> input_names;
  for (const Value& e : cfg.at("layers").as_list()) {
    const std::string name = e.at("name").as_string();
    std::vector<std::vector<Value>> nodes;
    const Value inbound_nodes = e.get("inbound_nodes", Value::list());
    for (const Value& n : inbound_nodes.as_list()) nodes.push_back(n.as_list());
    if (nodes.empty()) nodes.emplace_back();  // an InputLayer: one node without inputs
    inbound[name] = nodes;
  }
  auto node_of = [&](const Value& ref) {
    const auto& r = ref.as_list();
    Node n{r.at(0).as_string(), r.at(1).as_int()};
    auto it = inbound.find(n.first);
    if (it == inbound.end() || n.second < 0 || size_t(n.second) >= it->second.size())
      throw std::invalid_argument("functional config: unknown tensor " + ref.to_json());
    return n;
  };
  std::map<std::string, int64_t> index;  // first visit, pre-order
  std::set<Node> finished, in_progress;
  std::vector<Node> post;
  std::function<void(const Node&)> visit = [&](const Node& n) {
    if (finished.count(n)) return;
    if (in_progress.count(n)) throw std::invalid_argument("functional config: a cycle through '" + n.first + "'");
    index.emplace(n.first, int64_t(index.size()));
    in_progress.insert(n);
    for (const Value& r : inbound[n.first][size_t(n.second)]) visit(node_of(r));
    in_progress.erase(n);
    finished.insert(n);
    post.push_back(n);
  };
  for (const Value& o : cfg.at("output_layers").as_list()) visit(node_of(o));
  std::map<Node, int64_t> node_depth;
  std::map<std::string, int64_t> layer_depth;
  for (auto it = post.rbegin(); it != post.rend(); ++it) {
    int64_t d = node_depth.emplace(*it, 0).first->second;
    d = std::max(d, layer_depth[it->first]);
    layer_depth[it->first] = d;
    node_depth[*it] = d;
    for (const Value& r : inbound[it->first][size_t(it->second)]) {
      const Node p = node_of(r);
      if (!finished.count(p)) continue;
      int64_t& pd = node_depth[p];
      pd = std::max(pd, d + 1);
    }
  }
  for (const Value& i : cfg.at("input_layers").as_list()) {
    const std::string name = i.as_list().at(0).as_string();
    if (!layer_depth.count(name)) {
      layer_depth[name] = 0;
      index[name] = -1;
    }
  }
  std::vector<std::string> order;
  for (const auto& [name, d] : layer_depth) order.push_back(name);
  std::sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
    return std::tuple(-layer_depth[a], index[a]) < std::tuple(-layer_depth[b], index[b]);
  });
  return order;
}

}  // namespace keras::saving::detail
