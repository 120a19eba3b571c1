#include "keras/layers/args.h"

namespace keras::layers {

Value to_config(const ActivationArg& a) { return activations::serialize(a); }
Value to_config(const InitializerArg& a) { return a ? initializers::serialize(*a.ptr()) : Value(); }
Value to_config(const RegularizerArg& a) { return a ? regularizers::serialize(*a.ptr()) : Value(); }
Value to_config(const ConstraintArg& a) { return a ? constraints::serialize(*a.ptr()) : Value(); }

ActivationArg activation_from(const Value& v) { return activations::deserialize(v); }
InitializerArg initializer_from(const Value& v) {
  return v.is_null() ? InitializerArg() : InitializerArg(initializers::deserialize(v));
}
RegularizerArg regularizer_from(const Value& v) {
  return v.is_null() ? RegularizerArg() : RegularizerArg(regularizers::deserialize(v));
}
ConstraintArg constraint_from(const Value& v) {
  return v.is_null() ? ConstraintArg() : ConstraintArg(constraints::deserialize(v));
}
LayerOptions layer_options_from(const Config& c) {
  LayerOptions o;
  o.name = c.get("name", "").as_string();
  o.trainable = c.get("trainable", true).as_bool();
  o.dynamic = c.get("dynamic", false).as_bool();
  // A DTypePolicy's serialized form (Keras 3) or a name (older configs); absent: the
  // global policy.
  if (const Value* d = c.find("dtype"); d && !d->is_null()) o.dtype = mixed_precision::DTypePolicy::deserialize(*d);
  if (const Value* a = c.find("autocast")) o.autocast = a->as_bool();
  if (const Value* s = c.find("input_shape")) o.input_shape = s->as_ints();
  return o;
}

}  // namespace keras::layers
