// pool.cpp - CPU kernels of max_pool, average_pool and their gradients, channels_last:
// float32 on oneDNN (core/cpu/onednn_pool.cpp) but max_pool_grad of disjoint windows (one
// pass of its own below), float64 (the gradient checks; the tests' reference) on the loops
// below: one task per batch range, each output cell's window
// walked with every channel at once (contiguous rows). max_pool_grad gives each window's
// gradient to its first maximum in row-major order, as TensorFlow.
#include <algorithm>
#include <limits>
#include <vector>

#include "core/cpu/onednn.h"
#include "core/cpu/parallel.h"
#include "core/cpu/window.h"
#include "core/dispatch.h"
#include "core/init.h"

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
    std::fill(yr, yr + w.c, -std::numeric_limits<T>::infinity());  // (no window is only padding)
    const T* xn = x + n * w.in_cells() * w.c;
    for_taps(w, o0, o1, o2, [&](int64_t in_cell, int64_t) {
      const T* xr = xn + in_cell * w.c;
      for (int64_t ch = 0; ch < w.c; ++ch) yr[ch] = xr[ch] > yr[ch] || xr[ch] != xr[ch] ? xr[ch] : yr[ch];
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

// Whether every window is the stride's own block of cells (stride == pool size, no
// padding before, no dilation): each input cell is in at most one window.
bool disjoint_windows(const Window& w) {
  for (int i = 0; i < 3; ++i)
    if (w.s[i] != w.k[i] || w.pl[i] != 0 || w.d[i] != 1 || w.out[i] * w.s[i] > w.in[i]) return false;
  return true;
}

// max_pool_grad for disjoint windows (Keras's default strides), float32, in one pass: each
// window's cells are written once, dy at the window's first maximum (as max_pool_grad:
// the first tap, then a later one only when strictly greater), 0 elsewhere; cells in no
// window (a remainder of the input) are zeroed first. Instead of oneDNN's forward pass
// for the workspace and its backward pass.
void max_pool_grad_disjoint(const Window& w, const float* x, const float* dy, float* dx) {
  const bool covered = w.out[0] * w.s[0] == w.in[0] && w.out[1] * w.s[1] == w.in[1] && w.out[2] * w.s[2] == w.in[2];
  const int64_t c = w.c, taps = w.taps();
  parallel_for(w.n, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, w.in_cells() * c)),
               [&](int64_t b, int64_t e) {
    std::vector<float> best(static_cast<size_t>(c));
    std::vector<int32_t> at(static_cast<size_t>(c));
    std::vector<int64_t> cells(static_cast<size_t>(taps));
    if (!covered) std::fill(dx + b * w.in_cells() * c, dx + e * w.in_cells() * c, 0.0f);
    for (int64_t n = b; n < e; ++n) {
      const float* xn = x + n * w.in_cells() * c;
      float* dxn = dx + n * w.in_cells() * c;
      const float* dyr = dy + n * w.out_cells() * c;
      for (int64_t o0 = 0; o0 < w.out[0]; ++o0)
        for (int64_t o1 = 0; o1 < w.out[1]; ++o1)
          for (int64_t o2 = 0; o2 < w.out[2]; ++o2, dyr += c) {
            int64_t t = 0;
            for (int64_t t0 = 0; t0 < w.k[0]; ++t0)
              for (int64_t t1 = 0; t1 < w.k[1]; ++t1)
                for (int64_t t2 = 0; t2 < w.k[2]; ++t2)
                  cells[size_t(t++)] = ((o0 * w.s[0] + t0) * w.in[1] + o1 * w.s[1] + t1) * w.in[2] + o2 * w.s[2] + t2;
            const float* x0 = xn + cells[0] * c;
            for (int64_t ch = 0; ch < c; ++ch) {
              best[size_t(ch)] = x0[ch];
              at[size_t(ch)] = 0;
            }
            for (int32_t k = 1; k < int32_t(taps); ++k) {
              const float* xr = xn + cells[size_t(k)] * c;
              for (int64_t ch = 0; ch < c; ++ch) {
                const bool more = xr[ch] > best[size_t(ch)];
                best[size_t(ch)] = more ? xr[ch] : best[size_t(ch)];
                at[size_t(ch)] = more ? k : at[size_t(ch)];
              }
            }
            for (int32_t k = 0; k < int32_t(taps); ++k) {
              float* dr = dxn + cells[size_t(k)] * c;
              for (int64_t ch = 0; ch < c; ++ch) dr[ch] = at[size_t(ch)] == k ? dyr[ch] : 0.0f;
            }
          }
    }
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
const T* in(const OpCall& c, int i) { return static_cast<const T*>(c.in(size_t(i)).raw_data()); }
template <class T>
T* out(OpCall& c) { return static_cast<T*>(c.outputs[0].raw_mutable_data()); }

template <class T>
void pool_typed(OpCall& c) {
  switch (c.op) {
    case OpId::MaxPool: return max_pool(pool_window(c.in(0).shape(), c.out_shape[0], c.attrs), in<T>(c, 0), out<T>(c));
    case OpId::AvgPool: return avg_pool(pool_window(c.in(0).shape(), c.out_shape[0], c.attrs), in<T>(c, 0), out<T>(c));
    case OpId::MaxPoolGrad:
      return max_pool_grad(pool_window(c.in(0).shape(), c.in(1).shape(), c.attrs), in<T>(c, 0), in<T>(c, 1), out<T>(c));
    case OpId::AvgPoolGrad:
      return avg_pool_grad(pool_window(c.out_shape[0], c.in(0).shape(), c.attrs), in<T>(c, 0), out<T>(c));
    default: return;
  }
}

void pool_onednn(OpCall& c) {
  switch (c.op) {
    case OpId::MaxPool:
    case OpId::AvgPool:
      return onednn::pool_forward(c.op == OpId::MaxPool, pool_window(c.in(0).shape(), c.out_shape[0], c.attrs),
                                  in<float>(c, 0), out<float>(c));
    case OpId::MaxPoolGrad: {
      const Window w = pool_window(c.in(0).shape(), c.in(1).shape(), c.attrs);
      if (disjoint_windows(w)) return max_pool_grad_disjoint(w, in<float>(c, 0), in<float>(c, 1), out<float>(c));
      return onednn::max_pool_backward(w, in<float>(c, 0), in<float>(c, 1), out<float>(c));
    }
    case OpId::AvgPoolGrad:
      return onednn::avg_pool_backward(pool_window(c.out_shape[0], c.in(0).shape(), c.attrs), in<float>(c, 0),
                                       out<float>(c));
    default: return;
  }
}

void pool_kernel(OpCall& c) {
  FlushDenormals ftz;
  if (c.outputs[0].size() == 0) return;
  if (c.in(0).dtype() == DType::float32) return pool_onednn(c);
  pool_typed<double>(c);
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_pool_kernels() {
  for (OpId op : {OpId::MaxPool, OpId::AvgPool, OpId::MaxPoolGrad, OpId::AvgPoolGrad})
    register_kernel(op, Device::Kind::CPU, cpu::pool_kernel);
}
}  // namespace keras::core
