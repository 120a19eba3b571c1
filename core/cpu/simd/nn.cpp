// simd/nn.cpp - the exponentials of softmax, log_softmax and the cross-entropies, softmax
// rows and layer-normalization rows, compiled once per ISA (see vec.h). Sums accumulate
// in double.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/cpu/simd/vec.h"

namespace keras::core::cpu::KERAS_CPP_ISA {
namespace {

template <class T>
void exp_shift(const T* x, T shift, T* y, int64_t n) {
  const B<T> s(shift);
  vloop<T>(n, [s](const T* xp, T* yp) { xsimd::exp(B<T>::load_unaligned(xp) - s).store_unaligned(yp); }, x, y);
}

// The exponentials go to y (or, without y, to a buffer chunk by chunk), then are summed
// with kLanes double accumulators, element i into lane i % kLanes, the lanes added in
// order and then the last n % kLanes elements: the order depends on n only (not on the
// ISA, whose exponentials may differ in the last bit).
template <class T>
double exp_shift_sum(const T* x, T shift, T* y, int64_t n) {
  constexpr int kLanes = 8;
  constexpr int64_t kChunk = 1024;  // a multiple of kLanes
  alignas(64) T buf[kChunk];
  double lane[kLanes] = {}, rest = 0.0;
  for (int64_t c = 0; c < n; c += kChunk) {
    const int64_t len = n - c < kChunk ? n - c : kChunk;
    T* e = y ? y + c : buf;
    exp_shift(x + c, shift, e, len);
    int64_t i = 0;
    for (; i + kLanes <= len; i += kLanes)
      for (int j = 0; j < kLanes; ++j) lane[j] += static_cast<double>(e[i + j]);
    for (; i < len; ++i) rest += static_cast<double>(e[i]);  // only in the last chunk
  }
  double sum = lane[0];
  for (int j = 1; j < kLanes; ++j) sum += lane[j];
  return sum + rest;
}

template <class T>
void exp_diff(const T* x, const T* m, T* y, int64_t n) {
  vloop<T>(n, [](const T* xp, const T* mp, T* yp) {
    xsimd::exp(B<T>::load_unaligned(xp) - B<T>::load_unaligned(mp)).store_unaligned(yp);
  }, x, m, y);
}

// The max of a row, NaN never taken, -inf for none (a max is exact: the lanes' order does
// not change it, but for the sign of a zero, which exp(x - max) does not see).
template <class T>
T row_max(const T* p, int64_t n) {
  constexpr int64_t W = kWidth<T>;
  B<T> acc(-std::numeric_limits<T>::infinity());
  int64_t i = 0;
  for (; i + W <= n; i += W) {
    const B<T> v = B<T>::load_unaligned(p + i);
    acc = xsimd::select(v > acc, v, acc);
  }
  alignas(64) T lanes[W];
  acc.store_aligned(lanes);
  T m = -std::numeric_limits<T>::infinity();
  for (int64_t j = 0; j < W; ++j) m = lanes[j] > m ? lanes[j] : m;
  for (; i < n; ++i) m = p[i] > m ? p[i] : m;
  return m;
}

template <class T>
void scale_row(T* y, int64_t n, double sum) {
  const T inv = static_cast<T>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) y[i] *= inv;
}

// Softmax of `rows` contiguous rows of n elements. Short rows go in blocks of about
// kChunk elements: each row's max spread over its elements, the exponentials of the whole
// block in one vector loop (no per-row tails), then each row's sum in exp_shift_sum's
// order: the same bits as row by row. lse (null: not wanted) gets each row's max +
// log(sum).
template <class T>
void softmax_rows(const T* x, T* y, int64_t rows, int64_t n, T* lse) {
  constexpr int64_t kChunk = 1024;
  if (n <= 0) return;
  if (n * 4 > kChunk) {
    for (int64_t r = 0; r < rows; ++r) {
      const T* xr = x + r * n;
      T* yr = y + r * n;
      const T m = row_max(xr, n);
      const double sum = exp_shift_sum(xr, m, yr, n);
      scale_row(yr, n, sum);
      if (lse) lse[r] = static_cast<T>(static_cast<double>(m) + std::log(sum));
    }
    return;
  }
  alignas(64) T shift[kChunk];
  const int64_t per = kChunk / n;
  for (int64_t r0 = 0; r0 < rows; r0 += per) {
    const int64_t nr = rows - r0 < per ? rows - r0 : per;
    const T* xb = x + r0 * n;
    T* yb = y + r0 * n;
    for (int64_t r = 0; r < nr; ++r) {
      const T m = row_max(xb + r * n, n);
      for (int64_t j = 0; j < n; ++j) shift[r * n + j] = m;
    }
    exp_diff(xb, shift, yb, nr * n);
    for (int64_t r = 0; r < nr; ++r) {
      T* yr = yb + r * n;
      constexpr int kLanes = 8;
      double lane[kLanes] = {}, rest = 0.0;
      int64_t i = 0;
      for (; i + kLanes <= n; i += kLanes)
        for (int j = 0; j < kLanes; ++j) lane[j] += static_cast<double>(yr[i + j]);
      for (; i < n; ++i) rest += static_cast<double>(yr[i]);
      double sum = lane[0];
      for (int j = 1; j < kLanes; ++j) sum += lane[j];
      scale_row(yr, n, sum + rest);
      if (lse) lse[r0 + r] = static_cast<T>(static_cast<double>(shift[r * n]) + std::log(sum + rest));
    }
  }
}

// C (m x n, row stride ldc) = A B for small products (attention's per-head matrices):
// A(i, p) = a[i * sa + p * sp] and B(p, j) = b[p * sbp + j * sbj] (so either may be a
// row-major block or its transpose). Each element is one FMA chain over p in order,
// whatever the blocking, so the bits depend on the operands only. Rows go R at a time
// (each B vector loaded once for them, the R accumulators in registers); columns that are
// not whole vectors of unit stride run the same vector code on a zero-padded packed copy
// of B into a padded row block of C.
template <class T, int R>
void small_gemm_rows(int64_t k, const T* a, int64_t sa, int64_t sp, const T* bp, int64_t bs, T* cp, int64_t cs) {
  B<T> acc[R];
  for (int q = 0; q < R; ++q) acc[q] = B<T>(T(0));
  for (int64_t p = 0; p < k; ++p) {
    const B<T> bv = B<T>::load_unaligned(bp + p * bs);
    const T* ap = a + p * sp;
    for (int q = 0; q < R; ++q) acc[q] = xsimd::fma(B<T>(ap[q * sa]), bv, acc[q]);
  }
  for (int q = 0; q < R; ++q) acc[q].store_unaligned(cp + q * cs);
}

template <class T>
void small_gemm_block(int64_t m, int64_t k, const T* a, int64_t sa, int64_t sp, const T* bp, int64_t bs, T* cp,
                      int64_t cs) {
  int64_t i = 0;
  for (; i + 4 <= m; i += 4) small_gemm_rows<T, 4>(k, a + i * sa, sa, sp, bp, bs, cp + i * cs, cs);
  for (; i < m; ++i) small_gemm_rows<T, 1>(k, a + i * sa, sa, sp, bp, bs, cp + i * cs, cs);
}

template <class T>
void small_gemm(int64_t m, int64_t n, int64_t k, const T* a, int64_t sa, int64_t sp, const T* b, int64_t sbp,
                int64_t sbj, T* c, int64_t ldc) {
  constexpr int64_t W = kWidth<T>, kMaxRows = 64;
  if (m <= 0 || n <= 0) return;
  const int64_t full = sbj == 1 ? n / W * W : 0;
  for (int64_t j = 0; j < full; j += W) small_gemm_block(m, k, a, sa, sp, b + j, sbp, c + j, ldc);
  if (full == n) return;
  // The other columns (all of them when B's rows are strided): packed into rows of np
  // (a multiple of W) with zeros after the last, their products through a padded block
  // of C, kMaxRows rows at a time.
  const int64_t cols = n - full, np = (cols + W - 1) / W * W;
  thread_local std::vector<T> packed;
  packed.assign(size_t(std::max<int64_t>(k, 1) * np), T(0));
  for (int64_t p = 0; p < k; ++p) {
    const T* src = b + p * sbp + full * sbj;
    T* dst = packed.data() + p * np;
    for (int64_t j = 0; j < cols; ++j) dst[j] = src[j * sbj];
  }
  alignas(64) T ct[kMaxRows * W];
  for (int64_t j0 = 0; j0 < np; j0 += W) {
    const int64_t w = cols - j0 < W ? cols - j0 : W;
    for (int64_t i0 = 0; i0 < m; i0 += kMaxRows) {
      const int64_t mr = m - i0 < kMaxRows ? m - i0 : kMaxRows;
      if (w == W) {
        small_gemm_block(mr, k, a + i0 * sa, sa, sp, packed.data() + j0, np, c + i0 * ldc + full + j0, ldc);
        continue;
      }
      small_gemm_block(mr, k, a + i0 * sa, sa, sp, packed.data() + j0, np, ct, W);
      for (int64_t i = 0; i < mr; ++i)
        for (int64_t j = 0; j < w; ++j) c[(i0 + i) * ldc + full + j0 + j] = ct[i * W + j];
    }
  }
}

// The sums over j < n of two terms, each with element j in lane j % kLanes, the lanes
// added in order, then the last n % kLanes terms: the order depends on n only. 16 lanes
// of each (independent additions in flight) and both sums in one pass over the row.
template <class F, class G>
void lane_sums(int64_t n, F&& f, G&& g, double& sf, double& sg) {
  constexpr int64_t kLanes = 16;
  double a[kLanes] = {}, b[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t j = 0; j < kLanes; ++j) a[j] += f(i + j), b[j] += g(i + j);
  sf = a[0], sg = b[0];
  for (int64_t j = 1; j < kLanes; ++j) sf += a[j], sg += b[j];
  for (; i < n; ++i) sf += f(i), sg += g(i);
}

// Layer normalization of one row (formulas in core/ops/layer_norm.cpp): the mean and the
// variance in double; y = (x - mean) * a + offset with a = inv *
// scale, in T (a constant row gives the offset exactly, with or without FMA contraction).
template <class T>
void layer_norm_row(const T* __restrict x, const T* __restrict scale, const T* __restrict offset, T* __restrict y,
                    int64_t n, double eps, T* mean, T* inv) {
  // The sum and the sum of squares of x - x[0] (a shift that keeps the variance accurate
  // far from zero), in one pass.
  const double k = double(x[0]);
  double sd, sq;
  lane_sums(
      n, [&](int64_t j) { return double(x[j]) - k; },
      [&](int64_t j) {
        const double d = double(x[j]) - k;
        return d * d;
      },
      sd, sq);
  const double md = sd / double(n), m = k + md, v = std::max(0.0, sq / double(n) - md * md);
  const T mt = T(m), it = T(1.0 / std::sqrt(v + eps));
  *mean = mt, *inv = it;
  for (int64_t j = 0; j < n; ++j) {
    y[j] = (x[j] - mt) * (it * scale[j]) + offset[j];
  }
}

// dx = inv * h - xhat * (inv * b) - k * (x - mean) + c0 with h = dy * scale, xhat =
// (x - mean) * inv, b = sum(h * xhat) / n, k = dinv * inv^3 / n, c0 = dmean / n - inv *
// sum(h) / n (the sums in double).
template <class T>
void layer_norm_grad_row(const T* __restrict dy, const T* __restrict x, const T* __restrict scale, T mean, T inv,
                         double dmean, double dinv, T* __restrict dx, double* __restrict s, double* __restrict q,
                         int64_t n) {
  const double m = double(mean), iv = double(inv), nn = double(n);
  double sh, shx;
  lane_sums(
      n, [&](int64_t j) { return double(dy[j]) * double(scale[j]); },
      [&](int64_t j) { return double(dy[j]) * double(scale[j]) * ((double(x[j]) - m) * iv); }, sh, shx);
  const T ib = T(iv * shx / nn), kt = T(dinv * iv * iv * iv / nn), c0 = T(dmean / nn - iv * sh / nn);
  for (int64_t j = 0; j < n; ++j) {
    const T xc = x[j] - mean, xhat = xc * inv;
    dx[j] = inv * (dy[j] * scale[j]) - xhat * ib - kt * xc + c0;
    s[j] += double(dy[j]) * double(xhat);
    q[j] += double(dy[j]);
  }
}

template <class T>
void fill(VecKernels<T>& k) {
  k.exp_shift_sum = &exp_shift_sum<T>;
  k.exp_diff = &exp_diff<T>;
  k.row_max = &row_max<T>;
  k.softmax_rows = &softmax_rows<T>;
  k.layer_norm_row = &layer_norm_row<T>;
  k.small_gemm = &small_gemm<T>;
  k.layer_norm_grad_row = &layer_norm_grad_row<T>;
}

}  // namespace

void fill_nn(IsaKernels& k) {
  fill(k.f32);
  fill(k.f64);
}

}  // namespace keras::core::cpu::KERAS_CPP_ISA
