// attention.cpp - CPU kernels of fused_attention and fused_attention_grad (formulas in
// core/ops/attention.cpp). Each (batch, head) pair is independent: its q, k and v rows are
// matrices inside the (B, seq, N, H) tensors (row stride N * H), multiplied where they lie
// (no transposed or gathered copies of the tensors) by cpu::batch_gemm (the ISA table's
// small_gemm, or the engine's GEMM for large products); the T x S logits become the pair's block of the probs
// output in place. The pairs are spread over the engine's threads; each pair's results
// come from the same calls at any thread count.
// - forward: l = scale * q k^T (mask_value where masked), p = softmax of its rows (an
//   output) and lse = max + log(sum) (the ISA table's softmax_rows, sums in double: the
//   bits of the softmax op), out = p v;
// - backward: from the forward's p, dv = p^T dout, dp = dout v^T,
//   ds = scale * p * (dp - rowsum(dout * out) + dlse) (0 where masked), dq = ds k,
//   dk = ds^T q.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/cpu/attention_geom.h"
#include "core/cpu/gemm.h"
#include "core/cpu/isa.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/init.h"
#include "core/kernel_dtypes.h"

namespace keras::core::cpu {
namespace {

using Geom = AttentionGeom;

// l (T x S) = scale * q k^T of pair (b, n), mask_value where the mask is false.
template <class T>
void logits(const Geom& g, const T* q, const T* k, const bool* mask, int64_t b, int64_t n,
            double scale, double mask_value, T* l) {
  batch_gemm(false, true, g.T, g.S, g.H, q + g.q_at(b, n), g.N * g.H, k + g.k_at(b, n), g.K * g.H, l, g.S);
  const T s = T(scale), mv = T(mask_value);
  const int64_t len = g.T * g.S;
  for (int64_t i = 0; i < len; ++i) l[i] *= s;
  if (!mask) return;
  const bool* m = mask + g.mask_at(b, n);
  for (int64_t i = 0; i < len; ++i) l[i] = m[i] ? l[i] : mv;
}

template <class T>
void forward(OpCall& c) {
  const bool has_mask = c.inputs.size() > 3;
  const Geom g(c.in(0), c.in(1), c.in(2), has_mask ? &c.in(3) : nullptr);
  const T *q = c.in_data<T>(0), *k = c.in_data<T>(1), *v = c.in_data<T>(2);
  const bool* mask = has_mask ? c.in_data<bool>(3) : nullptr;
  T *o = c.out_data<T>(0), *lse = c.out_data<T>(1), *probs = c.out_data<T>(2);
  const auto& isa = isa_kernels().of<T>();
  parallel_for(g.B * g.N, g.grain(), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t b = p / g.N, n = p % g.N;
      T *row_lse = lse + p * g.T, *pm = probs + p * g.T * g.S;
      if (g.S == 0) {
        std::fill(row_lse, row_lse + g.T, -std::numeric_limits<T>::infinity());
      } else {
        logits(g, q, k, mask, b, n, c.attrs.alpha, c.attrs.beta, pm);
        isa.softmax_rows(pm, pm, g.T, g.S, row_lse);
      }
      batch_gemm(false, false, g.T, g.Hv, g.S, pm, g.S, v + g.v_at(b, n), g.K * g.Hv, o + g.o_at(b, n), g.N * g.Hv);
    }
  });
}

template <class T>
void backward(OpCall& c) {  // (dout, q, k, v, out, probs, dlse [, mask]) -> dq, dk, dv
  const bool has_mask = c.inputs.size() > 7;
  const Geom g(c.in(1), c.in(2), c.in(3), has_mask ? &c.in(7) : nullptr);
  const T *dout = c.in_data<T>(0), *q = c.in_data<T>(1), *k = c.in_data<T>(2), *v = c.in_data<T>(3),
          *o = c.in_data<T>(4);
  const T *probs = c.in_data<T>(5), *dlse = c.in_data<T>(6);
  const bool* mask = has_mask ? c.in_data<bool>(7) : nullptr;
  T *dq = c.out_data<T>(0), *dk = c.out_data<T>(1), *dv = c.out_data<T>(2);
  const double scale = c.attrs.alpha;
  if (g.G == 0) {  // no query heads: nothing reached the keys and values
    std::fill(dk, dk + c.outputs[1].size(), T(0));
    std::fill(dv, dv + c.outputs[2].size(), T(0));
    return;
  }
  // One task per (batch, key/value head): its G query heads in order, each adding its
  // share to the head's dk and dv (the first writes them), so the sums' order is fixed.
  parallel_for(g.B * g.K, std::max<int64_t>(1, g.grain() / g.G), [&](int64_t p0, int64_t p1) {
    std::vector<T> dp(size_t(g.T * g.S)), part;
    for (int64_t pk = p0; pk < p1; ++pk) {
      const int64_t b = pk / g.K;
      const int64_t ldq = g.N * g.H, ldo = g.N * g.Hv, ldk = g.K * g.H, ldv = g.K * g.Hv;
      for (int64_t n = pk % g.K * g.G, e = n + g.G; n < e; ++n) {
        const int64_t p = b * g.N + n;
        const T* pm = probs + p * g.T * g.S;
        const bool first = n % g.G == 0;
        // dv (+)= p^T dout, dp = dout v^T.
        gemm_accumulate(first, true, g.S, g.Hv, g.T, pm, g.S, dout + g.o_at(b, n), ldo, dv + g.v_at(b, n), ldv, part);
        batch_gemm(false, true, g.T, g.S, g.Hv, dout + g.o_at(b, n), ldo, v + g.v_at(b, n), ldv, dp.data(), g.S);
        const bool* m = mask ? mask + g.mask_at(b, n) : nullptr;
        for (int64_t t = 0; t < g.T; ++t) {
          const T *dor = dout + g.o_at(b, n) + t * ldo, *orow = o + g.o_at(b, n) + t * ldo;
          double d = 0;
          for (int64_t h = 0; h < g.Hv; ++h) d += double(dor[h]) * double(orow[h]);
          const T shift = T(d - double(dlse[p * g.T + t]));
          const T* pr = pm + t * g.S;
          T* dr = dp.data() + t * g.S;
          const bool* mr = m ? m + t * g.S : nullptr;
          for (int64_t j = 0; j < g.S; ++j)
            dr[j] = (mr && !mr[j]) ? T(0) : T(scale) * (pr[j] * (dr[j] - shift));
        }
        // dq = ds k, dk (+)= ds^T q.
        batch_gemm(false, false, g.T, g.H, g.S, dp.data(), g.S, k + g.k_at(b, n), ldk, dq + g.q_at(b, n), ldq);
        gemm_accumulate(first, true, g.S, g.H, g.T, dp.data(), g.S, q + g.q_at(b, n), ldq, dk + g.k_at(b, n), ldk,
                        part);
      }
    }
  });
}

void attention_kernel(OpCall& c) {
  FlushDenormals ftz;
  const bool grad = c.op == OpId::FusedAttentionGrad;
  const bool f32 = c.in(grad ? 1 : 0).dtype() == DType::float32;
  if (!grad) return f32 ? forward<float>(c) : forward<double>(c);
  f32 ? backward<float>(c) : backward<double>(c);
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_attention_kernels() {
  for (OpId op : {OpId::FusedAttention, OpId::FusedAttentionGrad}) {
    register_kernel(op, Device::Kind::CPU, cpu::attention_kernel);
    declare_kernel_dtypes(op, Device::Kind::CPU, {DType::float32, DType::float64});
  }
}
}  // namespace keras::core
