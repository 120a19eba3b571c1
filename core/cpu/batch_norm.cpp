// batch_norm.cpp - CPU kernels of fused_batch_norm, fused_batch_norm_inference and
// fused_batch_norm_grad (formulas in core/ops/batch_norm.cpp). x is (rows, C), C the
// last axis. Two passes over memory each way:
// - training forward: per-channel sums of (x - k) and (x - k)^2 with k = the first row
//   (a shift that keeps the one-pass variance accurate), then y = x * a + b;
// - inference forward: y = x * a + b alone;
// - backward: per-channel sums of dy and dy * (x - mean), then dx = a*dy + b*(x - mean) + d.
// Sums accumulate in double over fixed blocks of rows (their bounds depend on the shape
// only), combined in block order: the results do not depend on the thread count. The
// inner loops run over contiguous channels, which the compiler vectorizes.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/cpu/channel_sums.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/init.h"

namespace keras::core::cpu {
namespace {

// y[r, c] = x[r, c] * a[c] + b[c].
template <class T>
void affine(const Geometry& g, const T* __restrict x, const T* __restrict a, const T* __restrict b, T* __restrict y) {
  const int64_t C = g.ch;
  parallel_for(g.rows, g.block_rows(), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* __restrict xr = x + r * C;
      T* __restrict yr = y + r * C;
      for (int64_t c = 0; c < C; ++c) yr[c] = xr[c] * a[c] + b[c];
    }
  });
}

template <class T>
void train_forward(OpCall& c) {
  const Geometry g(c.in(0).shape());
  const int64_t C = g.ch;
  const T *x = c.in_data<T>(0), *scale = c.in_data<T>(1), *offset = c.in_data<T>(2);
  T *y = c.out_data<T>(0), *mean = c.out_data<T>(1), *var = c.out_data<T>(2), *inv = c.out_data<T>(3);
  const double eps = c.attrs.alpha;
  if (g.rows == 0) {  // no statistics
    const T nan = std::numeric_limits<T>::quiet_NaN();
    std::fill(mean, mean + C, nan), std::fill(var, var + C, nan), std::fill(inv, inv + C, nan);
    return;
  }
  std::vector<double> k(x, x + C);  // the shift: the first row
  const double* __restrict kp = k.data();
  const auto sums = channel_sums(g, [&](int64_t r, double* __restrict s, double* __restrict q) {
    const T* __restrict xr = x + r * C;
    for (int64_t j = 0; j < C; ++j) {
      const double d = double(xr[j]) - kp[j];
      s[j] += d;
      q[j] += d * d;
    }
  });
  std::vector<T> a(static_cast<size_t>(C)), b(static_cast<size_t>(C));
  const double n = double(g.rows);
  for (int64_t j = 0; j < C; ++j) {
    const double ds = sums[size_t(j)] / n;
    const double m = k[size_t(j)] + ds, v = std::max(0.0, sums[size_t(C + j)] / n - ds * ds);
    const double iv = 1.0 / std::sqrt(v + eps);
    mean[j] = T(m), var[j] = T(v), inv[j] = T(iv);
    a[size_t(j)] = T(double(scale[j]) * iv);
    b[size_t(j)] = T(double(offset[j]) - m * double(scale[j]) * iv);
  }
  affine<T>(g, x, a.data(), b.data(), y);
}

template <class T>
void inference_forward(OpCall& c) {
  const Geometry g(c.in(0).shape());
  const int64_t C = g.ch;
  const T *scale = c.in_data<T>(1), *offset = c.in_data<T>(2), *mean = c.in_data<T>(3), *var = c.in_data<T>(4);
  std::vector<T> a(static_cast<size_t>(C)), b(static_cast<size_t>(C));
  for (int64_t j = 0; j < C; ++j) {
    const double s = double(scale[j]) / std::sqrt(double(var[j]) + c.attrs.alpha);
    a[size_t(j)] = T(s);
    b[size_t(j)] = T(double(offset[j]) - double(mean[j]) * s);
  }
  affine<T>(g, c.in_data<T>(0), a.data(), b.data(), c.out_data<T>(0));
}

template <class T>
void backward(OpCall& c) {
  const Geometry g(c.in(1).shape());
  const int64_t C = g.ch;
  const T *dy = c.in_data<T>(0), *x = c.in_data<T>(1), *scale = c.in_data<T>(2), *mean = c.in_data<T>(3),
          *inv = c.in_data<T>(4);
  const bool training = c.attrs.flag, extra = c.inputs.size() == 7;
  const T* __restrict mp = mean;
  const auto sums = channel_sums(g, [&](int64_t r, double* __restrict s, double* __restrict q) {
    const T* __restrict dr = dy + r * C;
    const T* __restrict xr = x + r * C;
    for (int64_t j = 0; j < C; ++j) {
      const double d = double(dr[j]);
      s[j] += d;
      q[j] += d * (double(xr[j]) - double(mp[j]));
    }
  });
  T *dscale = c.out_data<T>(1), *doffset = c.out_data<T>(2);
  std::vector<T> a(static_cast<size_t>(C)), b(static_cast<size_t>(C)), d(static_cast<size_t>(C));
  const double n = std::max<double>(1.0, double(g.rows));
  for (int64_t j = 0; j < C; ++j) {
    const double sdy = sums[size_t(j)], s = sums[size_t(C + j)], iv = double(inv[j]), gi = double(scale[j]) * iv;
    dscale[j] = T(s * iv);
    doffset[j] = T(sdy);
    a[size_t(j)] = T(gi);
    double bj = 0.0, dj = 0.0;
    if (training) {
      bj = -gi * iv * iv * s / n;
      dj = -gi * sdy / n;
      if (extra) {
        dj += double(c.in_data<T>(5)[j]) / n;
        bj += 2.0 * double(c.in_data<T>(6)[j]) / n;
      }
    }
    b[size_t(j)] = T(bj), d[size_t(j)] = T(dj);
  }
  T* dx = c.out_data<T>(0);
  const T *__restrict ap = a.data(), *__restrict bp = b.data(), *__restrict dp = d.data();
  parallel_for(g.rows, g.block_rows(), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* __restrict dr = dy + r * C;
      const T* __restrict xr = x + r * C;
      T* __restrict o = dx + r * C;
      for (int64_t j = 0; j < C; ++j) o[j] = ap[j] * dr[j] + bp[j] * (xr[j] - mp[j]) + dp[j];
    }
  });
}

template <class T>
void run(OpCall& c) {
  switch (c.op) {
    case OpId::FusedBatchNorm: return train_forward<T>(c);
    case OpId::FusedBatchNormInference: return inference_forward<T>(c);
    case OpId::FusedBatchNormGrad: return backward<T>(c);
    default: return;
  }
}

void batch_norm_kernel(OpCall& c) {
  FlushDenormals ftz;
  if (c.in(c.op == OpId::FusedBatchNormGrad ? 1 : 0).dtype() == DType::float32) return run<float>(c);
  run<double>(c);
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_batch_norm_kernels() {
  for (OpId op : {OpId::FusedBatchNorm, OpId::FusedBatchNormInference, OpId::FusedBatchNormGrad})
    register_kernel(op, Device::Kind::CPU, cpu::batch_norm_kernel);
}
}  // namespace keras::core
