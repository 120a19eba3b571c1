// linalg_util.h - (engine-internal) matrix helpers written with core ops, shared by the
// linear-algebra ops' gradient rules and compositions (core/ops/linalg*.cpp). Being
// compositions, everything here is differentiable again.
#pragma once
#include <cstdint>

#include "core/ops.h"

namespace keras::core::linalg_util {

// x with its last two axes swapped (the adjoint of a real matrix).
Tensor mT(const Tensor& x);
// The (n, n) identity in like's dtype, on like's device (the gradient rules' constants
// follow their operands: a GPU value's gradient never meets a CPU constant).
Tensor eye(int64_t n, const Tensor& like);
// (..., k) -> (..., k, k) with v on the diagonal (tf.linalg.diag).
Tensor matrix_diag(const Tensor& v);
// (..., k, k) -> (..., k) (tf.linalg.diag_part).
Tensor diag_part(const Tensor& x);
// The lower (or upper) triangle of the square matrices x, the rest zero (band_part).
Tensor triangle(const Tensor& x, bool lower);
// x[..., start:start+len] along the last axis.
Tensor last_axis_slice(const Tensor& x, int64_t start, int64_t len);
// x / (x^2 + 1e-20): 1/x away from 0, and 0 at 0 (TensorFlow's _SafeReciprocal).
Tensor safe_reciprocal(const Tensor& x);
// The primitives with the attributes the public functions do not expose (adjoint).
Tensor solve(const Tensor& a, const Tensor& b, bool adjoint);
Tensor solve_triangular(const Tensor& a, const Tensor& b, bool lower, bool adjoint);
// Throws "<op>: expected <arg> to have dtype float32 or float64 ..." for other dtypes.
void expect_float(const char* op, const Tensor& t, const char* arg);
// Registers the gradients of cholesky, qr, svd and eigh (core/ops/linalg_grad.cpp).
void define_decomposition_grads();

}  // namespace keras::core::linalg_util
