// gemm.h - (engine-internal) one row-major GEMM per element type for the CPU kernels that
// multiply matrices themselves (matmul, fused_matmul, the fused recurrent sequences):
//   C (m x n, row stride ldc) = op(A) op(B),  op(A) = A^T when ta (A is then k x m),
// A with row stride lda, B with ldb. float32 goes through the engine's GEMM choice (oneDNN
// where core/cpu/onednn_gemm.cpp measured it faster, else OpenBLAS), float64 and the
// complex types through OpenBLAS (complex transposes do not conjugate, as tf.matmul's
// transpose_a/b); int8 operands give int32 sums (oneDNN's int8 kernels where they are
// exact, else BLAS in a float type that holds every partial sum). m or n of 0 writes
// nothing; k of 0 writes zeros. bfloat16 sums in float32 and rounds once.
#pragma once
#include <complex>
#include <cstdint>

#include "core/half.h"

namespace keras::core::cpu {

///@{
/// C = op(A) op(B) (see the file comment).
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
          int64_t ldb, float* c, int64_t ldc);
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b,
          int64_t ldb, double* c, int64_t ldc);
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const std::complex<float>* a, int64_t lda,
          const std::complex<float>* b, int64_t ldb, std::complex<float>* c, int64_t ldc);
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const std::complex<double>* a, int64_t lda,
          const std::complex<double>* b, int64_t ldb, std::complex<double>* c, int64_t ldc);
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const int8_t* a, int64_t lda, const int8_t* b,
          int64_t ldb, int32_t* c, int64_t ldc);  ///< int8 operands, their exact int32 sums (wrapping)
/// bfloat16 operands: the products summed in float32, rounded once to bfloat16 (oneDNN's
/// AVX-512 BF16 kernels where the CPU has them, else float32 GEMM between conversions).
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const bfloat16_t* a, int64_t lda, const bfloat16_t* b,
          int64_t ldb, bfloat16_t* c, int64_t ldc);
///@}

/// Products of at most this many multiply-adds skip BLAS: a BLAS call costs about 0.5 µs
/// before it multiplies (measured on a 28 x 28 x 16 product, 12.5k multiply-adds), more
/// than such a product takes.
inline constexpr int64_t kSmallGemm = int64_t(1) << 18;
///@{
/// gemm() for one product of a batch (batched matmul, einsum_matmul, attention): up to
/// kSmallGemm multiply-adds on the ISA table's small_gemm (each element one FMA chain over
/// k in order, strided operands read where they lie), larger ones on gemm().
void batch_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                int64_t ldb, float* c, int64_t ldc);
void batch_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b,
                int64_t ldb, double* c, int64_t ldc);
///@}

}  // namespace keras::core::cpu
