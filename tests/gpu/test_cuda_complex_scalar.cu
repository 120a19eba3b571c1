// The complex formulas of the CUDA kernels (gpu/complex.cu: cuda::std::complex's
// sums, products, quotients, exp, and hypot / atan2 for abs / angle), run on the host
// against the CPU kernels (libstdc++'s std::complex, libgcc's __mulsc3 / __divsc3 and
// their double forms) over every pair of awkward parts: signed zeros, ordinary values,
// infinities, NaN, and parts near the float limits (max / 4, min * 4). The special-value
// branches (C99 Annex G: infinities recovered from NaN products and quotients, exp's
// special values) are the same source on the host and the device, so this checks, in
// every CUDA build and without a GPU, that both libraries give the same NaN / infinity
// pattern, and finite parts within the CPU/CUDA table's tolerances. One known
// difference: a quotient that overflows or underflows because its parts lie near the
// float limits (a part near max / 4 over one near min * 4, or the reverse) may come out
// NaN in one part on one library and infinite or finite on the other (GCC 12's division
// rescales differently from libcu++'s logb/scalbn one); there only quotients the CPU
// computes finite in both parts are compared. Compiled by nvcc (CUDA builds only).
#include <cuda/std/complex>

#include <cmath>
#include <complex>
#include <limits>
#include <vector>

#include "helpers.h"

using namespace th;

namespace {

constexpr int kOrdinary = 8;  // awkward_parts' first 8 are not near the float limits

template <class T>
std::vector<T> awkward_parts() {
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  const T huge = std::numeric_limits<T>::max() / T(4), tiny = std::numeric_limits<T>::min() * T(4);
  return {T(0), -T(0), T(1), T(-2.5), T(0.75), inf, -inf, nan, huge, -huge, tiny};
}

bool finite_parts(std::complex<float> z) { return std::isfinite(z.real()) && std::isfinite(z.imag()); }
bool finite_parts(std::complex<double> z) { return std::isfinite(z.real()) && std::isfinite(z.imag()); }

// One part of the CPU's result against the host run of the CUDA kernel's formula.
template <class T>
void same_part(T cpu, T cuda) {
  if (std::isnan(cpu)) {
    CHECK(std::isnan(cuda));
  } else if (std::isinf(cpu)) {
    CHECK(cpu == cuda);
  } else {
    const double tol = std::is_same_v<T, float> ? 2e-5 : 1e-12;
    CHECK(std::fabs(double(cpu) - double(cuda)) <= tol * std::max(1.0, std::fabs(double(cpu))));
  }
}

template <class T>
void check_all() {
  using C = std::complex<T>;
  using D = ::cuda::std::complex<T>;
  const DType dt = std::is_same_v<T, float> ? DType::complex64 : DType::complex128;
  std::vector<C> zs;
  std::vector<bool> ordinary;  // neither part near the float limits
  const std::vector<T> parts = awkward_parts<T>();
  for (size_t r = 0; r < parts.size(); ++r)
    for (size_t m = 0; m < parts.size(); ++m) {
      zs.emplace_back(parts[r], parts[m]);
      ordinary.push_back(r < kOrdinary && m < kOrdinary);
    }
  int64_t extreme_compared = 0;
  const int64_t n = int64_t(zs.size());
  // Every pair (a, b): a along rows, b along columns, through the CPU kernels (broadcast).
  const Tensor z = core::constant(zs);
  const Tensor a = ops::reshape(z, {n, 1}), b = ops::reshape(z, {1, n});
  const Tensor prod = ops::multiply(a, b), quot = ops::divide(a, b), sum = ops::add(a, b);
  REQUIRE(prod.dtype() == dt);
  const C* pp = prod.data<C>();
  const C* pq = quot.data<C>();
  const C* ps = sum.data<C>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      CAPTURE(i);
      CAPTURE(j);
      const D x(zs[size_t(i)].real(), zs[size_t(i)].imag()), y(zs[size_t(j)].real(), zs[size_t(j)].imag());
      const D m = x * y, q = x / y, s = x + y;
      const C &cm = pp[i * n + j], &cq = pq[i * n + j], &cs = ps[i * n + j];
      same_part(cm.real(), m.real());
      same_part(cm.imag(), m.imag());
      const bool compare_quotient = (ordinary[size_t(i)] && ordinary[size_t(j)]) || finite_parts(cq);
      if (!(ordinary[size_t(i)] && ordinary[size_t(j)]) && compare_quotient) ++extreme_compared;
      if (compare_quotient) {
        same_part(cq.real(), q.real());
        same_part(cq.imag(), q.imag());
      }
      same_part(cs.real(), s.real());
      same_part(cs.imag(), s.imag());
    }
  CHECK(extreme_compared > 1000);  // most quotients near the limits are finite, and compared
  const Tensor e = ops::exp(z), ab = ops::abs(z), an = ops::angle(z);
  const C* pe = e.data<C>();
  for (int64_t i = 0; i < n; ++i) {
    CAPTURE(i);
    const D x(zs[size_t(i)].real(), zs[size_t(i)].imag());
    const D ex = ::cuda::std::exp(x);
    same_part(pe[i].real(), ex.real());
    same_part(pe[i].imag(), ex.imag());
    same_part(ab.data<T>()[i], T(std::hypot(x.real(), x.imag())));
    // ops::angle is float32 (Keras casts to complex64 first): atan2 of the complex64 parts.
    same_part(double(an.data<float>()[i]), double(std::atan2(float(x.imag()), float(x.real()))));
  }
}

}  // namespace

TEST_CASE("cuda complex formulas on the host: products, quotients, exp, abs, angle equal the CPU's") {
  check_all<float>();
  check_all<double>();
}
