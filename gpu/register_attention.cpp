// register_attention.cpp - the CUDA backend's entries for the attention products: host code
// turning fused_attention, fused_attention_grad, flash_attention, flash_attention_grad
// (core/attention.h; gpu/flash_attention.cu) and einsum_matmul
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

// The sizes of an attention call whose q is input `at` (k, v after it) and whose optional
// mask is input `mask_at`; *mask its data or null.
AttentionDims dims_of(const OpCall& c, size_t at, size_t mask_at, const bool** mask) {
  const Shape &q = c.in(at).shape(), &k = c.in(at + 1).shape(), &v = c.in(at + 2).shape();
  AttentionDims d;
  d.B = q[0], d.T = q[1], d.N = q[2], d.H = q[3], d.S = k[1], d.K = k[2], d.Hv = v[3];
  *mask = nullptr;
  if (c.inputs.size() > mask_at) {
    d.mB = c.in(mask_at).shape()[0], d.mN = c.in(mask_at).shape()[1];
    *mask = static_cast<const bool*>(c.in(mask_at).raw_data());
  }
  return d;
}

// fused_attention (q, k, v [, mask]) -> out, lse, probs;
// fused_attention_grad (dout, q, k, v, out, probs, dlse [, mask]) -> dq, dk, dv.
void attention_kernel(OpCall& c) {
  const bool grad = c.op == OpId::FusedAttentionGrad;
  const size_t at = grad ? 1 : 0, mask_at = grad ? 7 : 3;
  require(c, c.in(at).dtype());
  const bool* mask = nullptr;
  const AttentionDims d = dims_of(c, at, mask_at, &mask);
  require_int(
      c, {d.T, d.S, d.N * d.H, d.N * d.Hv, d.K * d.H, d.K * d.Hv},
      "q " + c.in(at).shape().str() + ", k " + c.in(at + 1).shape().str() + " and v " + c.in(at + 2).shape().str());
  const Dt dt = dt_of(c.in(at).dtype());
  if (!grad)
    return attention_forward(dt, d, c.attrs.alpha, c.attrs.beta, ptr(c, 0), ptr(c, 1), ptr(c, 2), mask, out(c, 0),
                             out(c, 1), out(c, 2), device_of(c));
  attention_backward(dt, d, c.attrs.alpha, ptr(c, 0), ptr(c, 1), ptr(c, 2), ptr(c, 3), ptr(c, 4), ptr(c, 5), ptr(c, 6),
                     mask, out(c, 0), out(c, 1), out(c, 2), device_of(c));
}

// flash_attention (q, k, v [, mask]) -> out, lse, stats;
// flash_attention_grad (dout, q, k, v, out, stats, dlse [, mask]) -> dq, dk, dv.
void flash_kernel(OpCall& c) {
  const bool grad = c.op == OpId::FlashAttentionGrad;
  const size_t at = grad ? 1 : 0;
  require(c, c.in(at).dtype());
  const bool* mask = nullptr;
  const AttentionDims d = dims_of(c, at, grad ? 7 : 3, &mask);
  const Dt dt = dt_of(c.in(at).dtype());
  const double scale = c.attrs.alpha, mask_value = c.attrs.beta;
  const bool causal = c.attrs.flag;
  if (!grad)
    return flash_attention_forward(dt, d, scale, mask_value, causal, ptr(c, 0), ptr(c, 1), ptr(c, 2), mask, out(c, 0),
                                   out(c, 1), static_cast<double*>(out(c, 2)), device_of(c));
  flash_attention_backward(dt, d, scale, mask_value, causal, ptr(c, 0), ptr(c, 1), ptr(c, 2), ptr(c, 3), ptr(c, 4),
                           static_cast<const double*>(ptr(c, 5)), ptr(c, 6), mask, out(c, 0), out(c, 1), out(c, 2),
                           device_of(c));
}

// einsum_matmul: the layout's plan (one product per batch index, each matrix read through
// its operand's strides), as the CPU kernel; runs of evenly spaced batches are one cuBLAS
// call.
void einsum_matmul_kernel(OpCall& c) {
  const Tensor &a = c.in(0), &b = c.in(1);
  require(c, a.dtype());
  Shape so;
  const auto l = EinsumMatMulLayout::decode(c.attrs.axes, a.shape(), b.shape(), c.name(), &so);
  if (c.outputs[0].size() == 0) return;
  const EinsumMatMulLayout::GemmPlan p = l.gemm_plan(a.shape(), b.shape(), so);
  require_int(c, {p.m, p.n, p.k, p.lda, p.ldb, p.ldc}, "shapes " + a.shape().str() + " and " + b.shape().str());
  GemmBatch g;
  g.m = p.m, g.n = p.n, g.k = p.k, g.ta = p.ta, g.tb = p.tb, g.lda = p.lda, g.ldb = p.ldb, g.ldc = p.ldc;
  g.batch = int64_t(p.a_off.size()), g.a_off = p.a_off.data(), g.b_off = p.b_off.data(), g.c_off = p.c_off.data();
  gemm_batch(dt_of(a.dtype()), a.raw_data(), b.raw_data(), out(c, 0), g, device_of(c));
}

}  // namespace

void register_attention_kernels() {
  for (OpId op : {OpId::FusedAttention, OpId::FusedAttentionGrad}) add_kernel(op, attention_kernel, kFloatTypes);
  for (OpId op : {OpId::FlashAttention, OpId::FlashAttentionGrad}) add_kernel(op, flash_kernel, kFloatTypes);
  add_kernel(OpId::EinsumMatMul, einsum_matmul_kernel, kFloatTypes);
}

}  // namespace keras::core::cuda
