// einsum_matmul.cpp - the einsum_matmul primitive (core/einsum_matmul.h): its layout's
// encoding and checks, the shape rule and the gradient rule (two more einsums, so every
// order of derivative follows). Kernel: core/cpu/matmul.cpp.
#include "core/einsum_matmul.h"

#include <string>

#include "core/init.h"
#include "core/ops.h"

namespace keras::core {

std::vector<int64_t> EinsumMatMulLayout::encode() const {
  if (batch_b.size() != batch_a.size() || batch_out.size() != batch_a.size())
    throw_invalid("einsum_matmul: expected as many batch axes of b and of the output as of a, but received " +
                  std::to_string(batch_a.size()) + ", " + std::to_string(batch_b.size()) + " and " +
                  std::to_string(batch_out.size()));
  std::vector<int64_t> v{int64_t(batch_a.size())};
  for (size_t i = 0; i < batch_a.size(); ++i) v.insert(v.end(), {batch_a[i], batch_b[i], batch_out[i]});
  v.insert(v.end(), {m_a, m_out, n_b, n_out, k_a, k_b});
  return v;
}

EinsumMatMulLayout EinsumMatMulLayout::decode(const std::vector<int64_t>& axes, const Shape& a, const Shape& b,
                                              const char* op, Shape* out) {
  auto bad = [&](const std::string& what) {
    throw_invalid(std::string(op) + ": " + what + " (operands of shapes " + a.str() + " and " + b.str() + ")");
  };
  if (axes.empty() || axes[0] < 0 || int64_t(axes.size()) != 1 + 3 * axes[0] + 6)
    bad("expected a layout of 1 + 3 * batch + 6 axes, but received " + std::to_string(axes.size()));
  EinsumMatMulLayout l;
  const int64_t nb = axes[0];
  for (int64_t i = 0; i < nb; ++i) {
    l.batch_a.push_back(axes[size_t(1 + 3 * i)]);
    l.batch_b.push_back(axes[size_t(2 + 3 * i)]);
    l.batch_out.push_back(axes[size_t(3 + 3 * i)]);
  }
  const int64_t* r = axes.data() + 1 + 3 * nb;
  l.m_a = r[0], l.m_out = r[1], l.n_b = r[2], l.n_out = r[3], l.k_a = r[4], l.k_b = r[5];
  const int64_t ro = nb + 2;
  // Each operand's axes, and the output's, a permutation of its rank.
  auto permutation = [&](std::vector<int64_t> ax, int64_t rank, const char* which) {
    if (int64_t(ax.size()) != rank)
      bad(std::string("the layout places ") + std::to_string(ax.size()) + " axes of " + which + ", which has " +
          std::to_string(rank));
    std::vector<char> seen(size_t(rank), 0);
    for (int64_t x : ax) {
      if (x < 0 || x >= rank || seen[size_t(x)]) bad(std::string("the layout does not place each axis of ") + which + " once");
      seen[size_t(x)] = 1;
    }
  };
  std::vector<int64_t> pa = l.batch_a, pb = l.batch_b, po = l.batch_out;
  pa.insert(pa.end(), {l.m_a, l.k_a});
  pb.insert(pb.end(), {l.n_b, l.k_b});
  po.insert(po.end(), {l.m_out, l.n_out});
  permutation(pa, a.rank(), "a");
  permutation(pb, b.rank(), "b");
  permutation(po, ro, "the output");
  std::vector<int64_t> dims(static_cast<size_t>(ro), 0);
  for (int64_t i = 0; i < nb; ++i) {
    if (a[l.batch_a[size_t(i)]] != b[l.batch_b[size_t(i)]]) bad("expected equal batch sizes");
    dims[size_t(l.batch_out[size_t(i)])] = a[l.batch_a[size_t(i)]];
  }
  if (a[l.k_a] != b[l.k_b]) bad("expected equal contracted sizes");
  dims[size_t(l.m_out)] = a[l.m_a];
  dims[size_t(l.n_out)] = b[l.n_b];
  // Every matrix has a unit-stride axis (the operand's last), which BLAS needs.
  if ((l.m_a != a.rank() - 1 && l.k_a != a.rank() - 1) || (l.n_b != b.rank() - 1 && l.k_b != b.rank() - 1) ||
      l.n_out != ro - 1)
    bad("expected the matrices' axes to include each operand's last axis and n to be the output's last");
  *out = Shape(std::move(dims));
  return l;
}

EinsumMatMulLayout::GemmPlan EinsumMatMulLayout::gemm_plan(const Shape& a, const Shape& b, const Shape& out) const {
  auto strides = [](const Shape& s) {
    std::vector<int64_t> st(size_t(s.rank()), 1);
    for (int64_t i = s.rank() - 2; i >= 0; --i) st[size_t(i)] = st[size_t(i + 1)] * s[i + 1];
    return st;
  };
  const std::vector<int64_t> sa = strides(a), sb = strides(b), so = strides(out);
  GemmPlan p;
  p.m = a[m_a], p.n = b[n_b], p.k = a[k_a];
  p.ta = k_a != a.rank() - 1, p.tb = n_b != b.rank() - 1;  // (decode checked the unit strides)
  p.lda = p.ta ? sa[size_t(k_a)] : sa[size_t(m_a)];
  p.ldb = p.tb ? sb[size_t(n_b)] : sb[size_t(k_b)];
  p.ldc = so[size_t(m_out)];
  int64_t count = 1;
  for (int64_t ax : batch_a) count *= a[ax];
  for (int64_t flat = 0; flat < count; ++flat) {
    int64_t rest = flat, oa = 0, ob = 0, oc = 0;
    for (size_t i = batch_a.size(); i-- > 0;) {  // the last batch axis fastest
      const int64_t d = a[batch_a[i]], idx = rest % d;
      rest /= d;
      oa += idx * sa[size_t(batch_a[i])];
      ob += idx * sb[size_t(batch_b[i])];
      oc += idx * so[size_t(batch_out[i])];
    }
    p.a_off.push_back(oa), p.b_off.push_back(ob), p.c_off.push_back(oc);
  }
  return p;
}

namespace {

void infer(OpCall& c) {
  const Tensor &a = c.in(0), &b = c.in(1);
  expect_dtype(c, a, "a", {DType::float32, DType::float64});
  expect_same_dtype(c, a, b);
  Shape out;
  EinsumMatMulLayout::decode(c.attrs.axes, a.shape(), b.shape(), c.name(), &out);
  c.set_output(0, std::move(out), a.dtype());
}

// The subscripts of a, b and the output with batch letters 'a'.., m 'm', n 'n', k 'k'.
struct Subscripts {
  std::string a, b, out;
};
Subscripts subscripts(const EinsumMatMulLayout& l, int64_t ra, int64_t rb) {
  Subscripts s{std::string(size_t(ra), '?'), std::string(size_t(rb), '?'), std::string(l.batch_a.size() + 2, '?')};
  for (size_t i = 0; i < l.batch_a.size(); ++i) {
    const char ch = char('a' + i);
    s.a[size_t(l.batch_a[i])] = s.b[size_t(l.batch_b[i])] = s.out[size_t(l.batch_out[i])] = ch;
  }
  s.a[size_t(l.m_a)] = s.out[size_t(l.m_out)] = 'm';
  s.b[size_t(l.n_b)] = s.out[size_t(l.n_out)] = 'n';
  s.a[size_t(l.k_a)] = s.b[size_t(l.k_b)] = 'k';
  return s;
}

std::vector<Tensor> grad(const GradContext& c) {
  const Tensor &a = c.in(0), &b = c.in(1), &g = c.grad();
  Shape out;
  const auto l = EinsumMatMulLayout::decode(c.attrs.axes, a.shape(), b.shape(), "einsum_matmul", &out);
  const Subscripts s = subscripts(l, a.rank(), b.rank());
  return {c.needs(0) ? ops::einsum(s.out + "," + s.b + "->" + s.a, g, b) : Tensor(),
          c.needs(1) ? ops::einsum(s.out + "," + s.a + "->" + s.b, g, a) : Tensor()};
}

}  // namespace

void define_einsum_matmul_ops() {
  define_op(OpId::EinsumMatMul, infer);
  define_grad(OpId::EinsumMatMul, grad);
}

namespace ops {
Tensor einsum_matmul(const Tensor& a, const Tensor& b, const EinsumMatMulLayout& layout) {
  Attrs attrs;
  attrs.axes = layout.encode();
  return dispatch(OpId::EinsumMatMul, {a, b}, attrs);
}
}  // namespace ops
}  // namespace keras::core
