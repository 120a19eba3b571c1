// complex_kernels.h - (engine-internal) the launchers of the CUDA kernels on complex64 /
// complex128 tensors, in plain C++ (gpu/complex.cu and gpu/fft.cu behind them,
// gpu/register_complex.cpp the glue to core's complex kernel table). The formulas are
// those of the CPU kernels (core/cpu/complex.cpp, core/cpu/convert.cpp,
// core/cpu/fft.cpp). Every launch runs on the device's stream (gpu/context.cuh) and
// throws core::cuda::CudaError when CUDA reports a failure.
#pragma once
#include <cstdint>

#include "gpu/kernels.h"

namespace keras::core::cuda {

/// The complex elementwise ops: the binary ones (core's Add, Sub, Mul, Div, Equal,
/// NotEqual), then the unary ones (Neg, Exp, Abs, Real, Imag, Angle).
enum class CxOp : int { Add, Sub, Mul, Div, Equal, NotEqual, Neg, Exp, Abs, Real, Imag, Angle };

/// y[i] = op(x[i]) for i < n, x complex64 (`dbl` false) or complex128: Neg and Exp give the
/// same complex type, Abs (hypot), Real, Imag and Angle (atan2(imag, real)) its part type.
void complex_unary(CxOp op, bool dbl, const void* x, void* y, int64_t n, int device);
/// out = op(a, b) over s (a's strides in s.strides[0], b's in [1]), a and b of one complex
/// type: Add .. Div give it (C99 Annex G products and quotients, infinities recovered as
/// in the C++ library), Equal and NotEqual give bool.
void complex_binary(CxOp op, bool dbl, const void* a, const void* b, void* out, const Strided& s, int device);
/// out = re + i im over s (re and im float32 for complex64, float64 for complex128).
void complex_make(bool dbl, const void* re, const void* im, void* out, const Strided& s, int device);

/// An element type of a complex cast: complex64/complex128, or a real Dt.
struct CxType {
  bool complex = false;
  bool dbl = false;  ///< complex128 (when complex)
  Dt dt = Dt::f32;   ///< when !complex
};
/// y = x converted, as the CPU's cast: complex to complex converts both parts, complex to
/// a real type converts the real part (to bool: x != 0), a real type to complex gives
/// (value converted to the part type, 0). At least one side is complex.
void complex_cast(CxType from, const void* x, CxType to, void* y, int64_t n, int device);

/// y[o] = the sum (op Sum), mean (Mean) or product (Prod) of x over r.count elements for
/// each of r.kept outputs (the layout of `reduce` in gpu/kernels.h), x and y complex64
/// (`dbl` false) or complex128: one thread per output folds in row-major order in double
/// precision and rounds once, as the CPU kernel; the mean of an empty axis is NaN.
void complex_reduce(RedOp op, bool dbl, const void* x, void* y, const Reduction& r, int device);

/// C[b] = op(A[b]) op(B[b]) of complex64 (`dbl` false) or complex128 matrices on cuBLAS
/// (cublasCgemm/Zgemm, strided-batched when the offsets form progressions): the layout,
/// offsets and transposes (no conjugation) of `matmul` in gpu/kernels.h; k == 0 gives zeros.
void complex_matmul(bool dbl, const void* a, const void* b, void* c, int64_t batch, const int64_t* a_off,
                    const int64_t* b_off, int64_t m, int64_t n, int64_t k, bool ta, bool tb, int device);

/// The discrete Fourier transform of `rows` rows of n (real, imag) pairs (float32 when
/// `dbl` is false, float64 otherwise) along the rows, in double precision for both (the
/// CPU kernel's choice) on cuFFT's Z2Z transform: forward (unnormalized), or `inverse`
/// (the conjugate exponent, multiplied by 1 / n). Results are rounded once to the dtype.
void fft(bool dbl, bool inverse, const void* xr, const void* xi, void* yr, void* yi, int64_t rows, int64_t n,
         int device);

}  // namespace keras::core::cuda
