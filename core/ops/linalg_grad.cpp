// linalg_grad.cpp - gradient rules of the decompositions (cholesky, qr, svd, eigh), the
// formulas of TensorFlow's linalg_grad.py written with core ops (so they differentiate
// again). cholesky and eigh read only the lower triangle of their input: their gradients
// are lower-triangular, which is also the right gradient for a symmetric input.
#include <string>

#include "core/dispatch.h"
#include "core/ops/linalg_util.h"

namespace keras::core::linalg_util {
namespace {

int64_t rows(const Tensor& x) { return x.shape()[x.rank() - 2]; }
int64_t cols(const Tensor& x) { return x.shape()[x.rank() - 1]; }
// x with its diagonal halved.
Tensor halve_diagonal(const Tensor& x) {
  return ops::subtract(x, ops::multiply(matrix_diag(diag_part(x)), ops::scalar_like(x, 0.5)));
}
// (1 - I): zeroes a diagonal (matrix_set_diag(x, 0) as a product).
Tensor off_diagonal(int64_t n, const Tensor& like) {
  const Tensor id = eye(n, like);
  return ops::subtract(ops::ones_like(id), id);
}

// A = L L^T: grad_a = sym(L^-T Phi(L^T g) L^-1) with Phi = lower triangle, halved diagonal.
std::vector<Tensor> cholesky_grad(const GradContext& c) {
  const Tensor& l = c.out();
  const int64_t n = cols(l);
  Tensor l_inv = solve_triangular(l, ops::broadcast_to(eye(n, l), l.shape()), true, false);
  Tensor middle = triangle(halve_diagonal(ops::matmul(l, c.grad(), true, false)), true);
  Tensor ga = ops::matmul(ops::matmul(l_inv, middle, true, false), l_inv);
  return {ops::multiply(ops::add(ga, mT(ga)), ops::scalar_like(ga, 0.5))};
}

// x R^-T for upper-triangular R.
Tensor times_inverse_rt(const Tensor& x, const Tensor& r) {
  return mT(solve_triangular(r, mT(x), false, false));
}

// QR of an (m, n) matrix with m >= n (Q: (m, n), R: (n, n)).
Tensor qr_grad_deep(const Tensor& q, const Tensor& r, const Tensor& dq, const Tensor& dr) {
  Tensor qdq = ops::matmul(q, dq, true, false);
  Tensor rdr = ops::matmul(r, dr, false, true);
  Tensor tril = triangle(ops::add(ops::subtract(qdq, mT(qdq)), ops::subtract(rdr, mT(rdr))), true);
  Tensor ga = ops::matmul(q, ops::add(dr, times_inverse_rt(tril, r)));
  Tensor gb = times_inverse_rt(ops::subtract(dq, ops::matmul(q, qdq)), r);
  return ops::add(ga, gb);
}

// m >= n: the square-and-deep formula; m < n: A = [X, Y], R = [U, V] reduces to the
// square case for X, and Y's gradient is Q dV. "complete" with m > n has none (as TF).
std::vector<Tensor> qr_grad(const GradContext& c) {
  const Tensor &a = c.in(0), &q = c.out(0), &r = c.out(1), &dq = c.grad(0), &dr = c.grad(1);
  const int64_t m = rows(a), n = cols(a);
  if (c.attrs.flag && m > n)
    throw_invalid("qr: the gradient is not defined for mode='complete' when the input has more "
                  "rows than columns (received shape " + a.shape().str() + "), as in TensorFlow");
  if (m >= n) return {qr_grad_deep(q, r, dq, dr)};
  Tensor y = last_axis_slice(a, m, n - m), u = last_axis_slice(r, 0, m);
  Tensor dv = last_axis_slice(dr, m, n - m), du = last_axis_slice(dr, 0, m);
  Tensor dx = qr_grad_deep(q, u, ops::add(dq, ops::matmul(y, dv, false, true)), du);
  return {ops::concat({dx, ops::matmul(q, dv)}, -1)};
}

// TensorFlow's _SvdGrad for real inputs (A = U S V^T; m <= n after an implicit transpose).
std::vector<Tensor> svd_grad(const GradContext& c) {
  const Tensor& a = c.in(0);
  const bool full = c.attrs.flag;
  if (!c.attrs.flag2) {  // s only: grad_a = U diag(g) V^T
    auto d = ops::svd(a, false, true);
    return {ops::matmul(d.u, ops::matmul(matrix_diag(c.grad(0)), d.vh))};
  }
  int64_t m = rows(a), n = cols(a);
  if (full && std::abs(m - n) > 1)
    throw_invalid("svd: the gradient is not implemented for full_matrices=True when the number "
                  "of rows and columns differ by more than 1 (received shape " + a.shape().str() +
                  "), as in TensorFlow; use full_matrices=False");
  Tensor u = c.out(0), s = c.out(1), v = mT(c.out(2));
  Tensor gu = c.grad(0), gs = c.grad(1), gv = mT(c.grad(2));
  const bool transposed = m > n;
  if (transposed) {
    std::swap(m, n);
    std::swap(u, v);
    std::swap(gu, gv);
  }
  Tensor s_mat = matrix_diag(s), s2 = ops::square(s);
  Tensor f = ops::multiply(safe_reciprocal(ops::subtract(ops::expand_dims(s2, -2), ops::expand_dims(s2, -1))),
                           off_diagonal(m, a));
  Tensor v1 = last_axis_slice(v, 0, m), gv1 = last_axis_slice(gv, 0, m);
  Tensor f_u = ops::multiply(f, ops::matmul(u, gu, true, false));
  Tensor f_v = ops::multiply(f, ops::matmul(v1, gv1, true, false));
  Tensor inner = ops::add(matrix_diag(gs), ops::add(ops::matmul(ops::add(f_u, mT(f_u)), s_mat),
                                                   ops::matmul(s_mat, ops::add(f_v, mT(f_v)))));
  Tensor ga = ops::matmul(u, ops::matmul(inner, v1, false, true));
  if (m != n) {
    Tensor gv1t = mT(gv1);
    Tensor term = ops::subtract(gv1t, ops::matmul(ops::matmul(gv1t, v1), v1, false, true));
    if (full) {
      Tensor v2 = last_axis_slice(v, m, n - m), gv2 = last_axis_slice(gv, m, n - m);
      term = ops::subtract(term, ops::matmul(ops::matmul(v1, gv2, true, false), v2, false, true));
    }
    Tensor u_s_inv = ops::matmul(u, matrix_diag(safe_reciprocal(s)));
    ga = ops::add(ga, ops::matmul(u_s_inv, term));
  }
  return {transposed ? mT(ga) : ga};
}

// A = V diag(w) V^T: grad_a = V (diag(gw) + F o (V^T gV)) V^T with F_ij = 1/(w_j - w_i)
// off the diagonal, then folded onto the lower triangle that the op reads.
std::vector<Tensor> eigh_grad(const GradContext& c) {
  const Tensor &w = c.out(0), &v = c.out(1);
  const int64_t n = cols(v);
  Tensor diff = ops::subtract(ops::expand_dims(w, -2), ops::expand_dims(w, -1));
  Tensor f = ops::multiply(ops::reciprocal(ops::add(diff, eye(n, w))), off_diagonal(n, w));
  Tensor inner = ops::add(matrix_diag(c.grad(0)), ops::multiply(f, ops::matmul(v, c.grad(1), true, false)));
  Tensor ga = ops::matmul(v, ops::matmul(inner, v, false, true));
  return {halve_diagonal(triangle(ops::add(ga, mT(ga)), true))};
}

}  // namespace

void define_decomposition_grads() {
  define_grad(OpId::Cholesky, cholesky_grad);
  define_grad(OpId::Qr, qr_grad);
  define_grad(OpId::Svd, svd_grad);
  define_grad(OpId::Eigh, eigh_grad);
}

}  // namespace keras::core::linalg_util
