// fft.cpp - the CPU kernel of `fft`: the discrete Fourier transform of (real, imag) float
// pairs along the last axis, rows spread over the engine's pool. Lengths that are powers
// of two use the iterative radix-2 algorithm; others Bluestein's (the transform as a
// convolution with a chirp, done by power-of-two FFTs of length >= 2n - 1). Arithmetic is
// in double for float32 and float64 alike (float32 results are rounded once at the end).
// Checks and gradient: core/ops/fft.cpp.
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/ops/complex_util.h"

namespace keras::core::cpu {
namespace {

using C = std::complex<double>;

int64_t next_pow2(int64_t n) {
  int64_t m = 1;
  while (m < n) m <<= 1;
  return m;
}

// The forward transform (sign -1) of a power-of-two length, in place; tw[k] =
// exp(-2 pi i k / n) for k < n / 2.
void radix2(C* a, int64_t n, const std::vector<C>& tw) {
  for (int64_t i = 1, j = 0; i < n; ++i) {  // bit-reversal permutation
    int64_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (int64_t len = 2; len <= n; len <<= 1) {
    const int64_t half = len >> 1, step = n / len;
    for (int64_t i = 0; i < n; i += len)
      for (int64_t k = 0; k < half; ++k) {
        C u = a[i + k], v = a[i + k + half] * tw[static_cast<size_t>(k * step)];
        a[i + k] = u + v;
        a[i + k + half] = u - v;
      }
  }
}

std::vector<C> twiddles(int64_t n) {
  std::vector<C> tw(static_cast<size_t>(n / 2));
  for (int64_t k = 0; k < n / 2; ++k)
    tw[static_cast<size_t>(k)] = std::polar(1.0, -2.0 * std::numbers::pi * double(k) / double(n));
  return tw;
}

// A forward transform of length n, prepared once per kernel call and shared by the rows.
struct Plan {
  explicit Plan(int64_t n_) : n(n_), pow2((n & (n - 1)) == 0), m(pow2 ? n : next_pow2(2 * n - 1)) {
    tw = twiddles(m);
    if (pow2) return;
    // Bluestein: X_k = w_k sum_j (x_j w_j) conj(w_{k-j}), w_k = exp(-i pi k^2 / n); k^2 is
    // reduced mod 2n exactly in integers so large k keep full precision.
    chirp.resize(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k) {
      const int64_t k2 = static_cast<int64_t>((static_cast<unsigned __int128>(k) * k) % (2 * n));
      chirp[static_cast<size_t>(k)] = std::polar(1.0, -std::numbers::pi * double(k2) / double(n));
    }
    kernel.assign(static_cast<size_t>(m), C(0));
    for (int64_t d = 0; d < n; ++d) {
      kernel[static_cast<size_t>(d)] = std::conj(chirp[static_cast<size_t>(d)]);
      if (d) kernel[static_cast<size_t>(m - d)] = std::conj(chirp[static_cast<size_t>(d)]);
    }
    radix2(kernel.data(), m, tw);
  }
  // a: n values in, n values out; work: m scratch values.
  void forward(C* a, std::vector<C>& work) const {
    if (pow2) return radix2(a, n, tw);
    std::fill(work.begin(), work.end(), C(0));
    for (int64_t j = 0; j < n; ++j) work[static_cast<size_t>(j)] = a[j] * chirp[static_cast<size_t>(j)];
    radix2(work.data(), m, tw);
    // Inverse of the length-m transform: conj(F(conj(.))) / m.
    for (int64_t i = 0; i < m; ++i)
      work[static_cast<size_t>(i)] = std::conj(work[static_cast<size_t>(i)] * kernel[static_cast<size_t>(i)]);
    radix2(work.data(), m, tw);
    const double inv_m = 1.0 / double(m);
    for (int64_t k = 0; k < n; ++k)
      a[k] = std::conj(work[static_cast<size_t>(k)]) * inv_m * chirp[static_cast<size_t>(k)];
  }
  int64_t n;
  bool pow2;
  int64_t m;
  std::vector<C> tw, chirp, kernel;
};

// Inputs re, im (..., n); outputs re, im. attrs.flag: the inverse (conjugate exponent,
// divided by n), computed as conj(F(conj(x))) / n.
template <class T>
void fft_impl(OpCall& c) {
  const Shape& s = c.in(0).shape();
  const int64_t n = s[s.rank() - 1];
  if (n == 0 || c.in(0).size() == 0) return;
  const int64_t rows = c.in(0).size() / n;
  const bool inverse = c.attrs.flag;
  const T* xr = static_cast<const T*>(c.in(0).raw_data());
  const T* xi = static_cast<const T*>(c.in(1).raw_data());
  T* yr = static_cast<T*>(c.outputs[0].raw_mutable_data());
  T* yi = static_cast<T*>(c.outputs[1].raw_mutable_data());
  const Plan plan(n);
  const double sign = inverse ? -1.0 : 1.0, scale = inverse ? 1.0 / double(n) : 1.0;
  const int64_t grain = std::max<int64_t>(1, 32768 / (plan.m * 8));
  parallel_for(rows, grain, [&](int64_t b, int64_t e) {
    std::vector<C> buf(static_cast<size_t>(n)), work(plan.pow2 ? 0 : static_cast<size_t>(plan.m));
    for (int64_t r = b; r < e; ++r) {
      const int64_t o = r * n;
      for (int64_t k = 0; k < n; ++k) buf[static_cast<size_t>(k)] = C(double(xr[o + k]), sign * double(xi[o + k]));
      plan.forward(buf.data(), work);
      for (int64_t k = 0; k < n; ++k) {
        yr[o + k] = static_cast<T>(buf[static_cast<size_t>(k)].real() * scale);
        yi[o + k] = static_cast<T>(sign * buf[static_cast<size_t>(k)].imag() * scale);
      }
    }
  });
}

void fft_kernel(OpCall& c) {
  if (c.in(0).dtype() == DType::float32) fft_impl<float>(c);
  else fft_impl<double>(c);
}

}  // namespace

void register_fft_kernels() { register_kernel(OpId::Fft, Device::Kind::CPU, fft_kernel); }

}  // namespace keras::core::cpu
