// errors.h - TensorFlow's status errors that have no std:: counterpart, for the
// structures whose operations fail like TensorFlow's (queues, TensorArray), and Python's
// NotImplementedError for what a layer does not implement. Invalid
// arguments stay std::invalid_argument, as everywhere in keras-cpp.
#pragma once
#include <stdexcept>
#include <string>

namespace keras::core {

/// tf.errors.OutOfRangeError: an operation ran past the end of a sequence, e.g. a dequeue
/// from a closed queue that holds too few elements. A std::out_of_range, so code that
/// catches that still does.
class OutOfRangeError : public std::out_of_range {
 public:
  /// Constructs the error with its message (what()).
  explicit OutOfRangeError(const std::string& msg) : std::out_of_range(msg) {}
};

/// tf.errors.CancelledError: an operation was cancelled (an enqueue into a closed queue,
/// a pending enqueue cancelled by close(true)).
class CancelledError : public std::runtime_error {
 public:
  /// Constructs the error with its message (what()).
  explicit CancelledError(const std::string& msg) : std::runtime_error(msg) {}
};

/// tf.errors.DeadlineExceededError: a blocking operation's timeout passed before it could
/// complete (it then changed nothing).
class DeadlineExceededError : public std::runtime_error {
 public:
  /// Constructs the error with its message (what()).
  explicit DeadlineExceededError(const std::string& msg) : std::runtime_error(msg) {}
};

/// Python's NotImplementedError, as Keras raises it: a layer that has no quantize() for
/// a mode (Model::quantize warns and skips it). A std::logic_error.
class NotImplementedError : public std::logic_error {
 public:
  /// Constructs the error with its message (what()).
  explicit NotImplementedError(const std::string& msg) : std::logic_error(msg) {}
};

}  // namespace keras::core
