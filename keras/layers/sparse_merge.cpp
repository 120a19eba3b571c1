#include "keras/layers/sparse_merge.h"

#include "core/ops.h"
#include "core/sparse.h"

namespace keras::layers::detail {
namespace ops = core::ops;
namespace sp = core::sparse;
using core::SparseTensor;

namespace {

using Kind = MergeLayer::Kind;

SparseTensor negated(const SparseTensor& s) { return s.with_values(ops::negative(s.values())); }

// x op y where either may be sparse.
Tensor merge_pair(Kind kind, const Tensor& x, const Tensor& y) {
  const bool sx = sp::is_sparse(x), sy = sp::is_sparse(y);
  if (!sx && !sy) {  // a dense sum met a dense input
    switch (kind) {
      case Kind::add:
      case Kind::average:
        return ops::add(x, y);
      case Kind::subtract:
        return ops::subtract(x, y);
      case Kind::multiply:
        return ops::multiply(x, y);
      case Kind::maximum:
        return ops::maximum(x, y);
      case Kind::minimum:
        return ops::minimum(x, y);
    }
  }
  const SparseTensor a = sx ? sp::sparse_of(x) : SparseTensor(), b = sy ? sp::sparse_of(y) : SparseTensor();
  switch (kind) {
    case Kind::add:
    case Kind::average:
      if (sx && sy) return sp::add(a, b).as_tensor();
      return sx ? sp::add(a, y) : sp::add(x, b);
    case Kind::subtract:
      if (sx && sy) return sp::add(a, negated(b)).as_tensor();
      return sx ? sp::add(a, ops::negative(y)) : sp::add(x, negated(b));
    case Kind::multiply:
      if (sx && sy) return sp::multiply(a, b).as_tensor();
      return (sx ? sp::multiply(a, y) : sp::multiply(x, b)).as_tensor();
    case Kind::maximum:
    case Kind::minimum: {
      const bool mx = kind == Kind::maximum;
      if (sx && sy) return (mx ? sp::maximum(a, b) : sp::minimum(a, b)).as_tensor();
      const Tensor dx = sx ? sp::to_dense(a) : x, dy = sy ? sp::to_dense(b) : y;
      return mx ? ops::maximum(dx, dy) : ops::minimum(dx, dy);
    }
  }
  return Tensor();
}

}  // namespace

bool any_sparse(const std::vector<Tensor>& xs) {
  for (const Tensor& x : xs)
    if (sp::is_sparse(x)) return true;
  return false;
}

Tensor merge_sparse(MergeLayer::Kind kind, const std::vector<Tensor>& xs) {
  Tensor y = xs[0];
  for (size_t i = 1; i < xs.size(); ++i) y = merge_pair(kind, y, xs[i]);
  if (kind != Kind::average) return y;
  const double n = double(xs.size());
  if (!sp::is_sparse(y)) return ops::divide(y, ops::scalar_like(y, n));
  const SparseTensor s = sp::sparse_of(y);
  return s.with_values(ops::divide(s.values(), ops::scalar_like(s.values(), n))).as_tensor();
}

Tensor concat_sparse(const std::vector<Tensor>& xs, int64_t axis) {
  std::vector<SparseTensor> all;
  for (const Tensor& x : xs)
    if (sp::is_sparse(x)) all.push_back(sp::sparse_of(x));
  if (all.size() == xs.size()) return sp::concat(axis, all).as_tensor();
  std::vector<Tensor> dense;
  for (const Tensor& x : xs) dense.push_back(sp::is_sparse(x) ? sp::to_dense(sp::sparse_of(x)) : x);
  return ops::concat(dense, axis);
}

}  // namespace keras::layers::detail
