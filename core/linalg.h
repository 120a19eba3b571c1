// linalg.h - linear algebra (Keras 3's keras.ops.linalg, also at keras.ops top level as
// in Keras), on LAPACK (OpenBLAS) on the CPU. Included by core/ops.h.
//
// Matrices are the last two axes; leading axes are a batch. Inputs must be float32 or
// float64 (integers raise std::invalid_argument: cast first); norm, trace, outer, diagonal
// and diag follow keras.ops's dtype rules instead (see each). Bad shapes raise
// std::invalid_argument naming the op, expected and received shapes; a singular matrix
// raises in inv and solve ("not invertible", as TensorFlow), a matrix that is not positive
// definite raises in cholesky. Gradients: see README ("Linear algebra").
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace keras::core::ops {

Tensor inv(const Tensor& a);  ///< (..., M, M)
/// a (..., M, M), b (..., M, K) with a's batch axes, or (..., M) (one vector per matrix).
Tensor solve(const Tensor& a, const Tensor& b);
/// Reads only a's lower (or upper) triangle; no singularity check (inf/NaN, as TF).
Tensor solve_triangular(const Tensor& a, const Tensor& b, bool lower = false);
Tensor det(const Tensor& a);  ///< (...): a singular matrix gives 0
/// The result of slogdet.
struct Slogdet {
  ///@{
  /// The sign (+1, -1 or 0) and log |det| of each matrix.
  Tensor sign, logabsdet;  ///< sign 0 and logabsdet -inf for a singular matrix
  ///@}
};
/// keras.ops.linalg.slogdet: sign and log of the absolute determinant, (...) each.
Slogdet slogdet(const Tensor& a);
/// A = L L^T from A's lower triangle (upper: returns L^T).
Tensor cholesky(const Tensor& a, bool upper = false);
/// The result of lu_factor.
struct LuFactor {
  Tensor lu;      ///< L (unit diagonal implied) and U in one matrix
  Tensor pivots;  ///< int32, a = (L U)[pivots] along the rows (Keras's TensorFlow backend)
};
/// keras.ops.linalg.lu_factor: the LU decomposition with partial pivoting (LAPACK getrf).
LuFactor lu_factor(const Tensor& a);
/// The result of qr.
struct QR {
  ///@{
  /// The orthonormal factor q and the upper-triangular factor r (a = q r).
  Tensor q, r;
  ///@}
};
/// mode "reduced": q (..., M, K), r (..., K, N) with K = min(M, N); "complete": q (M, M).
QR qr(const Tensor& a, const std::string& mode = "reduced");
/// The result of svd.
struct SVD {
  ///@{
  /// Left singular vectors u, singular values s and right singular vectors vh.
  Tensor u, s, vh;  ///< a = u diag(s) vh; s descending; compute_uv=false: only s
  ///@}
};
/// keras.ops.linalg.svd: full_matrices false gives u (..., M, K) and vh (..., K, N), K =
/// min(M, N).
SVD svd(const Tensor& a, bool full_matrices = true, bool compute_uv = true);
/// The result of eigh.
struct Eigh {
  ///@{
  /// Eigenvalues and eigenvectors.
  Tensor eigenvalues, eigenvectors;  ///< ascending; eigenvectors as columns
  ///@}
};
/// From a's lower triangle (TensorFlow's rule).
Eigh eigh(const Tensor& a);
/// Least squares for a 2-d a (M, N) and b (M,) or (M, K), through the SVD (Keras's
/// algorithm): singular values below rcond * max(s) are dropped; rcond defaults to
/// eps * max(M, N).
Tensor lstsq(const Tensor& a, const Tensor& b, std::optional<double> rcond = std::nullopt);
/// inv(L L^T) from a Cholesky factor L (upper: from U with U^T U), as Keras's
/// cholesky_inverse (through two triangular solves).
Tensor cholesky_inverse(const Tensor& factor, bool upper = false);
/// The number of singular values above tol (default max(s) * max(M, N) * eps), int32 (...).
Tensor matrix_rank(const Tensor& a, std::optional<double> tol = std::nullopt);
/// Moore-Penrose inverse (..., N, M) through the SVD; rcond defaults to 10 * max(M, N) * eps.
Tensor pinv(const Tensor& a, std::optional<double> rcond = std::nullopt);

/// A norm order: none (default), a number (2, 1, -1, inf, -inf, 0, or any p for vectors) or
/// "fro" / "nuc".
struct NormOrd {
  NormOrd() = default;
  ///@{
  /// Implicit from a number (the order p) or a name ("fro", "nuc").
  NormOrd(double v) : value(v) {}
  NormOrd(int v) : value(v) {}
  NormOrd(const char* s) : name(s) {}
  NormOrd(std::string s) : name(std::move(s)) {}
  ///@}
  /// The numeric order, if given.
  std::optional<double> value;
  /// The named order ("fro" or "nuc"), if given.
  std::string name;
  /// Whether no order was given (Keras's None: the 2-norm, or Frobenius for matrices).
  bool is_none() const { return !value && name.empty(); }
};
/// keras.ops.norm: a vector norm over one axis or a matrix norm over two (axis empty = all
/// axes, which must then be 1 or 2). Integer inputs are computed in float32.
Tensor norm(const Tensor& x, const NormOrd& ord = {}, const std::vector<int64_t>& axis = {},
            bool keepdims = false);

/// NumPy's trace / diagonal: the diagonal of the (axis1, axis2) planes, offset above (> 0)
/// or below (< 0) the main one, as the last axis. trace of bool and uint8 is int32.
Tensor diagonal(const Tensor& x, int64_t offset = 0, int64_t axis1 = 0, int64_t axis2 = 1);
/// The sum of the diagonal (see diagonal).
Tensor trace(const Tensor& x, int64_t offset = 0, int64_t axis1 = 0, int64_t axis2 = 1);
/// 1-d x: the square matrix with x on diagonal k; 2-d x: its diagonal k.
Tensor diag(const Tensor& x, int64_t k = 0);
/// The outer product of the flattened inputs (same dtype).
Tensor outer(const Tensor& x1, const Tensor& x2);

/// keras.ops.linalg.
namespace linalg {
using ops::cholesky;
using ops::cholesky_inverse;
using ops::det;
using ops::eigh;
using ops::inv;
using ops::lstsq;
using ops::lu_factor;
using ops::matrix_rank;
using ops::norm;
using ops::pinv;
using ops::qr;
using ops::slogdet;
using ops::solve;
using ops::solve_triangular;
using ops::svd;
}  // namespace linalg

}  // namespace keras::core::ops
