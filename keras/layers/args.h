// args.h - what layer options accept where Keras takes "a string, an object or a
// callable" (the argument types of keras/activations.h, initializers.h,
// regularizers.h and constraints.h), and their config forms.
#pragma once
#include "keras/activations.h"
#include "keras/constraints.h"
#include "keras/initializers.h"
#include "keras/layers/layer.h"
#include "keras/regularizers.h"

namespace keras::layers {

/// An activation argument: a name ("relu"), an activations:: function or a callable; empty
/// means linear.
using ActivationArg = activations::Activation;
/// An initializer argument: a name ("glorot_uniform"), an Initializer or empty.
using InitializerArg = initializers::InitializerArg;
/// A regularizer argument: a name ("l2"), a Regularizer or empty (none).
using RegularizerArg = regularizers::RegularizerArg;
/// A constraint argument: a name ("max_norm"), a Constraint or empty (none).
using ConstraintArg = constraints::ConstraintArg;

///@{
/// Config values of these (null when empty), and back.
Value to_config(const ActivationArg& a);
Value to_config(const InitializerArg& a);
Value to_config(const RegularizerArg& a);
Value to_config(const ConstraintArg& a);
///@}
/// The activation a config value names (null: linear); throws as activations::deserialize.
ActivationArg activation_from(const Value& v);
/// The initializer a config value describes (null: empty).
InitializerArg initializer_from(const Value& v);
/// The regularizer a config value describes (null: empty).
RegularizerArg regularizer_from(const Value& v);
/// The constraint a config value describes (null: empty).
ConstraintArg constraint_from(const Value& v);

/// The base options (name, trainable, dtype, dynamic, input_shape) stored in a config.
LayerOptions layer_options_from(const Config& c);

}  // namespace keras::layers
