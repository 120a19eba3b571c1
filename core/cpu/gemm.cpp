// gemm.cpp - the CPU kernels' row-major GEMM (core/cpu/gemm.h): the oneDNN-or-OpenBLAS
// choice for float32, OpenBLAS for the rest, and the empty-size cases BLAS leaves open.
//
// OpenBLAS runs single-threaded (parallel.cpp sets it); this file cuts C into blocks whose
// bounds depend on the shape alone and runs them on the engine's threads, so every
// element comes from the same kernel call at any thread count. (OpenBLAS's own threads
// move the block edges with the thread count, and its AVX-512 kernels sum a tail block
// in another order: float64 products then differed in their last bits between 1 and 2
// threads.)
#include "core/cpu/gemm.h"

#include <cblas.h>

#include <algorithm>

#include "core/cpu/onednn.h"
#include "core/cpu/parallel.h"

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

// C's blocks, cut along its longer side: at least kMinWork multiply-adds and kMinLen rows
// or columns each (OpenBLAS packs op(B) or op(A) again for every block), a multiple of
// 16, at most kMaxBlocks; the bounds follow from the shape only.
struct Blocks {
  bool along_n;
  int64_t step, count;
};

Blocks blocks_of(int64_t m, int64_t n, int64_t k) {
  constexpr int64_t kMinWork = int64_t(1) << 22, kMinLen = 128, kMaxBlocks = 32;
  const bool along_n = n > m;
  const int64_t len = along_n ? n : m;
  const int64_t wanted = std::clamp<int64_t>(m * n * k / kMinWork, 1, kMaxBlocks);
  int64_t step = std::max(kMinLen, (len + wanted - 1) / wanted);
  step = std::min(len, (step + 15) / 16 * 16);
  return {along_n, step, (len + step - 1) / step};
}

// call(m, n, a, b, c) on each block of C (the A, B and C pointers moved to the block).
template <class T, class Call>
void by_blocks(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb,
               T* c, int64_t ldc, Call call) {
  const Blocks bl = blocks_of(m, n, k);
  if (bl.count <= 1) return call(m, n, a, b, c);
  parallel_for(bl.count, 1, [&](int64_t first, int64_t last) {
    for (int64_t i = first; i < last; ++i) {
      const int64_t lo = i * bl.step, hi = std::min((bl.along_n ? n : m), lo + bl.step);
      if (bl.along_n)  // columns lo..hi of op(B) and C
        call(m, hi - lo, a, tb ? b + lo * ldb : b + lo, c + lo);
      else  // rows lo..hi of op(A) and C
        call(hi - lo, n, ta ? a + lo : a + lo * lda, b, c + lo * ldc);
    }
  });
}

}  // namespace

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
          int64_t ldb, float* c, int64_t ldc) {
  if (empty_product(m, n, k, c, ldc)) return;
  onednn::Gemm g{.m = m, .n = n, .k = k, .ta = ta, .tb = tb, .a = a, .lda = lda, .b = b, .ldb = ldb,
                 .c = c, .ldc = ldc};
  if (onednn::prefer_for_gemm(g)) return onednn::gemm(g);
  by_blocks(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, [&](int64_t bm, int64_t bn, const float* ba, const float* bb, float* bc) {
    cblas_sgemm(CblasRowMajor, trans(ta), trans(tb), int(bm), int(bn), int(k), 1.0f, ba, int(lda), bb, int(ldb), 0.0f,
                bc, int(ldc));
  });
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b,
          int64_t ldb, double* c, int64_t ldc) {
  if (empty_product(m, n, k, c, ldc)) return;
  by_blocks(ta, tb, m, n, k, a, lda, b, ldb, c, ldc,
            [&](int64_t bm, int64_t bn, const double* ba, const double* bb, double* bc) {
              cblas_dgemm(CblasRowMajor, trans(ta), trans(tb), int(bm), int(bn), int(k), 1.0, ba, int(lda), bb,
                          int(ldb), 0.0, bc, int(ldc));
            });
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const std::complex<float>* a, int64_t lda,
          const std::complex<float>* b, int64_t ldb, std::complex<float>* c, int64_t ldc) {
  if (empty_product(m, n, k, c, ldc)) return;
  using C = std::complex<float>;
  const C one(1.0f, 0.0f), zero(0.0f, 0.0f);
  by_blocks(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, [&](int64_t bm, int64_t bn, const C* ba, const C* bb, C* bc) {
    cblas_cgemm(CblasRowMajor, trans(ta), trans(tb), int(bm), int(bn), int(k), &one, ba, int(lda), bb, int(ldb), &zero,
                bc, int(ldc));
  });
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const std::complex<double>* a, int64_t lda,
          const std::complex<double>* b, int64_t ldb, std::complex<double>* c, int64_t ldc) {
  if (empty_product(m, n, k, c, ldc)) return;
  using Z = std::complex<double>;
  const Z one(1.0, 0.0), zero(0.0, 0.0);
  by_blocks(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, [&](int64_t bm, int64_t bn, const Z* ba, const Z* bb, Z* bc) {
    cblas_zgemm(CblasRowMajor, trans(ta), trans(tb), int(bm), int(bn), int(k), &one, ba, int(lda), bb, int(ldb), &zero,
                bc, int(ldc));
  });
}

}  // namespace keras::core::cpu
