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

#include "keras/config.h"
#include "keras/constraints.h"
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

// Registers `factory` (a callable Config -> shared_ptr of the class) under `name` in the
// family of the class it returns.
template <class F>
void register_factory(const std::string& name, F factory) {
  using T = std::remove_cv_t<factory_pointee_t<F>>;
  auto make = [factory](const Config& c) { return factory(c); };
  if constexpr (std::is_base_of_v<layers::Layer, T>) {
    layers::register_layer(name, [make](const Config& c) { return layers::LayerPtr(make(c)); });
  } else if constexpr (std::is_base_of_v<losses::Loss, T>) {
    losses::register_loss(name, losses::Factory([make](const Config& c) { return losses::LossPtr(make(c)); }));
  } else if constexpr (std::is_base_of_v<metrics::Metric, T>) {
    metrics::register_metric(name, [make](const Config& c) { return metrics::MetricPtr(make(c)); });
  } else if constexpr (std::is_base_of_v<optimizers::Optimizer, T>) {
    optimizers::register_optimizer(name, [make](const Config& c) { return optimizers::OptimizerPtr(make(c)); });
  } else if constexpr (std::is_base_of_v<optimizers::LearningRateSchedule, T>) {
    optimizers::register_schedule(name, [make](const Config& c) { return optimizers::SchedulePtr(make(c)); });
  } else if constexpr (std::is_base_of_v<initializers::Initializer, T>) {
    initializers::register_initializer(name,
                                       [make](const Config& c) { return initializers::InitializerPtr(make(c)); });
  } else if constexpr (std::is_base_of_v<regularizers::Regularizer, T>) {
    regularizers::register_regularizer(name,
                                       [make](const Config& c) { return regularizers::RegularizerPtr(make(c)); });
  } else if constexpr (std::is_base_of_v<constraints::Constraint, T>) {
    constraints::register_constraint(name, [make](const Config& c) { return constraints::ConstraintPtr(make(c)); });
  } else {
    static_assert(std::is_base_of_v<layers::Layer, T>,
                  "register_serializable: the class must derive from Layer (or Model), Loss, Metric, Optimizer, "
                  "LearningRateSchedule, Initializer, Regularizer or Constraint");
  }
}
}  // namespace detail

// A user class for load_model's custom_objects: its factory (usually T::from_config,
// a callable Config -> shared_ptr<T>), registered in T's family when the load starts.
class CustomObject {
 public:
  template <class F>
    requires std::is_invocable_v<const F&, const Config&>
  CustomObject(F factory)  // NOLINT: implicit, so {{"MyHuber", MyHuber::from_config}} reads well
      : register_([factory](const std::string& name) { detail::register_factory(name, factory); }) {}
  void register_as(const std::string& name) const { register_(name); }

 private:
  std::function<void(const std::string&)> register_;
};
// Class name (as the class's config names it) -> factory.
using CustomObjects = std::map<std::string, CustomObject>;

// Registers T (built from T::from_config) in the registry of its family under `name`;
// without a name, T::serializable_name, or else the class_name() of a default-constructed
// T (losses, metrics, schedules). Registering a name again replaces the class; built-in
// names cannot be replaced (std::invalid_argument).
template <class T>
void register_serializable(std::string name = "") {
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
  detail::register_factory(name, [](const Config& c) { return T::from_config(c); });
}

}  // namespace keras::saving
