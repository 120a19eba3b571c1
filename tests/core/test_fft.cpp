// test_fft.cpp - keras.ops fft, fft2, ifft2, rfft, irfft, stft, istft (and ifft) against
// Keras 3 (tests/data/ops/make_complex_fixtures.py), the complex-tensor forms, round
// trips, lengths of every kind (powers of two, Bluestein's, 1, empty) and bad input.
// Gradients: test_gradients.cpp (complex_cases).
#include <complex>
#include <string>

#include "complex_fixture.h"
#include "ops_names.h"

using namespace th;

namespace {
ops::ComplexPair fp(const std::string& name) { return {fx(name + "_re"), fx(name + "_im")}; }
void check_pair(const ops::ComplexPair& got, const std::string& name, double tol) {
  check_real(got.real, fx(name + "_re"), tol);
  check_real(got.imag, fx(name + "_im"), tol);
}
ops::ComplexPair ones_pair() { return {ops::ones({2, 4}), ops::zeros({2, 4})}; }
}  // namespace

KERAS_OPS_NAME("fft", (void)ops::fft(ones_pair()));
KERAS_OPS_NAME("fft2", (void)ops::fft2(ones_pair()));
KERAS_OPS_NAME("ifft2", (void)ops::ifft2(ones_pair()));
KERAS_OPS_NAME("rfft", (void)ops::rfft(ops::ones({8})));
KERAS_OPS_NAME("irfft", (void)ops::irfft(ones_pair()));
KERAS_OPS_NAME("stft", (void)ops::stft(ops::ones({32}), 8, 4, 8));
KERAS_OPS_NAME("istft", (void)ops::istft(ops::stft(ops::ones({32}), 8, 4, 8), 8, 4, 8));

TEST_CASE("fft matches keras.ops (radix-2, Bluestein, length 1; float32 and float64)") {
  check_pair(ops::fft(fp("p8")), "p8_fft", 1e-5);
  check_pair(ops::fft(fp("p5")), "p5_fft", 1e-12);
  check_pair(ops::fft(fp("p1")), "p1_fft", 0);
  check_pair(ops::fft(fp("p12")), "p12_fft", 1e-12);
  // The inverse undoes it; the complex form equals the pair form.
  for (const char* n : {"p8", "p5", "p12"}) {
    ops::ComplexPair back = ops::ifft(ops::fft(fp(n)));
    check_values(back.real, values(fx(std::string(n) + "_re")), 1e-5);
    check_values(back.imag, values(fx(std::string(n) + "_im")), 1e-5);
  }
  Tensor z = ops::fft(ops::from_pair(fp("p5")));
  CHECK(z.dtype() == DType::complex128);
  check_real(ops::real(z), fx("p5_fft_re"), 1e-12);
  check_real(ops::imag(ops::ifft(z)), fx("p5_im"), 1e-12);
  // A long prime length through Bluestein, against the direct sum.
  const int64_t n = 257;
  std::vector<double> xr = uniform(n, -1, 1, 3), xi = uniform(n, -1, 1, 4);
  ops::ComplexPair y = ops::fft({make(xr, Shape{n}, DType::float64), make(xi, Shape{n}, DType::float64)});
  std::vector<double> yr = values(y.real), yi = values(y.imag);
  for (int64_t k : {0, 1, 100, 256}) {
    std::complex<double> s = 0;
    for (int64_t j = 0; j < n; ++j)
      s += std::complex<double>(xr[size_t(j)], xi[size_t(j)]) *
           std::polar(1.0, -2 * M_PI * double((j * k) % n) / double(n));
    CHECK(std::abs(s - std::complex<double>(yr[size_t(k)], yi[size_t(k)])) < 1e-10);
  }
  // Empty batches and empty rows keep their shapes.
  CHECK(ops::fft({ops::zeros({0, 4}), ops::zeros({0, 4})}).real.shape() == Shape{0, 4});
  CHECK(ops::fft({ops::zeros({3, 0}), ops::zeros({3, 0})}).imag.shape() == Shape{3, 0});
}

TEST_CASE("fft2 and ifft2 match keras.ops") {
  check_pair(ops::fft2(fp("q")), "q_fft2", 1e-5);
  check_pair(ops::ifft2(fp("q")), "q_ifft2", 1e-5);
  Tensor z = ops::ifft2(ops::fft2(ops::from_pair(fp("q"))));
  check_real(ops::real(z), fx("q_re"), 1e-5);
}

TEST_CASE("rfft and irfft match keras.ops (default, padded and cut lengths)") {
  check_pair(ops::rfft(fx("xr")), "rfft_None", 1e-12);
  check_pair(ops::rfft(fx("xr"), 8), "rfft_8", 1e-12);
  check_pair(ops::rfft(fx("xr"), 4), "rfft_4", 1e-12);
  check_pair(ops::rfft(fx("xr32")), "rfft32", 1e-6);
  ops::ComplexPair h = fp("h");
  check_real(ops::irfft(h), fx("irfft_None"), 1e-12);
  check_real(ops::irfft(h, 7), fx("irfft_7"), 1e-12);
  check_real(ops::irfft(h, 5), fx("irfft_5"), 1e-12);
  check_real(ops::irfft(h, 9), fx("irfft_9"), 1e-12);
  check_real(ops::irfft(ops::from_pair(h), 7), fx("irfft_7"), 1e-12);
  check_values(ops::irfft(ops::rfft(fx("xr")), 7), values(fx("xr")), 1e-12);
}

TEST_CASE("stft and istft match keras.ops (hann, hamming, no window, a tensor window)") {
  Tensor sig = fx("sig");
  check_pair(ops::stft(sig, 10, 4, 16, "hann", true), "stft_hann_c", 1e-5);
  check_pair(ops::stft(sig, 10, 4, 16, "hamming", false), "stft_hamming_nc", 1e-5);
  check_pair(ops::stft(sig, 10, 4, 16, "", true), "stft_none_c", 1e-5);
  check_pair(ops::stft(sig, 10, 3, 12, fx("win")), "stft_win", 1e-5);
  check_real(ops::istft(fp("stft_hann_c"), 10, 4, 16), fx("istft_hann_c"), 1e-5);
  check_real(ops::istft(fp("stft_hamming_nc"), 10, 4, 16, std::nullopt, "hamming", false),
             fx("istft_hamming_nc"), 1e-5);
  check_real(ops::istft(fp("stft_none_c"), 10, 4, 16, std::nullopt, ""), fx("istft_none_c"), 1e-5);
  check_real(ops::istft(fp("stft_hann_c"), 10, 4, 16, 35), fx("istft_len35"), 1e-5);
  check_real(ops::istft(fp("stft_win"), 10, 3, 12, std::nullopt, fx("win")), fx("istft_win"), 1e-5);
}

TEST_CASE("the FFT family rejects bad input with the op's name") {
  auto starts = [](const std::string& msg, const std::string& prefix) {
    CAPTURE(msg);
    CHECK(msg.rfind(prefix, 0) == 0);
  };
  starts(error_of([] { (void)ops::fft({ops::ones({4}), ops::ones({5})}); }), "fft: expected real and imaginary");
  starts(error_of([] { (void)ops::fft({ops::ones({4}, DType::int32), ops::ones({4}, DType::int32)}); }), "fft: expected");
  starts(error_of([] { (void)ops::fft({ops::ones({4}), ops::ones({4}, DType::float64)}); }), "fft: expected");
  starts(error_of([] { (void)ops::fft2({ops::ones({4}), ops::ones({4})}); }), "fft2: expected");
  starts(error_of([] { (void)ops::fft(ops::ones({4})); }), "fft: expected a complex64 or complex128");
  starts(error_of([] { (void)ops::rfft(ops::ones({4}, DType::int32)); }), "rfft: expected a float32");
  starts(error_of([] { (void)ops::rfft(ops::ones({4}), 0); }), "rfft: expected fft_length >= 1");
  starts(error_of([] { (void)ops::irfft({ops::ones({1}), ops::ones({1})}); }), "irfft: expected fft_length >= 1");
  starts(error_of([] { (void)ops::stft(ops::ones({32}), 8, 4, 4); }), "stft: expected sequence_length >= 1");
  starts(error_of([] { (void)ops::stft(ops::ones({32}), 8, 0, 8); }), "stft: expected");
  starts(error_of([] { (void)ops::stft(ops::ones({32}), 8, 4, 8, "kaiser"); }), "stft: expected window");
  starts(error_of([] { (void)ops::stft(ops::ones({32}), 8, 4, 8, ops::ones({7})); }), "stft: expected a numeric window");
  starts(error_of([] { (void)ops::stft(ops::ones({32}, DType::int32), 8, 4, 8); }), "stft: expected x");
  starts(error_of([] { (void)ops::stft(ops::ones({3}), 8, 4, 8); }), "stft: center=true");
  starts(error_of([] { (void)ops::istft({ops::ones({5}), ops::ones({5})}, 8, 4, 8); }), "istft: expected x");
}
