// matmul.cpp - matrix products: checks and shape rule of matmul, and tensordot as a
// composition (transpose, reshape, matmul). Kernels: core/cpu/matmul.cpp.
//
// MatMul (the primitive) reads Attrs.flag = transpose_a, Attrs.flag2 = transpose_b.
// a: (..., M, K), b: (..., K, N) after the optional transposes of the last two axes;
// both have rank >= 2; the batch axes broadcast (NumPy); the result is (batch..., M, N).
// Dtypes: float32, float64 (BLAS), the integers (wrap around on overflow), and complex64,
// complex128 through the complex kernel table (BLAS; no gradient); both equal. int8
// operands give int32 results, their exact sums (Keras's matmul of two int8 tensors,
// TensorFlow's output_type=int32: the product of quantized layers); the other dtypes
// give their own.
// ops::matmul also takes rank-1 operands the NumPy way: a vector on the left is a row
// (1, K), on the right a column (K, 1), and the added axis is dropped from the result;
// the transpose flag of a vector is ignored (a vector is its own transpose); with a
// vector, int8 operands give int8 (Keras's matmul: its int32 product is for matrices).
#include <algorithm>
#include <string>

#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"
#include "core/ops/complex_util.h"

namespace keras::core {
namespace {

// (A device without a half kernel computes half products in float32 before this runs:
// half_ops.h; the CPU has bfloat16's, a CUDA build both.)
constexpr std::initializer_list<DType> kMatMulTypes = {DType::float32, DType::float64, DType::float16, DType::bfloat16,
                                                       DType::int8,    DType::int16,   DType::int32,   DType::int64,
                                                       DType::uint8,   DType::uint16,  DType::uint32};

std::string axis_name(bool last) { return last ? "-1" : "-2"; }

void check_contraction(const char* op, const Shape& a, bool ta, const Shape& b, bool tb) {
  const int64_t ka = ta ? a[a.rank() - 2] : a[a.rank() - 1];
  const int64_t kb = tb ? b[b.rank() - 1] : b[b.rank() - 2];
  if (ka != kb)
    throw_invalid(std::string(op) + ": expected axis " + axis_name(!ta) + " of a (shape " +
                  a.str() + ") to equal axis " + axis_name(tb) + " of b (shape " + b.str() +
                  "), but " + std::to_string(ka) + " != " + std::to_string(kb));
}

void infer_matmul_of(OpCall& c, std::initializer_list<DType> types) {
  const Tensor &a = c.in(0), &b = c.in(1);
  expect_dtype(c, a, "a", types);
  expect_same_dtype(c, a, b);
  expect_rank_at_least(c, a, "a", 2);
  expect_rank_at_least(c, b, "b", 2);
  const Shape &sa = a.shape(), &sb = b.shape();
  const bool ta = c.attrs.flag, tb = c.attrs.flag2;
  check_contraction(c.name(), sa, ta, sb, tb);
  const int64_t m = ta ? sa[sa.rank() - 1] : sa[sa.rank() - 2];
  const int64_t n = tb ? sb[sb.rank() - 2] : sb[sb.rank() - 1];
  // Batch axes broadcast (NumPy rules).
  const int64_t ra = sa.rank() - 2, rb = sb.rank() - 2, r = std::max(ra, rb);
  std::vector<int64_t> dims(static_cast<size_t>(r + 2));
  for (int64_t i = 0; i < r; ++i) {
    int64_t da = i < r - ra ? 1 : sa[i - (r - ra)];
    int64_t db = i < r - rb ? 1 : sb[i - (r - rb)];
    if (da != db && da != 1 && db != 1)
      throw_invalid(std::string(c.name()) + ": the batch axes of a (shape " + sa.str() +
                    ") and b (shape " + sb.str() + ") cannot be broadcast together: " +
                    std::to_string(da) + " != " + std::to_string(db) + " at batch axis " +
                    std::to_string(i));
    dims[static_cast<size_t>(i)] = da == 1 ? db : da;
  }
  dims[static_cast<size_t>(r)] = m;
  dims[static_cast<size_t>(r + 1)] = n;
  c.set_output(0, Shape(std::move(dims)), a.dtype() == DType::int8 ? DType::int32 : a.dtype());
}

void infer_matmul(OpCall& c) { infer_matmul_of(c, kMatMulTypes); }

int64_t product(const Shape& s, const std::vector<int64_t>& axes) {
  int64_t p = 1;
  for (int64_t a : axes) p *= s[a];
  return p;
}

}  // namespace

// The complex form (complex64, complex128: tf.matmul's; the transposes do not conjugate).
void infer_complex_matmul(OpCall& c) { infer_matmul_of(c, {DType::complex64, DType::complex128}); }

// Gradient: for C = op(A) op(B) (op = optional transpose of the last two axes), each
// input's gradient is one matmul of dC with the other input, with the transposes chosen
// so no transpose is materialized. Broadcast batch axes are summed back by the tape.
std::vector<Tensor> matmul_grad(const GradContext& c) {
  const Tensor &a = c.in(0), &b = c.in(1), &g = c.grad();
  const bool ta = c.attrs.flag, tb = c.attrs.flag2;
  auto mm = [](bool want, const Tensor& x, const Tensor& y, bool tx, bool ty) {
    return want ? ops::matmul(x, y, tx, ty) : Tensor();  // skip unwanted gradients
  };
  const bool wa = c.needs(0), wb = c.needs(1);
  // A matrix b shared by a's batches (a Dense kernel on sequences): b's gradient is one
  // product of a's and dC's batches stacked as rows, (B*M, K)^T (B*M, N), instead of B
  // products summed back.
  if (wb && !ta && b.rank() == 2 && a.rank() > 2 && g.shape().dims().size() == a.shape().dims().size()) {
    const int64_t k = a.shape()[a.rank() - 1], n = g.shape()[g.rank() - 1];
    const Tensor a2 = ops::reshape(a, {-1, k}), g2 = ops::reshape(g, {-1, n});
    return {mm(wa, g, b, false, !tb), tb ? ops::matmul(g2, a2, true, false) : ops::matmul(a2, g2, true, false)};
  }
  if (!ta && !tb) return {mm(wa, g, b, false, true), mm(wb, a, g, true, false)};
  if (ta && !tb) return {mm(wa, b, g, false, true), mm(wb, a, g, false, false)};
  if (!ta && tb) return {mm(wa, g, b, false, false), mm(wb, g, a, true, false)};
  return {mm(wa, b, g, true, true), mm(wb, g, a, true, true)};
}

void define_matmul_ops() {
  define_op(OpId::MatMul, infer_matmul);
  define_grad(OpId::MatMul, matmul_grad);
}

namespace ops {

Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b) {
  if (!a.defined() || !b.defined())
    throw_invalid(std::string("matmul: input ") + (a.defined() ? "b" : "a") +
                  " is an undefined tensor");
  Attrs attrs;
  attrs.flag = transpose_a;
  attrs.flag2 = transpose_b;
  const bool va = a.rank() == 1, vb = b.rank() == 1;
  if (a.rank() >= 2 && b.rank() >= 2) return dispatch(OpId::MatMul, {a, b}, attrs);
  for (const Tensor* t : {&a, &b})
    if (t->rank() == 0)
      throw_invalid(std::string("matmul: expected ") + (t == &a ? "a" : "b") +
                    " to have rank >= 1, but received shape " + t->shape().str());
  // Vectors: check the contraction against the shapes the caller passed, then view.
  if (va) attrs.flag = false;
  if (vb) attrs.flag2 = false;
  const Shape &sa = a.shape(), &sb = b.shape();
  const int64_t ka = va ? sa[0] : (attrs.flag ? sa[sa.rank() - 2] : sa[sa.rank() - 1]);
  const int64_t kb = vb ? sb[0] : (attrs.flag2 ? sb[sb.rank() - 1] : sb[sb.rank() - 2]);
  if (ka != kb)
    throw_invalid("matmul: expected axis " + (va ? std::string("0") : axis_name(!attrs.flag)) +
                  " of a (shape " + sa.str() + ") to equal axis " +
                  (vb ? std::string("0") : axis_name(attrs.flag2)) + " of b (shape " +
                  sb.str() + "), but " + std::to_string(ka) + " != " + std::to_string(kb));
  // reshape (a dispatched view) rather than view_as, so tapes see the step.
  Tensor a2 = va ? reshape(a, {1, sa[0]}) : a;
  Tensor b2 = vb ? reshape(b, {sb[0], 1}) : b;
  Tensor y = dispatch(OpId::MatMul, {a2, b2}, attrs);
  if (!va && !vb) return y;
  std::vector<int64_t> dims = y.shape().dims();
  if (vb) dims.erase(dims.end() - 1);
  if (va) dims.erase(dims.end() - 1 - (vb ? 0 : 1));
  return reshape(y.dtype() == a.dtype() ? y : cast(y, a.dtype()), dims);
}

// tensordot: a's free axes, then b's free axes; the contracted pairs are summed. Built as
// a 2-d matmul of a (free_a, contracted) and b (contracted, free_b); a transpose is
// skipped when the axes are already in that order (or its mirror, via the BLAS flags).
Tensor tensordot(const Tensor& a, const Tensor& b, const Axes& axes_a, const Axes& axes_b) {
  if (!a.defined() || !b.defined())
    throw_invalid(std::string("tensordot: input ") + (a.defined() ? "b" : "a") +
                  " is an undefined tensor");
  if (axes_a.size() != axes_b.size())
    throw_invalid("tensordot: expected axes_a and axes_b to have the same length, but "
                  "received " + std::to_string(axes_a.size()) + " and " +
                  std::to_string(axes_b.size()) + " axes");
  if (a.dtype() != b.dtype())
    throw_invalid(std::string("tensordot: expected both inputs to have the same dtype, but "
                              "received ") + dtype_name(a.dtype()) + " " + a.shape().str() +
                  " and " + dtype_name(b.dtype()) + " " + b.shape().str() +
                  " (use cast to convert)");
  const Shape &sa = a.shape(), &sb = b.shape();
  auto normalize = [](const Axes& axes, const Shape& s, const char* which) {
    Axes out;
    std::vector<bool> seen(static_cast<size_t>(s.rank()), false);
    for (int64_t ax : axes) {
      int64_t n = normalize_axis(ax, s.rank(), "tensordot");
      if (seen[static_cast<size_t>(n)])
        throw_invalid(std::string("tensordot: duplicate axis ") + std::to_string(ax) + " in " +
                      which + " for shape " + s.str());
      seen[static_cast<size_t>(n)] = true;
      out.push_back(n);
    }
    Axes rest;
    for (int64_t i = 0; i < s.rank(); ++i)
      if (!seen[static_cast<size_t>(i)]) rest.push_back(i);
    return std::pair<Axes, Axes>(out, rest);
  };
  auto [ca, fa] = normalize(axes_a, sa, "axes_a");
  auto [cb, fb] = normalize(axes_b, sb, "axes_b");
  for (size_t i = 0; i < ca.size(); ++i)
    if (sa[ca[i]] != sb[cb[i]])
      throw_invalid("tensordot: expected axis " + std::to_string(axes_a[i]) + " of a (shape " +
                    sa.str() + ") to equal axis " + std::to_string(axes_b[i]) + " of b (shape " +
                    sb.str() + "), but " + std::to_string(sa[ca[i]]) + " != " +
                    std::to_string(sb[cb[i]]));
  const int64_t m = product(sa, fa), k = product(sa, ca), n = product(sb, fb);
  auto concat = [](const Axes& x, const Axes& y) {
    Axes r = x;
    r.insert(r.end(), y.begin(), y.end());
    return r;
  };
  auto is_identity = [](const Axes& p) {
    for (size_t i = 0; i < p.size(); ++i)
      if (p[i] != static_cast<int64_t>(i)) return false;
    return true;
  };
  // a as (m, k), or as (k, m) with transpose_a when its contracted axes lead.
  bool ta = false, tb = false;
  Tensor a2;
  if (is_identity(concat(fa, ca))) a2 = reshape(a, {m, k});
  else if (is_identity(concat(ca, fa))) { a2 = reshape(a, {k, m}); ta = true; }
  else a2 = reshape(transpose(a, concat(fa, ca)), {m, k});
  Tensor b2;
  if (is_identity(concat(cb, fb))) b2 = reshape(b, {k, n});
  else if (is_identity(concat(fb, cb))) { b2 = reshape(b, {n, k}); tb = true; }
  else b2 = reshape(transpose(b, concat(cb, fb)), {k, n});
  std::vector<int64_t> out;
  for (int64_t ax : fa) out.push_back(sa[ax]);
  for (int64_t ax : fb) out.push_back(sb[ax]);
  Tensor y = matmul(a2, b2, ta, tb);
  if (y.dtype() != a.dtype()) y = cast(y, a.dtype());  // int8 stays int8, as Keras's tensordot
  return reshape(y, out);
}

Tensor tensordot(const Tensor& a, const Tensor& b, int64_t n_axes) {
  if (!a.defined() || !b.defined())
    throw_invalid(std::string("tensordot: input ") + (a.defined() ? "b" : "a") +
                  " is an undefined tensor");
  if (n_axes < 0 || n_axes > a.rank() || n_axes > b.rank())
    throw_invalid("tensordot: expected 0 <= axes <= min(rank of a, rank of b), but received "
                  "axes = " + std::to_string(n_axes) + " for a of shape " + a.shape().str() +
                  " and b of shape " + b.shape().str());
  Axes aa, ab;
  for (int64_t i = 0; i < n_axes; ++i) {
    aa.push_back(a.rank() - n_axes + i);
    ab.push_back(i);
  }
  return tensordot(a, b, aa, ab);
}

}  // namespace ops
}  // namespace keras::core
