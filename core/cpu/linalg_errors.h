// linalg_errors.h - (engine-internal) the linear-algebra kernels' size check and failure
// messages, shared by the CPU kernels (core/cpu/linalg_*.cpp) and the CUDA ones
// (gpu/register_linalg.cpp), so a failure raises the same message on every device.
#pragma once
#include <climits>
#include <cstdint>
#include <string>

#include "core/dispatch.h"

namespace keras::core::linalg_errors {

// " (batch matrix 3)" for batched inputs, "" for a single matrix.
inline std::string batch_note(const OpCall& c, int64_t b) {
  return c.in(0).rank() > 2 ? " (batch matrix " + std::to_string(b) + ")" : "";
}

// n as LAPACK's (and cuSOLVER's) 32-bit int; larger matrices are refused.
inline int lapack_int_size(const OpCall& c, int64_t n) {
  if (n > INT_MAX / 4)
    throw_invalid(std::string(c.name()) + ": matrices of shape " + c.in(0).shape().str() +
                  " exceed the 32-bit sizes LAPACK accepts");
  return static_cast<int>(n);
}

// getrf's info > 0: U[info-1, info-1] is exactly zero.
[[noreturn]] inline void throw_singular(const OpCall& c, int64_t b, int info) {
  throw_invalid(std::string(c.name()) + ": the input matrix is not invertible (singular: " +
                "U[" + std::to_string(info - 1) + ", " + std::to_string(info - 1) +
                "] of its LU factorization is exactly zero)" + batch_note(c, b) +
                "; received shape " + c.in(0).shape().str());
}

// potrf's info > 0 (a leading minor that is not positive), or -1: the factor holds NaN.
[[noreturn]] inline void throw_not_positive_definite(const OpCall& c, int64_t b, int info) {
  throw_invalid(std::string(c.name()) + ": the input matrix is not positive definite (" +
                (info > 0 ? "its leading minor of order " + std::to_string(info) + " is not positive"
                          : std::string("it holds NaN")) +
                ")" + batch_note(c, b) + "; received shape " + c.in(0).shape().str());
}

// An iterative decomposition (svd, eigh) that did not converge.
[[noreturn]] inline void throw_no_convergence(const OpCall& c, int64_t b, int info) {
  throw_invalid(std::string(c.name()) + ": the LAPACK algorithm did not converge (info " +
                std::to_string(info) + ")" + batch_note(c, b) + " for the input of shape " +
                c.in(0).shape().str() + " (does it hold NaN or Inf?)");
}

}  // namespace keras::core::linalg_errors
