// layer_norm.cu - the CUDA kernels of the fused layer-normalization ops (gpu/layer_norm.h),
// following the CPU kernels (core/cpu/layer_norm.cpp, simd/nn.cpp): one warp per row, its
// sums in double, each lane over the elements lane, lane + 32, ... and the lanes combined by
// a fixed butterfly, so a row's result does not change from run to run; the scale and
// offset gradients are per-channel sums over fixed slices of rows, combined in slice order.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "gpu/context.cuh"
#include "gpu/layer_norm.h"
#include "gpu/warp.cuh"

namespace keras::core::cuda {
namespace {

constexpr int kWarps = 8;            // rows per block of the row kernels
constexpr int kTx = 32, kTy = 8;     // the column sums: 32 channels x 8 rows a block

template <class T>
__global__ void forward_kernel(const T* x, const T* scale, const T* offset, int64_t rows, int64_t ch, double eps,
                               T* y, T* mean, T* inv) {
  const int64_t r = int64_t(blockIdx.x) * kWarps + threadIdx.y;
  if (r >= rows) return;
  const T* xr = x + r * ch;
  double s = 0.0;
  for (int64_t j = threadIdx.x; j < ch; j += 32) s += double(xr[j]);
  const double m = warp_sum(s) / double(ch);
  double q = 0.0;
  for (int64_t j = threadIdx.x; j < ch; j += 32) {
    const double d = double(xr[j]) - m;
    q += d * d;
  }
  const double v = warp_sum(q) / double(ch);
  const T mt = T(m), it = T(1.0 / sqrt(v + eps));
  if (threadIdx.x == 0) mean[r] = mt, inv[r] = it;
  T* yr = y + r * ch;
  for (int64_t j = threadIdx.x; j < ch; j += 32) yr[j] = (xr[j] - mt) * (it * scale[j]) + offset[j];
}

template <class T>
__global__ void dx_kernel(const T* dy, const T* x, const T* scale, const T* mean, const T* inv, const T* dmean,
                          const T* dinv, int64_t rows, int64_t ch, T* dx) {
  const int64_t r = int64_t(blockIdx.x) * kWarps + threadIdx.y;
  if (r >= rows) return;
  const T *dr = dy + r * ch, *xr = x + r * ch;
  const T mt = mean[r], it = inv[r];
  const double m = double(mt), iv = double(it), n = double(ch);
  double sh = 0.0, shx = 0.0;
  for (int64_t j = threadIdx.x; j < ch; j += 32) {
    const double h = double(dr[j]) * double(scale[j]);
    sh += h;
    shx += h * ((double(xr[j]) - m) * iv);
  }
  sh = warp_sum(sh), shx = warp_sum(shx);
  const double k = dinv ? double(dinv[r]) * iv * iv * iv / n : 0.0;
  const T ib = T(iv * shx / n), kt = T(k), c0 = T((dmean ? double(dmean[r]) / n : 0.0) - iv * sh / n);
  T* o = dx + r * ch;
  for (int64_t j = threadIdx.x; j < ch; j += 32) {
    const T xc = xr[j] - mt;
    o[j] = it * (dr[j] * scale[j]) - xc * it * ib - kt * xc + c0;
  }
}

// part[slice][0][c], part[slice][1][c]: sums over the slice's rows of dy * xhat and dy.
template <class T>
__global__ void column_sums_kernel(const T* dy, const T* x, const T* mean, const T* inv, int64_t rows, int64_t ch,
                                   double* part) {
  __shared__ double sh[2][kTy][kTx];
  const int64_t c = int64_t(blockIdx.x) * kTx + threadIdx.x;
  double s = 0.0, q = 0.0;
  if (c < ch)
    for (int64_t r = int64_t(blockIdx.y) * kTy + threadIdx.y; r < rows; r += int64_t(gridDim.y) * kTy) {
      const double g = double(dy[r * ch + c]);
      s += g * double((x[r * ch + c] - mean[r]) * inv[r]);
      q += g;
    }
  sh[0][threadIdx.y][threadIdx.x] = s;
  sh[1][threadIdx.y][threadIdx.x] = q;
  __syncthreads();
  if (threadIdx.y == 0 && c < ch) {
    for (int i = 1; i < kTy; ++i) s += sh[0][i][threadIdx.x], q += sh[1][i][threadIdx.x];
    double* out = part + int64_t(blockIdx.y) * 2 * ch;
    out[c] = s;
    out[ch + c] = q;
  }
}

template <class T>
__global__ void combine_kernel(const double* part, int64_t slices, int64_t ch, T* dscale, T* doffset) {
  for (int64_t c = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; c < ch; c += int64_t(gridDim.x) * blockDim.x) {
    double s = 0.0, q = 0.0;
    for (int64_t i = 0; i < slices; ++i) s += part[i * 2 * ch + c], q += part[i * 2 * ch + ch + c];
    dscale[c] = T(s), doffset[c] = T(q);
  }
}

template <class T>
__global__ void nan_kernel(T* p, int64_t n) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    p[i] = T(NAN);
}

template <class F>
void floats(Dt dt, F f) {
  if (dt == Dt::f32) f(float{});
  else f(double{});
}

unsigned row_blocks(int64_t rows) { return unsigned((rows + kWarps - 1) / kWarps); }

}  // namespace

void layer_norm_forward(Dt dt, int64_t rows, int64_t ch, double eps, const void* x, const void* scale,
                        const void* offset, void* y, void* mean, void* inv, int device) {
  if (rows == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t s = context(device).stream;
  floats(dt, [&](auto tag) {
    using T = decltype(tag);
    if (ch == 0) {  // rows of nothing: NaN statistics, as the CPU kernel
      for (void* p : {mean, inv}) nan_kernel<T><<<grid_for(rows), kBlock, 0, s>>>(static_cast<T*>(p), rows);
      return;
    }
    forward_kernel<T><<<row_blocks(rows), dim3(32, kWarps), 0, s>>>(
        static_cast<const T*>(x), static_cast<const T*>(scale), static_cast<const T*>(offset), rows, ch, eps,
        static_cast<T*>(y), static_cast<T*>(mean), static_cast<T*>(inv));
  });
  check_launch("fused_layer_norm", device);
}

void layer_norm_backward(Dt dt, int64_t rows, int64_t ch, const void* dy, const void* x, const void* scale,
                         const void* mean, const void* inv, const void* dmean, const void* dinv, void* dx,
                         void* dscale, void* doffset, int device) {
  if (ch == 0) return;
  DeviceGuard guard(device);
  const cudaStream_t s = context(device).stream;
  floats(dt, [&](auto tag) {
    using T = decltype(tag);
    if (rows > 0)
      dx_kernel<T><<<row_blocks(rows), dim3(32, kWarps), 0, s>>>(
          static_cast<const T*>(dy), static_cast<const T*>(x), static_cast<const T*>(scale),
          static_cast<const T*>(mean), static_cast<const T*>(inv), static_cast<const T*>(dmean),
          static_cast<const T*>(dinv), rows, ch, static_cast<T*>(dx));
    const int64_t slices = rows == 0 ? 1 : std::min<int64_t>(256, std::max<int64_t>(1, (rows + 63) / 64));
    DeviceScratch part(size_t(slices * 2 * ch) * sizeof(double), device);
    const dim3 grid(unsigned((ch + kTx - 1) / kTx), unsigned(slices)), block(kTx, kTy);
    column_sums_kernel<T><<<grid, block, 0, s>>>(static_cast<const T*>(dy), static_cast<const T*>(x),
                                                 static_cast<const T*>(mean), static_cast<const T*>(inv), rows, ch,
                                                 part.as<double>());
    combine_kernel<T><<<grid_for(ch), kBlock, 0, s>>>(part.as<double>(), slices, ch, static_cast<T*>(dscale),
                                                      static_cast<T*>(doffset));
  });
  check_launch("fused_layer_norm_grad", device);
}

}  // namespace keras::core::cuda
