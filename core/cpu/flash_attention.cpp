// flash_attention.cpp - CPU kernels of flash_attention and flash_attention_grad
// (core/attention.h): attention that never holds a (T, S) matrix of weights. Each
// (batch, head) pair's queries go by tiles of kTileT rows and its keys by tiles of kTileS;
// a tile's logits live in a per-thread buffer.
// - forward: per query tile, a running row max m and sum of exp(l - m) (in double) and an
//   accumulator of exp(l - m) v, rescaled by exp(m_old - m_new) when the max grows (online
//   softmax); at the end out = acc / sum, lse = m + log(sum), and (m, sum) as the float64
//   `stats` output, from which the backward pass makes the weights again. Tasks are
//   (pair, query tile), independent, so the results are the same at any thread count.
// - backward: per (batch, key/value head) task, its query heads in order, each query tile
//   and key tile: p = exp(l - m) / sum, dv += p^T dout, dp = dout v^T,
//   ds = scale * p * (dp - rowsum(dout * out) + dlse) (0 where masked), dq += ds k,
//   dk += ds^T q.
// A causal call (attrs.flag) masks key s > query t without a mask tensor; with no mask
// input too, the key tiles after a query tile's last row are skipped (their weights are
// exactly 0, as each row keeps key 0).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/cpu/attention_geom.h"
#include "core/cpu/isa.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/init.h"
#include "core/kernel_dtypes.h"

namespace keras::core::cpu {
namespace {

constexpr int64_t kTileT = 128, kTileS = 256;

// One call's arguments.
struct Flash {
  AttentionGeom g;
  const bool* mask;  // null: none
  bool causal;
  double scale, mask_value;

  // Whether query t keeps key s for pair (b, n).
  bool keep(const bool* pair_mask, int64_t t, int64_t s) const {
    return (!pair_mask || pair_mask[t * g.S + s]) && (!causal || s <= t);
  }
  const bool* pair_mask(int64_t b, int64_t n) const { return mask ? mask + g.mask_at(b, n) : nullptr; }
  // Whether query tile [t0, ...) keeps every key of tile [s0, s0 + ts): no mask, and a
  // causal mask only where the tile lies at or below the diagonal.
  bool keeps_all(int64_t t0, int64_t s0, int64_t ts) const { return !mask && (!causal || s0 + ts - 1 <= t0); }
  // The end of the keys a query tile [t0, t0 + tq) reads.
  int64_t key_end(int64_t t0, int64_t tq) const { return causal && !mask ? std::min(g.S, t0 + tq) : g.S; }

  // l (tq x ts, row stride ts) = scale * q[t0, t0 + tq) k[s0, s0 + ts)^T of pair (b, n),
  // mask_value where masked.
  template <class T>
  void logits(const T* q, const T* k, int64_t b, int64_t n, int64_t t0, int64_t tq, int64_t s0, int64_t ts,
              T* l) const {
    batch_gemm(false, true, tq, ts, g.H, q + g.q_at(b, n) + t0 * g.ldq(), g.ldq(), k + g.k_at(b, n) + s0 * g.ldk(),
               g.ldk(), l, ts);
    const T sc = T(scale), mv = T(mask_value);
    if (keeps_all(t0, s0, ts)) {
      for (int64_t i = 0, len = tq * ts; i < len; ++i) l[i] *= sc;
      return;
    }
    const bool* pm = pair_mask(b, n);
    for (int64_t i = 0; i < tq; ++i) {
      T* row = l + i * ts;
      if (!pm) {  // causal alone: keys up to the query's position
        const int64_t kept = std::clamp<int64_t>(t0 + i - s0 + 1, 0, ts);
        for (int64_t j = 0; j < kept; ++j) row[j] *= sc;
        std::fill(row + kept, row + ts, mv);
        continue;
      }
      for (int64_t j = 0; j < ts; ++j) row[j] = keep(pm, t0 + i, s0 + j) ? row[j] * sc : mv;
    }
  }
};

Flash flash_of(const OpCall& c, size_t q_at, size_t mask_at) {
  const bool has_mask = c.inputs.size() > mask_at;
  return Flash{AttentionGeom(c.in(q_at), c.in(q_at + 1), c.in(q_at + 2), has_mask ? &c.in(mask_at) : nullptr),
               has_mask ? c.in_data<bool>(mask_at) : nullptr, c.attrs.flag, c.attrs.alpha, c.attrs.beta};
}

int64_t tiles_of(int64_t n, int64_t tile) { return (n + tile - 1) / tile; }

template <class T>
void forward(OpCall& c) {  // (q, k, v [, mask]) -> out, lse, stats
  const Flash f = flash_of(c, 0, 3);
  const AttentionGeom& g = f.g;
  const T *q = c.in_data<T>(0), *k = c.in_data<T>(1), *v = c.in_data<T>(2);
  T *o = c.out_data<T>(0), *lse = c.out_data<T>(1);
  double* stats = c.out_data<double>(2);
  const auto& isa = isa_kernels().of<T>();
  const int64_t tiles = tiles_of(g.T, kTileT);
  const double inf = std::numeric_limits<double>::infinity();
  parallel_for(g.B * g.N * tiles, AttentionGeom::grain_of(kTileT * g.S * (g.H + g.Hv)), [&](int64_t p0, int64_t p1) {
    std::vector<T> l(size_t(kTileT * kTileS)), acc, part;
    std::vector<double> m(kTileT), sum(kTileT);
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t pair = p / tiles, t0 = p % tiles * kTileT, tq = std::min(kTileT, g.T - t0);
      const int64_t b = pair / g.N, n = pair % g.N, send = f.key_end(t0, tq);
      std::fill(m.begin(), m.end(), -inf);
      std::fill(sum.begin(), sum.end(), 0.0);
      acc.assign(size_t(tq * g.Hv), T(0));
      for (int64_t s0 = 0; s0 < send; s0 += kTileS) {
        const int64_t ts = std::min(kTileS, send - s0);
        f.logits(q, k, b, n, t0, tq, s0, ts, l.data());
        for (int64_t i = 0; i < tq; ++i) {
          T* row = l.data() + i * ts;
          const double mt = std::max(m[size_t(i)], double(isa.row_max(row, ts)));
          const double corr = m[size_t(i)] == -inf ? 0.0 : std::exp(m[size_t(i)] - mt);
          sum[size_t(i)] = sum[size_t(i)] * corr + isa.exp_shift_sum(row, T(mt), row, ts);
          m[size_t(i)] = mt;
          if (s0 > 0 && corr != 1.0)
            for (int64_t h = 0; h < g.Hv; ++h) acc[size_t(i * g.Hv + h)] *= T(corr);
        }
        gemm_accumulate(s0 == 0, false, tq, g.Hv, ts, l.data(), ts, v + g.v_at(b, n) + s0 * g.ldv(), g.ldv(),
                        acc.data(), g.Hv, part);
      }
      for (int64_t i = 0; i < tq; ++i) {
        const double s = sum[size_t(i)], inv = s > 0 ? 1.0 / s : 0.0;
        T* orow = o + g.o_at(b, n) + (t0 + i) * g.ldo();
        for (int64_t h = 0; h < g.Hv; ++h) orow[h] = T(double(acc[size_t(i * g.Hv + h)]) * inv);
        const int64_t r = pair * g.T + t0 + i;
        lse[r] = s > 0 ? T(m[size_t(i)] + std::log(s)) : -std::numeric_limits<T>::infinity();
        stats[2 * r] = m[size_t(i)];
        stats[2 * r + 1] = s;
      }
    }
  });
}

template <class T>
void backward(OpCall& c) {  // (dout, q, k, v, out, stats, dlse [, mask]) -> dq, dk, dv
  const Flash f = flash_of(c, 1, 7);
  const AttentionGeom& g = f.g;
  const T *dout = c.in_data<T>(0), *q = c.in_data<T>(1), *k = c.in_data<T>(2), *v = c.in_data<T>(3),
          *o = c.in_data<T>(4), *dlse = c.in_data<T>(6);
  const double* stats = c.in_data<double>(5);
  T *dq = c.out_data<T>(0), *dk = c.out_data<T>(1), *dv = c.out_data<T>(2);
  // dk and dv gather over query tiles and heads (and causal calls skip keys no query
  // reads): they start at 0; dq's first key tile writes it, but with no keys at all.
  std::fill(dk, dk + c.outputs[1].size(), T(0));
  std::fill(dv, dv + c.outputs[2].size(), T(0));
  if (g.S == 0) std::fill(dq, dq + c.outputs[0].size(), T(0));
  if (g.G == 0 || g.S == 0) return;
  const auto& isa = isa_kernels().of<T>();
  // One task per (batch, key/value head): its G query heads in order, so the sums into the
  // head's dk and dv have one order at any thread count.
  parallel_for(g.B * g.K, AttentionGeom::grain_of(g.G * g.T * g.S * 2 * (g.H + g.Hv)), [&](int64_t p0, int64_t p1) {
    std::vector<T> l(size_t(kTileT * kTileS)), dp(size_t(kTileT * kTileS)), part;
    std::vector<double> shift(kTileT);
    for (int64_t pk = p0; pk < p1; ++pk) {
      const int64_t b = pk / g.K;
      for (int64_t n = pk % g.K * g.G, e = n + g.G; n < e; ++n) {
        const int64_t pair = b * g.N + n;
        const bool* pm = f.pair_mask(b, n);
        for (int64_t t0 = 0; t0 < g.T; t0 += kTileT) {
          const int64_t tq = std::min(kTileT, g.T - t0), send = f.key_end(t0, tq);
          const T* dout_t = dout + g.o_at(b, n) + t0 * g.ldo();
          const T* q_t = q + g.q_at(b, n) + t0 * g.ldq();
          T* dq_t = dq + g.q_at(b, n) + t0 * g.ldq();
          for (int64_t i = 0; i < tq; ++i) {  // rowsum(dout * out) - dlse
            const T *dr = dout_t + i * g.ldo(), *orow = o + g.o_at(b, n) + (t0 + i) * g.ldo();
            double d = 0;
            for (int64_t h = 0; h < g.Hv; ++h) d += double(dr[h]) * double(orow[h]);
            shift[size_t(i)] = d - double(dlse[pair * g.T + t0 + i]);
          }
          for (int64_t s0 = 0; s0 < send; s0 += kTileS) {
            const int64_t ts = std::min(kTileS, send - s0);
            f.logits(q, k, b, n, t0, tq, s0, ts, l.data());
            for (int64_t i = 0; i < tq; ++i) {  // the weights again: exp(l - m) / sum
              const double* st = stats + 2 * (pair * g.T + t0 + i);
              T* row = l.data() + i * ts;
              isa.exp_shift_sum(row, T(st[0]), row, ts);
              const T inv = T(st[1] > 0 ? 1.0 / st[1] : 0.0);
              for (int64_t j = 0; j < ts; ++j) row[j] *= inv;
            }
            const T* v_s = v + g.v_at(b, n) + s0 * g.ldv();
            const T* k_s = k + g.k_at(b, n) + s0 * g.ldk();
            gemm_accumulate(false, true, ts, g.Hv, tq, l.data(), ts, dout_t, g.ldo(), dv + g.v_at(b, n) + s0 * g.ldv(),
                            g.ldv(), part);
            batch_gemm(false, true, tq, ts, g.Hv, dout_t, g.ldo(), v_s, g.ldv(), dp.data(), ts);
            const bool all = f.keeps_all(t0, s0, ts);
            const T sc = T(f.scale);
            for (int64_t i = 0; i < tq; ++i) {
              T* dr = dp.data() + i * ts;
              const T* pr = l.data() + i * ts;
              const T sh = T(shift[size_t(i)]);
              if (all) {
                for (int64_t j = 0; j < ts; ++j) dr[j] = sc * (pr[j] * (dr[j] - sh));
                continue;
              }
              for (int64_t j = 0; j < ts; ++j) dr[j] = f.keep(pm, t0 + i, s0 + j) ? sc * (pr[j] * (dr[j] - sh)) : T(0);
            }
            gemm_accumulate(s0 == 0, false, tq, g.H, ts, dp.data(), ts, k_s, g.ldk(), dq_t, g.ldq(), part);
            gemm_accumulate(false, true, ts, g.H, tq, dp.data(), ts, q_t, g.ldq(), dk + g.k_at(b, n) + s0 * g.ldk(),
                            g.ldk(), part);
          }
        }
      }
    }
  });
}

void flash_attention_kernel(OpCall& c) {
  FlushDenormals ftz;
  const bool grad = c.op == OpId::FlashAttentionGrad;
  const bool f32 = c.in(grad ? 1 : 0).dtype() == DType::float32;
  if (!grad) return f32 ? forward<float>(c) : forward<double>(c);
  f32 ? backward<float>(c) : backward<double>(c);
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_flash_attention_kernels() {
  for (OpId op : {OpId::FlashAttention, OpId::FlashAttentionGrad}) {
    register_kernel(op, Device::Kind::CPU, cpu::flash_attention_kernel);
    declare_kernel_dtypes(op, Device::Kind::CPU, {DType::float32, DType::float64});
  }
}
}  // namespace keras::core
