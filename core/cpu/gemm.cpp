// gemm.cpp - the CPU kernels' row-major GEMM (core/cpu/gemm.h): the oneDNN-or-OpenBLAS
// choice for float32, OpenBLAS for the rest, and the empty-size cases BLAS leaves open.
#include "core/cpu/gemm.h"

#include <cblas.h>

#include <algorithm>

#include "core/cpu/onednn.h"

namespace keras::core::cpu {
namespace {

CBLAS_TRANSPOSE trans(bool t) { return t ? CblasTrans : CblasNoTrans; }

// m or n of 0: nothing to write; k of 0: C is zeros (true when handled here).
template <class T>
bool empty_product(int64_t m, int64_t n, int64_t k, T* c, int64_t ldc) {
  if (m == 0 || n == 0) return true;
  if (k != 0) return false;
  for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, T(0));
  return true;
}

}  // namespace

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
          int64_t ldb, float* c, int64_t ldc) {
  if (empty_product(m, n, k, c, ldc)) return;
  onednn::Gemm g{.m = m, .n = n, .k = k, .ta = ta, .tb = tb, .a = a, .lda = lda, .b = b, .ldb = ldb,
                 .c = c, .ldc = ldc};
  if (onednn::prefer_for_gemm(g)) return onednn::gemm(g);
  cblas_sgemm(CblasRowMajor, trans(ta), trans(tb), int(m), int(n), int(k), 1.0f, a, int(lda), b, int(ldb), 0.0f, c,
              int(ldc));
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b,
          int64_t ldb, double* c, int64_t ldc) {
  if (empty_product(m, n, k, c, ldc)) return;
  cblas_dgemm(CblasRowMajor, trans(ta), trans(tb), int(m), int(n), int(k), 1.0, a, int(lda), b, int(ldb), 0.0, c,
              int(ldc));
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const std::complex<float>* a, int64_t lda,
          const std::complex<float>* b, int64_t ldb, std::complex<float>* c, int64_t ldc) {
  if (empty_product(m, n, k, c, ldc)) return;
  const std::complex<float> one(1.0f, 0.0f), zero(0.0f, 0.0f);
  cblas_cgemm(CblasRowMajor, trans(ta), trans(tb), int(m), int(n), int(k), &one, a, int(lda), b, int(ldb), &zero, c,
              int(ldc));
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const std::complex<double>* a, int64_t lda,
          const std::complex<double>* b, int64_t ldb, std::complex<double>* c, int64_t ldc) {
  if (empty_product(m, n, k, c, ldc)) return;
  const std::complex<double> one(1.0, 0.0), zero(0.0, 0.0);
  cblas_zgemm(CblasRowMajor, trans(ta), trans(tb), int(m), int(n), int(k), &one, a, int(lda), b, int(ldb), &zero, c,
              int(ldc));
}

}  // namespace keras::core::cpu
