// eig.cpp - the CPU kernel of `eig` on LAPACK geev (NumPy's driver): the eigenvalues and
// right eigenvectors of general real matrices, as complex64/complex128. float32 and
// float64; batch matrices as in linalg_decomp.cpp. Checks and shapes: core/ops/eig.cpp.
#include <complex>

#include "core/cpu/lapack.h"
#include "core/ops/complex_util.h"

extern "C" {
void sgeev_(const char* jobvl, const char* jobvr, const int* n, float* a, const int* lda, float* wr,
            float* wi, float* vl, const int* ldvl, float* vr, const int* ldvr, float* work,
            const int* lwork, int* info, size_t, size_t);
void dgeev_(const char* jobvl, const char* jobvr, const int* n, double* a, const int* lda, double* wr,
            double* wi, double* vl, const int* ldvl, double* vr, const int* ldvr, double* work,
            const int* lwork, int* info, size_t, size_t);
}

namespace keras::core::cpu {
namespace {

using namespace lapack;

void geev(int n, float* a, float* wr, float* wi, float* vr, float* w, int lw, int* info) {
  const char nv = 'N', v = 'V';
  int one = 1;
  sgeev_(&nv, &v, &n, a, &n, wr, wi, nullptr, &one, vr, &n, w, &lw, info, 1, 1);
}
void geev(int n, double* a, double* wr, double* wi, double* vr, double* w, int lw, int* info) {
  const char nv = 'N', v = 'V';
  int one = 1;
  dgeev_(&nv, &v, &n, a, &n, wr, wi, nullptr, &one, vr, &n, w, &lw, info, 1, 1);
}

// Outputs: eigenvalues (..., n) and eigenvectors (..., n, n) as columns, complex. geev
// returns a complex pair (wi[j] > 0) as columns j (real part) and j + 1 (imaginary part)
// of VR; the second vector is the conjugate of the first.
template <class T>
void eig_impl(OpCall& c) {
  using Z = std::complex<T>;
  const Mats g = mats(c.in(0).shape());
  const int64_t n = g.n;
  lapack_int_size(c, n);
  if (n == 0) return;
  const T* x = static_cast<const T*>(c.in(0).raw_data());
  Z* ev = static_cast<Z*>(c.outputs[0].raw_mutable_data());
  Z* vec = static_cast<Z*>(c.outputs[1].raw_mutable_data());
  Infos infos(g.count);
  for_each_matrix(g.count, n * n, [&](int64_t b) {
    std::vector<T> a(static_cast<size_t>(n * n)), wr(static_cast<size_t>(n)), wi(static_cast<size_t>(n)),
        vr(static_cast<size_t>(n * n));
    transpose_copy(x + b * n * n, n, n, a.data());  // row-major to LAPACK's column-major
    T q{};
    int info = 0;
    geev(int(n), a.data(), wr.data(), wi.data(), vr.data(), &q, -1, &info);
    std::vector<T> work(static_cast<size_t>(work_size(q)));
    geev(int(n), a.data(), wr.data(), wi.data(), vr.data(), work.data(), int(work.size()), &info);
    infos.v[static_cast<size_t>(b)] = info;
    if (info != 0) return;
    Z* e = ev + b * n;
    Z* v = vec + b * n * n;
    for (int64_t j = 0; j < n; ++j) {
      e[j] = Z(wr[size_t(j)], wi[size_t(j)]);
      const T* col = vr.data() + j * n;
      if (wi[size_t(j)] != T(0) && j + 1 < n && wi[size_t(j)] > T(0)) {
        const T* next = col + n;
        for (int64_t r = 0; r < n; ++r) {
          v[r * n + j] = Z(col[r], next[r]);
          v[r * n + j + 1] = Z(col[r], -next[r]);
        }
        e[j + 1] = Z(wr[size_t(j + 1)], wi[size_t(j + 1)]);
        ++j;
      } else {
        for (int64_t r = 0; r < n; ++r) v[r * n + j] = Z(col[r], T(0));
      }
    }
  });
  if (auto [b, inf] = infos.first(); b >= 0)
    throw_invalid(std::string(c.name()) + ": the LAPACK algorithm did not converge (info " +
                  std::to_string(inf) + ")" + batch_note(c, b) + " for the input of shape " +
                  c.in(0).shape().str() + " (does it hold NaN or Inf?)");
}

}  // namespace

void register_eig_kernels() {
  // Its outputs are complex: dispatch takes the op's complex kernel.
  register_complex_kernel(OpId::Eig, Device::Kind::CPU, typed<eig_impl<float>, eig_impl<double>>);
}

}  // namespace keras::core::cpu
