// family_registry.h - (keras-internal) the registry of a serializable family
// (initializers, regularizers, constraints): built-in classes and their aliases, user
// classes registered at run time, get by name, deserialize, and errors that list the
// known names. Included only by the families' .cpp files.
#pragma once
#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "keras/config.h"
#include "keras/custom_object_scope.h"

namespace keras::detail {

template <class Ptr>
class FamilyRegistry {
 public:
  using Factory = std::function<Ptr(const Config&)>;
  using Table = std::map<std::string, Factory>;

  // kind: "regularizer" (for messages), module: "regularizers"; builtins: class name ->
  // factory; aliases: the other accepted built-in names ("l1_l2") -> their class names
  // (every class name is accepted as itself).
  FamilyRegistry(Family family, std::string kind, std::string module, const Table& builtins,
                 std::map<std::string, std::string> aliases)
      : family_(family), kind_(std::move(kind)), module_(std::move(module)), builtins_(builtins),
        aliases_(std::move(aliases)) {
    for (const auto& [cls, factory] : builtins_) aliases_[cls] = cls;
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : aliases_) out.push_back(k);
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [k, v] : custom_) out.push_back(k);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  Ptr get(const std::string& name) const {
    Factory f = find(name);
    if (!f) fail(module_ + ".get: unknown " + kind_ + " '" + name + "'; expected one of: " + joined_names());
    return f(Config::object());
  }

  // {"class_name": ..., "config": {...}} or a name as get() takes.
  Ptr deserialize(const Config& config) const {
    if (config.type() == Value::Type::string) return get(config.as_string());
    if (!config.is_object() || !config.contains("class_name") ||
        config.at("class_name").type() != Value::Type::string)
      fail(module_ + ".deserialize: expected {\"class_name\": ..., \"config\": {...}} or a name, "
           "but received " + config.to_json());
    const std::string& cls = config.at("class_name").as_string();
    Factory f = find(cls);
    if (!f) fail(module_ + ".deserialize: unknown " + kind_ + " class '" + cls + "'; expected one of: " + joined_names());
    return f(config.get("config", Config::object()));
  }

  void add(const std::string& class_name, Factory factory, const std::string& fn) {
    if (class_name.empty()) fail(module_ + "." + fn + ": expected a non-empty class name");
    if (aliases_.count(class_name))
      fail(module_ + "." + fn + ": '" + class_name + "' is a built-in " + kind_ + " and cannot be replaced");
    if (!factory)
      fail(module_ + "." + fn + ": expected a factory for '" + class_name + "', but received an empty function");
    std::lock_guard<std::mutex> lock(mu_);
    custom_[class_name] = std::move(factory);
  }

 private:
  [[noreturn]] static void fail(const std::string& msg) { throw std::invalid_argument(msg); }

  Factory find(const std::string& name) const {
    if (Factory scoped_f = scoped<Ptr>(family_, name)) return scoped_f;  // a CustomObjectScope's class
    if (auto it = aliases_.find(name); it != aliases_.end()) return builtins_.at(it->second);
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = custom_.find(name); it != custom_.end()) return it->second;
    return {};
  }

  std::string joined_names() const {
    std::string s;
    for (const auto& n : names()) s += (s.empty() ? "" : ", ") + n;
    return s;
  }

  Family family_;
  std::string kind_, module_;
  const Table& builtins_;
  std::map<std::string, std::string> aliases_;
  mutable std::mutex mu_;
  Table custom_;
};

// {"class_name": ..., "config": get_config()} of an object of a family.
template <class T>
Config serialize_object(const T& object) {
  Config c = Config::object();
  c["class_name"] = object.class_name();
  c["config"] = object.get_config();
  return c;
}

}  // namespace keras::detail
