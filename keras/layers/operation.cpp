// operation.cpp - keras.ops calls as nodes of functional graphs (operation.h).
#include "keras/layers/operation.h"

#include <stdexcept>

#include "core/function.h"
#include "core/ops.h"
#include "keras/layers/operation_table.h"

namespace keras::layers {

using detail::op_table;

namespace {
const detail::OpDef& def_of(const std::string& cls) {
  auto it = op_table().find(cls);
  if (it == op_table().end())
    throw std::invalid_argument("operation: keras-cpp has no Keras operation '" + cls +
                                "' (see keras::layers::operation_names())");
  return it->second;
}

// Keras's defaults overlaid with the given arguments; an unknown key raises.
Config full_config(const std::string& cls, const Config& given) {
  const detail::OpDef& d = def_of(cls);
  Config c = d.defaults;
  if (!given.is_object()) throw std::invalid_argument(cls + ": the op's config must be an object, got " + given.to_json());
  for (const auto& [k, v] : given.items()) {
    if (k == "name") continue;
    if (!d.defaults.contains(k)) {
      std::string known;
      for (const auto& [dk, dv] : d.defaults.items()) known += (known.empty() ? "" : ", ") + dk;
      throw std::invalid_argument(cls + ": unknown argument '" + k + "' (it takes " +
                                  (known.empty() ? std::string("none") : known) + ")");
    }
    c[k] = v;
  }
  return c;
}

// The number of tensor inputs a template refers to (markers 0..n-1, each once, in order).
size_t count_markers(const Value& v) {
  if (detail::marker_index(v) >= 0) return 1;
  size_t n = 0;
  if (v.type() == Value::Type::list)
    for (const Value& x : v.as_list()) n += count_markers(x);
  return n;
}
}  // namespace

std::vector<std::string> operation_names() {
  std::vector<std::string> out;
  for (const auto& [k, v] : op_table()) out.push_back(k);
  return out;
}

bool is_operation(const std::string& keras_class) { return op_table().count(keras_class) > 0; }

OperationLayer::OperationLayer(std::string keras_class, Config config, Value args, Config kwargs,
                               const std::string& name)
    : Layer("Operation", LayerOptions{.name = name.empty() ? unique_name(snake_case(keras_class)) : name,
                                      .autocast = false}),
      keras_class_(std::move(keras_class)),
      op_config_(full_config(keras_class_, config)),
      kwargs_(kwargs.is_null() ? Config::object() : std::move(kwargs)),
      args_(std::move(args)) {
  if (args_.type() != Value::Type::list)
    throw std::invalid_argument(keras_class_ + ": the call's arguments must be a list, got " + args_.to_json());
  if (!kwargs_.is_object())
    throw std::invalid_argument(keras_class_ + ": the call's keyword arguments must be an object, got " + kwargs_.to_json());
}

const std::string& OperationLayer::keras_module() const {
  static const std::map<std::string, std::string> modules = [] {
    std::map<std::string, std::string> m;
    for (const char* s : {"numpy", "nn", "math", "core", "linalg"}) m[s] = std::string("keras.src.ops.") + s;
    return m;
  }();
  return modules.at(def_of(keras_class_).module);
}

std::vector<Tensor> OperationLayer::call(const std::vector<Tensor>& xs, const CallContext&) {
  const size_t want = count_markers(args_);
  if (xs.size() != want)
    throw std::invalid_argument(name() + " (" + keras_class_ + "): expected " + std::to_string(want) +
                                " tensor inputs, but received " + std::to_string(xs.size()));
  const detail::OpCall c(keras_class_, args_.as_list(), xs, op_config_, kwargs_);
  return def_of(keras_class_).run(c);
}

std::vector<ShapeSpec> OperationLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  // Run symbolically with unknown dimensions at 1 and at 2: a dimension that differs
  // follows them (the batch axis through a reshape to -1, say) and is unknown.
  core::InitScope outside_traces;
  auto probe = [&](int64_t unknown) {
    std::vector<Tensor> in;
    for (size_t i = 0; i < shapes.size(); ++i) {
      ShapeSpec d = shapes[i];
      for (auto& v : d) v = v < 0 ? unknown : v;
      const auto* kt = symbolic_call_inputs();
      const DType dt = kt && i < kt->size() ? (*kt)[i].dtype() : DType::float32;
      in.push_back(core::ops::zeros(Shape(d), dt));
    }
    return core::symbolic_call([&](const std::vector<Tensor>& v) { return call(v, CallContext{}); }, in);
  };
  bool any_unknown = false;
  for (const ShapeSpec& s : shapes)
    for (int64_t d : s) any_unknown = any_unknown || d < 0;
  // Stand-ins 1 and 2 for the unknown sizes; an op that needs more along them (a slice of
  // 2 rows of the batch) is asked at 8 and 9, and raises only if it fails there too.
  std::vector<Tensor> a, b;
  try {
    a = probe(1);
    b = any_unknown ? probe(2) : a;
  } catch (const std::invalid_argument&) {
    if (!any_unknown) throw;
    a = probe(8);
    b = probe(9);
  }
  std::vector<ShapeSpec> out;
  out_dtypes_.clear();
  for (size_t i = 0; i < a.size(); ++i) {
    ShapeSpec s = spec_of(a[i].shape());
    if (b[i].rank() == a[i].rank())
      for (size_t k = 0; k < s.size(); ++k)
        if (b[i].shape()[int64_t(k)] != a[i].shape()[int64_t(k)]) s[k] = -1;
    out.push_back(s);
    out_dtypes_.push_back(a[i].dtype());
  }
  return out;
}

DType OperationLayer::output_dtype_of(size_t index) const {
  return index < out_dtypes_.size() ? out_dtypes_[index] : compute_dtype();
}

Config OperationLayer::get_config() const {
  Config c = Config::object();
  c["name"] = name();
  c["operation"] = keras_class_;
  c["config"] = op_config_;
  c["args"] = args_;
  if (!kwargs_.items().empty()) c["kwargs"] = kwargs_;
  return c;
}

LayerPtr OperationLayer::from_config(const Config& c) {
  if (!c.is_object() || !c.contains("operation") || c.at("operation").type() != Value::Type::string)
    throw std::invalid_argument("Operation.from_config: expected {\"operation\": a Keras op class, ...}, got " +
                                c.to_json());
  return make<OperationLayer>(c.at("operation").as_string(), c.get("config", Config::object()),
                              c.get("args", Value::list()), c.get("kwargs", Config::object()),
                              c.get("name", Value("")).as_string());
}

KerasTensors operation(const std::string& keras_class, const std::vector<OpArg>& args, const Config& config,
                       const Config& kwargs) {
  std::vector<Value> tmpl;
  std::vector<KerasTensor> inputs;
  for (const OpArg& a : args) {
    if (a.is_single()) {
      tmpl.push_back(detail::tensor_marker(int64_t(inputs.size())));
      inputs.push_back(a.tensors()[0]);
    } else if (a.is_symbolic()) {
      std::vector<Value> list;
      for (const KerasTensor& t : a.tensors()) {
        list.push_back(detail::tensor_marker(int64_t(inputs.size())));
        inputs.push_back(t);
      }
      tmpl.push_back(Value(list));
    } else {
      tmpl.push_back(a.constant());
    }
  }
  if (inputs.empty())
    throw std::invalid_argument(keras_class + ": a symbolic operation needs at least one KerasTensor argument");
  auto layer = make<OperationLayer>(keras_class, config, Value(tmpl), kwargs);
  return (*layer)(inputs);
}

}  // namespace keras::layers
