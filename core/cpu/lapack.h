// lapack.h - (engine-internal, included only by core/cpu/linalg_*.cpp) the Fortran LAPACK
// routines that OpenBLAS exports, with float/double overloads, and the batching helpers
// the linear-algebra kernels share.
//
// LAPACK is column-major; tensors are row-major. A row-major (m, n) buffer read as
// column-major is the transpose (n, m): kernels either use that (det(A^T) = det(A),
// inv(A^T)^T = inv(A), the SVD of A^T gives A's with U and V swapped) or copy through
// `transpose_copy`. All sizes are LAPACK's 32-bit ints (Debian's OpenBLAS is LP64);
// `lapack_int_size` refuses larger matrices.
#pragma once
#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/cpu/linalg_errors.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"

// Fortran calling convention: every argument by address; a CHARACTER argument adds a
// hidden length at the end (gfortran: size_t).
extern "C" {
void sgetrf_(const int* m, const int* n, float* a, const int* lda, int* ipiv, int* info);
void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
void sgetri_(const int* n, float* a, const int* lda, const int* ipiv, float* work,
             const int* lwork, int* info);
void dgetri_(const int* n, double* a, const int* lda, const int* ipiv, double* work,
             const int* lwork, int* info);
void sgetrs_(const char* trans, const int* n, const int* nrhs, const float* a, const int* lda,
             const int* ipiv, float* b, const int* ldb, int* info, size_t);
void dgetrs_(const char* trans, const int* n, const int* nrhs, const double* a, const int* lda,
             const int* ipiv, double* b, const int* ldb, int* info, size_t);
void spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info, size_t);
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, size_t);
void sgeqrf_(const int* m, const int* n, float* a, const int* lda, float* tau, float* work,
             const int* lwork, int* info);
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work,
             const int* lwork, int* info);
void sorgqr_(const int* m, const int* n, const int* k, float* a, const int* lda,
             const float* tau, float* work, const int* lwork, int* info);
void dorgqr_(const int* m, const int* n, const int* k, double* a, const int* lda,
             const double* tau, double* work, const int* lwork, int* info);
void sgesdd_(const char* jobz, const int* m, const int* n, float* a, const int* lda, float* s,
             float* u, const int* ldu, float* vt, const int* ldvt, float* work,
             const int* lwork, int* iwork, int* info, size_t);
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s,
             double* u, const int* ldu, double* vt, const int* ldvt, double* work,
             const int* lwork, int* iwork, int* info, size_t);
void ssyevd_(const char* jobz, const char* uplo, const int* n, float* a, const int* lda,
             float* w, float* work, const int* lwork, int* iwork, const int* liwork, int* info,
             size_t, size_t);
void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda,
             double* w, double* work, const int* lwork, int* iwork, const int* liwork,
             int* info, size_t, size_t);
}

namespace keras::core::cpu::lapack {

// Typed overloads (sizes as int, already checked).
inline void getrf(int m, int n, float* a, int* ipiv, int* info) { sgetrf_(&m, &n, a, &m, ipiv, info); }
inline void getrf(int m, int n, double* a, int* ipiv, int* info) { dgetrf_(&m, &n, a, &m, ipiv, info); }
inline void getri(int n, float* a, const int* ipiv, float* w, int lw, int* info) { sgetri_(&n, a, &n, ipiv, w, &lw, info); }
inline void getri(int n, double* a, const int* ipiv, double* w, int lw, int* info) { dgetri_(&n, a, &n, ipiv, w, &lw, info); }
inline void getrs(char t, int n, int k, const float* a, const int* ipiv, float* b, int* info) { sgetrs_(&t, &n, &k, a, &n, ipiv, b, &n, info, 1); }
inline void getrs(char t, int n, int k, const double* a, const int* ipiv, double* b, int* info) { dgetrs_(&t, &n, &k, a, &n, ipiv, b, &n, info, 1); }
inline void potrf(char uplo, int n, float* a, int* info) { spotrf_(&uplo, &n, a, &n, info, 1); }
inline void potrf(char uplo, int n, double* a, int* info) { dpotrf_(&uplo, &n, a, &n, info, 1); }
inline void geqrf(int m, int n, float* a, float* tau, float* w, int lw, int* info) { sgeqrf_(&m, &n, a, &m, tau, w, &lw, info); }
inline void geqrf(int m, int n, double* a, double* tau, double* w, int lw, int* info) { dgeqrf_(&m, &n, a, &m, tau, w, &lw, info); }
inline void orgqr(int m, int n, int k, float* a, const float* tau, float* w, int lw, int* info) { sorgqr_(&m, &n, &k, a, &m, tau, w, &lw, info); }
inline void orgqr(int m, int n, int k, double* a, const double* tau, double* w, int lw, int* info) { dorgqr_(&m, &n, &k, a, &m, tau, w, &lw, info); }
inline void gesdd(char jobz, int m, int n, float* a, float* s, float* u, int ldu, float* vt, int ldvt,
                  float* w, int lw, int* iw, int* info) {
  sgesdd_(&jobz, &m, &n, a, &m, s, u, &ldu, vt, &ldvt, w, &lw, iw, info, 1);
}
inline void gesdd(char jobz, int m, int n, double* a, double* s, double* u, int ldu, double* vt, int ldvt,
                  double* w, int lw, int* iw, int* info) {
  dgesdd_(&jobz, &m, &n, a, &m, s, u, &ldu, vt, &ldvt, w, &lw, iw, info, 1);
}
inline void syevd(char jobz, char uplo, int n, float* a, float* w, float* wk, int lw, int* iw, int liw, int* info) {
  ssyevd_(&jobz, &uplo, &n, a, &n, w, wk, &lw, iw, &liw, info, 1, 1);
}
inline void syevd(char jobz, char uplo, int n, double* a, double* w, double* wk, int lw, int* iw, int liw, int* info) {
  dsyevd_(&jobz, &uplo, &n, a, &n, w, wk, &lw, iw, &liw, info, 1, 1);
}

// A workspace size returned by a query (LAPACK reports it as a float).
template <class T>
int work_size(T w) {
  return std::max(1, static_cast<int>(w));
}

// The size as LAPACK's int; throws naming the op when it does not fit.
using linalg_errors::lapack_int_size;

// dst (cols, rows) = transpose of src (rows, cols), both dense.
template <class T>
void transpose_copy(const T* src, int64_t rows, int64_t cols, T* dst) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) dst[j * rows + i] = src[i * cols + j];
}

// Runs fn(b) for every batch matrix b in [0, count). Small matrices run in parallel on
// the engine's pool (each call then uses one core); larger ones one after another, each
// using OpenBLAS's threads. `elements` is the size of one matrix.
template <class F>
void for_each_matrix(int64_t count, int64_t elements, F&& fn) {
  if (count > 1 && elements <= 64 * 64) {
    parallel_for(count, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, elements)),
                 [&](int64_t s, int64_t e) {
                   for (int64_t b = s; b < e; ++b) fn(b);
                 });
    return;
  }
  for (int64_t b = 0; b < count; ++b) fn(b);
}

// A LAPACK `info` per batch matrix; the first nonzero one (by batch index, so the error
// does not depend on the thread count) is reported on the calling thread.
struct Infos {
  explicit Infos(int64_t count) : v(static_cast<size_t>(count), 0) {}
  std::vector<int> v;
  // Returns {batch, info} of the first failure, or {-1, 0}.
  std::pair<int64_t, int> first() const {
    for (size_t b = 0; b < v.size(); ++b)
      if (v[b] != 0) return {static_cast<int64_t>(b), v[b]};
    return {-1, 0};
  }
};

// The batch matrices of a (..., m, n) shape.
struct Mats {
  int64_t count = 1, m = 0, n = 0;
};
inline Mats mats(const Shape& s) {
  Mats r;
  for (int64_t i = 0; i + 2 < s.rank(); ++i) r.count *= s[i];
  r.m = s[s.rank() - 2];
  r.n = s[s.rank() - 1];
  return r;
}

// A kernel for float32 and float64 (the op's checks allow only those).
template <void (*F32)(OpCall&), void (*F64)(OpCall&)>
void typed(OpCall& c) {
  if (c.in(0).dtype() == DType::float32) F32(c);
  else F64(c);
}

using linalg_errors::batch_note;

}  // namespace keras::core::cpu::lapack
