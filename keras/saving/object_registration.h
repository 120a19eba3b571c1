// object_registration.h - Keras's functions of keras.saving around registered classes:
// the name a class is registered under, the class a name stands for, the registered
// classes, and any object of a serializable family as Keras's JSON entry and back.
//
//   keras::saving::register_serializable<MyDense>("MyDense", "my_pkg");
//   keras::saving::get_registered_name(*layer);             // "my_pkg>MyDense" ("Dense" for a Dense)
//   keras::Config c = keras::saving::serialize_keras_object(*layer);
//   // {"module": null, "class_name": "MyDense", "config": {...}, "registered_name": "my_pkg>MyDense"}
//   auto again = keras::saving::deserialize_keras_object<keras::layers::Layer>(c);
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <typeinfo>

#include "keras/optimizers/schedules.h"
#include "keras/saving/serializable.h"

namespace keras::saving {

namespace detail {
/// The name register_serializable gave the class of `type` ("package>Name"), or "".
std::string registered_name_of(const std::type_info& type);
/// The pointer type of each serializable family's objects (what its deserialize returns).
template <class Base>
struct FamilyPtr;
/// Layers and models.
template <>
struct FamilyPtr<layers::Layer> {
  using type = layers::LayerPtr;  ///< Ref<Layer>
};
/// Losses.
template <>
struct FamilyPtr<losses::Loss> {
  using type = losses::LossPtr;  ///< shared_ptr<const Loss>
};
/// Metrics.
template <>
struct FamilyPtr<metrics::Metric> {
  using type = metrics::MetricPtr;  ///< shared_ptr<Metric>
};
/// Optimizers.
template <>
struct FamilyPtr<optimizers::Optimizer> {
  using type = optimizers::OptimizerPtr;  ///< shared_ptr<Optimizer>
};
/// Learning-rate schedules.
template <>
struct FamilyPtr<optimizers::LearningRateSchedule> {
  using type = optimizers::SchedulePtr;  ///< shared_ptr<const LearningRateSchedule>
};
/// Initializers.
template <>
struct FamilyPtr<initializers::Initializer> {
  using type = initializers::InitializerPtr;  ///< shared_ptr<const Initializer>
};
/// Regularizers.
template <>
struct FamilyPtr<regularizers::Regularizer> {
  using type = regularizers::RegularizerPtr;  ///< shared_ptr<const Regularizer>
};
/// Constraints.
template <>
struct FamilyPtr<constraints::Constraint> {
  using type = constraints::ConstraintPtr;  ///< shared_ptr<const Constraint>
};
/// Whether Base is the base class of a serializable family.
template <class Base>
concept FamilyBase = requires { typename FamilyPtr<Base>::type; };
}  // namespace detail

/// Keras's get_registered_name: "package>Name" for an object of a class registered with
/// register_serializable (its own class, not a base class), else its class_name().
template <class T>
  requires requires(const T& t) { std::string(t.class_name()); }
std::string get_registered_name(const T& object) {
  std::string name = detail::registered_name_of(typeid(object));
  return name.empty() ? std::string(object.class_name()) : name;
}

/// Keras's get_registered_object: the class registered as `name`, as a CustomObject (its
/// family and factory), looked up as Keras does: the CustomObjectScopes open on this
/// thread (innermost first), then the classes register_serializable registered (by
/// "package>Name"), then `custom_objects`. nullopt when none has it (a built-in class
/// such as "Dense" is not a registered object, as in Keras).
std::optional<CustomObject> get_registered_object(const std::string& name, const CustomObjects& custom_objects = {});

/// Keras's get_custom_objects: the classes register_serializable registered, by their
/// registered names ("package>Name"). A copy (Keras returns its live dictionary; here
/// register_serializable adds to it); a CustomObjectScope's classes are not in it.
CustomObjects get_custom_objects();

///@{
/// Keras's serialize_keras_object: {"module", "class_name", "config", "registered_name"},
/// as Keras writes the object (config.json's form): module "keras.layers", "keras.losses",
/// ... ("keras" for Sequential, the functional module for a Functional model) and a null
/// registered name for built-in classes; a null module and the "package>Name" registered
/// name for a registered user class. Nested objects (a layer's initializers, an
/// optimizer's schedule) are entries too. A subclassed model raises std::invalid_argument.
Config serialize_keras_object(const layers::Layer& layer);
Config serialize_keras_object(const losses::Loss& loss);
Config serialize_keras_object(const metrics::Metric& metric);
Config serialize_keras_object(const optimizers::Optimizer& optimizer);
Config serialize_keras_object(const optimizers::LearningRateSchedule& schedule);
Config serialize_keras_object(const initializers::Initializer& initializer);
Config serialize_keras_object(const regularizers::Regularizer& regularizer);
Config serialize_keras_object(const constraints::Constraint& constraint);
///@}

namespace detail {
/// deserialize_keras_object's work for one family base (defined for the eight).
template <class Base>
typename FamilyPtr<Base>::type deserialize_as(const Config& config);
}  // namespace detail

/// Keras's deserialize_keras_object: a new object of family Base (layers::Layer,
/// losses::Loss, metrics::Metric, optimizers::Optimizer, optimizers::LearningRateSchedule,
/// initializers::Initializer, regularizers::Regularizer, constraints::Constraint), as the
/// family's pointer (LayerPtr, LossPtr, ...), from
/// Keras's entry (serialize_keras_object's form, or what Keras writes), keras-cpp's own
/// {"class_name", "config"}, or a name the family's get() takes ("mse", "glorot_uniform";
/// not for layers). `custom_objects` are known while it runs (a CustomObjectScope). A
/// Keras model entry (Sequential, Functional) gives the model. An unknown class raises
/// std::invalid_argument naming it and what the family has.
template <detail::FamilyBase Base>
typename detail::FamilyPtr<Base>::type deserialize_keras_object(const Config& config,
                                                                const CustomObjects& custom_objects = {}) {
  const CustomObjectScope scope(custom_objects);
  return detail::deserialize_as<Base>(config);
}

}  // namespace keras::saving
