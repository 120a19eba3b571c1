// pool.cpp - CPU kernels of max_pool, average_pool and their gradients, channels_last:
// float32 and bfloat16 on oneDNN (core/cpu/onednn_pool.cpp; bfloat16 through float32 where
// the CPU lacks AVX-512 BF16: bf16_call.h), float64 (the gradient checks; the tests'
// reference) on the loops below: one task per batch range, each output cell's window
// walked with every channel at once (contiguous rows). max_pool_grad gives each window's
// gradient to its first maximum in row-major order, as TensorFlow.
#include <algorithm>
#include <limits>
#include <vector>

#include "core/cpu/bf16_call.h"
#include "core/cpu/onednn.h"
#include "core/cpu/parallel.h"
#include "core/cpu/window.h"
#include "core/dispatch.h"
#include "core/init.h"
#include "core/kernel_dtypes.h"

namespace keras::core::cpu {
namespace {

// Calls f(n, out cell index, o0, o1, o2) for every output cell, sliced over the batch.
template <class F>
void for_outputs(const Window& w, F&& f) {
  parallel_for(w.n, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, w.out_cells() * w.c)),
               [&](int64_t b, int64_t e) {
                 for (int64_t n = b; n < e; ++n) {
                   int64_t cell = 0;
                   for (int64_t o0 = 0; o0 < w.out[0]; ++o0)
                     for (int64_t o1 = 0; o1 < w.out[1]; ++o1)
                       for (int64_t o2 = 0; o2 < w.out[2]; ++o2) f(n, cell++, o0, o1, o2);
                 }
               });
}

template <class T>
void max_pool(const Window& w, const T* x, T* y) {
  for_outputs(w, [&](int64_t n, int64_t cell, int64_t o0, int64_t o1, int64_t o2) {
    T* yr = y + (n * w.out_cells() + cell) * w.c;
    // TensorFlow's rule (and oneDNN's, the float32 path): the largest value above the
    // lowest finite one; NaN never wins, a window of NaN and -inf gives the lowest value.
    std::fill(yr, yr + w.c, std::numeric_limits<T>::lowest());
    const T* xn = x + n * w.in_cells() * w.c;
    for_taps(w, o0, o1, o2, [&](int64_t in_cell, int64_t) {
      const T* xr = xn + in_cell * w.c;
      for (int64_t ch = 0; ch < w.c; ++ch) yr[ch] = xr[ch] > yr[ch] ? xr[ch] : yr[ch];
    });
  });
}

template <class T>
void max_pool_grad(const Window& w, const T* x, const T* dy, T* dx) {
  parallel_for(w.n, 1, [&](int64_t b, int64_t e) {
    std::fill(dx + b * w.in_cells() * w.c, dx + e * w.in_cells() * w.c, T(0));
  });
  for_outputs(w, [&](int64_t n, int64_t cell, int64_t o0, int64_t o1, int64_t o2) {
    thread_local std::vector<T> best;
    thread_local std::vector<int64_t> at;
    best.assign(size_t(w.c), -std::numeric_limits<T>::infinity());
    at.assign(size_t(w.c), -1);
    const T* xn = x + n * w.in_cells() * w.c;
    for_taps(w, o0, o1, o2, [&](int64_t in_cell, int64_t) {
      const T* xr = xn + in_cell * w.c;
      for (int64_t ch = 0; ch < w.c; ++ch)
        if (at[size_t(ch)] < 0 || xr[ch] > best[size_t(ch)]) {
          best[size_t(ch)] = xr[ch];
          at[size_t(ch)] = in_cell;
        }
    });
    const T* dyr = dy + (n * w.out_cells() + cell) * w.c;
    T* dxn = dx + n * w.in_cells() * w.c;
    for (int64_t ch = 0; ch < w.c; ++ch) dxn[at[size_t(ch)] * w.c + ch] += dyr[ch];
  });
}

template <class T>
void avg_pool(const Window& w, const T* x, T* y) {
  for_outputs(w, [&](int64_t n, int64_t cell, int64_t o0, int64_t o1, int64_t o2) {
    T* yr = y + (n * w.out_cells() + cell) * w.c;
    std::fill(yr, yr + w.c, T(0));
    const T* xn = x + n * w.in_cells() * w.c;
    int64_t count = 0;
    for_taps(w, o0, o1, o2, [&](int64_t in_cell, int64_t) {
      const T* xr = xn + in_cell * w.c;
      for (int64_t ch = 0; ch < w.c; ++ch) yr[ch] += xr[ch];
      ++count;
    });
    const T inv = T(1) / T(std::max<int64_t>(count, 1));
    for (int64_t ch = 0; ch < w.c; ++ch) yr[ch] *= inv;
  });
}

template <class T>
void avg_pool_grad(const Window& w, const T* dy, T* dx) {
  parallel_for(w.n, 1, [&](int64_t b, int64_t e) {
    std::fill(dx + b * w.in_cells() * w.c, dx + e * w.in_cells() * w.c, T(0));
  });
  for_outputs(w, [&](int64_t n, int64_t cell, int64_t o0, int64_t o1, int64_t o2) {
    int64_t count = 0;
    for_taps(w, o0, o1, o2, [&](int64_t, int64_t) { ++count; });
    const T inv = T(1) / T(std::max<int64_t>(count, 1));
    const T* dyr = dy + (n * w.out_cells() + cell) * w.c;
    T* dxn = dx + n * w.in_cells() * w.c;
    for_taps(w, o0, o1, o2, [&](int64_t in_cell, int64_t) {
      T* dxr = dxn + in_cell * w.c;
      for (int64_t ch = 0; ch < w.c; ++ch) dxr[ch] += dyr[ch] * inv;
    });
  });
}

// x: the pool's input shape; y: its output shape.
Window pool_window(const Shape& x, const Shape& y, const Attrs& a) { return make_window(x, y, a.axes, {}, a, 1); }

template <class T>
void pool_typed(OpCall& c) {
  switch (c.op) {
    case OpId::MaxPool:
      return max_pool(pool_window(c.in(0).shape(), c.out_shape[0], c.attrs), c.in_data<T>(0), c.out_data<T>(0));
    case OpId::AvgPool:
      return avg_pool(pool_window(c.in(0).shape(), c.out_shape[0], c.attrs), c.in_data<T>(0), c.out_data<T>(0));
    case OpId::MaxPoolGrad:
      return max_pool_grad(pool_window(c.in(0).shape(), c.in(1).shape(), c.attrs), c.in_data<T>(0), c.in_data<T>(1),
                           c.out_data<T>(0));
    case OpId::AvgPoolGrad:
      return avg_pool_grad(pool_window(c.out_shape[0], c.in(0).shape(), c.attrs), c.in_data<T>(0), c.out_data<T>(0));
    default: return;
  }
}

void pool_onednn(OpCall& c) {
  switch (c.op) {
    case OpId::MaxPool:
    case OpId::AvgPool:
      return onednn::pool_forward(c.op == OpId::MaxPool, pool_window(c.in(0).shape(), c.out_shape[0], c.attrs),
                                  c.in_data<float>(0), c.out_data<float>(0));
    case OpId::MaxPoolGrad:
      return onednn::max_pool_backward(pool_window(c.in(0).shape(), c.in(1).shape(), c.attrs), c.in_data<float>(0),
                                       c.in_data<float>(1), c.out_data<float>(0));
    case OpId::AvgPoolGrad:
      return onednn::avg_pool_backward(pool_window(c.out_shape[0], c.in(0).shape(), c.attrs), c.in_data<float>(0),
                                       c.out_data<float>(0));
    default: return;
  }
}

// bfloat16: oneDNN's bfloat16 pooling, or float32 between conversions (bf16_call.h).
void pool_bf16(OpCall& c) {
  switch (c.op) {
    case OpId::MaxPool:
    case OpId::AvgPool: {
      const bool max = c.op == OpId::MaxPool;
      const Window w = pool_window(c.in(0).shape(), c.out_shape[0], c.attrs);
      return bf16_call<1>(
          c, [&](auto x, auto y) { onednn::pool_forward_bf16(max, w, x, y); },
          [&](auto x, auto y) { onednn::pool_forward(max, w, x, y); });
    }
    case OpId::MaxPoolGrad: {
      const Window w = pool_window(c.in(0).shape(), c.in(1).shape(), c.attrs);
      return bf16_call<2>(
          c, [&](auto x, auto dy, auto dx) { onednn::max_pool_backward_bf16(w, x, dy, dx); },
          [&](auto x, auto dy, auto dx) { onednn::max_pool_backward(w, x, dy, dx); });
    }
    case OpId::AvgPoolGrad: {
      const Window w = pool_window(c.out_shape[0], c.in(0).shape(), c.attrs);
      return bf16_call<1>(
          c, [&](auto dy, auto dx) { onednn::avg_pool_backward_bf16(w, dy, dx); },
          [&](auto dy, auto dx) { onednn::avg_pool_backward(w, dy, dx); });
    }
    default: return;
  }
}

void pool_kernel(OpCall& c) {
  FlushDenormals ftz;
  if (c.outputs[0].size() == 0) return;
  if (c.in(0).dtype() == DType::bfloat16) return pool_bf16(c);
  if (c.in(0).dtype() == DType::float32) return pool_onednn(c);
  pool_typed<double>(c);
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_pool_kernels() {
  for (OpId op : {OpId::MaxPool, OpId::AvgPool, OpId::MaxPoolGrad, OpId::AvgPoolGrad}) {
    register_kernel(op, Device::Kind::CPU, cpu::pool_kernel);
    // bfloat16 of their own (float16 computes in float32 through half_ops.h).
    declare_kernel_dtypes(op, Device::Kind::CPU, {DType::float32, DType::float64, DType::bfloat16});
  }
}
}  // namespace keras::core
