// ops_complex.h - complex numbers, the FFT family and eig (Keras 3's keras.ops real, imag,
// conj, angle, polar, view_as_complex, view_as_real, isreal, fft, fft2, ifft2, rfft,
// irfft, stft, istft and linalg.eig). Included by core/ops.h.
//
// Complex tensors have dtype complex64 or complex128 (TensorFlow's), elements laid out
// as std::complex<float>/<double>; make one with core::constant(std::vector<std::complex<
// float>>{...}, shape), ops::complex(re, im), or ops::cast. They take elementwise add,
// subtract, multiply, divide, negative, abs (float result), exp, equal, not_equal, cast
// (complex -> real keeps the real part, as tf.cast) and the shape ops that only view
// (reshape, expand_dims, squeeze); every other op raises "no kernel for device cpu and
// dtype complex64". Complex tensors are not differentiated (a GradientTape does not
// track them): gradients flow through the (real, imag) pair forms below, as Keras's
// TensorFlow backend writes them.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "core/tensor.h"

namespace keras::core::ops {

/// Keras's form of a complex tensor on the TensorFlow backend: the real and imaginary
/// parts, two float tensors of one shape and dtype (keras.ops.fft((real, imag))).
struct ComplexPair {
  ///@{
  /// The real and imaginary parts.
  Tensor real, imag;
  ///@}
};

/// tf.complex: real and imag float32 (-> complex64) or float64 (-> complex128), one dtype,
/// broadcast together.
Tensor complex(const Tensor& real, const Tensor& imag);
/// Parts of a complex tensor (float); a real tensor is its own real part and its imaginary
/// part is zeros of its dtype (keras.ops keeps int32 as int32).
Tensor real(const Tensor& x);
/// The imaginary part (see real).
Tensor imag(const Tensor& x);
Tensor conj(const Tensor& x);  ///< real tensors are returned as they are
/// The same as conj (keras.ops.conjugate).
Tensor conjugate(const Tensor& x);
/// The argument atan2(imag, real). As keras.ops: complex tensors are taken as complex64
/// (float32 result, even for complex128); real tensors give pi where x < 0, else 0 (NaN
/// and -0.0 give 0, as tf.math.angle), float64 for float64, float32 for other dtypes.
Tensor angle(const Tensor& x);
/// abs_ * exp(i angle): float32 -> complex64, float64 -> complex128 (same dtypes).
Tensor polar(const Tensor& abs_, const Tensor& angle);
/// (..., 2) real -> (...) complex64 (Keras casts to complex64 whatever the dtype), and
/// complex (...) -> (..., 2) of its parts' dtype.
Tensor view_as_complex(const Tensor& x);
/// Complex (...) -> real (..., 2) of the real and imaginary parts (see view_as_complex).
Tensor view_as_real(const Tensor& x);
Tensor isreal(const Tensor& x);  ///< bool: imag == 0 (true everywhere for real dtypes)
/// A complex tensor and its pair form.
ComplexPair to_pair(const Tensor& x);
/// The complex tensor of a pair (see to_pair).
Tensor from_pair(const ComplexPair& x);

// ---- FFT over the last axis (fft, ifft) or the last two axes (fft2, ifft2) -----------
/// Pair forms take float32 or float64 parts of one shape and dtype (others raise, as
/// keras.ops); complex forms take complex64/complex128. Any length (radix-2, or
/// Bluestein for other lengths); the inverse divides by n.
ComplexPair fft(const ComplexPair& x);
/// The inverse FFT over the last axis (pair form).
ComplexPair ifft(const ComplexPair& x);
/// The 2-d FFT over the last two axes (pair form).
ComplexPair fft2(const ComplexPair& x);
/// The inverse 2-d FFT (pair form).
ComplexPair ifft2(const ComplexPair& x);
/// The FFT over the last axis (complex form).
Tensor fft(const Tensor& x);
/// The inverse FFT over the last axis (complex form).
Tensor ifft(const Tensor& x);
/// The 2-d FFT over the last two axes (complex form).
Tensor fft2(const Tensor& x);
/// The inverse 2-d FFT (complex form).
Tensor ifft2(const Tensor& x);
/// Real input (..., n) -> fft_length / 2 + 1 frequencies; x is cut or zero-padded to
/// fft_length (default: its length).
ComplexPair rfft(const Tensor& x, std::optional<int64_t> fft_length = std::nullopt);
/// fft_length / 2 + 1 frequencies -> (..., fft_length) real; fft_length defaults to
/// 2 * (n - 1). The imaginary parts of the zero and Nyquist frequencies are ignored.
Tensor irfft(const ComplexPair& x, std::optional<int64_t> fft_length = std::nullopt);
Tensor irfft(const Tensor& x, std::optional<int64_t> fft_length = std::nullopt);  ///< complex x

// ---- short-time Fourier transform ------------------------------------------------------
/// x (..., T) real -> frames (..., num_frames, fft_length / 2 + 1). window: "hann",
/// "hamming" (periodic, as scipy.signal.get_window), "" for none (Keras's None), or a
/// float tensor of sequence_length values. center pads x by fft_length / 2 on each side
/// with its reflection.
ComplexPair stft(const Tensor& x, int64_t sequence_length, int64_t sequence_stride,
                 int64_t fft_length, const std::string& window = "hann", bool center = true);
/// The form with a window tensor of sequence_length values.
ComplexPair stft(const Tensor& x, int64_t sequence_length, int64_t sequence_stride,
                 int64_t fft_length, const Tensor& window, bool center = true);
/// The inverse (overlap-add with the window's normalization); length cuts or pads the
/// result to that many samples.
Tensor istft(const ComplexPair& x, int64_t sequence_length, int64_t sequence_stride,
             int64_t fft_length, std::optional<int64_t> length = std::nullopt,
             const std::string& window = "hann", bool center = true);
/// The form with a window tensor.
Tensor istft(const ComplexPair& x, int64_t sequence_length, int64_t sequence_stride,
             int64_t fft_length, std::optional<int64_t> length, const Tensor& window,
             bool center = true);

// ---- eig -------------------------------------------------------------------------------
/// The result of eig.
struct Eig {
  ///@{
  /// Eigenvalues and eigenvectors.
  Tensor eigenvalues, eigenvectors;  ///< complex; eigenvectors as columns, unit norm
  ///@}
};
/// General square matrices (..., M, M) float32 -> complex64, float64 -> complex128
/// (LAPACK geev, as NumPy); no gradient (TensorFlow's eig gradient needs complex
/// adjoints, which keras-cpp's tape does not carry).
Eig eig(const Tensor& a);

}  // namespace keras::core::ops
