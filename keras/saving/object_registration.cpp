// object_registration.cpp - the registered names of user classes (by type and by name),
// and serialize_keras_object / deserialize_keras_object over the families' own
// serialize and deserialize and the `.keras` config conversions.
#include "keras/saving/object_registration.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>
#include <typeindex>

#include "keras/saving/keras_config.h"
#include "keras/saving/keras_file.h"

namespace keras::saving {

namespace {
struct Registrations {
  std::mutex mu;
  std::map<std::type_index, std::string> names;  // class -> "package>Name"
  CustomObjects objects;                         // "package>Name" -> class
};
Registrations& registrations() {
  static Registrations r;
  return r;
}

constexpr Family kFamilies[] = {Family::layer,       Family::loss,        Family::metric,     Family::optimizer,
                                Family::schedule,    Family::initializer, Family::regularizer, Family::constraint};

// An entry with a registered name: a null module, as Keras writes a registered user class.
Config user_entry(const std::string& cls, Config config, const std::string& registered) {
  Config e = detail::keras_entry("", cls, std::move(config), registered);
  e["module"] = Value();
  return e;
}

// The registered name of a user class known by its class name ("package>cls"), or "".
std::string registered_name_of_class(const std::string& cls) {
  Registrations& r = registrations();
  std::lock_guard<std::mutex> lock(r.mu);
  for (const auto& [name, object] : r.objects)
    if (name.size() > cls.size() && name.compare(name.size() - cls.size(), cls.size(), cls) == 0 &&
        name[name.size() - cls.size() - 1] == '>')
      return name;
  return "";
}

bool listed(const std::vector<std::string>& names, const std::string& cls) {
  return std::find(names.begin(), names.end(), cls) != names.end();
}

// The Keras module of an object nested in a config under `key` (an optimizer's schedule,
// a layer's initializers, regularizers and constraints), or nullptr.
const char* nested_module(const std::string& key, const std::string& cls) {
  if (key == "learning_rate") return "keras.optimizers.schedules";
  if (listed(initializers::names(), cls)) return "keras.initializers";
  if (listed(regularizers::names(), cls)) return "keras.regularizers";
  if (listed(constraints::names(), cls)) return "keras.constraints";
  return nullptr;
}

// `v` with each keras-cpp {"class_name", "config"} nested in it as Keras's entry.
Value nested_entries(const Value& v, const std::string& key = "") {
  if (v.type() == Value::Type::list) {
    std::vector<Value> out;
    for (const Value& x : v.as_list()) out.push_back(nested_entries(x, key));
    return Value(out);
  }
  if (!v.is_object()) return v;
  const std::string cls = detail::string_field(v, "class_name");
  const char* module = cls.empty() || v.contains("module") || !v.contains("config") ? nullptr : nested_module(key, cls);
  if (module) {
    Value c = nested_entries(v.at("config"));
    const std::string registered = registered_name_of_class(cls);
    return registered.empty() ? detail::keras_entry(module, cls, c) : user_entry(cls, c, registered);
  }
  Value out = Value::object();
  for (const auto& [k, x] : v.items()) out[k] = nested_entries(x, k);
  return out;
}

// keras-cpp's {"class_name", "config"} of an object as Keras's entry (kept when the
// family already wrote one, as optimizers do), nested objects as entries too.
Config entry(const char* module, const Config& cpp, const std::type_info& type) {
  if (cpp.contains("module")) return nested_entries(cpp);
  const std::string& cls = cpp.at("class_name").as_string();
  Config c = nested_entries(cpp.get("config", Config::object()));
  const std::string registered = detail::registered_name_of(type);
  return registered.empty() ? detail::keras_entry(module, cls, std::move(c)) : user_entry(cls, std::move(c), registered);
}

// Whether `config` is in Keras's form (an entry with a module or a registered name).
bool is_keras_entry(const Config& config) {
  return config.is_object() && config.contains("class_name") && config.contains("config") &&
         (config.contains("module") || config.contains("registered_name"));
}

const char* const kSource = "deserialize_keras_object";
}  // namespace

namespace detail {

void record_registration(const std::string& registered_name, const std::type_info& type, Family family,
                         const keras::detail::ErasedFactory& factory) {
  Registrations& r = registrations();
  std::lock_guard<std::mutex> lock(r.mu);
  r.names[std::type_index(type)] = registered_name;
  r.objects.insert_or_assign(registered_name, CustomObject(family, factory));
}

std::string registered_name_of(const std::type_info& type) {
  Registrations& r = registrations();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.names.find(std::type_index(type));
  return it == r.names.end() ? std::string() : it->second;
}

template <>
layers::LayerPtr deserialize_as<layers::Layer>(const Config& config) {
  if (config.type() == Value::Type::string)
    throw std::invalid_argument(std::string(kSource) + ": a layer is not made from a name ('" + config.as_string() +
                                "'); expected {\"module\", \"class_name\", \"config\", \"registered_name\"} or "
                                "{\"class_name\", \"config\"}");
  if (!is_keras_entry(config)) return layers::deserialize(config);
  const std::string cls = string_field(config, "class_name");
  if (cls == "Sequential" || cls == "Functional") return layers::LayerPtr(model_from_keras_config(config, kSource));
  return layers::deserialize(keras_layer_to_cpp(config, kSource));
}

// The other families: a name through the family's get(), an entry through its deserialize.
template <class Ptr>
Ptr from_name_or_entry(const Config& config, Ptr (*get)(const std::string&), Ptr (*deserialize)(const Config&)) {
  if (config.type() == Value::Type::string) return get(config.as_string());
  return deserialize(is_keras_entry(config) ? keras_value_to_cpp(config) : config);
}

template <>
losses::LossPtr deserialize_as<losses::Loss>(const Config& config) {
  return from_name_or_entry<losses::LossPtr>(config, losses::get, losses::deserialize);
}
template <>
metrics::MetricPtr deserialize_as<metrics::Metric>(const Config& config) {
  return from_name_or_entry<metrics::MetricPtr>(config, metrics::get, metrics::deserialize);
}
template <>
optimizers::OptimizerPtr deserialize_as<optimizers::Optimizer>(const Config& config) {
  return from_name_or_entry<optimizers::OptimizerPtr>(config, optimizers::get, optimizers::deserialize);
}
template <>
initializers::InitializerPtr deserialize_as<initializers::Initializer>(const Config& config) {
  return from_name_or_entry<initializers::InitializerPtr>(config, initializers::get, initializers::deserialize);
}
template <>
regularizers::RegularizerPtr deserialize_as<regularizers::Regularizer>(const Config& config) {
  return from_name_or_entry<regularizers::RegularizerPtr>(config, regularizers::get, regularizers::deserialize);
}
template <>
constraints::ConstraintPtr deserialize_as<constraints::Constraint>(const Config& config) {
  return from_name_or_entry<constraints::ConstraintPtr>(config, constraints::get, constraints::deserialize);
}

template <>
optimizers::SchedulePtr deserialize_as<optimizers::LearningRateSchedule>(const Config& config) {
  if (config.type() == Value::Type::string)
    throw std::invalid_argument(std::string(kSource) + ": a learning-rate schedule is not made from a name ('" +
                                config.as_string() + "'); expected {\"class_name\", \"config\", ...}");
  return optimizers::deserialize_schedule(is_keras_entry(config) ? keras_value_to_cpp(config) : config);
}

}  // namespace detail

std::optional<CustomObject> get_registered_object(const std::string& name, const CustomObjects& custom_objects) {
  for (Family f : kFamilies)
    if (keras::detail::ErasedFactory scoped = keras::detail::scoped_factory(f, name)) return CustomObject(f, scoped);
  {
    Registrations& r = registrations();
    std::lock_guard<std::mutex> lock(r.mu);
    if (auto it = r.objects.find(name); it != r.objects.end()) return it->second;
  }
  if (auto it = custom_objects.find(name); it != custom_objects.end()) return it->second;
  return std::nullopt;
}

CustomObjects get_custom_objects() {
  Registrations& r = registrations();
  std::lock_guard<std::mutex> lock(r.mu);
  return r.objects;
}

Config serialize_keras_object(const layers::Layer& layer) { return nested_entries(detail::keras_layer_entry(layer)); }
Config serialize_keras_object(const losses::Loss& loss) {
  return entry("keras.losses", losses::serialize(loss), typeid(loss));
}
Config serialize_keras_object(const metrics::Metric& metric) {
  return entry("keras.metrics", metrics::serialize(metric), typeid(metric));
}
Config serialize_keras_object(const optimizers::Optimizer& optimizer) {
  return entry("keras.optimizers", optimizers::serialize(optimizer), typeid(optimizer));
}
Config serialize_keras_object(const optimizers::LearningRateSchedule& schedule) {
  return entry("keras.optimizers.schedules", optimizers::serialize_schedule(schedule), typeid(schedule));
}
Config serialize_keras_object(const initializers::Initializer& initializer) {
  return entry("keras.initializers", initializers::serialize(initializer), typeid(initializer));
}
Config serialize_keras_object(const regularizers::Regularizer& regularizer) {
  return entry("keras.regularizers", regularizers::serialize(regularizer), typeid(regularizer));
}
Config serialize_keras_object(const constraints::Constraint& constraint) {
  return entry("keras.constraints", constraints::serialize(constraint), typeid(constraint));
}

}  // namespace keras::saving
