// window.cu - convolution and pooling on CUDA (launchers declared in gpu/kernels.h),
// channels_last, 1-3 spatial axes (padded to 3 as on the CPU), float32 and float64.
//
// float32 convolutions, poolings and average_pool's gradient run on cuDNN where it is
// there and takes the case (gpu/conv_cudnn.cu, gpu/pool_cudnn.cu); otherwise, and for
// float64 and max_pool's gradient (the CPU's tie rule, the first maximum in row-major
// order, which cuDNN does not document), direct kernels with the CPU reference loops'
// arithmetic (core/cpu/conv.cpp, core/cpu/pool.cpp): forward passes give one output
// element per thread; input gradients gather, per input element, the (window, tap)
// pairs that read it, so nothing is added atomically and every run sums in the same
// order; the kernel gradient gives each kernel element a block whose threads split the
// batch and output cells and add their partial sums in a fixed tree.
#include <cstdint>

#include <cuda/std/limits>

#include "gpu/context.cuh"
#include "gpu/conv_cudnn.cuh"
#include "gpu/kernels.h"
#include "gpu/pool_cudnn.cuh"

namespace keras::core::cuda {
namespace {

struct Geo {  // Window's sizes, derived once on the host
  Window w;
  int64_t in_cells, out_cells, taps, ig, og;
};

Geo geo_of(const Window& w) {
  Geo g{w, w.in[0] * w.in[1] * w.in[2], w.out[0] * w.out[1] * w.out[2], w.k[0] * w.k[1] * w.k[2], 0, 0};
  g.ig = w.groups > 0 ? w.c / w.groups : 0;
  g.og = w.groups > 0 ? w.oc / w.groups : 0;
  return g;
}

// The input position of output position o through tap t along axis a, or -1 outside.
__device__ inline int64_t in_pos(const Window& w, int a, int64_t o, int64_t t) {
  const int64_t i = o * w.s[a] - w.pl[a] + t * w.d[a];
  return i >= 0 && i < w.in[a] ? i : -1;
}
// The output position whose tap t reads input position i along axis a, or -1 for none.
__device__ inline int64_t out_pos(const Window& w, int a, int64_t i, int64_t t) {
  const int64_t num = i + w.pl[a] - t * w.d[a];
  if (num < 0 || num % w.s[a] != 0) return -1;
  const int64_t o = num / w.s[a];
  return o < w.out[a] ? o : -1;
}

// f(i0, i1, i2, tap) for every tap of output window o that falls inside the input (the
// input position per axis and the tap's row-major index), taps in row-major order.
template <class F>
__device__ inline void for_taps_in(const Window& w, const int64_t* o, F f) {
  for (int64_t t0 = 0; t0 < w.k[0]; ++t0) {
    const int64_t i0 = in_pos(w, 0, o[0], t0);
    if (i0 < 0) continue;
    for (int64_t t1 = 0; t1 < w.k[1]; ++t1) {
      const int64_t i1 = in_pos(w, 1, o[1], t1);
      if (i1 < 0) continue;
      for (int64_t t2 = 0; t2 < w.k[2]; ++t2) {
        const int64_t i2 = in_pos(w, 2, o[2], t2);
        if (i2 >= 0) f(i0, i1, i2, (t0 * w.k[1] + t1) * w.k[2] + t2);
      }
    }
  }
}
// f(o0, o1, o2, tap) for every (output window, tap) pair that reads input position p.
template <class F>
__device__ inline void for_windows_of(const Window& w, const int64_t* p, F f) {
  for (int64_t t0 = 0; t0 < w.k[0]; ++t0) {
    const int64_t o0 = out_pos(w, 0, p[0], t0);
    if (o0 < 0) continue;
    for (int64_t t1 = 0; t1 < w.k[1]; ++t1) {
      const int64_t o1 = out_pos(w, 1, p[1], t1);
      if (o1 < 0) continue;
      for (int64_t t2 = 0; t2 < w.k[2]; ++t2) {
        const int64_t o2 = out_pos(w, 2, p[2], t2);
        if (o2 >= 0) f(o0, o1, o2, (t0 * w.k[1] + t1) * w.k[2] + t2);
      }
    }
  }
}

#define GRID_STRIDE(i, total) \
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < (total); i += int64_t(gridDim.x) * blockDim.x)

template <class T>
__global__ void conv_forward_kernel(Geo g, const T* x, const T* k, const T* bias, bool relu, T* y) {
  const Window& w = g.w;
  GRID_STRIDE(i, w.n * g.out_cells * w.oc) {
    const int64_t f = i % w.oc, cell = (i / w.oc) % g.out_cells, n = i / (w.oc * g.out_cells);
    const int64_t o[3] = {cell / (w.out[1] * w.out[2]), (cell / w.out[2]) % w.out[1], cell % w.out[2]};
    const int64_t grp = g.og > 0 ? f / g.og : 0;
    T acc = T(0);
    for_taps_in(w, o, [&](int64_t i0, int64_t i1, int64_t i2, int64_t tap) {
      const T* xp = x + (n * g.in_cells + (i0 * w.in[1] + i1) * w.in[2] + i2) * w.c + grp * g.ig;
      const T* kp = k + tap * g.ig * w.oc + f;
      for (int64_t c = 0; c < g.ig; ++c) acc += xp[c] * kp[c * w.oc];
    });
    if (bias != nullptr) acc += bias[f];
    if (relu && acc <= T(0)) acc = T(0);  // NaN stays, as the relu kernel's
    y[i] = acc;
  }
}

template <class T>
__global__ void conv_backward_data_kernel(Geo g, const T* dy, const T* k, T* dx) {
  const Window& w = g.w;
  GRID_STRIDE(i, w.n * g.in_cells * w.c) {
    const int64_t ch = i % w.c, cell = (i / w.c) % g.in_cells, n = i / (w.c * g.in_cells);
    const int64_t p[3] = {cell / (w.in[1] * w.in[2]), (cell / w.in[2]) % w.in[1], cell % w.in[2]};
    const int64_t grp = g.ig > 0 ? ch / g.ig : 0, c = g.ig > 0 ? ch % g.ig : 0;
    T acc = T(0);
    for_windows_of(w, p, [&](int64_t o0, int64_t o1, int64_t o2, int64_t tap) {
      const T* dyp = dy + (n * g.out_cells + (o0 * w.out[1] + o1) * w.out[2] + o2) * w.oc + grp * g.og;
      const T* kp = k + (tap * g.ig + c) * w.oc + grp * g.og;
      for (int64_t f = 0; f < g.og; ++f) acc += dyp[f] * kp[f];
    });
    dx[i] = acc;
  }
}

// One block per kernel element (tap, c, f) of dk (*k, ig, oc).
template <class T>
__global__ void conv_backward_filter_kernel(Geo g, const T* x, const T* dy, T* dk) {
  __shared__ T part[kBlock];
  const Window& w = g.w;
  const int64_t elems = g.taps * g.ig * w.oc, rows = w.n * g.out_cells;
  for (int64_t e = blockIdx.x; e < elems; e += gridDim.x) {
    const int64_t f = e % w.oc, c = (e / w.oc) % g.ig, tap = e / (w.oc * g.ig);
    const int64_t t[3] = {tap / (w.k[1] * w.k[2]), (tap / w.k[2]) % w.k[1], tap % w.k[2]};
    const int64_t grp = g.og > 0 ? f / g.og : 0;
    T acc = T(0);
    for (int64_t r = threadIdx.x; r < rows; r += blockDim.x) {
      const int64_t cell = r % g.out_cells, n = r / g.out_cells;
      const int64_t o[3] = {cell / (w.out[1] * w.out[2]), (cell / w.out[2]) % w.out[1], cell % w.out[2]};
      const int64_t i0 = in_pos(w, 0, o[0], t[0]), i1 = in_pos(w, 1, o[1], t[1]), i2 = in_pos(w, 2, o[2], t[2]);
      if (i0 < 0 || i1 < 0 || i2 < 0) continue;
      acc += x[(n * g.in_cells + (i0 * w.in[1] + i1) * w.in[2] + i2) * w.c + grp * g.ig + c] *
             dy[(n * g.out_cells + cell) * w.oc + f];
    }
    part[threadIdx.x] = acc;
    __syncthreads();
    for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
      if (threadIdx.x < half) part[threadIdx.x] += part[threadIdx.x + half];
      __syncthreads();
    }
    if (threadIdx.x == 0) dk[e] = part[0];
    __syncthreads();  // part is rewritten for the next element
  }
}

template <class T>
__global__ void pool_forward_kernel(bool max, Geo g, const T* x, T* y) {
  const Window& w = g.w;
  GRID_STRIDE(i, w.n * g.out_cells * w.c) {
    const int64_t ch = i % w.c, cell = (i / w.c) % g.out_cells, n = i / (w.c * g.out_cells);
    const int64_t o[3] = {cell / (w.out[1] * w.out[2]), (cell / w.out[2]) % w.out[1], cell % w.out[2]};
    T acc = max ? ::cuda::std::numeric_limits<T>::lowest() : T(0);
    int64_t count = 0;
    for_taps_in(w, o, [&](int64_t i0, int64_t i1, int64_t i2, int64_t) {
      const T v = x[(n * g.in_cells + (i0 * w.in[1] + i1) * w.in[2] + i2) * w.c + ch];
      if (max) acc = v > acc ? v : acc;  // NaN never wins (the CPU's and TensorFlow's rule)
      else acc += v;
      ++count;
    });
    y[i] = max ? acc : acc * (T(1) / T(count > 0 ? count : 1));
  }
}

// The input cell of the first maximum of channel ch in output window o (row-major taps;
// a NaN first tap keeps the place, as the CPU reference's `at < 0 || v > best`).
template <class T>
__device__ int64_t first_max(const Geo& g, const T* xn, int64_t ch, const int64_t* o) {
  const Window& w = g.w;
  int64_t at = -1;
  T best = T(0);
  for_taps_in(w, o, [&](int64_t i0, int64_t i1, int64_t i2, int64_t) {
    const int64_t cell = (i0 * w.in[1] + i1) * w.in[2] + i2;
    const T v = xn[cell * w.c + ch];
    if (at < 0 || v > best) {
      best = v;
      at = cell;
    }
  });
  return at;
}

// The number of taps of output window o inside the input.
__device__ inline int64_t taps_inside(const Window& w, const int64_t* o) {
  int64_t count = 1;
  for (int a = 0; a < 3; ++a) {
    int64_t n = 0;
    for (int64_t t = 0; t < w.k[a]; ++t) n += in_pos(w, a, o[a], t) >= 0;
    count *= n;
  }
  return count;
}

template <class T>
__global__ void pool_backward_kernel(bool max, Geo g, const T* x, const T* dy, T* dx) {
  const Window& w = g.w;
  GRID_STRIDE(i, w.n * g.in_cells * w.c) {
    const int64_t ch = i % w.c, cell = (i / w.c) % g.in_cells, n = i / (w.c * g.in_cells);
    const int64_t p[3] = {cell / (w.in[1] * w.in[2]), (cell / w.in[2]) % w.in[1], cell % w.in[2]};
    const T* xn = max ? x + n * g.in_cells * w.c : nullptr;
    T acc = T(0);
    for_windows_of(w, p, [&](int64_t o0, int64_t o1, int64_t o2, int64_t) {
      const int64_t o[3] = {o0, o1, o2};
      const T d = dy[(n * g.out_cells + (o0 * w.out[1] + o1) * w.out[2] + o2) * w.c + ch];
      if (max) {
        if (first_max(g, xn, ch, o) == cell) acc += d;
      } else {
        acc += d * (T(1) / T(taps_inside(w, o)));
      }
    });
    dx[i] = acc;
  }
}

// FusedConv's epilogue after a cuDNN convolution: y += bias[f], then relu.
__global__ void bias_relu_kernel(float* y, const float* bias, bool relu, int64_t total, int64_t oc) {
  GRID_STRIDE(i, total) {
    float v = y[i];
    if (bias != nullptr) v += bias[i % oc];
    if (relu && v <= 0.0f) v = 0.0f;  // NaN stays
    y[i] = v;
  }
}

template <class F>
void floats(Dt dt, F f) {
  if (dt == Dt::f32) f(float{});
  else f(double{});
}

}  // namespace

void conv_forward(Dt dt, const Window& w, const void* x, const void* k, const void* bias, bool relu, void* y,
                  int device) {
  const Geo g = geo_of(w);
  const int64_t total = w.n * g.out_cells * w.oc;
  if (total == 0) return;
  DeviceGuard guard(device);
  if (dt == Dt::f32 &&
      cudnn_conv_forward(w, static_cast<const float*>(x), static_cast<const float*>(k), static_cast<float*>(y), device)) {
    if (bias != nullptr || relu)
      bias_relu_kernel<<<grid_for(total), kBlock, 0, context(device).stream>>>(
          static_cast<float*>(y), static_cast<const float*>(bias), relu, total, w.oc);
    check_launch("fused_conv (bias and relu)", device);
    return;
  }
  floats(dt, [&](auto tag) {
    using T = decltype(tag);
    conv_forward_kernel<T><<<grid_for(total), kBlock, 0, context(device).stream>>>(
        g, static_cast<const T*>(x), static_cast<const T*>(k), static_cast<const T*>(bias), relu, static_cast<T*>(y));
  });
  check_launch("conv", device);
}

void conv_backward_data(Dt dt, const Window& w, const void* dy, const void* k, void* dx, int device) {
  const Geo g = geo_of(w);
  const int64_t total = w.n * g.in_cells * w.c;
  if (total == 0) return;
  DeviceGuard guard(device);
  if (dt == Dt::f32 && cudnn_conv_backward_data(w, static_cast<const float*>(dy), static_cast<const float*>(k),
                                                static_cast<float*>(dx), device))
    return;
  floats(dt, [&](auto tag) {
    using T = decltype(tag);
    conv_backward_data_kernel<T><<<grid_for(total), kBlock, 0, context(device).stream>>>(
        g, static_cast<const T*>(dy), static_cast<const T*>(k), static_cast<T*>(dx));
  });
  check_launch("conv_backprop_input", device);
}

void conv_backward_filter(Dt dt, const Window& w, const void* x, const void* dy, void* dk, int device) {
  const Geo g = geo_of(w);
  const int64_t elems = g.taps * g.ig * w.oc;
  if (elems == 0) return;
  DeviceGuard guard(device);
  if (dt == Dt::f32 && cudnn_conv_backward_filter(w, static_cast<const float*>(x), static_cast<const float*>(dy),
                                                  static_cast<float*>(dk), device))
    return;
  const unsigned blocks = unsigned(elems < 65535 * 8 ? elems : 65535 * 8);
  floats(dt, [&](auto tag) {
    using T = decltype(tag);
    conv_backward_filter_kernel<T><<<blocks, kBlock, 0, context(device).stream>>>(
        g, static_cast<const T*>(x), static_cast<const T*>(dy), static_cast<T*>(dk));
  });
  check_launch("conv_backprop_filter", device);
}

void pool_forward(bool max, Dt dt, const Window& w, const void* x, void* y, int device) {
  const Geo g = geo_of(w);
  const int64_t total = w.n * g.out_cells * w.c;
  if (total == 0) return;
  DeviceGuard guard(device);
  if (dt == Dt::f32 &&
      cudnn_pool_forward(max, w, static_cast<const float*>(x), static_cast<float*>(y), device))
    return;
  floats(dt, [&](auto tag) {
    using T = decltype(tag);
    pool_forward_kernel<T><<<grid_for(total), kBlock, 0, context(device).stream>>>(max, g, static_cast<const T*>(x),
                                                                                  static_cast<T*>(y));
  });
  check_launch(max ? "max_pool" : "average_pool", device);
}

void max_pool_backward(Dt dt, const Window& w, const void* x, const void* dy, void* dx, int device) {
  const Geo g = geo_of(w);
  const int64_t total = w.n * g.in_cells * w.c;
  if (total == 0) return;
  DeviceGuard guard(device);
  floats(dt, [&](auto tag) {
    using T = decltype(tag);
    pool_backward_kernel<T><<<grid_for(total), kBlock, 0, context(device).stream>>>(
        true, g, static_cast<const T*>(x), static_cast<const T*>(dy), static_cast<T*>(dx));
  });
  check_launch("max_pool_grad", device);
}

void avg_pool_backward(Dt dt, const Window& w, const void* dy, void* dx, int device) {
  const Geo g = geo_of(w);
  const int64_t total = w.n * g.in_cells * w.c;
  if (total == 0) return;
  DeviceGuard guard(device);
  if (dt == Dt::f32 && cudnn_avg_pool_backward(w, static_cast<const float*>(dy), static_cast<float*>(dx), device))
    return;
  floats(dt, [&](auto tag) {
    using T = decltype(tag);
    pool_backward_kernel<T><<<grid_for(total), kBlock, 0, context(device).stream>>>(
        false, g, nullptr, static_cast<const T*>(dy), static_cast<T*>(dx));
  });
  check_launch("average_pool_grad", device);
}

}  // namespace keras::core::cuda
