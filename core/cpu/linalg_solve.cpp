// linalg_solve.cpp - CPU kernels of the LU and triangular family on LAPACK/OpenBLAS:
// inv (getrf + getri), det and slogdet (getrf), solve (getrf + getrs), lu_factor (getrf),
// cholesky (potrf), solve_triangular (cblas trsm). float32 and float64; batch matrices
// run one after another (OpenBLAS's threads), or in parallel on the pool when small.
// Checks and shapes: core/ops/linalg.cpp.
#include <cblas.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include "core/cpu/lapack.h"
#include "core/init.h"

namespace keras::core::cpu {
namespace {

using namespace lapack;

template <class T>
const T* in_ptr(const OpCall& c, size_t i) {
  return static_cast<const T*>(c.in(i).raw_data());
}
template <class T>
T* out_ptr(OpCall& c, size_t i) {
  return static_cast<T*>(c.outputs[i].raw_mutable_data());
}

using linalg_errors::throw_singular;

// A row-major square matrix is its transpose to LAPACK; inv(A^T) = inv(A)^T, so getrf and
// getri on the row-major copy give the row-major inverse directly.
template <class T>
void inv_impl(OpCall& c) {
  const Mats g = mats(c.in(0).shape());
  const int n = lapack_int_size(c, g.n);
  T* y = out_ptr<T>(c, 0);
  if (c.outputs[0].size() == 0) return;
  std::memcpy(y, in_ptr<T>(c, 0), c.outputs[0].nbytes());
  T query{};
  int info = 0;
  getri(n, y, nullptr, &query, -1, &info);
  const int lwork = work_size(query);
  Infos infos(g.count);
  for_each_matrix(g.count, g.n * g.n, [&](int64_t b) {
    std::vector<int> ipiv(static_cast<size_t>(n));
    std::vector<T> work(static_cast<size_t>(lwork));
    T* a = y + b * g.n * g.n;
    int inf = 0;
    getrf(n, n, a, ipiv.data(), &inf);
    if (inf == 0) getri(n, a, ipiv.data(), work.data(), lwork, &inf);
    infos.v[static_cast<size_t>(b)] = inf;
  });
  if (auto [b, inf] = infos.first(); b >= 0) throw_singular(c, b, inf);
}

// LU of each matrix (of its transpose: the determinant is the same): sign and log|det|,
// or det. A singular matrix gives det 0 (sign 0, log|det| -inf), as NumPy and TensorFlow.
template <class T>
void det_impl(OpCall& c) {
  const Mats g = mats(c.in(0).shape());
  const int n = lapack_int_size(c, g.n);
  const bool log_form = c.op == OpId::Slogdet;
  const T* x = in_ptr<T>(c, 0);
  for_each_matrix(g.count, g.n * g.n, [&](int64_t b) {
    std::vector<T> a(x + b * g.n * g.n, x + (b + 1) * g.n * g.n);
    std::vector<int> ipiv(static_cast<size_t>(n));
    int info = 0;
    if (n > 0) getrf(n, n, a.data(), ipiv.data(), &info);
    T perm = 1, sign = 1, logabs = 0, prod = 1;  // prod: det up to the pivots' sign
    for (int i = 0; i < n; ++i) {
      const T d = a[static_cast<size_t>(i) * static_cast<size_t>(n + 1)];
      if (ipiv[static_cast<size_t>(i)] != i + 1) perm = -perm;
      sign *= d < 0 ? T(-1) : (d > 0 ? T(1) : T(0));
      logabs += std::log(std::fabs(d));
      prod *= d;
    }
    if (log_form) {
      out_ptr<T>(c, 0)[b] = perm * sign;
      out_ptr<T>(c, 1)[b] = info > 0 ? -std::numeric_limits<T>::infinity() : logabs;
    } else {
      out_ptr<T>(c, 0)[b] = perm * prod;
    }
  });
}

// a x = b (Attrs.flag: a^T x = b). getrf factors the row-major a as LAPACK's a^T, so the
// transposes of getrs are swapped; b goes through a column-major copy.
template <class T>
void solve_impl(OpCall& c) {
  const Mats g = mats(c.in(0).shape()), gb = mats(c.in(1).shape());
  const int n = lapack_int_size(c, g.n), k = lapack_int_size(c, gb.n);
  if (c.outputs[0].size() == 0) return;
  const T *pa = in_ptr<T>(c, 0), *pb = in_ptr<T>(c, 1);
  T* y = out_ptr<T>(c, 0);
  const char trans = c.attrs.flag ? 'N' : 'T';
  Infos infos(g.count);
  for_each_matrix(g.count, g.n * g.n, [&](int64_t b) {
    std::vector<T> a(pa + b * g.n * g.n, pa + (b + 1) * g.n * g.n);
    std::vector<T> rhs(static_cast<size_t>(g.n * gb.n));
    std::vector<int> ipiv(static_cast<size_t>(n));
    transpose_copy(pb + b * g.n * gb.n, g.n, gb.n, rhs.data());
    int info = 0;
    getrf(n, n, a.data(), ipiv.data(), &info);
    if (info == 0) getrs(trans, n, k, a.data(), ipiv.data(), rhs.data(), &info);
    transpose_copy(rhs.data(), gb.n, g.n, y + b * g.n * gb.n);
    infos.v[static_cast<size_t>(b)] = info;
  });
  if (auto [b, inf] = infos.first(); b >= 0) throw_singular(c, b, inf);
}

// Output 0: L and U in one matrix (L's unit diagonal implied); output 1: int32 pivots
// p with a = (L U)[p] (rows), TensorFlow backend's convention (the inverse of tf.linalg.lu's
// permutation). A singular matrix factors without error (a zero on U's diagonal).
template <class T>
void lu_factor_impl(OpCall& c) {
  const Mats g = mats(c.in(0).shape());
  const int n = lapack_int_size(c, g.n);
  const T* x = in_ptr<T>(c, 0);
  T* lu = out_ptr<T>(c, 0);
  int32_t* piv = out_ptr<int32_t>(c, 1);
  if (g.n == 0) return;
  for_each_matrix(g.count, g.n * g.n, [&](int64_t b) {
    std::vector<T> a(static_cast<size_t>(g.n * g.n));
    std::vector<int> ipiv(static_cast<size_t>(n));
    transpose_copy(x + b * g.n * g.n, g.n, g.n, a.data());
    int info = 0;
    getrf(n, n, a.data(), ipiv.data(), &info);
    transpose_copy(a.data(), g.n, g.n, lu + b * g.n * g.n);
    std::vector<int32_t> rows(static_cast<size_t>(n));  // row i of L U is a's row rows[i]
    std::iota(rows.begin(), rows.end(), 0);
    for (int i = 0; i < n; ++i) std::swap(rows[size_t(i)], rows[size_t(ipiv[size_t(i)] - 1)]);
    for (int i = 0; i < n; ++i) piv[b * g.n + rows[size_t(i)]] = i;
  });
}

// potrf on the row-major matrix (LAPACK's transpose) with uplo 'U' reads the lower
// triangle and leaves L = U^T in it; the strict upper part is then zeroed.
template <class T>
void cholesky_impl(OpCall& c) {
  const Mats g = mats(c.in(0).shape());
  const int n = lapack_int_size(c, g.n);
  T* y = out_ptr<T>(c, 0);
  if (c.outputs[0].size() == 0) return;
  std::memcpy(y, in_ptr<T>(c, 0), c.outputs[0].nbytes());
  Infos infos(g.count);
  for_each_matrix(g.count, g.n * g.n, [&](int64_t b) {
    T* a = y + b * g.n * g.n;
    int info = 0;
    potrf('U', n, a, &info);
    for (int64_t i = 0; i < g.n; ++i) {
      for (int64_t j = i + 1; j < g.n; ++j) a[i * g.n + j] = T(0);
      if (info == 0 && std::isnan(a[i * g.n + i])) info = -1;  // NaN passes potrf's test
    }
    infos.v[static_cast<size_t>(b)] = info;
  });
  if (auto [b, inf] = infos.first(); b >= 0) linalg_errors::throw_not_positive_definite(c, b, inf);
}

void trsm(bool lower, bool trans, int n, int k, const float* a, float* b) {
  cblas_strsm(CblasRowMajor, CblasLeft, lower ? CblasLower : CblasUpper,
              trans ? CblasTrans : CblasNoTrans, CblasNonUnit, n, k, 1.0f, a, n, b, k);
}
void trsm(bool lower, bool trans, int n, int k, const double* a, double* b) {
  cblas_dtrsm(CblasRowMajor, CblasLeft, lower ? CblasLower : CblasUpper,
              trans ? CblasTrans : CblasNoTrans, CblasNonUnit, n, k, 1.0, a, n, b, k);
}

// Attrs.flag = lower, flag2 = adjoint (a^T x = b). Only a's triangle is read; a zero on
// its diagonal gives inf/NaN, as TensorFlow's triangular_solve (no check).
template <class T>
void solve_triangular_impl(OpCall& c) {
  const Mats g = mats(c.in(0).shape()), gb = mats(c.in(1).shape());
  const int n = lapack_int_size(c, g.n), k = lapack_int_size(c, gb.n);
  if (c.outputs[0].size() == 0) return;
  T* y = out_ptr<T>(c, 0);
  std::memcpy(y, in_ptr<T>(c, 1), c.outputs[0].nbytes());
  const T* pa = in_ptr<T>(c, 0);
  for_each_matrix(g.count, g.n * g.n, [&](int64_t b) {
    trsm(c.attrs.flag, c.attrs.flag2, n, k, pa + b * g.n * g.n, y + b * g.n * gb.n);
  });
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_linalg_solve_kernels() {
  using namespace cpu;
  using lapack::typed;
  const auto cpu = Device::Kind::CPU;
  register_kernel(OpId::Inv, cpu, typed<inv_impl<float>, inv_impl<double>>);
  register_kernel(OpId::Det, cpu, typed<det_impl<float>, det_impl<double>>);
  register_kernel(OpId::Slogdet, cpu, typed<det_impl<float>, det_impl<double>>);
  register_kernel(OpId::Solve, cpu, typed<solve_impl<float>, solve_impl<double>>);
  register_kernel(OpId::LuFactor, cpu, typed<lu_factor_impl<float>, lu_factor_impl<double>>);
  register_kernel(OpId::Cholesky, cpu, typed<cholesky_impl<float>, cholesky_impl<double>>);
  register_kernel(OpId::SolveTriangular, cpu,
                  typed<solve_triangular_impl<float>, solve_triangular_impl<double>>);
}
}  // namespace keras::core
