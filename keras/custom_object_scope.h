// custom_object_scope.h - Keras's custom_object_scope: user classes known by name only
// while a scope lives, on the thread that opened it (load_model's custom_objects use
// one, so they are not left registered after the call). Each serializable family
// consults the innermost scope before its registry.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "keras/config.h"

namespace keras {

/// The serializable families (what a custom object is looked up as).
enum class Family { layer, loss, metric, optimizer, schedule, initializer, regularizer, constraint };

namespace detail {
/// A factory returning the object as a pointer to its family's base class, type-erased.
using ErasedFactory = std::function<std::shared_ptr<void>(const Config&)>;
/// The factory of class `name` in `family` from the scopes of this thread (innermost
/// first), or an empty function.
ErasedFactory scoped_factory(Family family, const std::string& name);

/// For a family's lookup: the scoped factory as one returning Ptr (the family's base).
template <class Ptr>
std::function<Ptr(const Config&)> scoped(Family family, const std::string& name) {
  ErasedFactory f = scoped_factory(family, name);
  if (!f) return {};
  return [f](const Config& c) { return std::static_pointer_cast<typename Ptr::element_type>(f(c)); };
}
}  // namespace detail

/// While alive, `objects` (class name -> (family, factory)) are known to deserialize()
/// and load_model() on this thread, before the registered classes. Scopes nest.
class CustomObjectScope {
 public:
  /// Class name -> (its family, a factory making it from its config).
  using Objects = std::map<std::string, std::pair<Family, detail::ErasedFactory>>;
  /// Opens the scope on this thread (it becomes the innermost); the destructor closes it.
  /// Scopes must be destroyed in reverse order of creation.
  explicit CustomObjectScope(Objects objects);
  ~CustomObjectScope();
  CustomObjectScope(const CustomObjectScope&) = delete;
  CustomObjectScope& operator=(const CustomObjectScope&) = delete;

 private:
  Objects objects_;
  CustomObjectScope* outer_;
  friend detail::ErasedFactory detail::scoped_factory(Family, const std::string&);
};

}  // namespace keras
