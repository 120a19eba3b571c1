// sparse_elementwise.cpp - elementwise ops between sparse operands: tf.sparse.maximum and
// tf.sparse.minimum (the union of the entries, a missing entry read as 0), the product of
// two sparse tensors (the intersection, as Keras's TensorFlow backend multiplies them) and
// of a sparse and a dense tensor (the sparse entries times the dense values there,
// tf.SparseTensor * Tensor). Indices are merged on the host; the values go through
// segment sums and gathers, so their gradients are autodiff's.
#include <algorithm>
#include <numeric>

#include "core/ops/sparse_util.h"

namespace keras::core::sparse {

using sparse_util::fail;
using sparse_util::index_str;

namespace {

void check_pair(const char* op, const SparseTensor& a, const Shape& b_shape, DType b_dtype, const char* b_kind) {
  if (a.dtype() != b_dtype)
    fail(std::string(op) + ": expected both operands to have the same dtype, but received " + dtype_name(a.dtype()) +
         " and " + dtype_name(b_dtype));
  if (b_shape.dims() != a.shape())
    fail(std::string(op) + ": expected the " + b_kind + " operand to have the sparse one's shape " +
         index_str(a.shape()) + " (no broadcasting), but received " + index_str(b_shape.dims()));
}

// maximum or minimum over the union of the entries.
SparseTensor union_extreme(const char* op, const SparseTensor& a, const SparseTensor& b, bool take_max) {
  sparse_util::check_defined(a, op, "a");
  sparse_util::check_defined(b, op, "b");
  if (composite::needed({&a, &b}))
    return sparse_util::traced_sparse(op, "", {composite::graph_value(a), composite::graph_value(b)},
                                      [take_max](const std::vector<Tensor>& v) {
                                        const SparseTensor x = sparse_util::sp_of(v[0]), y = sparse_util::sp_of(v[1]);
                                        return take_max ? maximum(x, y) : minimum(x, y);
                                      });
  check_pair(op, a, Shape(b.shape()), b.dtype(), "second");
  const sparse_util::Merged m = sparse_util::merge(a, b);
  const Device dev = a.values().device();
  auto spread = [&](const SparseTensor& s, const std::vector<int64_t>& seg) {  // 0 where s has no entry
    return ops::unsorted_segment_sum(s.values(), sparse_util::i64_tensor(seg, Shape{int64_t(seg.size())}, dev),
                                     m.groups);
  };
  const Tensor va = spread(a, m.seg_a), vb = spread(b, m.seg_b);
  return sparse_util::make(m.indices, take_max ? ops::maximum(va, vb) : ops::minimum(va, vb), a.shape());
}

}  // namespace

SparseTensor maximum(const SparseTensor& a, const SparseTensor& b) {
  return union_extreme("sparse.maximum", a, b, true);
}

SparseTensor minimum(const SparseTensor& a, const SparseTensor& b) {
  return union_extreme("sparse.minimum", a, b, false);
}

SparseTensor multiply(const SparseTensor& a, const SparseTensor& b) {
  const char* op = "sparse.multiply";
  sparse_util::check_defined(a, op, "a");
  sparse_util::check_defined(b, op, "b");
  if (composite::needed({&a, &b}))
    return sparse_util::traced_sparse(
        op, "", {composite::graph_value(a), composite::graph_value(b)},
        [](const std::vector<Tensor>& v) { return multiply(sparse_util::sp_of(v[0]), sparse_util::sp_of(v[1])); });
  check_pair(op, a, Shape(b.shape()), b.dtype(), "second");
  const sparse_util::Merged m = sparse_util::merge(a, b);
  // The groups holding an entry of each operand (the first of each, for repeated indices).
  std::vector<int64_t> first_a(size_t(m.groups), -1), first_b(size_t(m.groups), -1);
  for (size_t e = 0; e < m.seg_a.size(); ++e)
    if (first_a[size_t(m.seg_a[e])] < 0) first_a[size_t(m.seg_a[e])] = int64_t(e);
  for (size_t e = 0; e < m.seg_b.size(); ++e)
    if (first_b[size_t(m.seg_b[e])] < 0) first_b[size_t(m.seg_b[e])] = int64_t(e);
  const int64_t rank = a.rank();
  std::vector<int64_t> pa, pb, idx;
  for (int64_t g = 0; g < m.groups; ++g) {
    if (first_a[size_t(g)] < 0 || first_b[size_t(g)] < 0) continue;
    pa.push_back(first_a[size_t(g)]);
    pb.push_back(first_b[size_t(g)]);
    idx.insert(idx.end(), m.indices.begin() + g * rank, m.indices.begin() + (g + 1) * rank);
  }
  return sparse_util::make(idx, ops::multiply(sparse_util::take(a.values(), pa), sparse_util::take(b.values(), pb)),
                           a.shape());
}

SparseTensor multiply(const SparseTensor& a, const Tensor& b) {
  const char* op = "sparse.multiply";
  sparse_util::check_defined(a, op, "a");
  if (!b.defined()) fail(std::string(op) + ": b is an undefined tensor");
  if (composite::needed({&a}, {&b}))
    return sparse_util::traced_sparse(op, "dense", {composite::graph_value(a), b}, [](const std::vector<Tensor>& v) {
      return multiply(sparse_util::sp_of(v[0]), v[1]);
    });
  check_pair(op, a, b.shape(), b.dtype(), "dense");
  // The dense values at the entries: b flattened, read at each entry's row-major position.
  const int64_t rank = a.rank();
  const std::vector<int64_t> idx = a.host_indices();
  std::vector<int64_t> flat(static_cast<size_t>(a.nnz()));
  for (int64_t e = 0; e < a.nnz(); ++e) {
    int64_t lin = 0;
    for (int64_t j = 0; j < rank; ++j) lin = lin * a.shape()[size_t(j)] + idx[size_t(e * rank + j)];
    flat[size_t(e)] = lin;
  }
  const Tensor at =
      ops::take(ops::reshape(b, {-1}), sparse_util::i64_tensor(flat, Shape{a.nnz()}, a.values().device()), int64_t{0});
  return a.with_values(ops::multiply(a.values(), at));
}

SparseTensor multiply(const Tensor& a, const SparseTensor& b) { return multiply(b, a); }

}  // namespace keras::core::sparse

namespace keras::core::sparse_util {

Merged merge(const SparseTensor& a, const SparseTensor& b) {
  const int64_t rank = a.rank(), na = a.nnz(), n = na + b.nnz();
  std::vector<int64_t> idx = a.host_indices();
  const std::vector<int64_t> ib = b.host_indices();
  idx.insert(idx.end(), ib.begin(), ib.end());
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  auto at = [&](int64_t e) { return idx.data() + e * rank; };
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t x, int64_t y) { return sparse_util::lex_cmp(at(x), at(y), rank) < 0; });
  Merged m;
  m.seg_a.resize(static_cast<size_t>(na));
  m.seg_b.resize(static_cast<size_t>(n - na));
  for (int64_t k = 0; k < n; ++k) {
    const int64_t e = order[size_t(k)];
    if (k == 0 || sparse_util::lex_cmp(at(order[size_t(k - 1)]), at(e), rank) != 0) {
      ++m.groups;
      m.indices.insert(m.indices.end(), at(e), at(e) + rank);
    }
    (e < na ? m.seg_a[size_t(e)] : m.seg_b[size_t(e - na)]) = m.groups - 1;
  }
  return m;
}

}  // namespace keras::core::sparse_util
