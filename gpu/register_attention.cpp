// register_attention.cpp - the CUDA backend's entries for the attention products: host code
// turning fused_attention, fused_attention_grad (core/attention.h) and einsum_matmul
// (core/einsum_matmul.h) calls into the launchers of gpu/attention.cu and gpu/matmul.cu's
// gemm_batch.
#include <climits>
#include <string>
#include <vector>

#include "core/einsum_matmul.h"
#include "gpu/attention.h"
#include "gpu/register_util.h"

namespace keras::core::cuda {
namespace {

const void* ptr(const OpCall& c, size_t i) { return c.in(i).raw_data(); }
void* out(OpCall& c, size_t i) { return c.outputs[i].raw_mutable_data(); }

// cuBLAS takes int sizes and leading dimensions: the CPU kernel's limit, named.
void require_int(const OpCall& c, std::initializer_list<int64_t> sizes, const std::string& shapes) {
  for (int64_t s : sizes)
    if (s > INT_MAX)
      throw_invalid(std::string(c.name()) + ": matrices of " + shapes + " exceed the 32-bit sizes BLAS accepts");
}

// fused_attention (q, k, v [, mask]) -> out, lse, probs;
// fused_attention_grad (dout, q, k, v, out, probs, dlse [, mask]) -> dq, dk, dv.
void attention_kernel(OpCall& c) {
  const bool grad = c.op == OpId::FusedAttentionGrad;
  const size_t at = grad ? 1 : 0, mask_at = grad ? 7 : 3;
  const Shape &q = c.in(at).shape(), &k = c.in(at + 1).shape(), &v = c.in(at + 2).shape();
  require(c, c.in(at).dtype());
  AttentionDims d;
  d.B = q[0], d.T = q[1], d.N = q[2], d.H = q[3], d.S = k[1], d.K = k[2], d.Hv = v[3];
  const bool* mask = nullptr;
  if (c.inputs.size() > mask_at) {
    d.mB = c.in(mask_at).shape()[0], d.mN = c.in(mask_at).shape()[1];
    mask = static_cast<const bool*>(c.in(mask_at).raw_data());
  }
  require_int(c, {d.T, d.S, d.N * d.H, d.N * d.Hv, d.K * d.H, d.K * d.Hv},
              "q " + q.str() + ", k " + k.str() + " and v " + v.str());
  const Dt dt = dt_of(c.in(at).dtype());
  if (!grad)
    return attention_forward(dt, d, c.attrs.alpha, c.attrs.beta, ptr(c, 0), ptr(c, 1), ptr(c, 2), mask, out(c, 0),
                             out(c, 1), out(c, 2), device_of(c));
  attention_backward(dt, d, c.attrs.alpha, ptr(c, 0), ptr(c, 1), ptr(c, 2), ptr(c, 3), ptr(c, 4), ptr(c, 5), ptr(c, 6),
                     mask, out(c, 0), out(c, 1), out(c, 2), device_of(c));
}

std::vector<int64_t> row_major_strides(const Shape& s) {
  std::vector<int64_t> st(size_t(s.rank()), 1);
  for (int64_t i = s.rank() - 2; i >= 0; --i) st[size_t(i)] = st[size_t(i + 1)] * s[i + 1];
  return st;
}

// einsum_matmul: one product per batch index, each matrix read through its operand's
// strides (the unit-stride axis picks the transpose flag, the other axis's stride is the
// leading dimension), as the CPU kernel; runs of evenly spaced batches are one cuBLAS call.
void einsum_matmul_kernel(OpCall& c) {
  const Tensor &a = c.in(0), &b = c.in(1);
  require(c, a.dtype());
  Shape so;
  const auto l = EinsumMatMulLayout::decode(c.attrs.axes, a.shape(), b.shape(), c.name(), &so);
  const Shape &sa = a.shape(), &sb = b.shape();
  if (c.outputs[0].size() == 0) return;
  const std::vector<int64_t> st_a = row_major_strides(sa), st_b = row_major_strides(sb), st_o = row_major_strides(so);
  GemmBatch g;
  g.m = sa[l.m_a], g.n = sb[l.n_b], g.k = sa[l.k_a];
  g.ta = l.k_a != sa.rank() - 1, g.tb = l.n_b != sb.rank() - 1;  // (decode checked the unit strides)
  g.lda = g.ta ? st_a[size_t(l.k_a)] : st_a[size_t(l.m_a)];
  g.ldb = g.tb ? st_b[size_t(l.n_b)] : st_b[size_t(l.k_b)];
  g.ldc = st_o[size_t(l.m_out)];
  require_int(c, {g.m, g.n, g.k, g.lda, g.ldb, g.ldc}, "shapes " + sa.str() + " and " + sb.str());
  const size_t nb = l.batch_a.size();
  g.batch = 1;
  for (size_t i = 0; i < nb; ++i) g.batch *= sa[l.batch_a[i]];
  std::vector<int64_t> oa(size_t(g.batch)), ob(size_t(g.batch)), oc(size_t(g.batch));
  for (int64_t flat = 0; flat < g.batch; ++flat) {
    int64_t rest = flat, x = 0, y = 0, z = 0;
    for (size_t i = nb; i-- > 0;) {  // the batch index, the last axis fastest
      const int64_t dim = sa[l.batch_a[i]], idx = rest % dim;
      rest /= dim;
      x += idx * st_a[size_t(l.batch_a[i])];
      y += idx * st_b[size_t(l.batch_b[i])];
      z += idx * st_o[size_t(l.batch_out[i])];
    }
    oa[size_t(flat)] = x, ob[size_t(flat)] = y, oc[size_t(flat)] = z;
  }
  g.a_off = oa.data(), g.b_off = ob.data(), g.c_off = oc.data();
  gemm_batch(dt_of(a.dtype()), a.raw_data(), b.raw_data(), out(c, 0), g, device_of(c));
}

}  // namespace

void register_attention_kernels() {
  for (OpId op : {OpId::FusedAttention, OpId::FusedAttentionGrad}) add_kernel(op, attention_kernel, kFloatTypes);
  add_kernel(OpId::EinsumMatMul, einsum_matmul_kernel, kFloatTypes);
}

}  // namespace keras::core::cuda
