// einsum.cpp - einsum (numpy.einsum / keras.ops.einsum) as a composition of sum,
// broadcast_to, transpose, reshape and batched matmul, so its gradient (to any order)
// comes from those ops' rules.
//
// Equation syntax (NumPy's): operands' subscripts separated by ',', letters a-z A-Z,
// at most one '...' per operand (broadcast axes, aligned from the right as NumPy does),
// spaces ignored. With '->' the output is explicit; without it the output is the '...'
// axes, then the letters that occur once in the whole equation, in alphabetical order.
// A letter repeated inside one operand (a diagonal, "ii->i") raises: use ops::diagonal.
// Sizes of one letter must agree across operands, except that 1 broadcasts.
//
// Plan: every operand first sums away the letters no one else needs; then the operands
// are contracted left to right, each pair as one batched matmul
// (batch, free_a, contracted) x (batch, contracted, free_b) (see contract()); the result
// is transposed to the output's order where it is not in it already.
//
// int8 operands give int32 (Keras's einsum): their products are int8 matmuls with int32
// results, and an int8 operand is summed (or contracted with an int32 partial result)
// in int32, so every sum is exact as in Keras.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/dispatch.h"
#include "core/einsum_matmul.h"
#include "core/kernel_dtypes.h"
#include "core/ops.h"

namespace keras::core::ops {
namespace {

// A label: a letter's char code, or 256 + i for the i-th broadcast ('...') axis.
using Labels = std::vector<int>;
constexpr int kEllipsisBase = 256;

std::string label_str(int l) {
  return l >= kEllipsisBase ? "... axis " + std::to_string(l - kEllipsisBase) : std::string("'") + char(l) + "'";
}

struct Term {
  Labels letters_before, letters_after;  // around '...'
  bool ellipsis = false;
};

Term parse_term(const std::string& eq, const std::string& s, const std::string& what) {
  Term t;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') {
      if (t.ellipsis || s.compare(i, 3, "...") != 0)
        throw_invalid("einsum: invalid equation '" + eq + "': " + what +
                      " may hold one '...' (three dots) at most, but received '" + s + "'");
      t.ellipsis = true;
      i += 2;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      (t.ellipsis ? t.letters_after : t.letters_before).push_back(c);
    } else {
      throw_invalid("einsum: invalid equation '" + eq + "': expected letters a-z, A-Z, ',', '...' and '->', but " +
                    what + " has '" + std::string(1, c) + "'");
    }
  }
  return t;
}

// The axes' labels of a term with `ell` broadcast axes, those right-aligned among n_ell.
Labels expand(const Term& t, int64_t ell, int64_t n_ell) {
  Labels out = t.letters_before;
  for (int64_t i = n_ell - ell; i < n_ell; ++i) out.push_back(kEllipsisBase + int(i));
  out.insert(out.end(), t.letters_after.begin(), t.letters_after.end());
  return out;
}

struct Operand {
  Tensor t;
  Labels labels;  // one per axis of t
};

bool has(const Labels& ls, int l) { return std::find(ls.begin(), ls.end(), l) != ls.end(); }

Tensor transpose_if_needed(const Tensor& x, const Axes& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != int64_t(i)) return transpose(x, perm);
  return x;
}

Tensor reshape_if_needed(const Tensor& x, const std::vector<int64_t>& dims) {
  return x.shape().dims() == dims ? x : reshape(x, dims);
}

// Sums away the axes whose labels are not in `keep`.
Operand reduce_to(const Operand& o, const Labels& keep) {
  Axes axes;
  Labels rest;
  for (size_t i = 0; i < o.labels.size(); ++i) {
    if (has(keep, o.labels[i]))
      rest.push_back(o.labels[i]);
    else
      axes.push_back(int64_t(i));
  }
  if (axes.empty()) return o;
  return {sum(o.t.dtype() == DType::int8 ? cast(o.t, DType::int32) : o.t, axes), rest};  // (int8: see the top)
}

// Reorders o's axes as `order` (a permutation of o.labels).
Tensor arrange(const Operand& o, const Labels& order) {
  Axes perm;
  for (int l : order) perm.push_back(std::find(o.labels.begin(), o.labels.end(), l) - o.labels.begin());
  return transpose_if_needed(o.t, perm);
}

int64_t product(const std::map<int, int64_t>& size, const Labels& ls) {
  int64_t p = 1;
  for (int l : ls) p *= size.at(l);
  return p;
}

// Whether o's axes are already in `order` (no transpose needed).
bool in_order(const Operand& o, const Labels& order) { return o.labels == order; }

Labels concat3(const Labels& x, const Labels& y, const Labels& z) {
  Labels r = x;
  r.insert(r.end(), y.begin(), y.end());
  r.insert(r.end(), z.begin(), z.end());
  return r;
}

// The position of label l in ls.
int64_t pos(const Labels& ls, int l) { return std::find(ls.begin(), ls.end(), l) - ls.begin(); }

// a x b as one einsum_matmul node writing the result in keep's order, where that fits:
// one free label on each side, one contracted label, the labels of a and b exactly these
// and the batch ones, keep exactly the batch and free labels, a unit-stride axis in every
// matrix (the operand's last axis among its matrix's two, the output's last a free label),
// a floating dtype with a kernel on the operands' device. Otherwise undefined (the
// transposes and batched matmul below).
Tensor strided_contraction(const Operand& a, const Operand& b, const Labels& batch, const Labels& fa,
                           const Labels& fb, const Labels& con, const Labels& keep) {
  Labels uniq;
  for (int l : keep)
    if (!has(uniq, l)) uniq.push_back(l);
  const size_t nb = batch.size();
  if (fa.size() != 1 || fb.size() != 1 || con.size() != 1 || a.labels.size() != nb + 2 ||
      b.labels.size() != nb + 2 || uniq.size() != nb + 2 || !has(uniq, fa[0]) || !has(uniq, fb[0]))
    return Tensor();
  const DType dt = a.t.dtype();
  if ((dt != DType::float32 && dt != DType::float64) || b.t.dtype() != dt || a.t.device() != b.t.device() ||
      !kernel_supports(OpId::EinsumMatMul, a.t.device().kind, dt))
    return Tensor();
  // The output's last label is n: swap the operands when it is a's free label.
  const bool swap = uniq.back() == fa[0];
  const Operand &x = swap ? b : a, &y = swap ? a : b;
  const int m = swap ? fb[0] : fa[0], n = swap ? fa[0] : fb[0], k = con[0];
  if (uniq.back() != n) return Tensor();
  EinsumMatMulLayout l;
  for (int lb : batch) {
    l.batch_a.push_back(pos(x.labels, lb));
    l.batch_b.push_back(pos(y.labels, lb));
    l.batch_out.push_back(pos(uniq, lb));
  }
  l.m_a = pos(x.labels, m), l.m_out = pos(uniq, m), l.n_b = pos(y.labels, n), l.n_out = pos(uniq, n);
  l.k_a = pos(x.labels, k), l.k_b = pos(y.labels, k);
  const int64_t la = int64_t(nb) + 1;
  if ((l.m_a != la && l.k_a != la) || (l.n_b != la && l.k_b != la)) return Tensor();
  return einsum_matmul(x.t, y.t, l);
}

// a x b, keeping the labels in `keep` (the others they share are contracted): one batched
// matmul (batch, M, K) x (batch, K, N). The batch labels follow keep's order, the operands
// are swapped when that puts the result in keep's order, and an operand whose axes are
// already (batch, K, M) / (batch, N, K) is read through matmul's transpose flags instead
// of being transposed.
Operand contract(Operand a, Operand b, const Labels& keep, const std::map<int, int64_t>& size) {
  for (Operand* o : {&a, &b})  // int8 with an int32 partial result: int32 sums
    if (o->t.dtype() == DType::int8 && (a.t.dtype() == DType::int32 || b.t.dtype() == DType::int32))
      o->t = cast(o->t, DType::int32);
  auto split = [&](const Operand& x, const Operand& y, Labels& con, Labels& fx) {
    for (int l : x.labels) {
      if (!has(y.labels, l))
        fx.push_back(l);
      else if (!has(keep, l))
        con.push_back(l);
    }
  };
  Labels batch, con, fa, fb, unused;
  for (int l : keep)
    if (has(a.labels, l) && has(b.labels, l) && !has(batch, l)) batch.push_back(l);
  split(a, b, con, fa);
  split(b, a, unused, fb);
  // Swap when keep lists b's free labels before a's.
  auto first_pos = [&](const Labels& ls) {
    size_t p = keep.size();
    for (int l : ls) p = std::min<size_t>(p, std::find(keep.begin(), keep.end(), l) - keep.begin());
    return p;
  };
  if (!fa.empty() && !fb.empty() && first_pos(fb) < first_pos(fa)) {
    std::swap(a, b);
    std::swap(fa, fb);
  }
  if (Tensor y = strided_contraction(a, b, batch, fa, fb, con, keep); y.defined()) {
    Labels out;
    for (int l : keep)
      if (!has(out, l)) out.push_back(l);
    return {y, out};
  }
  const int64_t nb = product(size, batch), m = product(size, fa), k = product(size, con), n = product(size, fb);
  const bool ta = !in_order(a, concat3(batch, fa, con)) && in_order(a, concat3(batch, con, fa));
  const bool tb = !in_order(b, concat3(batch, con, fb)) && in_order(b, concat3(batch, fb, con));
  Tensor xa = ta ? reshape_if_needed(a.t, {nb, k, m}) : reshape_if_needed(arrange(a, concat3(batch, fa, con)), {nb, m, k});
  Tensor xb = tb ? reshape_if_needed(b.t, {nb, n, k}) : reshape_if_needed(arrange(b, concat3(batch, con, fb)), {nb, k, n});
  Tensor y = matmul(xa, xb, ta, tb);
  const Labels out = concat3(batch, fa, fb);
  std::vector<int64_t> dims;
  for (int l : out) dims.push_back(size.at(l));
  return {reshape_if_needed(y, dims), out};
}

}  // namespace

Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands) {
  std::string eq;
  for (char c : equation)
    if (c != ' ') eq += c;
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms_s;
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    terms_s.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (terms_s.size() != operands.size())
    throw_invalid("einsum: the equation '" + equation + "' names " + std::to_string(terms_s.size()) +
                  " operands, but received " + std::to_string(operands.size()));
  // Terms, the broadcast rank, the labels of each operand.
  std::vector<Term> terms;
  int64_t n_ell = 0;
  for (size_t i = 0; i < terms_s.size(); ++i) {
    const std::string what = "operand " + std::to_string(i);
    if (!operands[i].defined()) throw_invalid("einsum: " + what + " is an undefined tensor");
    if (operands[i].dtype() != operands[0].dtype())
      throw_invalid("einsum: expected every operand to have the same dtype, but operand 0 is " +
                    std::string(dtype_name(operands[0].dtype())) + " and " + what + " is " +
                    dtype_name(operands[i].dtype()) + " (use cast to convert)");
    terms.push_back(parse_term(equation, terms_s[i], what));
    const Term& t = terms.back();
    const int64_t letters = int64_t(t.letters_before.size() + t.letters_after.size());
    const int64_t rank = operands[i].rank();
    if (t.ellipsis ? rank < letters : rank != letters)
      throw_invalid("einsum: the subscripts '" + terms_s[i] + "' of " + what + " in '" + equation + "' need " +
                    (t.ellipsis ? "at least " : "") + std::to_string(letters) + " axes, but the operand has shape " +
                    operands[i].shape().str());
    if (t.ellipsis) n_ell = std::max(n_ell, rank - letters);
  }
  std::vector<Operand> ops_in;
  std::map<int, int64_t> size;
  std::map<int, int> count;
  for (size_t i = 0; i < terms.size(); ++i) {
    const Term& t = terms[i];
    const int64_t ell = operands[i].rank() - int64_t(t.letters_before.size() + t.letters_after.size());
    Operand o{operands[i], expand(t, ell, n_ell)};
    for (size_t ax = 0; ax < o.labels.size(); ++ax) {
      const int l = o.labels[ax];
      if (std::count(o.labels.begin(), o.labels.end(), l) > 1)
        throw_invalid("einsum: the subscripts '" + terms_s[i] + "' repeat " + label_str(l) +
                      " within one operand (a diagonal), which is not supported; take ops::diagonal first");
      const int64_t d = o.t.shape()[int64_t(ax)];
      auto it = size.find(l);
      if (it == size.end() || it->second == 1)
        size[l] = d;
      else if (d != it->second && d != 1)
        throw_invalid("einsum: " + label_str(l) + " in '" + equation + "' has size " + std::to_string(it->second) +
                      " in one operand and " + std::to_string(d) + " in operand " + std::to_string(i) + " (shape " +
                      o.t.shape().str() + ")");
      ++count[l];
    }
    ops_in.push_back(o);
  }
  // The output's labels.
  Labels out;
  if (arrow != std::string::npos) {
    const Term t = parse_term(equation, eq.substr(arrow + 2), "the output");
    out = expand(t, n_ell, n_ell);
    for (int l : out) {
      if (std::count(out.begin(), out.end(), l) > 1)
        throw_invalid("einsum: the output of '" + equation + "' repeats " + label_str(l));
      if (!count.count(l))
        throw_invalid("einsum: the output of '" + equation + "' has " + label_str(l) + ", which no operand has");
    }
  } else {
    for (int64_t i = 0; i < n_ell; ++i) out.push_back(kEllipsisBase + int(i));
    for (const auto& [l, c] : count)  // std::map: letters in order ('A' < 'a', as NumPy)
      if (l < kEllipsisBase && c == 1) out.push_back(l);
  }
  // Axes of size 1 where another operand has the label bigger: broadcast up front.
  for (Operand& o : ops_in) {
    std::vector<int64_t> dims;
    for (int l : o.labels) dims.push_back(size.at(l));
    if (o.t.shape().dims() != dims) o.t = broadcast_to(o.t, Shape(dims));
  }
  // Left to right: each operand keeps what the output or a later operand needs.
  auto needed_after = [&](size_t i) {
    Labels keep = out;
    for (size_t j = i + 1; j < ops_in.size(); ++j) keep.insert(keep.end(), ops_in[j].labels.begin(), ops_in[j].labels.end());
    return keep;
  };
  Labels keep0 = needed_after(0);
  if (ops_in.size() > 1) keep0.insert(keep0.end(), ops_in[1].labels.begin(), ops_in[1].labels.end());
  Operand acc = reduce_to(ops_in[0], keep0);
  for (size_t i = 1; i < ops_in.size(); ++i) {
    const Labels keep = needed_after(i);
    Labels keep_b = keep;
    keep_b.insert(keep_b.end(), acc.labels.begin(), acc.labels.end());
    const Operand b = reduce_to(ops_in[i], keep_b);
    Labels keep_a = keep;
    keep_a.insert(keep_a.end(), b.labels.begin(), b.labels.end());
    acc = contract(reduce_to(acc, keep_a), b, keep, size);
  }
  acc = reduce_to(acc, out);
  const Tensor y = arrange(acc, out);
  return y.dtype() == DType::int8 ? cast(y, DType::int32) : y;
}

Tensor einsum(const std::string& equation, const Tensor& a, const Tensor& b) { return einsum(equation, {a, b}); }

}  // namespace keras::core::ops
