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

using ActivationArg = activations::Activation;
using InitializerArg = initializers::InitializerArg;
using RegularizerArg = regularizers::RegularizerArg;
using ConstraintArg = constraints::ConstraintArg;

/// Config values of these (null when empty), and back.
Value to_config(const ActivationArg& a);
Value to_config(const InitializerArg& a);
Value to_config(const RegularizerArg& a);
Value to_config(const ConstraintArg& a);
ActivationArg activation_from(const Value& v);
InitializerArg initializer_from(const Value& v);
RegularizerArg regularizer_from(const Value& v);
ConstraintArg constraint_from(const Value& v);

/// The base options (name, trainable, dtype, dynamic, input_shape) stored in a config.
LayerOptions layer_options_from(const Config& c);

}  // namespace keras::layers
