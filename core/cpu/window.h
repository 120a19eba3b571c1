// window.h - (engine-internal) the geometry of a channels_last window op (conv, pooling)
// for the CPU kernels, from shapes already checked by core/ops/conv.cpp. Spatial axes are
// padded to 3 with leading axes of size 1, so one loop nest serves 1D, 2D and 3D.
#pragma once
#include <cstdint>
#include <vector>

#include "core/dispatch.h"

namespace keras::core::cpu {

struct Window {
  int r = 0;              // spatial axes of the op (1..3)
  int64_t n = 0, c = 0;   // batch, input channels
  int64_t oc = 0, groups = 1;  // output channels (filters for conv, c for pools)
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1};
  int64_t s[3] = {1, 1, 1}, d[3] = {1, 1, 1}, pl[3] = {0, 0, 0}, pr[3] = {0, 0, 0};

  int64_t in_cells() const { return in[0] * in[1] * in[2]; }
  int64_t out_cells() const { return out[0] * out[1] * out[2]; }
  int64_t taps() const { return k[0] * k[1] * k[2]; }
};

// x: (n, *in, c); y: (n, *out, oc); window: the kernel or pool sizes (r values);
// dilation: r values, or empty (1).
inline Window make_window(const Shape& x, const Shape& y, const std::vector<int64_t>& window,
                          const std::vector<int64_t>& dilation, const Attrs& a, int64_t groups) {
  Window w;
  w.r = static_cast<int>(x.rank() - 2);
  w.n = x[0];
  w.c = x[x.rank() - 1];
  w.oc = y[y.rank() - 1];
  w.groups = groups;
  const int off = 3 - w.r;
  for (int i = 0; i < w.r; ++i) {
    const size_t u = static_cast<size_t>(i);
    w.in[off + i] = x[i + 1];
    w.out[off + i] = y[i + 1];
    w.k[off + i] = window[u];
    w.s[off + i] = a.strides[u];
    w.d[off + i] = dilation.empty() ? 1 : dilation[u];
    w.pl[off + i] = a.begin[u];
    w.pr[off + i] = a.end[u];
  }
  return w;
}

// Calls f(input cell index, kernel tap index) for every tap of output cell (o0, o1, o2)
// that falls inside the input.
template <class F>
inline void for_taps(const Window& w, int64_t o0, int64_t o1, int64_t o2, F&& f) {
  for (int64_t t0 = 0; t0 < w.k[0]; ++t0) {
    const int64_t i0 = o0 * w.s[0] - w.pl[0] + t0 * w.d[0];
    if (i0 < 0 || i0 >= w.in[0]) continue;
    for (int64_t t1 = 0; t1 < w.k[1]; ++t1) {
      const int64_t i1 = o1 * w.s[1] - w.pl[1] + t1 * w.d[1];
      if (i1 < 0 || i1 >= w.in[1]) continue;
      for (int64_t t2 = 0; t2 < w.k[2]; ++t2) {
        const int64_t i2 = o2 * w.s[2] - w.pl[2] + t2 * w.d[2];
        if (i2 < 0 || i2 >= w.in[2]) continue;
        f((i0 * w.in[1] + i1) * w.in[2] + i2, (t0 * w.k[1] + t1) * w.k[2] + t2);
      }
    }
  }
}

}  // namespace keras::core::cpu
