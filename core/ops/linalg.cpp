// linalg.cpp - the linear-algebra primitives (keras.ops.linalg on LAPACK): checks, shape
// rules, the gradients of inv / det / slogdet / solve / solve_triangular, and the public
// functions. Gradients of the decompositions: linalg_grad.cpp; compositions (norm,
// lstsq, pinv, trace, diagonal, ...): linalg_compose.cpp; kernels: core/cpu/linalg_*.cpp.
//
// Every primitive takes float32 or float64 matrices (..., M, N) with batch axes in
// front; integer inputs raise (cast first). Attributes:
//   Solve: flag = adjoint (solve a^T x = b).   SolveTriangular: flag = lower, flag2 = adjoint.
//   Qr: flag = complete.   Svd: flag = full_matrices, flag2 = compute_uv.
#include <array>
#include <functional>
#include <string>

#include "core/device_scope.h"
#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops/linalg_util.h"

namespace keras::core {
namespace {

using namespace linalg_util;

std::vector<int64_t> batch_dims(const Shape& s) {
  return std::vector<int64_t>(s.dims().begin(), s.dims().end() - 2);
}
Shape with_tail(const Shape& s, std::initializer_list<int64_t> tail) {
  std::vector<int64_t> d = batch_dims(s);
  d.insert(d.end(), tail);
  return Shape(std::move(d));
}

void expect_matrix(const OpCall& c, const Tensor& t, const char* arg) {
  expect_dtype(c, t, arg, kFloatTypes);
  expect_rank_at_least(c, t, arg, 2);
}
void expect_square(const OpCall& c, const Tensor& t, const char* arg) {
  expect_matrix(c, t, arg);
  const Shape& s = t.shape();
  if (s[s.rank() - 1] != s[s.rank() - 2])
    throw_invalid(std::string(c.name()) + ": expected " + arg + " to be a square matrix (or "
                  "a batch of them: shape (..., M, M)), but received shape " + s.str());
}

// Inv, Cholesky: one square matrix in, one of the same shape out.
void infer_square(OpCall& c) {
  expect_square(c, c.in(0), "a");
  c.set_output(0, c.in(0).shape(), c.in(0).dtype());
}

void infer_det(OpCall& c) {
  expect_square(c, c.in(0), "a");
  const Shape out(batch_dims(c.in(0).shape()));
  c.set_output(0, out, c.in(0).dtype());
  if (c.op == OpId::Slogdet) c.set_output(1, out, c.in(0).dtype());
}

void infer_lu_factor(OpCall& c) {
  expect_square(c, c.in(0), "a");
  const Shape& s = c.in(0).shape();
  c.set_output(0, s, c.in(0).dtype());
  c.set_output(1, with_tail(s, {s[s.rank() - 1]}), DType::int32);
}

// Solve, SolveTriangular: a (..., M, M), b (..., M, K) with the same batch axes.
void infer_solve(OpCall& c) {
  const Tensor &a = c.in(0), &b = c.in(1);
  expect_square(c, a, "a");
  expect_matrix(c, b, "b");
  expect_same_dtype(c, a, b);
  const Shape &sa = a.shape(), &sb = b.shape();
  if (batch_dims(sa) != batch_dims(sb) || sb[sb.rank() - 2] != sa[sa.rank() - 1])
    throw_invalid(std::string(c.name()) + ": expected b to have shape (..., " +
                  std::to_string(sa[sa.rank() - 1]) + ", K) with the batch axes of a (shape " +
                  sa.str() + "), but received b of shape " + sb.str());
  c.set_output(0, sb, b.dtype());
}

void infer_qr(OpCall& c) {
  expect_matrix(c, c.in(0), "a");
  const Shape& s = c.in(0).shape();
  const int64_t m = s[s.rank() - 2], n = s[s.rank() - 1];
  const int64_t mq = c.attrs.flag ? m : std::min(m, n);
  c.set_output(0, with_tail(s, {m, mq}), c.in(0).dtype());
  c.set_output(1, with_tail(s, {mq, n}), c.in(0).dtype());
}

void infer_svd(OpCall& c) {
  expect_matrix(c, c.in(0), "a");
  const Shape& s = c.in(0).shape();
  const int64_t m = s[s.rank() - 2], n = s[s.rank() - 1], k = std::min(m, n);
  const DType dt = c.in(0).dtype();
  if (!c.attrs.flag2) return c.set_output(0, with_tail(s, {k}), dt);
  const bool full = c.attrs.flag;
  c.set_output(0, with_tail(s, {m, full ? m : k}), dt);
  c.set_output(1, with_tail(s, {k}), dt);
  c.set_output(2, with_tail(s, {full ? n : k, n}), dt);
}

void infer_eigh(OpCall& c) {
  expect_square(c, c.in(0), "a");
  const Shape& s = c.in(0).shape();
  c.set_output(0, with_tail(s, {s[s.rank() - 1]}), c.in(0).dtype());
  c.set_output(1, s, c.in(0).dtype());
}

// d inv(A) = -inv(A) dA inv(A): grad_a = -Y^T g Y^T with Y = inv(A).
std::vector<Tensor> inv_grad(const GradContext& c) {
  const Tensor& y = c.out();
  return {ops::neg(ops::matmul(y, ops::matmul(c.grad(), y, false, true), true, false))};
}

// d det(A) = det(A) tr(inv(A) dA); d log|det(A)| = tr(inv(A) dA). The sign has none.
std::vector<Tensor> det_grad(const GradContext& c) {
  Tensor g = c.op == OpId::Det ? ops::multiply(c.grad(0), c.out(0)) : c.grad(1);
  g = ops::expand_dims(ops::expand_dims(g, -1), -1);
  return {ops::multiply(g, mT(ops::inv(c.in(0))))};
}

// x = solve(A, B) (or A^T x = B): grad_b = solve(A^T, g), grad_a = -grad_b x^T (or -x grad_b^T);
// for the triangular solve, grad_a keeps A's triangle (the part the op reads).
std::vector<Tensor> solve_grad(const GradContext& c) {
  const Tensor &a = c.in(0), &x = c.out();
  const bool tri = c.op == OpId::SolveTriangular;
  const bool adjoint = tri ? c.attrs.flag2 : c.attrs.flag, lower = c.attrs.flag;
  Tensor gb = tri ? solve_triangular(a, c.grad(), lower, !adjoint) : solve(a, c.grad(), !adjoint);
  if (!c.needs(0)) return {Tensor(), gb};
  Tensor ga = ops::neg(adjoint ? ops::matmul(x, gb, false, true) : ops::matmul(gb, x, false, true));
  return {tri ? triangle(ga, lower) : ga, gb};
}

// Keras's vector right-hand side: b of rank(a) - 1 is one column.
Tensor with_vector_rhs(const char* op, const Tensor& a, const Tensor& b,
                       const std::function<Tensor(const Tensor&)>& f) {
  if (!a.defined() || !b.defined())
    throw_invalid(std::string(op) + ": input " + (a.defined() ? "b" : "a") + " is an undefined tensor");
  if (b.rank() + 1 == a.rank() && a.rank() >= 2) return ops::squeeze(f(ops::expand_dims(b, -1)), {-1});
  return f(b);
}

}  // namespace

namespace linalg_util {
Tensor mT(const Tensor& x) {
  ops::Axes perm;
  for (int64_t i = 0; i < x.rank(); ++i) perm.push_back(i);
  std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
  return ops::transpose(x, perm);
}
Tensor eye(int64_t n, const Tensor& like) {
  DeviceScope scope(like.device());
  return ops::eye(n, n, like.dtype());
}
Tensor matrix_diag(const Tensor& v) {
  return ops::multiply(ops::expand_dims(v, -1), eye(v.shape()[v.rank() - 1], v));
}
Tensor diag_part(const Tensor& x) {
  return ops::sum(ops::multiply(x, eye(x.shape()[x.rank() - 1], x)), {-1});
}
Tensor triangle(const Tensor& x, bool lower) {
  const int64_t n = x.shape()[x.rank() - 1];
  DeviceScope scope(x.device());
  Tensor i = ops::expand_dims(ops::range(n), 1), j = ops::expand_dims(ops::range(n), 0);
  Tensor keep = lower ? ops::greater_equal(i, j) : ops::less_equal(i, j);
  return ops::multiply(x, ops::cast(keep, x.dtype()));
}
Tensor last_axis_slice(const Tensor& x, int64_t start, int64_t len) {
  std::vector<int64_t> begin(static_cast<size_t>(x.rank()), 0), size(begin.size(), -1);
  begin.back() = start;
  size.back() = len;
  return ops::slice(x, begin, size);
}
Tensor safe_reciprocal(const Tensor& x) {
  return ops::divide(x, ops::add(ops::square(x), ops::scalar_like(x, 1e-20)));
}
Tensor solve(const Tensor& a, const Tensor& b, bool adjoint) {
  Attrs at;
  at.flag = adjoint;
  return dispatch(OpId::Solve, {a, b}, at);
}
Tensor solve_triangular(const Tensor& a, const Tensor& b, bool lower, bool adjoint) {
  Attrs at;
  at.flag = lower;
  at.flag2 = adjoint;
  return dispatch(OpId::SolveTriangular, {a, b}, at);
}
void expect_float(const char* op, const Tensor& t, const char* arg) {
  if (!t.defined()) throw_invalid(std::string(op) + ": input " + arg + " is an undefined tensor");
  if (t.dtype() != DType::float32 && t.dtype() != DType::float64)
    throw_invalid(std::string(op) + ": expected " + arg + " to have dtype float32 or float64, "
                  "but received dtype " + dtype_name(t.dtype()) + " (shape " + t.shape().str() +
                  "; use cast to convert)");
}
}  // namespace linalg_util

void define_linalg_ops() {
  define_op(OpId::Inv, infer_square);
  define_op(OpId::Cholesky, infer_square);
  define_op(OpId::Det, infer_det);
  define_op(OpId::Slogdet, infer_det);
  define_op(OpId::LuFactor, infer_lu_factor);
  define_op(OpId::Solve, infer_solve);
  define_op(OpId::SolveTriangular, infer_solve);
  define_op(OpId::Qr, infer_qr);
  define_op(OpId::Svd, infer_svd);
  define_op(OpId::Eigh, infer_eigh);
  define_grad(OpId::Inv, inv_grad);
  define_grad(OpId::Det, det_grad);
  define_grad(OpId::Slogdet, det_grad);
  define_grad(OpId::Solve, solve_grad);
  define_grad(OpId::SolveTriangular, solve_grad);
  linalg_util::define_decomposition_grads();
}

namespace ops {

namespace {
std::array<Tensor, kMaxOutputs> run(OpId op, const Tensor& a, const Attrs& at = {}) {
  if (!a.defined()) throw_invalid(std::string(op_name(op)) + ": input a is an undefined tensor");
  Tensor in[] = {a};
  return dispatch_multi(op, in, at);
}
}  // namespace

Tensor inv(const Tensor& a) { return run(OpId::Inv, a)[0]; }
Tensor det(const Tensor& a) { return run(OpId::Det, a)[0]; }
Slogdet slogdet(const Tensor& a) {
  auto o = run(OpId::Slogdet, a);
  return {o[0], o[1]};
}
Tensor cholesky(const Tensor& a, bool upper) {
  Tensor l = run(OpId::Cholesky, a)[0];
  return upper ? mT(l) : l;
}
LuFactor lu_factor(const Tensor& a) {
  auto o = run(OpId::LuFactor, a);
  return {o[0], o[1]};
}
Tensor solve(const Tensor& a, const Tensor& b) {
  return with_vector_rhs("solve", a, b, [&](const Tensor& rhs) { return linalg_util::solve(a, rhs, false); });
}
Tensor solve_triangular(const Tensor& a, const Tensor& b, bool lower) {
  return with_vector_rhs("solve_triangular", a, b, [&](const Tensor& rhs) {
    return linalg_util::solve_triangular(a, rhs, lower, false);
  });
}
QR qr(const Tensor& a, const std::string& mode) {
  if (mode != "reduced" && mode != "complete")
    throw_invalid("qr: expected mode to be one of {'reduced', 'complete'}, but received mode='" + mode + "'");
  Attrs at;
  at.flag = mode == "complete";
  auto o = run(OpId::Qr, a, at);
  return {o[0], o[1]};
}
SVD svd(const Tensor& a, bool full_matrices, bool compute_uv) {
  Attrs at;
  at.flag = full_matrices;
  at.flag2 = compute_uv;
  auto o = run(OpId::Svd, a, at);
  if (!compute_uv) return {Tensor(), o[0], Tensor()};
  return {o[0], o[1], o[2]};
}
Eigh eigh(const Tensor& a) {
  auto o = run(OpId::Eigh, a);
  return {o[0], o[1]};
}

}  // namespace ops
}  // namespace keras::core
