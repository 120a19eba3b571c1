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
  o.dtype = core::dtype_from_name(c.get("dtype", "float32").as_string());
  if (const Value* s = c.find("input_shape")) o.input_shape = s->as_ints();
  return o;
}

}  // namespace keras::layers
