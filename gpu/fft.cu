// fft.cu - the CUDA kernel of `fft` (launcher declared in gpu/complex_kernels.h): the
// (real, imag) float pairs are packed into one double-precision complex buffer, cuFFT's
// Z2Z transform runs on it in place (gpu/cufft.cuh), and the result is unpacked, scaled
// by 1 / n for the inverse and rounded once to the dtype: the CPU kernel's arithmetic
// (core/cpu/fft.cpp computes in double for float32 too), so both devices agree to the
// last bits of float32 and within rounding for float64.
#include <cufft.h>

#include <cstdint>

#include "gpu/complex_kernels.h"
#include "gpu/context.cuh"
#include "gpu/cufft.cuh"

namespace keras::core::cuda {
namespace {

template <class T>
__global__ void pack_kernel(const T* re, const T* im, cufftDoubleComplex* z, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    z[i] = make_cuDoubleComplex(double(re[i]), double(im[i]));
}

template <class T>
__global__ void unpack_kernel(const cufftDoubleComplex* z, T* re, T* im, double scale, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    re[i] = static_cast<T>(z[i].x * scale);
    im[i] = static_cast<T>(z[i].y * scale);
  }
}

template <class T>
void fft_typed(bool inverse, const void* xr, const void* xi, void* yr, void* yi, int64_t rows, int64_t n,
               int device) {
  const int64_t total = rows * n;
  DeviceGuard guard(device);
  const cudaStream_t st = context(device).stream;
  DeviceScratch buf(std::size_t(total) * sizeof(cufftDoubleComplex), device);
  auto* z = buf.as<cufftDoubleComplex>();
  pack_kernel<T><<<grid_for(total), kBlock, 0, st>>>(static_cast<const T*>(xr), static_cast<const T*>(xi), z, total);
  check_launch("fft (pack)", device);
  if (n > 1) z2z(z, rows, n, inverse, device);  // a length-1 transform is the identity (no plan)
  unpack_kernel<T><<<grid_for(total), kBlock, 0, st>>>(z, static_cast<T*>(yr), static_cast<T*>(yi),
                                                       inverse ? 1.0 / double(n) : 1.0, total);
  check_launch("fft (unpack)", device);
}

}  // namespace

void fft(bool dbl, bool inverse, const void* xr, const void* xi, void* yr, void* yi, int64_t rows, int64_t n,
         int device) {
  if (rows == 0 || n == 0) return;
  if (dbl) fft_typed<double>(inverse, xr, xi, yr, yi, rows, n, device);
  else fft_typed<float>(inverse, xr, xi, yr, yi, rows, n, device);
}

}  // namespace keras::core::cuda
