// einsum_matmul.h - (engine-internal) the einsum_matmul primitive: C = sum_k A[.., m, .., k]
// B[.., k, .., n] over shared batch axes, each operand read in its own axis order and the
// result written in the order asked, as one GEMM per batch index with the operands'
// strides as leading dimensions (ops::einsum's contraction of two operands with one free
// axis each and one contracted axis, where every matrix has a unit-stride axis: attention's
// "aecd,abcd->acbe" and "acbe,aecd->abcd", with no transposes).
#pragma once
#include <cstdint>
#include <vector>

#include "core/dispatch.h"

namespace keras::core {

// Where each role's axis lies in a (rank ra), b (rank rb) and the output (rank ro):
// batch axes (a, b, out triples), then m in a and out, n in b and out, k in a and b.
struct EinsumMatMulLayout {
  std::vector<int64_t> batch_a, batch_b, batch_out;
  int64_t m_a = 0, m_out = 0, n_b = 0, n_out = 0, k_a = 0, k_b = 0;

  // To and from Attrs::axes (encode raises std::invalid_argument when the three batch
  // lists differ in length).
  std::vector<int64_t> encode() const;
  // Decodes and checks the layout against the operands' ranks and sizes (each a
  // permutation of its axes, equal sizes, a unit-stride axis in every matrix); raises
  // std::invalid_argument naming `op` otherwise. Returns the output's shape.
  static EinsumMatMulLayout decode(const std::vector<int64_t>& axes, const Shape& a, const Shape& b, const char* op,
                                   Shape* out);

  // The products a kernel makes for operands of shapes a and b (checked by decode) into
  // `out`: one row-major C (m x n, row stride ldc) = op(A) op(B) per batch index (the last
  // batch axis fastest), each matrix read through its operand's strides (the unit-stride
  // axis picks the transpose flag, the other axis's stride is the leading dimension), at
  // the element offsets a_off[i], b_off[i], c_off[i].
  struct GemmPlan {
    int64_t m = 0, n = 0, k = 0;
    bool ta = false, tb = false;
    int64_t lda = 0, ldb = 0, ldc = 0;
    std::vector<int64_t> a_off, b_off, c_off;
  };
  GemmPlan gemm_plan(const Shape& a, const Shape& b, const Shape& out) const;
};

}  // namespace keras::core

namespace keras::core::ops {
// The einsum_matmul node for `layout` (ops::einsum calls it where the layout fits).
Tensor einsum_matmul(const Tensor& a, const Tensor& b, const EinsumMatMulLayout& layout);
}  // namespace keras::core::ops
