// custom_objects.cpp - registering a user class in its family's registry, and the
// scope that makes load_model's custom_objects known only for the call.
#include "keras/saving/serializable.h"

namespace keras::saving {
namespace detail {
namespace {
template <class Ptr>
std::function<Ptr(const Config&)> typed(const keras::detail::ErasedFactory& f) {
  return [f](const Config& c) { return std::static_pointer_cast<typename Ptr::element_type>(f(c)); };
}
}  // namespace

void register_erased(const std::string& name, Family family, const keras::detail::ErasedFactory& f) {
  switch (family) {
    case Family::layer: return layers::register_layer(name, typed<layers::LayerPtr>(f));
    case Family::loss: return losses::register_loss(name, losses::Factory(typed<losses::LossPtr>(f)));
    case Family::metric: return metrics::register_metric(name, typed<metrics::MetricPtr>(f));
    case Family::optimizer: return optimizers::register_optimizer(name, typed<optimizers::OptimizerPtr>(f));
    case Family::schedule: return optimizers::register_schedule(name, typed<optimizers::SchedulePtr>(f));
    case Family::initializer: return initializers::register_initializer(name, typed<initializers::InitializerPtr>(f));
    case Family::regularizer: return regularizers::register_regularizer(name, typed<regularizers::RegularizerPtr>(f));
    case Family::constraint: return constraints::register_constraint(name, typed<constraints::ConstraintPtr>(f));
  }
}
}  // namespace detail

namespace {
keras::CustomObjectScope::Objects entries(const CustomObjects& objects) {
  keras::CustomObjectScope::Objects out;
  for (const auto& [name, object] : objects) out[name] = {object.family(), object.factory()};
  return out;
}
}  // namespace

CustomObjectScope::CustomObjectScope(const CustomObjects& objects) : keras::CustomObjectScope(entries(objects)) {}

}  // namespace keras::saving
