// settings.h - Keras 3's global settings of keras.config that keras-cpp has:
// image_data_format (the default `data_format` of every layer that takes one), epsilon
// (the fuzz factor of the losses, metrics, constraints and normalizations), floatx
// (the dtype of the default dtype policy), the debugging caps max_epochs and
// max_steps_per_epoch, and interactive logging (where progress bars and messages go).
//   keras::config::set_image_data_format("channels_first");
//   auto conv = keras::layers::Conv2D(8, 3);  // (batch, channels, height, width) inputs
#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace keras::config {

/// keras.config.image_data_format(): "channels_last" (the default) or "channels_first",
/// the `data_format` a layer created without one gets (read when the layer is made).
std::string image_data_format();

/// keras.config.set_image_data_format: "channels_last" or "channels_first"; any other
/// value raises std::invalid_argument naming it. Process-wide (thread-safe).
void set_image_data_format(const std::string& data_format);

/// keras.config.epsilon(): the small number (default 1e-7) that the losses clip
/// probabilities with and that guards the divisions of the losses, metrics, constraints,
/// regularizers, Normalization and the box utilities, read when they compute (a traced
/// step keeps the value it traced with).
double epsilon();

/// keras.config.set_epsilon: process-wide (thread-safe); a value that is not finite and
/// positive raises std::invalid_argument.
void set_epsilon(double value);

/// keras.config.floatx(): "float32" (the default), "float64", "float16" or "bfloat16",
/// the dtype of the default dtype policy (mixed_precision::global_policy() while none
/// was set with set_global_policy): layers made without a dtype keep their weights and
/// compute in it. (The engine's creation ops keep their own float32 default.)
std::string floatx();

/// keras.config.set_floatx: one of the four names above; anything else raises
/// std::invalid_argument naming it. Process-wide (thread-safe).
void set_floatx(const std::string& dtype);

/// keras.config.max_epochs(): the most epochs any fit() runs (its `epochs` is lowered to
/// it, with a warning on stderr), for quick debugging runs; 0 (the default): no limit.
/// Set by set_max_epochs or, when the program starts, the KERAS_MAX_EPOCHS environment
/// variable (a non-negative integer).
int64_t max_epochs();
/// keras.config.set_max_epochs: 0 lifts the limit; a negative value raises
/// std::invalid_argument. Process-wide (thread-safe).
void set_max_epochs(int64_t max_epochs);
/// keras.config.max_steps_per_epoch(): the most steps any pass of fit(), evaluate() or
/// predict() (and fit's validation) runs (its steps lowered to it, with a warning on
/// stderr); 0 (the default): no limit. Set by set_max_steps_per_epoch or, when the
/// program starts, the KERAS_MAX_STEPS_PER_EPOCH environment variable.
int64_t max_steps_per_epoch();
/// keras.config.set_max_steps_per_epoch: 0 lifts the limit; negative raises.
void set_max_steps_per_epoch(int64_t max_steps);

/// keras.config.is_interactive_logging_enabled(): true (the default) while progress bars,
/// Model::summary() and the callbacks' messages are written to standard output (a
/// progress bar redrawn in place on a terminal); false after disable_interactive_logging,
/// when each message goes to the log handler instead, as one line (Keras sends them to
/// absl.logging). Process-wide.
bool is_interactive_logging_enabled();
/// keras.config.enable_interactive_logging: messages go to standard output again.
void enable_interactive_logging();
/// keras.config.disable_interactive_logging: messages go to the log handler (a server, a
/// job whose output is collected line by line); a progress bar then logs one line per
/// pass when it ends, never a redraw.
void disable_interactive_logging();
/// Receives each message while interactive logging is disabled: a line without its
/// leading or trailing newlines ("Epoch 1/3", "10/10 - 0s 2ms/step - loss: 0.2316").
using LogHandler = std::function<void(const std::string& message)>;
/// Sets the log handler (called on the thread that logs, one message at a time); an
/// empty one restores the default, which writes each message and a newline to standard
/// error.
void set_log_handler(LogHandler handler);

}  // namespace keras::config
