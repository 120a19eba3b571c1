// linalg_decomp.cpp - CPU kernels of the decompositions on LAPACK/OpenBLAS: qr (geqrf +
// orgqr), svd (gesdd, NumPy's driver), eigh (syevd). float32 and float64; batch matrices
// as in linalg_solve.cpp. Checks and shapes: core/ops/linalg.cpp.
#include <cstring>

#include "core/cpu/lapack.h"
#include "core/init.h"

namespace keras::core::cpu {
namespace {

using namespace lapack;

template <class T>
T* out_ptr(OpCall& c, size_t i) {
  return static_cast<T*>(c.outputs[i].raw_mutable_data());
}

// rows x cols identity (the factors of an empty matrix).
template <class T>
void identity(T* p, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) p[i * cols + j] = T(i == j);
}

using linalg_errors::throw_no_convergence;

// Outputs q (m, mq) and r (mq, n), mq = m (Attrs.flag: "complete") or min(m, n).
// LAPACK works on a column-major copy; R is its upper triangle, Q comes from orgqr.
template <class T>
void qr_impl(OpCall& c) {
  const Mats g = mats(c.in(0).shape());
  const int64_t m = g.m, n = g.n, k = std::min(m, n), mq = c.attrs.flag ? m : k;
  lapack_int_size(c, std::max(m, n));
  const T* x = static_cast<const T*>(c.in(0).raw_data());
  T *q = out_ptr<T>(c, 0), *r = out_ptr<T>(c, 1);
  if (m == 0) return;
  Infos infos(g.count);
  for_each_matrix(g.count, m * n, [&](int64_t b) {
    T* qb = q + b * m * mq;
    T* rb = r + b * mq * n;
    if (k == 0) return identity(qb, m, mq);
    std::vector<T> a(static_cast<size_t>(m * std::max(n, mq))), tau(static_cast<size_t>(k));
    transpose_copy(x + b * m * n, m, n, a.data());
    T q1{}, q2{};
    int info = 0;
    geqrf(int(m), int(n), a.data(), tau.data(), &q1, -1, &info);
    orgqr(int(m), int(mq), int(k), a.data(), tau.data(), &q2, -1, &info);
    std::vector<T> work(static_cast<size_t>(std::max(work_size(q1), work_size(q2))));
    geqrf(int(m), int(n), a.data(), tau.data(), work.data(), int(work.size()), &info);
    for (int64_t i = 0; i < mq; ++i)
      for (int64_t j = 0; j < n; ++j) rb[i * n + j] = i <= j ? a[size_t(j * m + i)] : T(0);
    if (info == 0)
      orgqr(int(m), int(mq), int(k), a.data(), tau.data(), work.data(), int(work.size()), &info);
    transpose_copy(a.data(), mq, m, qb);  // column-major (m, mq) to row-major
    infos.v[static_cast<size_t>(b)] = info;
  });
  if (auto [b, inf] = infos.first(); b >= 0) throw_no_convergence(c, b, inf);
}

// The row-major (m, n) input is LAPACK's (n, m) A^T = U' S V'^T, so A = V' S U'^T: gesdd
// writes vh = U'^T and u = V' straight into the row-major outputs (no transposes).
// Outputs u (m, mu), s (k), vh (nv, n) with k = min(m, n) and mu = m, nv = n
// (Attrs.flag: full_matrices) or k; Attrs.flag2 = compute_uv (else s is the only output).
template <class T>
void svd_impl(OpCall& c) {
  const Mats g = mats(c.in(0).shape());
  const int64_t m = g.m, n = g.n, k = std::min(m, n);
  const bool full = c.attrs.flag, uv = c.attrs.flag2;
  const int64_t mu = full ? m : k, nv = full ? n : k;
  lapack_int_size(c, std::max(m, n));
  const T* x = static_cast<const T*>(c.in(0).raw_data());
  T* s = out_ptr<T>(c, uv ? 1 : 0);
  T* u = uv ? out_ptr<T>(c, 0) : nullptr;
  T* vh = uv ? out_ptr<T>(c, 2) : nullptr;
  Infos infos(g.count);
  for_each_matrix(g.count, m * n, [&](int64_t b) {
    if (k == 0) {
      if (uv) identity(u + b * m * mu, m, mu), identity(vh + b * nv * n, nv, n);
      return;
    }
    std::vector<T> a(x + b * m * n, x + (b + 1) * m * n);
    std::vector<int> iwork(static_cast<size_t>(8 * k));
    T* ub = uv ? vh + b * nv * n : nullptr;  // LAPACK's U (n, nv), ld n
    T* vtb = uv ? u + b * m * mu : nullptr;  // LAPACK's V^T (mu, m), ld mu
    const char jobz = !uv ? 'N' : (full ? 'A' : 'S');
    const int ldu = uv ? int(n) : 1, ldvt = uv ? int(mu) : 1;
    T query{}, dummy{};
    int info = 0;
    gesdd(jobz, int(n), int(m), a.data(), s + b * k, uv ? ub : &dummy, ldu, uv ? vtb : &dummy,
          ldvt, &query, -1, iwork.data(), &info);
    std::vector<T> work(static_cast<size_t>(work_size(query)));
    gesdd(jobz, int(n), int(m), a.data(), s + b * k, uv ? ub : &dummy, ldu, uv ? vtb : &dummy,
          ldvt, work.data(), int(work.size()), iwork.data(), &info);
    infos.v[static_cast<size_t>(b)] = info;
  });
  if (auto [b, inf] = infos.first(); b >= 0) throw_no_convergence(c, b, inf);
}

// Outputs w (n) ascending and v (n, n) with the eigenvectors as columns. syevd on the
// row-major matrix (LAPACK's transpose) with uplo 'U' reads its lower triangle, as
// TensorFlow's eigh; the column-major eigenvectors are transposed out.
template <class T>
void eigh_impl(OpCall& c) {
  const Mats g = mats(c.in(0).shape());
  const int64_t n = g.n;
  lapack_int_size(c, n);
  if (n == 0) return;
  const T* x = static_cast<const T*>(c.in(0).raw_data());
  T *w = out_ptr<T>(c, 0), *v = out_ptr<T>(c, 1);
  Infos infos(g.count);
  for_each_matrix(g.count, n * n, [&](int64_t b) {
    std::vector<T> a(x + b * n * n, x + (b + 1) * n * n);
    T query{};
    int iquery = 0, info = 0;
    syevd('V', 'U', int(n), a.data(), w + b * n, &query, -1, &iquery, -1, &info);
    std::vector<T> work(static_cast<size_t>(work_size(query)));
    std::vector<int> iwork(static_cast<size_t>(std::max(1, iquery)));
    syevd('V', 'U', int(n), a.data(), w + b * n, work.data(), int(work.size()), iwork.data(),
          int(iwork.size()), &info);
    transpose_copy(a.data(), n, n, v + b * n * n);
    infos.v[static_cast<size_t>(b)] = info;
  });
  if (auto [b, inf] = infos.first(); b >= 0) throw_no_convergence(c, b, inf);
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_linalg_decomp_kernels() {
  using namespace cpu;
  using lapack::typed;
  const auto cpu = Device::Kind::CPU;
  register_kernel(OpId::Qr, cpu, typed<qr_impl<float>, qr_impl<double>>);
  register_kernel(OpId::Svd, cpu, typed<svd_impl<float>, svd_impl<double>>);
  register_kernel(OpId::Eigh, cpu, typed<eigh_impl<float>, eigh_impl<double>>);
}
}  // namespace keras::core
