// gemm.cpp - the CPU kernels' row-major GEMM (core/cpu/gemm.h): the oneDNN-or-OpenBLAS
// choice for float32, OpenBLAS for the rest, bfloat16 on oneDNN's BF16 kernels, the exact int8 product (oneDNN's int8 kernels,
// or BLAS in a float type that holds every partial sum), and the empty-size cases BLAS
// leaves open.
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
#include <type_traits>
#include <vector>

#include "core/cpu/isa.h"
#include "core/cpu/onednn.h"
#include "core/cpu/parallel.h"
#include "core/ops.h"

namespace keras::core::cpu {
namespace {

CBLAS_TRANSPOSE trans(bool t) { return t ? CblasTrans : CblasNoTrans; }

// m or n of 0: nothing to write; k of 0: C is zeros (true when handled here).
template <class T>
bool empty_product(int64_t m, int64_t n, int64_t k, T* c, int64_t ldc) {
  if (m == 0 || n == 0) return true;
  if (k != 0) return false;
  for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, T{});
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

// op(A) (m x k) of int8 values as a dense row-major matrix of T.
template <class T>
std::vector<T> dense_op(bool t, int64_t rows, int64_t cols, const int8_t* a, int64_t ld) {
  std::vector<T> out(static_cast<size_t>(rows * cols));
  T* o = out.data();
  if (!t) {
    for (int64_t i = 0; i < rows; ++i) {
      const int8_t* src = a + i * ld;
      T* dst = o + i * cols;
      for (int64_t j = 0; j < cols; ++j) dst[j] = static_cast<T>(src[j]);
    }
  } else {  // a holds op(A)^T: read its rows, write columns
    for (int64_t j = 0; j < cols; ++j) {
      const int8_t* src = a + j * ld;
      for (int64_t i = 0; i < rows; ++i) o[i * cols + j] = static_cast<T>(src[i]);
    }
  }
  return out;
}

// The int8 product in the float type F, exact: every partial sum is an integer of
// magnitude at most k * 128 * 128, which F holds exactly (float32 up to 2^24, float64 up
// to 2^53), so any order of summation gives the exact sum; it then wraps into int32 as
// int32 sums do.
template <class F>
void int8_in_float(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const int8_t* a, int64_t lda, const int8_t* b,
                   int64_t ldb, int32_t* c, int64_t ldc) {
  const std::vector<F> fa = dense_op<F>(ta, m, k, a, lda), fb = dense_op<F>(tb, k, n, b, ldb);
  std::vector<F> fc(static_cast<size_t>(m * n));
  gemm(false, false, m, n, k, fa.data(), k, fb.data(), n, fc.data(), n);
  for (int64_t i = 0; i < m; ++i) {
    const F* src = fc.data() + i * n;
    int32_t* dst = c + i * ldc;
    if constexpr (std::is_same_v<F, float>)  // |sum| <= 2^24: in int32's range
      for (int64_t j = 0; j < n; ++j) dst[j] = static_cast<int32_t>(src[j]);
    else
      for (int64_t j = 0; j < n; ++j) dst[j] = static_cast<int32_t>(static_cast<uint32_t>(static_cast<int64_t>(src[j])));
  }
}

}  // namespace

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const int8_t* a, int64_t lda, const int8_t* b,
          int64_t ldb, int32_t* c, int64_t ldc) {
  if (empty_product(m, n, k, c, ldc)) return;
  if (!onednn::prefer_for_int8_gemm()) {
    if (k <= (int64_t(1) << 24) / (128 * 128)) return int8_in_float<float>(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
    return int8_in_float<double>(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
  }
  // oneDNN's AMX/VNNI kernels (brgemm) read A by rows and B whole: a transposed A is
  // copied once, and C is cut into blocks of rows only (a block of B's columns, strided,
  // sends oneDNN to a slower kernel with a scalar compensation pass).
  std::vector<int8_t> at;
  if (ta) {
    at = dense_op<int8_t>(true, m, k, a, lda);
    a = at.data();
    lda = k;
  }
  constexpr int64_t kMinWork = int64_t(1) << 22;  // multiply-adds per block
  const int64_t wanted = std::clamp<int64_t>(m * n * k / kMinWork, 1, get_num_threads());
  const int64_t step = std::min(m, ((m + wanted - 1) / wanted + 15) / 16 * 16), blocks = (m + step - 1) / step;
  auto run = [&](int64_t lo, int64_t hi) {
    onednn::gemm_s8({.m = hi - lo, .n = n, .k = k, .tb = tb, .a = a + lo * lda, .lda = lda, .b = b, .ldb = ldb,
                     .c = c + lo * ldc, .ldc = ldc});
  };
  if (blocks <= 1) return run(0, m);
  parallel_for(blocks, 1, [&](int64_t first, int64_t last) {
    for (int64_t i = first; i < last; ++i) run(i * step, std::min(m, (i + 1) * step));
  });
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const bfloat16_t* a, int64_t lda, const bfloat16_t* b,
          int64_t ldb, bfloat16_t* c, int64_t ldc) {
  if (empty_product(m, n, k, c, ldc)) return;
  if (onednn::prefer_for_bf16_gemm()) {
    // Blocks whose bounds follow from the shape (by_blocks), one oneDNN call each.
    by_blocks(ta, tb, m, n, k, a, lda, b, ldb, c, ldc,
              [&](int64_t bm, int64_t bn, const bfloat16_t* ba, const bfloat16_t* bb, bfloat16_t* bc) {
                onednn::gemm_bf16({.m = bm, .n = bn, .k = k, .ta = ta, .tb = tb, .a = &ba->bits, .lda = lda,
                                   .b = &bb->bits, .ldb = ldb, .c = &bc->bits, .ldc = ldc});
              });
    return;
  }
  // Without the instructions: float32 operands (exact), float32 GEMM, one rounding.
  auto widen = [](bool t, int64_t rows, int64_t cols, const bfloat16_t* x, int64_t ld) {
    std::vector<float> out(static_cast<size_t>(rows * cols));
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) out[size_t(i * cols + j)] = bfloat16_to_float(t ? x[j * ld + i] : x[i * ld + j]);
    return out;
  };
  const std::vector<float> fa = widen(ta, m, k, a, lda), fb = widen(tb, k, n, b, ldb);
  std::vector<float> fc(static_cast<size_t>(m * n));
  gemm(false, false, m, n, k, fa.data(), k, fb.data(), n, fc.data(), n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = float_to_bfloat16(fc[size_t(i * n + j)]);
}

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

namespace {
template <class T>
void batch_product(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b,
                   int64_t ldb, T* c, int64_t ldc) {
  if (m * n * k > kSmallGemm) return gemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
  isa_kernels().of<T>().small_gemm(m, n, k, a, ta ? 1 : lda, ta ? lda : 1, b, tb ? 1 : ldb, tb ? ldb : 1, c, ldc);
}
}  // namespace

void batch_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                int64_t ldb, float* c, int64_t ldc) {
  batch_product(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
}
void batch_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b,
                int64_t ldb, double* c, int64_t ldc) {
  batch_product(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
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
