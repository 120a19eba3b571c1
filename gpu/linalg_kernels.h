// linalg_kernels.h - (engine-internal) the CUDA launchers of the linear-algebra ops, in
// plain C++ (no CUDA type), called by gpu/register_linalg.cpp. The LU family, Cholesky
// and the triangular solve are in gpu/linalg_solve.cu, QR, SVD and eigh in
// gpu/linalg_decomp.cu, eig in gpu/linalg_eig.cu; they run cuSOLVER (gpu/cusolver.cuh)
// and cuBLAS on the device's stream with workspace from the caching allocator.
//
// Every launcher takes `count` row-major matrices stored back to back (float32 or
// float64, Dt::f32 / Dt::f64) and writes the CPU kernels' outputs in their conventions
// (core/cpu/linalg_*.cpp). Sizes must fit cuSOLVER's 32-bit ints (checked by the caller).
#pragma once
#include <cstdint>

#include "gpu/kernels.h"

namespace keras::core::cuda {

/// The first matrix of a batch whose routine reported a failure: its index (-1: none) and
/// the routine's info (LAPACK's meaning: getrf's zero pivot, potrf's minor, ...).
struct LinalgInfo {
  int64_t batch = -1;
  int info = 0;
};

/// Cholesky factors L (lower; the strict upper part zero) of the lower triangles of x.
/// info: potrf's failing minor, or -1 where the factor holds NaN (the CPU's rule).
LinalgInfo linalg_cholesky(Dt dt, const void* x, void* l, int64_t count, int64_t n, int device);
/// LU with partial pivoting: L and U in one matrix, and the int32 row permutation p with
/// x = (L U)[p] (the CPU's convention). Singular matrices factor without error.
void linalg_lu_factor(Dt dt, const void* x, void* lu, int32_t* perm, int64_t count, int64_t n, int device);
/// det (logabs null), or slogdet's sign into `det_or_sign` and log|det| into `logabs`.
void linalg_det(Dt dt, const void* x, void* det_or_sign, void* logabs, int64_t count, int64_t n, int device);
/// y = inv(x). info: getrf's zero pivot.
LinalgInfo linalg_inv(Dt dt, const void* x, void* y, int64_t count, int64_t n, int device);
/// y (n, k) = solve(a, b) (adjoint: a^T y = b). info: getrf's zero pivot.
LinalgInfo linalg_solve(Dt dt, const void* a, const void* b, void* y, int64_t count, int64_t n, int64_t k,
                        bool adjoint, int device);
/// y (n, k) solves op(a) y = b with a's lower (or upper) triangle, non-unit diagonal.
void linalg_solve_triangular(Dt dt, const void* a, const void* b, void* y, int64_t count, int64_t n, int64_t k,
                             bool lower, bool adjoint, int device);
/// q (m, mq) and r (mq, n), mq = m (complete) or min(m, n).
LinalgInfo linalg_qr(Dt dt, const void* x, void* q, void* r, int64_t count, int64_t m, int64_t n, bool complete,
                     int device);
/// s (k) and, with uv, u (m, full ? m : k) and vh (full ? n : k, n); k = min(m, n).
/// info: gesvd's count of superdiagonals that did not converge.
LinalgInfo linalg_svd(Dt dt, const void* x, void* u, void* s, void* vh, int64_t count, int64_t m, int64_t n,
                      bool full, bool uv, int device);
/// Eigenvalues w ascending and eigenvectors as the columns of v, from x's lower triangle.
LinalgInfo linalg_eigh(Dt dt, const void* x, void* w, void* v, int64_t count, int64_t n, int device);
/// Eigenvalues w (n) and right eigenvectors as the columns of v (n, n) of general real
/// matrices, complex (interleaved real and imaginary parts: complex64 for float32,
/// complex128 for float64), in geev's order and normalization (gpu/linalg_eig.cu).
/// info: geev's count of eigenvalues that did not converge.
LinalgInfo linalg_eig(Dt dt, const void* x, void* w, void* v, int64_t count, int64_t n, int device);

}  // namespace keras::core::cuda
