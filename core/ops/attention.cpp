// attention.cpp - fused scaled dot-product attention (core/attention.h): argument checks,
// output shapes and gradient rules of fused_attention and fused_attention_grad, and of
// flash_attention and flash_attention_grad (the same with stats (B, N, T, 2) float64 in
// place of probs, and attrs.flag = causal). Kernels: core/cpu/attention.cpp,
// core/cpu/flash_attention.cpp.
//
// q (B, T, N, H), k (B, S, K, H), v (B, S, K, Hv) with K dividing N (query head n reads
// key/value head n / (N / K)), mask (B|1, N|1, T, S) bool. Attrs read: alpha = scale,
// beta = mask_value. With l = scale * q k^T (mask_value where masked) and p = softmax_s(l):
//   fused_attention (q, k, v [, mask]) -> out = p v (B, T, N, Hv), lse = logsumexp_s(l)
//   (B, N, T), p (B, N, T, S);
//   fused_attention_grad (dout, q, k, v, out, p, dlse [, mask]) -> dq, dk, dv, the
//   vector-Jacobian product of (out, lse) with (dout, dlse).
// The backward op's own gradient (second order) differentiates the same backward pass
// written with core ops (einsum, softmax), under a tape of its own.
#include <string>

#include "core/attention.h"
#include "core/autodiff.h"
#include "core/device_scope.h"
#include "core/dispatch.h"
#include "core/init.h"
#include "core/kernel_dtypes.h"
#include "core/ops.h"

namespace keras::core {
namespace {

std::string dims(const Tensor& t) { return t.shape().str(); }

// The shapes every call checks: q, k, v of one float dtype, matching B and H, K dividing N;
// the optional mask at `mask_at`.
void check_qkv(const OpCall& c, size_t at, size_t mask_at) {
  const Tensor &q = c.in(at), &k = c.in(at + 1), &v = c.in(at + 2);
  expect_dtype(c, q, "q", kFloatTypes);
  expect_same_dtype(c, q, k);
  expect_same_dtype(c, q, v);
  if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4 || k.shape()[0] != q.shape()[0] || k.shape()[2] < 1 ||
      q.shape()[2] % k.shape()[2] != 0 || k.shape()[3] != q.shape()[3] || v.shape()[0] != k.shape()[0] ||
      v.shape()[1] != k.shape()[1] || v.shape()[2] != k.shape()[2])
    throw_invalid(std::string(c.name()) + ": expected q (B, T, N, H), k (B, S, K, H) and v (B, S, K, Hv) with K >= 1 " +
                  "dividing N, but received q " + dims(q) + ", k " + dims(k) + ", v " + dims(v));
  if (c.inputs.size() <= mask_at) return;
  const Tensor& m = c.in(mask_at);
  const int64_t B = q.shape()[0], T = q.shape()[1], N = q.shape()[2], S = k.shape()[1];
  if (m.dtype() != DType::bool_ || m.rank() != 4 || (m.shape()[0] != 1 && m.shape()[0] != B) ||
      (m.shape()[1] != 1 && m.shape()[1] != N) || m.shape()[2] != T || m.shape()[3] != S)
    throw_invalid(std::string(c.name()) + ": expected a bool mask of shape (" + std::to_string(B) + " or 1, " +
                  std::to_string(N) + " or 1, " + std::to_string(T) + ", " + std::to_string(S) +
                  "), but received " + dtype_name(m.dtype()) + " " + dims(m));
}

Shape out_shape(const Tensor& q, const Tensor& v) { return Shape{q.shape()[0], q.shape()[1], q.shape()[2], v.shape()[3]}; }
Shape lse_shape(const Tensor& q) { return Shape{q.shape()[0], q.shape()[2], q.shape()[1]}; }
Shape probs_shape(const Tensor& q, const Tensor& k) {
  return Shape{q.shape()[0], q.shape()[2], q.shape()[1], k.shape()[1]};
}

// flash_attention's stats: (B, N, T, 2) float64.
Shape stats_shape(const Tensor& q) { return Shape{q.shape()[0], q.shape()[2], q.shape()[1], 2}; }

void infer_forward(OpCall& c) {
  check_qkv(c, 0, 3);
  c.set_output(0, out_shape(c.in(0), c.in(2)), c.in(0).dtype());
  c.set_output(1, lse_shape(c.in(0)), c.in(0).dtype());
  if (c.op == OpId::FlashAttention)
    c.set_output(2, stats_shape(c.in(0)), DType::float64);
  else
    c.set_output(2, probs_shape(c.in(0), c.in(1)), c.in(0).dtype());
}

void expect_shape(const OpCall& c, const Tensor& t, const char* arg, const Shape& want, DType dt) {
  if (t.dtype() != dt || t.shape() != want)
    throw_invalid(std::string(c.name()) + ": expected " + arg + " " + dtype_name(dt) + " " + want.str() +
                  ", but received " + dtype_name(t.dtype()) + " " + dims(t));
}

void infer_backward(OpCall& c) {  // (dout, q, k, v, out, probs or stats, dlse [, mask])
  check_qkv(c, 1, 7);
  const Tensor &q = c.in(1), &k = c.in(2), &v = c.in(3);
  const DType dt = q.dtype();
  expect_shape(c, c.in(0), "dout", out_shape(q, v), dt);
  expect_shape(c, c.in(4), "out", out_shape(q, v), dt);
  if (c.op == OpId::FlashAttentionGrad)
    expect_shape(c, c.in(5), "stats", stats_shape(q), DType::float64);
  else
    expect_shape(c, c.in(5), "probs", probs_shape(q, k), dt);
  expect_shape(c, c.in(6), "dlse", lse_shape(q), dt);
  c.set_output(0, q.shape(), dt);
  c.set_output(1, k.shape(), dt);
  c.set_output(2, v.shape(), dt);
}

// ---- gradient rules ---------------------------------------------------------------------

std::vector<Tensor> forward_grad(const GradContext& c) {
  const Tensor mask = c.inputs.size() > 3 ? c.in(3) : Tensor();
  auto r = c.op == OpId::FlashAttention
               ? ops::flash_attention_grad(c.grad(0), c.in(0), c.in(1), c.in(2), c.out(0), c.out(2), c.grad(1), mask,
                                           c.attrs.alpha, c.attrs.beta, c.attrs.flag)
               : ops::fused_attention_grad(c.grad(0), c.in(0), c.in(1), c.in(2), c.out(0), c.out(2), c.grad(1), mask,
                                           c.attrs.alpha, c.attrs.beta);
  std::vector<Tensor> out{r.dq, r.dk, r.dv};
  if (c.inputs.size() > 3) out.emplace_back();  // the mask has none
  return out;
}

// The backward pass of core/attention.h written with core ops: (dq, dk, dv).
std::array<Tensor, 3> composed_backward(const Tensor& dout, const Tensor& q, const Tensor& key, const Tensor& value,
                                        const Tensor& dlse, const Tensor& mask, double scale, double mask_value) {
  // Grouped key/value heads: each serves n / K query heads in turn (the gradients of the
  // repeats sum back per head).
  const int64_t g = q.shape()[2] / key.shape()[2];
  const Tensor k = g > 1 ? ops::repeat(key, g, 2) : key, v = g > 1 ? ops::repeat(value, g, 2) : value;
  Tensor l = ops::multiply(ops::einsum("BTNH,BSNH->BNTS", q, k), ops::scalar_like(q, scale));
  if (mask.defined()) l = ops::where(mask, l, ops::scalar_like(l, mask_value));
  const Tensor p = ops::softmax(l, -1);
  const Tensor out = ops::einsum("BNTS,BSNH->BTNH", p, v);
  const Tensor dv = ops::einsum("BNTS,BTNH->BSNH", p, dout);
  const Tensor dp = ops::einsum("BTNH,BSNH->BNTS", dout, v);
  // rowsum(dout * out) - dlse, one per (b, n, t), against dp's last axis.
  const Tensor d = ops::subtract(ops::einsum("BTNH,BTNH->BNT", dout, out), dlse);
  Tensor ds = ops::multiply(p, ops::subtract(dp, ops::expand_dims(d, -1)));
  if (mask.defined()) ds = ops::where(mask, ds, ops::zeros_like(ds));
  ds = ops::multiply(ds, ops::scalar_like(ds, scale));
  Tensor dk = ops::einsum("BNTS,BTNH->BSNH", ds, q), dvk = dv;
  if (g > 1) {  // (B, S, K * g, H) -> the sum over each key/value head's g query heads
    auto fold = [&](const Tensor& t) {
      const Shape& s = t.shape();
      return ops::sum(ops::reshape(t, {s[0], s[1], s[2] / g, g, s[3]}), {3});
    };
    dk = fold(dk), dvk = fold(dv);
  }
  return {ops::einsum("BNTS,BSNH->BTNH", ds, k), dk, dvk};
}

// The vector-Jacobian product of fused_attention_grad: the composed backward pass
// differentiated under a tape of its own (as a cond branch's gradient is).
std::vector<Tensor> backward_grad(const GradContext& c) {
  Tensor mask = c.inputs.size() > 7 ? c.in(7) : Tensor();
  if (c.attrs.flag) {  // flash_attention's causal mask, as a tensor for the composition
    const Tensor& q = c.in(1);
    const int64_t t = q.shape()[1], s = c.in(2).shape()[1];
    DeviceScope on_input(q.device());
    Tensor causal = ops::reshape(ops::greater_equal(ops::reshape(ops::range(int64_t{0}, t), {t, 1}),
                                                    ops::reshape(ops::range(int64_t{0}, s), {1, s})),
                                 {1, 1, t, s});
    mask = mask.defined() ? ops::logical_and(mask, causal) : causal;
  }
  // Fresh handles of dout, q, k, v, dlse, so that this tape sees them as its sources.
  std::vector<Tensor> src;
  for (size_t i : {0, 1, 2, 3, 6}) src.push_back(ops::copy(c.in(i)));
  GradientTape tape(GradientTape::Options{.persistent = false, .watch_accessed_variables = false});
  for (const Tensor& x : src) tape.watch(x);
  const auto g = composed_backward(src[0], src[1], src[2], src[3], src[4], mask, c.attrs.alpha, c.attrs.beta);
  Tensor target;
  for (size_t i = 0; i < 3; ++i) {
    const Tensor term = ops::sum(ops::multiply(g[i], c.grad(i)));
    target = target.defined() ? ops::add(target, term) : term;
  }
  const std::vector<Tensor> d = tape.gradient(target, src, Tensor(), UnconnectedGradients::zero);
  std::vector<Tensor> out(c.inputs.size());
  out[0] = d[0], out[1] = d[1], out[2] = d[2], out[3] = d[3], out[6] = d[4];
  out[4] = ops::zeros_like(c.in(4));  // out and probs (or stats): the forward's, see the header
  out[5] = ops::zeros_like(c.in(5));
  return out;
}

}  // namespace

void define_attention_ops() {
  define_op(OpId::FusedAttention, infer_forward);
  define_op(OpId::FusedAttentionGrad, infer_backward);
  define_grad(OpId::FusedAttention, forward_grad);
  define_grad(OpId::FusedAttentionGrad, backward_grad);
  define_op(OpId::FlashAttention, infer_forward);
  define_op(OpId::FlashAttentionGrad, infer_backward);
  define_grad(OpId::FlashAttention, forward_grad);
  define_grad(OpId::FlashAttentionGrad, backward_grad);
}

namespace ops {
bool fused_attention_supported(const Tensor& q) {
  return q.defined() && (q.dtype() == DType::float32 || q.dtype() == DType::float64) &&
         kernel_supports(OpId::FusedAttention, q.device().kind, q.dtype()) &&
         kernel_supports(OpId::FusedAttentionGrad, q.device().kind, q.dtype());
}

namespace {
Attrs attention_attrs(double scale, double mask_value, bool causal) {
  Attrs a;
  a.alpha = scale;
  a.beta = mask_value;
  a.flag = causal;
  return a;
}

auto forward_call(OpId op, const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, const Attrs& a) {
  std::vector<Tensor> in{q, k, v};
  if (mask.defined()) in.push_back(mask);
  return dispatch_multi(op, in, a);
}

FusedAttentionGrad backward_call(OpId op, const Tensor& dout, const Tensor& q, const Tensor& k, const Tensor& v,
                                 const Tensor& out, const Tensor& saved, const Tensor& dlse, const Tensor& mask,
                                 const Attrs& a) {
  Tensor no_dlse;
  if (!dlse.defined() && q.defined() && q.rank() == 4) {
    DeviceScope on_input(q.device());
    no_dlse = zeros({q.shape()[0], q.shape()[2], q.shape()[1]}, q.dtype());
  }
  std::vector<Tensor> in{dout, q, k, v, out, saved, dlse.defined() ? dlse : no_dlse};
  if (mask.defined()) in.push_back(mask);
  auto o = dispatch_multi(op, in, a);
  return {o[0], o[1], o[2]};
}
}  // namespace

FusedAttention fused_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, double scale,
                               double mask_value) {
  auto o = forward_call(OpId::FusedAttention, q, k, v, mask, attention_attrs(scale, mask_value, false));
  return {o[0], o[1], o[2]};
}

FusedAttentionGrad fused_attention_grad(const Tensor& dout, const Tensor& q, const Tensor& k, const Tensor& v,
                                        const Tensor& out, const Tensor& probs, const Tensor& dlse, const Tensor& mask,
                                        double scale, double mask_value) {
  return backward_call(OpId::FusedAttentionGrad, dout, q, k, v, out, probs, dlse, mask,
                       attention_attrs(scale, mask_value, false));
}

bool flash_attention_supported(const Tensor& q) {
  return q.defined() && (q.dtype() == DType::float32 || q.dtype() == DType::float64) &&
         kernel_supports(OpId::FlashAttention, q.device().kind, q.dtype()) &&
         kernel_supports(OpId::FlashAttentionGrad, q.device().kind, q.dtype());
}

FlashAttention flash_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, double scale,
                               double mask_value, bool causal) {
  auto o = forward_call(OpId::FlashAttention, q, k, v, mask, attention_attrs(scale, mask_value, causal));
  return {o[0], o[1], o[2]};
}

FusedAttentionGrad flash_attention_grad(const Tensor& dout, const Tensor& q, const Tensor& k, const Tensor& v,
                                        const Tensor& out, const Tensor& stats, const Tensor& dlse, const Tensor& mask,
                                        double scale, double mask_value, bool causal) {
  return backward_call(OpId::FlashAttentionGrad, dout, q, k, v, out, stats, dlse, mask,
                       attention_attrs(scale, mask_value, causal));
}
}  // namespace ops
}  // namespace keras::core
