// serializable.h - one entry point that registers a user class in the registry of its
// family (layers and models, losses, metrics, optimizers, learning-rate schedules,
// initializers, regularizers, constraints), chosen from its base class, so that
// deserialize() and load_model() can rebuild it from its config (Keras's
// register_keras_serializable and custom_objects).
//
//   class MyHuber : public keras::losses::Loss {
//    public:
//     static constexpr const char* serializable_name = "MyHuber";   // or give the name below
//     static std::shared_ptr<MyHuber> from_config(const keras::Config& c);
//     ...
//   };
//   keras::saving::register_serializable<MyHuber>();            // or <MyHuber>("MyHuber")
//   keras::saving::load_model(path, {.custom_objects = {{"MyHuber", MyHuber::from_config}}});
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "keras/config.h"
#include "keras/constraints.h"
#include "keras/custom_object_scope.h"
#include "keras/initializers.h"
#include "keras/layers/registry.h"
#include "keras/losses.h"
#include "keras/metrics/registry.h"
#include "keras/optimizers.h"
#include "keras/regularizers.h"

namespace keras::saving {

namespace detail {
template <class F>
using factory_pointee_t =
    typename std::remove_cvref_t<std::invoke_result_t<const F&, const Config&>>::element_type;

/// `factory` (a callable Config -> shared_ptr of a class) as the family of that class and
/// a factory returning a pointer to the family's base, type-erased.
template <class F>
std::pair<Family, keras::detail::ErasedFactory> erase_factory(F factory) {
  using T = std::remove_cv_t<factory_pointee_t<F>>;
  auto as = [factory]<class Base>(Family family) {
    return std::pair{family, keras::detail::ErasedFactory([factory](const Config& c) {
                       return std::shared_ptr<void>(std::static_pointer_cast<Base>(factory(c)));
                     })};
  };
  if constexpr (std::is_base_of_v<layers::Layer, T>) return as.template operator()<layers::Layer>(Family::layer);
  else if constexpr (std::is_base_of_v<losses::Loss, T>) return as.template operator()<losses::Loss>(Family::loss);
  else if constexpr (std::is_base_of_v<metrics::Metric, T>) return as.template operator()<metrics::Metric>(Family::metric);
  else if constexpr (std::is_base_of_v<optimizers::Optimizer, T>)
    return as.template operator()<optimizers::Optimizer>(Family::optimizer);
  else if constexpr (std::is_base_of_v<optimizers::LearningRateSchedule, T>)
    return as.template operator()<optimizers::LearningRateSchedule>(Family::schedule);
  else if constexpr (std::is_base_of_v<initializers::Initializer, T>)
    return as.template operator()<initializers::Initializer>(Family::initializer);
  else if constexpr (std::is_base_of_v<regularizers::Regularizer, T>)
    return as.template operator()<regularizers::Regularizer>(Family::regularizer);
  else if constexpr (std::is_base_of_v<constraints::Constraint, T>)
    return as.template operator()<constraints::Constraint>(Family::constraint);
  else
    static_assert(std::is_base_of_v<layers::Layer, T>,
                  "register_serializable: the class must derive from Layer (or Model), Loss, Metric, Optimizer, "
                  "LearningRateSchedule, Initializer, Regularizer or Constraint");
}

/// Registers an erased factory under `name` in the registry of its family.
void register_erased(const std::string& name, Family family, const keras::detail::ErasedFactory& factory);

}  // namespace detail

/// A user class for load_model's custom_objects: its factory (usually T::from_config,
/// a callable Config -> shared_ptr<T>), known under its name in T's family while the
/// load runs (a CustomObjectScope; nothing stays registered afterwards).
class CustomObject {
 public:
  /// Wraps a factory Config -> shared_ptr<T>; T's base class gives the family.
  template <class F>
    requires std::is_invocable_v<const F&, const Config&>
  CustomObject(F factory)  // NOLINT: implicit, so {{"MyHuber", MyHuber::from_config}} reads well
      : entry_(detail::erase_factory(std::move(factory))) {}
  /// A family and a type-erased factory returning a pointer to that family's base class.
  CustomObject(Family family, keras::detail::ErasedFactory factory) : entry_(family, std::move(factory)) {}
  /// The family the class is looked up in.
  Family family() const { return entry_.first; }
  /// The factory, type-erased.
  const keras::detail::ErasedFactory& factory() const { return entry_.second; }

 private:
  std::pair<Family, keras::detail::ErasedFactory> entry_;
};
/// Class name (as the class's config names it) -> factory.
using CustomObjects = std::map<std::string, CustomObject>;

/// Keras's custom_object_scope(objects): the classes are known by name on this thread
/// while the scope lives.
///   { keras::saving::CustomObjectScope scope({{"MyHuber", MyHuber::from_config}}); ... }
class CustomObjectScope : public keras::CustomObjectScope {
 public:
  /// Opens a scope with `objects` on this thread (closed by the destructor).
  explicit CustomObjectScope(const CustomObjects& objects);
};

namespace detail {
/// Records T's registered name ("package>Name", Keras's register_keras_serializable key)
/// for get_registered_name, get_registered_object and get_custom_objects.
void record_registration(const std::string& registered_name, const std::type_info& type, Family family,
                         const keras::detail::ErasedFactory& factory);
}  // namespace detail

/// Registers T (built from T::from_config) in the registry of its family under `name`;
/// without a name, T::serializable_name, or else the class_name() of a default-constructed
/// T (losses, metrics, schedules). Registering a name again replaces the class; built-in
/// names cannot be replaced (std::invalid_argument). `package` (Keras's, default
/// "Custom") makes the registered name "package>name" (object_registration.h's
/// get_registered_name), which `.keras` files record; configs find the class by either.
template <class T>
void register_serializable(std::string name = "", const std::string& package = "Custom") {
  if (name.empty()) {
    if constexpr (requires { std::string(T::serializable_name); }) {
      name = std::string(T::serializable_name);
    } else if constexpr (std::is_default_constructible_v<T> && !std::is_base_of_v<layers::Layer, T> &&
                         requires(const T& t) { std::string(t.class_name()); }) {
      name = std::string(T().class_name());
    } else {
      throw std::invalid_argument(
          "register_serializable: expected a class name (register_serializable<T>(\"Name\")) or a static "
          "T::serializable_name, but received neither");
    }
  }
  auto [family, factory] = detail::erase_factory([](const Config& c) { return T::from_config(c); });
  detail::register_erased(name, family, factory);
  detail::record_registration(package + ">" + name, typeid(T), family, factory);
}

}  // namespace keras::saving
