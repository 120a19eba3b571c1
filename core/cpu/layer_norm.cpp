// layer_norm.cpp - CPU kernels of fused_layer_norm and fused_layer_norm_grad (formulas
// in core/ops/layer_norm.cpp). x is (rows, C), C the last axis, each row normalized by its
// own statistics. One pass over memory each way:
// - forward: per row, its sum and its sum of squared deviations (in double), then
//   y = x * a + (offset - mean * a) with a = inv_std * scale, Keras's arithmetic;
// - backward: per row, the sums of h = dy * scale and h * xhat (in double), then dx; the
//   scale and offset gradients are per-channel sums over the rows (channel_sums.h: fixed
//   blocks of rows, so the results do not depend on the thread count).
// Row sums accumulate in kLanes double lanes, element i into lane i % kLanes, the lanes
// added in order: the order depends on C only, and the loops vectorize.
#include <cmath>
#include <limits>

#include "core/cpu/channel_sums.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/init.h"

namespace keras::core::cpu {
namespace {

constexpr int64_t kLanes = 8;

// The sum over j < n of term(j), in the lane order above.
template <class F>
double row_sum(int64_t n, F&& term) {
  double lane[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t j = 0; j < kLanes; ++j) lane[j] += term(i + j);
  double s = 0.0;
  for (int64_t j = 0; j < kLanes; ++j) s += lane[j];
  for (; i < n; ++i) s += term(i);
  return s;
}

template <class T>
void forward(OpCall& c) {
  const Geometry g(c.in(0).shape());
  const int64_t C = g.ch;
  const T *x = in<T>(c, 0), *scale = in<T>(c, 1), *offset = in<T>(c, 2);
  T *y = out<T>(c, 0), *mean = out<T>(c, 1), *inv = out<T>(c, 2);
  if (C == 0) {  // rows of nothing: NaN statistics, an empty y
    const T nan = std::numeric_limits<T>::quiet_NaN();
    std::fill(mean, mean + c.outputs[1].size(), nan), std::fill(inv, inv + c.outputs[2].size(), nan);
    return;
  }
  const double eps = c.attrs.alpha;
  parallel_for(g.rows, g.block_rows(), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* __restrict xr = x + r * C;
      T* __restrict yr = y + r * C;
      const double m = row_sum(C, [&](int64_t j) { return double(xr[j]); }) / double(C);
      const double v = row_sum(C, [&](int64_t j) {
                         const double d = double(xr[j]) - m;
                         return d * d;
                       }) / double(C);
      const T mt = T(m), it = T(1.0 / std::sqrt(v + eps));
      mean[r] = mt, inv[r] = it;
      for (int64_t j = 0; j < C; ++j) {
        const T a = it * scale[j];
        yr[j] = xr[j] * a + (offset[j] - mt * a);
      }
    }
  });
}

template <class T>
void backward(OpCall& c) {
  const Geometry g(c.in(1).shape());
  const int64_t C = g.ch;
  const T *dy = in<T>(c, 0), *x = in<T>(c, 1), *scale = in<T>(c, 2), *mean = in<T>(c, 3), *inv = in<T>(c, 4);
  const T *dmean = c.inputs.size() == 7 ? in<T>(c, 5) : nullptr, *dinv = dmean ? in<T>(c, 6) : nullptr;
  T *dx = out<T>(c, 0), *dscale = out<T>(c, 1), *doffset = out<T>(c, 2);
  const double n = double(C);
  const auto sums = channel_sums(g, [&](int64_t r, double* __restrict s, double* __restrict q) {
    const T* __restrict dr = dy + r * C;
    const T* __restrict xr = x + r * C;
    const T* __restrict gp = scale;
    T* __restrict o = dx + r * C;
    const double m = double(mean[r]), iv = double(inv[r]);
    const double sh = row_sum(C, [&](int64_t j) { return double(dr[j]) * double(gp[j]); });
    const double shx = row_sum(C, [&](int64_t j) { return double(dr[j]) * double(gp[j]) * ((double(xr[j]) - m) * iv); });
    // dx = iv * h - xhat * (iv * b) - k * (x - m) + c0, b = shx / n, k = dinv * iv^3 / n,
    // c0 = dmean / n - iv * sh / n.
    const double k = dinv ? double(dinv[r]) * iv * iv * iv / n : 0.0;
    const T mt = mean[r], it = inv[r], ib = T(iv * shx / n), kt = T(k);
    const T c0 = T((dmean ? double(dmean[r]) / n : 0.0) - iv * sh / n);
    for (int64_t j = 0; j < C; ++j) {
      const T xc = xr[j] - mt, xhat = xc * it;
      o[j] = it * (dr[j] * gp[j]) - xhat * ib - kt * xc + c0;
      s[j] += double(dr[j]) * double(xhat);
      q[j] += double(dr[j]);
    }
  });
  for (int64_t j = 0; j < C; ++j) dscale[j] = T(sums[size_t(j)]), doffset[j] = T(sums[size_t(C + j)]);
}

void layer_norm_kernel(OpCall& c) {
  FlushDenormals ftz;
  const bool f32 = c.in(c.op == OpId::FusedLayerNormGrad ? 1 : 0).dtype() == DType::float32;
  if (c.op == OpId::FusedLayerNorm) return f32 ? forward<float>(c) : forward<double>(c);
  f32 ? backward<float>(c) : backward<double>(c);
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_layer_norm_kernels() {
  for (OpId op : {OpId::FusedLayerNorm, OpId::FusedLayerNormGrad})
    register_kernel(op, Device::Kind::CPU, cpu::layer_norm_kernel);
}
}  // namespace keras::core
