#include "keras/layers/registry.h"

#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include "keras/custom_object_scope.h"
#include "keras/layers/all.h"
#include "keras/layers/registry_internal.h"
#include "keras/models/model.h"

namespace keras::layers {
namespace {
std::mutex g_mu;
std::map<std::string, LayerFactory>& factories() {
  static auto* m = new std::map<std::string, LayerFactory>();
  return *m;
}
std::set<std::string>& builtin_names() {
  static auto* s = new std::set<std::string>();
  return *s;
}
// The one place the built-in layers are registered (no static constructors).
void ensure_builtins() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto& f = factories();
    f["InputLayer"] = keras::InputLayer::from_config;
    f["Functional"] = keras::FunctionalModel::from_config;
    f["Sequential"] = keras::SequentialModel::from_config;
    register_builtin_layers(f);
    for (const auto& [name, factory] : f) builtin_names().insert(name);
  });
}
}  // namespace

bool detail::is_builtin(const std::string& class_name) {
  ensure_builtins();
  return builtin_names().count(class_name) != 0;
}

void register_layer(const std::string& class_name, LayerFactory factory) {
  ensure_builtins();
  std::lock_guard<std::mutex> lock(g_mu);
  if (!factory) throw std::invalid_argument("register_layer: the factory for '" + class_name + "' is empty");
  factories()[class_name] = std::move(factory);
}

bool is_registered(const std::string& class_name) {
  ensure_builtins();
  std::lock_guard<std::mutex> lock(g_mu);
  return factories().count(class_name) != 0;
}

Config serialize(const Layer& layer) {
  Config c = Config::object();
  c["class_name"] = layer.class_name();
  c["config"] = layer.get_config();
  return c;
}

LayerPtr from_config(const std::string& class_name, const Config& config) {
  ensure_builtins();
  LayerFactory f = keras::detail::scoped<LayerPtr>(Family::layer, class_name);
  if (!f) {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = factories().find(class_name);
    if (it == factories().end())
      throw std::invalid_argument(
          "deserialize: unknown layer class '" + class_name +
          "'; register it with keras::layers::register_layer(\"" + class_name +
          "\", " + class_name + "::from_config)");
    f = it->second;
  }
  LayerPtr layer = f(config);
  // The config's policy (a layer whose from_config does not read "dtype" gets it here).
  if (const Value* d = config.find("dtype"); layer && d && !d->is_null()) {
    mixed_precision::DTypePolicy policy = mixed_precision::DTypePolicy::deserialize(*d);
    if (!(policy == layer->dtype_policy())) layer->set_dtype_policy(policy);
  }
  return layer;
}

LayerPtr deserialize(const Config& c) {
  return from_config(c.at("class_name").as_string(), c.get("config", Config::object()));
}

}  // namespace keras::layers
