// layer_norm.cpp - fused layer normalization over the last axis (core/layer_norm.h):
// argument checks, output shapes and gradient rules of fused_layer_norm and
// fused_layer_norm_grad. Kernel: core/cpu/layer_norm.cpp.
//
// x is (rows, C) with C its last axis; rs(t) sums over the last axis keeping it (one
// value per row), R(t) sums a (..., C) tensor over its rows to (C,). Attrs read: alpha =
// epsilon (forward).
//
// fused_layer_norm_grad (dy, x, g = scale, m = mean, inv [, dm, dinv]) -> (dx, dg, db),
// with xc = x - m, xhat = xc * inv, h = dy * g, a = rs(h) / C, b = rs(h * xhat) / C:
//   dx = inv * (h - a - xhat * b) + dm / C - dinv * inv^3 * xc / C,
//   dg = R(dy * xhat), db = R(dy).
// Its own gradient (second order) is written below with core ops.
#include <cmath>
#include <string>

#include "core/dispatch.h"
#include "core/init.h"
#include "core/kernel_dtypes.h"
#include "core/layer_norm.h"
#include "core/ops.h"

namespace keras::core {
namespace {

void expect_input(const OpCall& c, const Tensor& x, const char* arg) {
  expect_dtype(c, x, arg, {DType::float32, DType::float64});
  expect_rank_at_least(c, x, arg, 1);
}

void expect_like(const OpCall& c, const Tensor& t, const char* arg, const Shape& want, const Tensor& x,
                 const char* what) {
  if (t.dtype() != x.dtype())
    throw_invalid(std::string(c.name()) + ": expected " + arg + " of dtype " + dtype_name(x.dtype()) +
                  " (the input's), but received " + dtype_name(t.dtype()));
  if (t.shape() != want)
    throw_invalid(std::string(c.name()) + ": expected " + arg + " of shape " + want.str() + " (" + what +
                  "), but received shape " + t.shape().str());
}

Shape channels(const Tensor& x) { return Shape{x.shape()[x.rank() - 1]}; }
Shape per_row(const Tensor& x) {
  std::vector<int64_t> d = x.shape().dims();
  d.back() = 1;
  return Shape(std::move(d));
}

void infer_forward(OpCall& c) {  // (x, scale, offset) -> y, mean, inv_std
  const Tensor& x = c.in(0);
  expect_input(c, x, "x");
  expect_like(c, c.in(1), "scale", channels(x), x, "the input's last axis");
  expect_like(c, c.in(2), "offset", channels(x), x, "the input's last axis");
  if (!(c.attrs.alpha >= 0.0) || !std::isfinite(c.attrs.alpha))
    throw_invalid(std::string(c.name()) + ": expected a finite epsilon >= 0, but received " +
                  std::to_string(c.attrs.alpha));
  c.set_output(0, x.shape(), x.dtype());
  c.set_output(1, per_row(x), x.dtype());
  c.set_output(2, per_row(x), x.dtype());
}

void infer_backward(OpCall& c) {  // (dy, x, scale, mean, inv_std [, dmean, dinv_std]) -> dx, dscale, doffset
  const Tensor &dy = c.in(0), &x = c.in(1);
  expect_input(c, x, "x");
  expect_like(c, dy, "dy", x.shape(), x, "the input's");
  expect_like(c, c.in(2), "scale", channels(x), x, "the input's last axis");
  const char* names[] = {"dy", "x", "scale", "mean", "inv_std", "dmean", "dinv_std"};
  for (size_t i = 3; i < c.inputs.size(); ++i) expect_like(c, c.in(i), names[i], per_row(x), x, "one per row");
  if (c.inputs.size() == 6)
    throw_invalid(std::string(c.name()) + ": expected dmean and dinv_std together, but received dmean alone");
  c.set_output(0, x.shape(), x.dtype());
  c.set_output(1, channels(x), x.dtype());
  c.set_output(2, channels(x), x.dtype());
}

// ---- gradient rules ---------------------------------------------------------------------
Tensor mul(const Tensor& a, const Tensor& b) { return ops::multiply(a, b); }
Tensor add(const Tensor& a, const Tensor& b) { return ops::add(a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return ops::subtract(a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return ops::divide(a, b); }
Tensor times(const Tensor& a, double k) { return ops::multiply(a, ops::scalar_like(a, k)); }
Tensor rs(const Tensor& t) { return ops::sum(t, {t.rank() - 1}, true); }
Tensor R(const Tensor& t) {  // (..., C) -> (C,)
  if (t.rank() == 1) return t;
  ops::Axes axes;
  for (int64_t a = 0; a + 1 < t.rank(); ++a) axes.push_back(a);
  return ops::sum(t, axes, false);
}

std::vector<Tensor> forward_grad(const GradContext& c) {
  auto r = ops::fused_layer_norm_grad(c.grad(0), c.in(0), c.in(1), c.out(1), c.out(2), c.grad(1), c.grad(2));
  return {r.dx, r.dscale, r.doffset};
}

// The vector-Jacobian product of fused_layer_norm_grad with cotangents u (of dx), gg (of
// dscale), gb (of doffset); the formulas at the top of the file differentiated.
std::vector<Tensor> backward_grad(const GradContext& c) {
  const Tensor &dy = c.in(0), &x = c.in(1), &g = c.in(2), &m = c.in(3), &inv = c.in(4);
  const Tensor &u = c.grad(0), &gg = c.grad(1), &gb = c.grad(2);
  const bool stats = c.inputs.size() == 7;
  const Tensor C = ops::size(x, x.dtype(), {x.rank() - 1});
  const Tensor xc = sub(x, m), xhat = mul(xc, inv), h = mul(dy, g);
  const Tensor a = div(rs(h), C), b = div(rs(mul(h, xhat)), C);
  const Tensor Su = rs(u), Uxh = rs(mul(u, xhat)), Uh = rs(mul(u, h));
  const Tensor q = mul(inv, sub(sub(u, div(Su, C)), div(mul(xhat, Uxh), C)));  // d/dh
  const Tensor dxhat = add(ops::neg(mul(inv, add(div(mul(h, Uxh), C), mul(b, u)))), mul(gg, dy));
  const Tensor inv3 = mul(inv, mul(inv, inv));
  const Tensor k = stats ? div(mul(c.in(6), inv3), C) : Tensor();  // dinv * inv^3 / C
  std::vector<Tensor> out(c.inputs.size());
  if (c.needs(0)) out[0] = add(add(mul(q, g), mul(gg, xhat)), gb);
  if (c.needs(1)) out[1] = stats ? sub(mul(dxhat, inv), mul(k, u)) : mul(dxhat, inv);
  if (c.needs(2)) out[2] = R(mul(q, dy));
  if (c.needs(3)) {
    out[3] = ops::neg(mul(rs(dxhat), inv));
    if (stats) out[3] = add(out[3], mul(k, Su));
  }
  if (c.needs(4)) {
    out[4] = add(rs(mul(dxhat, xc)), sub(sub(Uh, mul(a, Su)), mul(b, Uxh)));
    if (stats) out[4] = sub(out[4], div(times(mul(mul(c.in(6), mul(inv, inv)), rs(mul(u, xc))), 3.0), C));
  }
  if (stats) {
    if (c.needs(5)) out[5] = div(Su, C);
    if (c.needs(6)) out[6] = ops::neg(div(mul(inv3, rs(mul(u, xc))), C));
  }
  return out;
}

}  // namespace

void define_layer_norm_ops() {
  define_op(OpId::FusedLayerNorm, infer_forward);
  define_op(OpId::FusedLayerNormGrad, infer_backward);
  define_grad(OpId::FusedLayerNorm, forward_grad);
  define_grad(OpId::FusedLayerNormGrad, backward_grad);
}

namespace ops {
bool fused_layer_norm_supported(const Tensor& x) {
  return x.defined() && x.rank() >= 1 && (x.dtype() == DType::float32 || x.dtype() == DType::float64) &&
         kernel_supports(OpId::FusedLayerNorm, x.device().kind, x.dtype()) &&
         kernel_supports(OpId::FusedLayerNormGrad, x.device().kind, x.dtype());
}

FusedLayerNorm fused_layer_norm(const Tensor& x, const Tensor& scale, const Tensor& offset, double epsilon) {
  Attrs a;
  a.alpha = epsilon;
  const Tensor in[] = {x, scale, offset};
  auto o = dispatch_multi(OpId::FusedLayerNorm, in, a);
  return {o[0], o[1], o[2]};
}

FusedLayerNormGrad fused_layer_norm_grad(const Tensor& dy, const Tensor& x, const Tensor& scale, const Tensor& mean,
                                         const Tensor& inv_std, const Tensor& dmean, const Tensor& dinv_std) {
  std::vector<Tensor> in{dy, x, scale, mean, inv_std};
  if (dmean.defined() || dinv_std.defined()) {
    if (!dmean.defined() || !dinv_std.defined())
      throw_invalid("fused_layer_norm_grad: expected dmean and dinv_std together, but received only one");
    in.push_back(dmean);
    in.push_back(dinv_std);
  }
  auto o = dispatch_multi(OpId::FusedLayerNormGrad, in, Attrs{});
  return {o[0], o[1], o[2]};
}
}  // namespace ops
}  // namespace keras::core
