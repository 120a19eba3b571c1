// fft.cpp - the discrete Fourier transform (keras.ops fft, fft2, ifft2, rfft, irfft, and
// ifft). One primitive, `fft` on (real, imag) float pairs along the last axis (Attrs.flag:
// inverse); fft2 transposes, rfft and irfft are compositions (rfft keeps the first
// n / 2 + 1 frequencies of the full transform; irfft rebuilds the Hermitian spectrum with
// a gather and keeps the real part of its inverse), so every form is differentiable.
// Kernel: core/cpu/fft.cpp.
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/complex_util.h"

namespace keras::core {
namespace {

void infer_fft(OpCall& c) {
  const Tensor &re = c.in(0), &im = c.in(1);
  if (!is_floating(re.dtype()) || re.dtype() != im.dtype() || re.shape() != im.shape() ||
      re.rank() < 1)
    throw_invalid(std::string(c.name()) + ": expected real and imaginary parts of one shape "
                  "(rank >= 1) and one dtype (float32 or float64), but received " +
                  re.shape().str() + " " + dtype_name(re.dtype()) + " and " + im.shape().str() +
                  " " + dtype_name(im.dtype()));
  c.set_output(0, re.shape(), re.dtype());
  c.set_output(1, re.shape(), re.dtype());
}

ops::ComplexPair fft_pair(const Tensor& re, const Tensor& im, bool inverse) {
  Attrs a;
  a.flag = inverse;
  const Tensor in[] = {re, im};
  auto out = dispatch_multi(OpId::Fft, in, a);
  return {out[0], out[1]};
}

// y = F x (unnormalized): the gradient is F^H dy = n ifft(dy); y = F^H x / n: it is
// F dy / n = fft(dy) / n. Both are fft ops again, so they differentiate once more.
std::vector<Tensor> fft_grad(const GradContext& c) {
  const Tensor& x = c.in(0);
  const double n = double(x.shape()[x.rank() - 1]);
  const bool inverse = c.attrs.flag;
  ops::ComplexPair g = fft_pair(c.grad(0), c.grad(1), !inverse);
  Tensor k = ops::scalar_like(x, inverse ? 1.0 / n : n);
  return {ops::multiply(g.real, k), ops::multiply(g.imag, k)};
}

void check_pair(const char* op, const ops::ComplexPair& x, int64_t min_rank) {
  if (!x.real.defined() || !x.imag.defined())
    throw_invalid(std::string(op) + ": expected a pair of defined tensors (real, imag)");
  if (!is_floating(x.real.dtype()) || x.real.dtype() != x.imag.dtype() ||
      x.real.shape() != x.imag.shape() || x.real.rank() < min_rank)
    throw_invalid(std::string(op) + ": expected real and imaginary parts of one shape (rank >= " +
                  std::to_string(min_rank) + ") and one dtype (float32 or float64), but received " +
                  x.real.shape().str() + " " + dtype_name(x.real.dtype()) + " and " +
                  x.imag.shape().str() + " " + dtype_name(x.imag.dtype()));
}

// x with its last two axes swapped.
Tensor swap_last(const Tensor& x) {
  std::vector<int64_t> perm(static_cast<size_t>(x.rank()));
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = int64_t(i);
  std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
  return ops::transpose(x, perm);
}

ops::ComplexPair fft2_pair(const ops::ComplexPair& x, bool inverse, const char* op) {
  check_pair(op, x, 2);
  ops::ComplexPair a = fft_pair(x.real, x.imag, inverse);
  ops::ComplexPair b = fft_pair(swap_last(a.real), swap_last(a.imag), inverse);
  return {swap_last(b.real), swap_last(b.imag)};
}

// x cut or zero-padded along the last axis to n.
Tensor fit_last(const Tensor& x, int64_t n) {
  const int64_t len = x.shape()[x.rank() - 1];
  if (len == n) return x;
  if (len > n) {
    std::vector<int64_t> begin(static_cast<size_t>(x.rank()), 0), size = x.shape().dims();
    size.back() = n;
    return ops::slice(x, begin, size);
  }
  std::vector<std::pair<int64_t, int64_t>> pads(static_cast<size_t>(x.rank()), {0, 0});
  pads.back() = {0, n - len};
  return ops::pad(x, pads);
}

Tensor complex_of(const ops::ComplexPair& p) { return ops::complex(p.real, p.imag); }
void check_complex(const char* op, const Tensor& x) {
  if (!x.defined() || !is_complex(x.dtype()))
    throw_invalid(std::string(op) + ": expected a complex64 or complex128 tensor, but received " +
                  (x.defined() ? std::string(dtype_name(x.dtype())) + " (shape " + x.shape().str() + ")"
                               : std::string("an undefined tensor")) +
                  "; the (real, imag) pair form takes float parts");
}

}  // namespace

void define_fft_ops() {
  define_op(OpId::Fft, infer_fft);
  define_grad(OpId::Fft, fft_grad);
}

namespace ops {

ComplexPair fft(const ComplexPair& x) {
  check_pair("fft", x, 1);
  return fft_pair(x.real, x.imag, false);
}
ComplexPair ifft(const ComplexPair& x) {
  check_pair("ifft", x, 1);
  return fft_pair(x.real, x.imag, true);
}
ComplexPair fft2(const ComplexPair& x) { return fft2_pair(x, false, "fft2"); }
ComplexPair ifft2(const ComplexPair& x) { return fft2_pair(x, true, "ifft2"); }

Tensor fft(const Tensor& x) { return check_complex("fft", x), complex_of(fft(to_pair(x))); }
Tensor ifft(const Tensor& x) { return check_complex("ifft", x), complex_of(ifft(to_pair(x))); }
Tensor fft2(const Tensor& x) { return check_complex("fft2", x), complex_of(fft2(to_pair(x))); }
Tensor ifft2(const Tensor& x) { return check_complex("ifft2", x), complex_of(ifft2(to_pair(x))); }

ComplexPair rfft(const Tensor& x, std::optional<int64_t> fft_length) {
  if (!x.defined() || !is_floating(x.dtype()) || x.rank() < 1)
    throw_invalid("rfft: expected a float32 or float64 tensor of rank >= 1, but received " +
                  (x.defined() ? x.shape().str() + " " + dtype_name(x.dtype()) : std::string("an undefined tensor")));
  const int64_t n = fft_length.value_or(x.shape()[x.rank() - 1]);
  if (n < 1) throw_invalid("rfft: expected fft_length >= 1, but received " + std::to_string(n));
  Tensor xr = fit_last(x, n);
  ComplexPair full = fft_pair(xr, zeros_like(xr), false);
  return {fit_last(full.real, n / 2 + 1), fit_last(full.imag, n / 2 + 1)};
}

Tensor irfft(const ComplexPair& x, std::optional<int64_t> fft_length) {
  check_pair("irfft", x, 1);
  const int64_t bins = x.real.shape()[x.real.rank() - 1];
  const int64_t n = fft_length.value_or(2 * (bins - 1));
  if (n < 1)
    throw_invalid("irfft: expected fft_length >= 1, but received " + std::to_string(n) +
                  (fft_length ? "" : " (2 * (" + std::to_string(bins) + " - 1) from the input's last axis)"));
  // The n / 2 + 1 bins the length-n inverse reads, then the rest of the Hermitian
  // spectrum: X[k] = conj(X[n - k]) for k > n / 2.
  const int64_t h = n / 2 + 1;
  Tensor re = fit_last(x.real, h), im = fit_last(x.imag, h);
  std::vector<int64_t> idx(static_cast<size_t>(n));
  std::vector<double> sign(static_cast<size_t>(n), 1.0);
  for (int64_t k = 0; k < n; ++k) {
    idx[static_cast<size_t>(k)] = k < h ? k : n - k;
    if (k >= h) sign[static_cast<size_t>(k)] = -1.0;
  }
  Tensor ids = constant(idx, Shape{n}).to(re.device());  // on the data's device (a GPU's too)
  Tensor s = cast(constant(sign, Shape{n}).to(im.device()), im.dtype());
  ComplexPair y = fft_pair(gather(re, ids, -1), multiply(gather(im, ids, -1), s), true);
  return y.real;
}
Tensor irfft(const Tensor& x, std::optional<int64_t> fft_length) {
  check_complex("irfft", x);
  return irfft(to_pair(x), fft_length);
}

}  // namespace ops
}  // namespace keras::core
