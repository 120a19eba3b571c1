// variable_options.h - per-variable options read by optimizers, beside the Variable handle
// (core/autodiff.h): Keras 3's `overwrite_with_gradient`.
//
//   core::variable_options::set_overwrite_with_gradient(scale, true);
//   // an optimizer's apply_gradients now assigns scale's "gradient" to it (float8 training)
#pragma once

namespace keras::core {
class Variable;
}

namespace keras::core::variable_options {

/// Keras's Variable.overwrite_with_gradient: when true, an optimizer's apply_gradients
/// assigns the variable's gradient to it instead of updating it (no learning rate, no
/// clipping, no weight decay, no slots). Float8 training computes new scales and amax
/// histories as the "gradients" of such variables. Default false.
void set_overwrite_with_gradient(const Variable& v, bool on);
/// See set_overwrite_with_gradient.
bool overwrite_with_gradient(const Variable& v);

}  // namespace keras::core::variable_options
