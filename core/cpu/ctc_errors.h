// ctc_errors.h - (engine-internal) ctc_loss's input-check message, shared by the CPU
// kernel (core/cpu/ctc.cpp) and the CUDA one (gpu/register_shape.cpp), so a bad length or
// label raises the same message on every device. The slots are core/ctc_math.h's.
#pragma once
#include <cstdint>
#include <string>

#include "core/dispatch.h"

namespace keras::core::ctc_errors {

/// Raises the message of slot `slot` (0: target_length, 1: output_length, 2 + j: label j)
/// of sample i failing with `value`.
[[noreturn]] inline void throw_bad_input(const OpCall& c, int64_t i, int64_t slot, int64_t value) {
  const Shape& ls = c.in(0).shape();
  const int64_t max_label = ls[1], steps = c.in(1).shape()[1], classes = c.in(1).shape()[2];
  if (slot == 0)
    throw_invalid(std::string(c.name()) + ": expected target_length in [0, " + std::to_string(max_label) +
                  "] (target of shape " + ls.str() + "), but received " + std::to_string(value) + " for sample " +
                  std::to_string(i));
  if (slot == 1)
    throw_invalid(std::string(c.name()) + ": expected output_length in [0, " + std::to_string(steps) +
                  "] (output of shape " + c.in(1).shape().str() + "), but received " + std::to_string(value) +
                  " for sample " + std::to_string(i));
  throw_invalid(std::string(c.name()) + ": received label " + std::to_string(value) + " at position (" +
                std::to_string(i) + ", " + std::to_string(slot - 2) + ") of target (shape " + ls.str() +
                "), but target within target_length must be in [0, " + std::to_string(classes) +
                ") and not the blank index " + std::to_string(c.attrs.k));
}

}  // namespace keras::core::ctc_errors
