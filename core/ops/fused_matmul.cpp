// fused_matmul.cpp - FusedMatMul (TensorFlow's _FusedMatMul): matmul(a, b) + bias, then
// an optional relu, in one kernel (core/cpu/matmul.cpp). The graph pass of
// core/fusion_matmul.cpp makes it from traced matmul -> add -> relu chains.
//   FusedMatMul  inputs {a (M, K), b (K, N) [, bias (N,)]}; Attrs.flag / flag2 transpose
//                a / b; Attrs.k: 0 = no activation, 1 = relu
// Its gradient is the composed version's (DESIGN.md rule 5): relu's rule on the result,
// then matmul's rule and the bias's sum over rows.
#include <string>

#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"

namespace keras::core {

std::vector<Tensor> matmul_grad(const GradContext& c);  // core/ops/matmul.cpp

namespace {

void infer_fused_matmul(OpCall& c) {
  const Tensor &a = c.in(0), &b = c.in(1);
  expect_dtype(c, a, "a", {DType::float32, DType::float64});
  expect_same_dtype(c, a, b);
  if (a.rank() != 2 || b.rank() != 2)
    throw_invalid(std::string(c.name()) + ": expected a and b of rank 2, but received shapes " + a.shape().str() +
                  " and " + b.shape().str());
  const bool ta = c.attrs.flag, tb = c.attrs.flag2;
  const int64_t m = a.shape()[ta ? 1 : 0], ka = a.shape()[ta ? 0 : 1];
  const int64_t kb = b.shape()[tb ? 1 : 0], n = b.shape()[tb ? 0 : 1];
  if (ka != kb)
    throw_invalid(std::string(c.name()) + ": the contracted axes of a (shape " + a.shape().str() + ") and b (shape " +
                  b.shape().str() + ") differ: " + std::to_string(ka) + " != " + std::to_string(kb));
  if (c.inputs.size() == 3) {
    expect_same_dtype(c, a, c.in(2));
    if (c.in(2).shape() != Shape{n})
      throw_invalid(std::string(c.name()) + ": expected a bias of shape " + Shape{n}.str() + ", but received " +
                    c.in(2).shape().str());
  }
  if (c.attrs.k != 0 && c.attrs.k != 1)
    throw_invalid(std::string(c.name()) + ": unknown activation code " + std::to_string(c.attrs.k));
  c.set_output(0, Shape{m, n}, a.dtype());
}

std::vector<Tensor> fused_matmul_grad(const GradContext& c) {
  Tensor dz = c.grad();
  if (c.attrs.k == 1) dz = ops::multiply(dz, ops::sign(c.out()));  // relu's rule
  const Tensor g[1] = {dz};
  GradContext mc{OpId::MatMul, c.attrs, c.inputs.subspan(0, 2), c.outputs, g, c.needed.subspan(0, 2)};
  std::vector<Tensor> out = matmul_grad(mc);
  if (c.inputs.size() == 3) out.push_back(c.needs(2) ? ops::sum(dz, {0}) : Tensor());
  return out;
}

}  // namespace

void define_fused_matmul_ops() {
  define_op(OpId::FusedMatMul, infer_fused_matmul);
  define_grad(OpId::FusedMatMul, fused_matmul_grad);
}

namespace ops {

Tensor fused_matmul(const Tensor& a, const Tensor& b, const Tensor& bias, bool relu, bool transpose_a,
                    bool transpose_b) {
  if (!a.defined() || !b.defined())
    throw_invalid(std::string("fused_matmul: input ") + (a.defined() ? "b" : "a") + " is an undefined tensor");
  Attrs attrs;
  attrs.flag = transpose_a;
  attrs.flag2 = transpose_b;
  attrs.k = relu ? 1 : 0;
  if (bias.defined()) return dispatch(OpId::FusedMatMul, {a, b, bias}, attrs);
  return dispatch(OpId::FusedMatMul, {a, b}, attrs);
}

}  // namespace ops
}  // namespace keras::core
