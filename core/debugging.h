// debugging.h - numerics checks, op determinism and TensorFloat-32, as TensorFlow's
// tf.debugging.enable_check_numerics(), tf.config.experimental.enable_op_determinism() and
// tf.config.experimental.enable_tensor_float_32_execution().
//
//   core::enable_check_numerics();   // the first op whose output holds NaN or Inf raises
//   core::enable_op_determinism();   // ops give the same result every run, or raise
//   core::enable_tensor_float_32_execution(true);  // float32 GPU products may round to TF32
//
// All are process-wide switches (as in TensorFlow). While off they cost one flag test
// per op.
#pragma once
#include <stdexcept>

namespace keras::core {

/// Raised by the first op (eager, or a node of a traced graph) that outputs NaN or Inf
/// while check_numerics is on; names the op, the output, its dtype and shape, and the
/// NaN, +Inf and -Inf counts.
class NumericsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// tf.debugging.enable_check_numerics: from now on, an op that outputs NaN or Inf raises
/// NumericsError.
void enable_check_numerics();
/// Turns the numerics check off again.
void disable_check_numerics();
/// Whether the numerics check is on.
bool check_numerics_enabled();

/// Raised, while op determinism is on, by an op that cannot give the same result at every
/// run: a random op whose seed would come from the system's entropy because no global
/// seed was set (set_random_seed) and the op has none of its own (TensorFlow: "Random ops
/// require a seed to be set when determinism is enabled").
class DeterminismError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Every CPU kernel already reduces in a fixed order (sums are identical for every thread
/// count); op determinism adds the seed requirement of random ops.
void enable_op_determinism();
/// Turns op determinism off again.
void disable_op_determinism();
/// Whether op determinism is on.
bool op_determinism_enabled();

/// tf.config.experimental.enable_tensor_float_32_execution: whether float32 matrix
/// products and convolutions on a GPU may round their inputs to TensorFloat-32 (10-bit
/// mantissa) to run on tensor cores (Ampere and later). Off by default, unlike
/// TensorFlow: float32 results then agree with the CPU's to float32 rounding. CPU kernels
/// and float64, half and complex products are not affected. Takes effect at the next op.
void enable_tensor_float_32_execution(bool enabled);
/// Whether TensorFloat-32 execution is on (false unless enabled).
bool tensor_float_32_execution_enabled();

}  // namespace keras::core
