// batch_norm.cpp - fused batch normalization over the last axis (core/batch_norm.h):
// argument checks, output shapes and gradient rules of fused_batch_norm (training),
// fused_batch_norm_inference and fused_batch_norm_grad. Kernels: core/cpu/batch_norm.cpp,
// gpu/batch_norm.cu.
//
// x is (rows, C) with C its last axis; R(t) sums a (..., C) tensor over its rows to (C,).
// Attrs read: alpha = epsilon (forward ops); flag = training (fused_batch_norm_grad).
//
// fused_batch_norm_grad (dy, x, g = scale, m = mean, inv [, dm, dv]) -> (dx, dg, db), with
// xc = x - m, Sdy = R(dy), S = R(dy * xc), M = rows:
//   training:  dx = g*inv*(dy - Sdy/M) - g*inv^3*S/M * xc + dm/M + 2*dv/M * xc
//   inference: dx = g*inv*dy
//   dg = S*inv, db = Sdy.
// Its own gradient (second order) is written below with core ops, from the same sums.
#include <algorithm>
#include <cmath>
#include <string>

#include "core/batch_norm.h"
#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"

namespace keras::core {
namespace {

void expect_vector(const OpCall& c, const Tensor& t, const char* arg, const Tensor& x) {
  const int64_t ch = x.shape()[x.rank() - 1];
  if (t.dtype() != x.dtype())
    throw_invalid(std::string(c.name()) + ": expected " + arg + " of dtype " + dtype_name(x.dtype()) +
                  " (the input's), but received " + dtype_name(t.dtype()));
  if (t.rank() != 1 || t.shape()[0] != ch)
    throw_invalid(std::string(c.name()) + ": expected " + arg + " of shape (" + std::to_string(ch) +
                  ",) (the input's last axis), but received shape " + t.shape().str());
}

void expect_input(const OpCall& c, const Tensor& x, const char* arg) {
  expect_dtype(c, x, arg, kFloatTypes);
  expect_rank_at_least(c, x, arg, 1);
}

void expect_epsilon(const OpCall& c) {
  if (!(c.attrs.alpha >= 0.0) || !std::isfinite(c.attrs.alpha))
    throw_invalid(std::string(c.name()) + ": expected a finite epsilon >= 0, but received " +
                  std::to_string(c.attrs.alpha));
}

void infer_train(OpCall& c) {  // (x, scale, offset) -> y, mean, variance, inv_std
  const Tensor& x = c.in(0);
  expect_input(c, x, "x");
  expect_vector(c, c.in(1), "scale", x);
  expect_vector(c, c.in(2), "offset", x);
  expect_epsilon(c);
  const Shape v{x.shape()[x.rank() - 1]};
  c.set_output(0, x.shape(), x.dtype());
  for (int i = 1; i < 4; ++i) c.set_output(i, v, x.dtype());
}

void infer_inference(OpCall& c) {  // (x, scale, offset, mean, variance) -> y
  const Tensor& x = c.in(0);
  expect_input(c, x, "x");
  const char* names[] = {"x", "scale", "offset", "mean", "variance"};
  for (size_t i = 1; i < 5; ++i) expect_vector(c, c.in(i), names[i], x);
  expect_epsilon(c);
  c.set_output(0, x.shape(), x.dtype());
}

void infer_grad(OpCall& c) {  // (dy, x, scale, mean, inv_std [, dmean, dvariance]) -> dx, dscale, doffset
  const Tensor &dy = c.in(0), &x = c.in(1);
  expect_input(c, x, "x");
  if (dy.dtype() != x.dtype() || dy.shape() != x.shape())
    throw_invalid(std::string(c.name()) + ": expected dy of the input's shape " + x.shape().str() + " and dtype " +
                  dtype_name(x.dtype()) + ", but received shape " + dy.shape().str() + " and dtype " +
                  dtype_name(dy.dtype()));
  const char* names[] = {"dy", "x", "scale", "mean", "inv_std", "dmean", "dvariance"};
  for (size_t i = 2; i < c.inputs.size(); ++i) expect_vector(c, c.in(i), names[i], x);
  if (c.inputs.size() == 6)
    throw_invalid(std::string(c.name()) + ": expected dmean and dvariance together, but received dmean alone");
  if (c.inputs.size() == 7 && !c.attrs.flag)
    throw_invalid(std::string(c.name()) + ": dmean and dvariance are gradients of the batch statistics, "
                  "which exist only with training=true, but received them with training=false");
  const Shape v{x.shape()[x.rank() - 1]};
  c.set_output(0, x.shape(), x.dtype());
  c.set_output(1, v, x.dtype());
  c.set_output(2, v, x.dtype());
}

// ---- gradient rules ---------------------------------------------------------------------
Tensor rows_sum(const Tensor& t) {  // (..., C) -> (C,)
  if (t.rank() == 1) return t;
  ops::Axes axes;
  for (int64_t a = 0; a + 1 < t.rank(); ++a) axes.push_back(a);
  return ops::sum(t, axes, false);
}
// The number of rows as a scalar of x's dtype (at least 1), read when the op runs: a
// traced graph with a relaxed batch size serves every batch.
Tensor rows_of(const Tensor& x) {
  if (x.rank() == 1) return ops::scalar_like(x, 1.0);
  ops::Axes axes;
  for (int64_t a = 0; a + 1 < x.rank(); ++a) axes.push_back(a);
  Tensor m = ops::size(x, x.dtype(), axes);
  return ops::maximum(m, ops::scalar_like(m, 1.0));
}
Tensor mul(const Tensor& a, const Tensor& b) { return ops::multiply(a, b); }
Tensor add(const Tensor& a, const Tensor& b) { return ops::add(a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return ops::subtract(a, b); }
Tensor times(const Tensor& a, double k) { return ops::multiply(a, ops::scalar_like(a, k)); }
Tensor div(const Tensor& a, const Tensor& b) { return ops::divide(a, b); }

std::vector<Tensor> train_grad(const GradContext& c) {
  // The gradient of inv_std = (variance + eps)^-1/2 joins the variance's.
  const Tensor& inv = c.out(3);
  Tensor dv = add(c.grad(2), mul(times(c.grad(3), -0.5), mul(inv, mul(inv, inv))));
  auto r = ops::fused_batch_norm_grad(c.grad(0), c.in(0), c.in(1), c.out(1), inv, true, c.grad(1), dv);
  return {r.dx, r.dscale, r.doffset};
}

std::vector<Tensor> inference_grad(const GradContext& c) {
  const Tensor &scale = c.in(1), &var = c.in(4);
  Tensor inv = ops::rsqrt(add(var, ops::scalar_like(var, c.attrs.alpha)));
  auto r = ops::fused_batch_norm_grad(c.grad(), c.in(0), scale, c.in(3), inv, false);
  Tensor gi = mul(scale, inv);
  // y = (x - mean) * inv * scale + offset: d/dmean = -R(dy)*scale*inv; d/dvariance =
  // -0.5 * R(dy*(x-mean)) * scale * inv^3 = -0.5 * dscale * scale * inv^2.
  return {r.dx, r.dscale, r.doffset, c.needs(3) ? ops::neg(mul(r.doffset, gi)) : Tensor(),
          c.needs(4) ? mul(times(r.dscale, -0.5), mul(gi, inv)) : Tensor()};
}

// The vector-Jacobian product of fused_batch_norm_grad (formulas at the top of the file):
// L = <gx, dx> + <gg, dg> + <gb, db>, with Sgx = R(gx), T = R(gx*xc), P = R(gx*dy).
std::vector<Tensor> grad_grad(const GradContext& c) {
  const bool training = c.attrs.flag;
  const Tensor &dy = c.in(0), &x = c.in(1), &g = c.in(2), &m = c.in(3), &inv = c.in(4);
  const Tensor &gx = c.grad(0), &gg = c.grad(1), &gb = c.grad(2);
  const Tensor xc = sub(x, m);
  const Tensor S = rows_sum(mul(dy, xc)), Sdy = rows_sum(dy), P = rows_sum(mul(gx, dy));
  const Tensor A = mul(g, inv), ggi = mul(gg, inv);
  std::vector<Tensor> out(c.inputs.size());
  if (!training) {
    if (c.needs(0)) out[0] = add(add(mul(A, gx), mul(ggi, xc)), gb);
    if (c.needs(1)) out[1] = mul(ggi, dy);
    if (c.needs(3)) out[3] = ops::neg(mul(ggi, Sdy));
    if (c.needs(2)) out[2] = mul(inv, P);
    if (c.needs(4)) out[4] = add(mul(g, P), mul(gg, S));
    return out;
  }
  const Tensor M = rows_of(x);
  const Tensor Sgx = rows_sum(gx), T = rows_sum(mul(gx, xc));
  const Tensor inv2 = mul(inv, inv), B = div(mul(A, inv2), M);  // g*inv^3/M
  const Tensor SdySgx = div(mul(Sdy, Sgx), M), ST = mul(S, T);
  const Tensor kdy = sub(ggi, mul(B, T));  // multiplies dy in d/dx, xc in d/ddy
  Tensor kgx = ops::neg(mul(B, S));        // multiplies gx in d/dx
  if (c.inputs.size() == 7) kgx = add(kgx, div(times(c.in(6), 2.0), M));
  if (c.needs(0)) out[0] = add(add(mul(A, gx), mul(kdy, xc)), sub(gb, div(mul(A, Sgx), M)));
  if (c.needs(1)) out[1] = add(mul(kdy, dy), mul(kgx, gx));
  if (c.needs(3)) out[3] = ops::neg(add(mul(kdy, Sdy), mul(kgx, Sgx)));
  if (c.needs(2)) out[2] = sub(mul(inv, sub(P, SdySgx)), div(mul(mul(inv, inv2), ST), M));
  if (c.needs(4))
    out[4] = add(sub(mul(g, sub(P, SdySgx)), div(times(mul(mul(g, inv2), ST), 3.0), M)), mul(gg, S));
  if (c.inputs.size() == 7) {
    if (c.needs(5)) out[5] = div(Sgx, M);
    if (c.needs(6)) out[6] = div(times(T, 2.0), M);
  }
  return out;
}

}  // namespace

void define_batch_norm_ops() {
  define_op(OpId::FusedBatchNorm, infer_train);
  define_op(OpId::FusedBatchNormInference, infer_inference);
  define_op(OpId::FusedBatchNormGrad, infer_grad);
  define_grad(OpId::FusedBatchNorm, train_grad);
  define_grad(OpId::FusedBatchNormInference, inference_grad);
  define_grad(OpId::FusedBatchNormGrad, grad_grad);
}

namespace ops {
FusedBatchNorm fused_batch_norm(const Tensor& x, const Tensor& scale, const Tensor& offset, double epsilon) {
  Attrs a;
  a.alpha = epsilon;
  const Tensor in[] = {x, scale, offset};
  auto o = dispatch_multi(OpId::FusedBatchNorm, in, a);
  return {o[0], o[1], o[2], o[3]};
}

Tensor fused_batch_norm_inference(const Tensor& x, const Tensor& scale, const Tensor& offset, const Tensor& mean,
                                  const Tensor& variance, double epsilon) {
  Attrs a;
  a.alpha = epsilon;
  return dispatch(OpId::FusedBatchNormInference, {x, scale, offset, mean, variance}, a);
}

FusedBatchNormGrad fused_batch_norm_grad(const Tensor& dy, const Tensor& x, const Tensor& scale, const Tensor& mean,
                                         const Tensor& inv_std, bool training, const Tensor& dmean,
                                         const Tensor& dvariance) {
  Attrs a;
  a.flag = training;
  std::vector<Tensor> in{dy, x, scale, mean, inv_std};
  if (dmean.defined() || dvariance.defined()) {
    if (!dmean.defined() || !dvariance.defined())
      throw_invalid("fused_batch_norm_grad: expected dmean and dvariance together, but received only one");
    in.push_back(dmean);
    in.push_back(dvariance);
  }
  auto o = dispatch_multi(OpId::FusedBatchNormGrad, in, a);
  return {o[0], o[1], o[2]};
}
}  // namespace ops
}  // namespace keras::core
