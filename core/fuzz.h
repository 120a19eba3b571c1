// fuzz.h - (engine-internal) keras.config.epsilon's value, the small number the
// compositions of core/ops_nn.h clip probabilities with and default their normalizations'
// epsilon to; keras::config::epsilon / set_epsilon (keras/settings.h) read and set it.
#pragma once

namespace keras::core {

/// The current value (1e-7 by default).
double fuzz_factor();
/// Sets it (the caller checks the value).
void set_fuzz_factor(double value);

}  // namespace keras::core
