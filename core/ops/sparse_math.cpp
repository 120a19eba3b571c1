// sparse_math.cpp - the arithmetic tf.sparse ops: add (sparse + sparse, sparse + dense),
// sparse_dense_matmul, reduce_sum, reduce_max. Indices are merged and grouped on the
// host; the values go through gather / segment sums, so their gradients are autodiff's.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/ops/sparse_util.h"

namespace keras::core::sparse {

using sparse_util::fail;
using sparse_util::index_str;

namespace {

void check_same_dtype(const char* op, DType a, DType b) {
  if (a != b)
    fail(std::string(op) + ": expected both operands to have the same dtype, but received " +
         dtype_name(a) + " and " + dtype_name(b));
}

// The output position (row-major over the kept dimensions) of each entry of sp reduced
// over `axis`; fills out_dims (keepdims: 1 for reduced axes) and the output count.
std::vector<int64_t> reduce_plan(const SparseTensor& sp, std::vector<int64_t> axis, bool keepdims,
                                 const char* op, std::vector<int64_t>& out_dims, int64_t& count) {
  const int64_t rank = sp.rank();
  std::vector<bool> reduced(static_cast<size_t>(rank), axis.empty());
  for (int64_t& a : axis) reduced[static_cast<size_t>(sparse_util::norm_axis(a, rank, op))] = true;
  std::vector<int64_t> kept;
  out_dims.clear();
  for (int64_t j = 0; j < rank; ++j) {
    if (!reduced[j]) {
      kept.push_back(j);
      out_dims.push_back(sp.shape()[j]);
    } else if (keepdims) {
      out_dims.push_back(1);
    }
  }
  count = Shape(out_dims).num_elements();  // raises when the dense result cannot exist
  const std::vector<int64_t> idx = sp.host_indices();
  std::vector<int64_t> seg(static_cast<size_t>(sp.nnz()));
  for (int64_t i = 0; i < sp.nnz(); ++i) {
    int64_t lin = 0;
    for (int64_t j : kept) lin = lin * sp.shape()[j] + idx[i * rank + j];
    seg[i] = lin;
  }
  return seg;
}

}  // namespace

SparseTensor add(const SparseTensor& a, const SparseTensor& b, double threshold) {
  sparse_util::check_defined(a, "sparse.add", "a");
  sparse_util::check_defined(b, "sparse.add", "b");
  if (composite::needed({&a, &b}))
    return sparse_util::traced_sparse("sparse.add", sparse_util::num(threshold),
                                      {composite::graph_value(a), composite::graph_value(b)},
                                      [threshold](const std::vector<Tensor>& v) {
                                        return add(sparse_util::sp_of(v[0]), sparse_util::sp_of(v[1]), threshold);
                                      });
  check_same_dtype("sparse.add", a.dtype(), b.dtype());
  if (a.shape() != b.shape())
    fail("sparse.add: operands' shapes do not match: " + index_str(a.shape()) + " and " +
         index_str(b.shape()));
  const int64_t rank = a.rank();
  // Group equal indices: seg[e] = the group of entry e (a's, then b's). A group holding
  // entries of both operands (has == 3) is a pair, to which the threshold applies.
  const sparse_util::Merged m = sparse_util::merge(a, b);
  const std::vector<int64_t>& out_idx = m.indices;
  const int64_t groups = m.groups;
  std::vector<int64_t> seg = m.seg_a;
  seg.insert(seg.end(), m.seg_b.begin(), m.seg_b.end());
  const int64_t n = int64_t(seg.size());
  std::vector<int> has(static_cast<size_t>(groups), 0);
  for (int64_t g : m.seg_a) has[size_t(g)] |= 1;
  for (int64_t g : m.seg_b) has[size_t(g)] |= 2;
  Tensor sums = ops::unsorted_segment_sum(
      ops::concat({a.values(), b.values()}, 0),
      sparse_util::i64_tensor(seg, Shape{n}, a.values().device()), groups);
  bool any_pair = false;
  for (int h : has) any_pair = any_pair || h == 3;
  if (!any_pair) return sparse_util::make(out_idx, sums, a.shape());
  const std::vector<double> s = ops::cast(sums, DType::float64).to_vector<double>();
  std::vector<int64_t> keep, kept_idx;
  for (int64_t g = 0; g < groups; ++g) {
    if (has[g] == 3 && !(threshold <= std::abs(s[g]))) continue;  // TensorFlow's test
    keep.push_back(g);
    kept_idx.insert(kept_idx.end(), out_idx.begin() + g * rank, out_idx.begin() + (g + 1) * rank);
  }
  if (static_cast<int64_t>(keep.size()) == groups) return sparse_util::make(out_idx, sums, a.shape());
  return sparse_util::make(kept_idx, sparse_util::take(sums, keep), a.shape());
}

Tensor add(const SparseTensor& a, const Tensor& b) {
  sparse_util::check_defined(a, "sparse.add", "a");
  if (!b.defined()) fail("sparse.add: b is an undefined tensor");
  if (composite::needed({&a}, {&b}))
    return sparse_util::traced_dense("sparse.add", "dense", {composite::graph_value(a), b},
                                     [](const std::vector<Tensor>& v) { return add(sparse_util::sp_of(v[0]), v[1]); });
  check_same_dtype("sparse.add", a.dtype(), b.dtype());
  if (b.shape().dims() != a.shape())
    fail("sparse.add: expected the dense operand to have the sparse one's shape " +
         index_str(a.shape()) + " (no broadcasting), but received " + b.shape().str());
  // Repeated entries add up here (TensorFlow's SparseTensorDenseAdd), unlike to_dense.
  const Tensor scattered = a.rank() == 0 ? ops::sum(a.values()) : ops::scatter(a.indices(), a.values(), a.shape());
  return ops::add(b, scattered);
}

Tensor add(const Tensor& a, const SparseTensor& b) { return add(b, a); }

Tensor sparse_dense_matmul(const SparseTensor& a, const Tensor& b, bool adjoint_a, bool adjoint_b) {
  const char* op = "sparse.sparse_dense_matmul";
  sparse_util::check_defined(a, op, "sp_a");
  if (!b.defined()) fail(std::string(op) + ": b is an undefined tensor");
  if (composite::needed({&a}, {&b}))
    return sparse_util::traced_dense(op, std::to_string(adjoint_a) + std::to_string(adjoint_b),
                                     {composite::graph_value(a), b}, [=](const std::vector<Tensor>& v) {
                                       return sparse_dense_matmul(sparse_util::sp_of(v[0]), v[1], adjoint_a, adjoint_b);
                                     });
  if (a.rank() != 2 || b.rank() != 2)
    fail(std::string(op) + ": expected a rank-2 sparse and a rank-2 dense operand, but received " +
         "dense_shape " + index_str(a.shape()) + " and b of shape " + b.shape().str());
  check_same_dtype(op, a.dtype(), b.dtype());
  const int64_t m = a.shape()[adjoint_a ? 1 : 0], k = a.shape()[adjoint_a ? 0 : 1];
  const Tensor bb = adjoint_b ? ops::transpose(b) : b;
  if (bb.shape()[0] != k)
    fail(std::string(op) + ": cannot multiply A and B because the inner dimensions do not match: " +
         std::to_string(k) + " vs. " + std::to_string(bb.shape()[0]) + " (A " + index_str(a.shape()) +
         (adjoint_a ? " adjoint" : "") + ", B " + b.shape().str() + (adjoint_b ? " adjoint" : "") + ")");
  const std::vector<int64_t> idx = a.host_indices();
  const int64_t n = a.nnz();
  std::vector<int64_t> rows(static_cast<size_t>(n)), cols(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    rows[i] = idx[2 * i + (adjoint_a ? 1 : 0)];
    cols[i] = idx[2 * i + (adjoint_a ? 0 : 1)];
  }
  // out[r] += v * B[c]: the rows of B each entry needs, scaled, summed into its row.
  const Tensor picked = sparse_util::take(bb, cols);                   // (n, N)
  const Tensor scaled = ops::multiply(picked, ops::expand_dims(a.values(), 1));
  return ops::unsorted_segment_sum(scaled, sparse_util::i64_tensor(rows, Shape{n}, b.device()), m);
}

Tensor sparse_dense_matmul(const Tensor& a, const SparseTensor& b, bool adjoint_a, bool adjoint_b) {
  // op(a) @ op(b) = (op(b)^T @ op(a)^T)^T
  return ops::transpose(sparse_dense_matmul(b, a, !adjoint_b, !adjoint_a));
}

Tensor reduce_sum(const SparseTensor& sp, const std::vector<int64_t>& axis, bool keepdims) {
  sparse_util::check_defined(sp, "sparse.reduce_sum");
  if (composite::needed({&sp}))
    return sparse_util::traced_dense("sparse.reduce_sum", composite::key(axis) + (keepdims ? ";1" : ";0"),
                                     {composite::graph_value(sp)}, [=](const std::vector<Tensor>& v) {
                                       return reduce_sum(sparse_util::sp_of(v[0]), axis, keepdims);
                                     });
  std::vector<int64_t> dims;
  int64_t count = 0;
  const std::vector<int64_t> seg = reduce_plan(sp, axis, keepdims, "sparse.reduce_sum", dims, count);
  const Tensor ids = sparse_util::i64_tensor(seg, Shape{sp.nnz()}, sp.values().device());
  return ops::reshape(ops::unsorted_segment_sum(sp.values(), ids, count), dims);
}

Tensor reduce_max(const SparseTensor& sp, const std::vector<int64_t>& axis, bool keepdims) {
  sparse_util::check_defined(sp, "sparse.reduce_max");
  if (composite::needed({&sp}))
    return sparse_util::traced_dense("sparse.reduce_max", composite::key(axis) + (keepdims ? ";1" : ";0"),
                                     {composite::graph_value(sp)}, [=](const std::vector<Tensor>& v) {
                                       return reduce_max(sparse_util::sp_of(v[0]), axis, keepdims);
                                     });
  std::vector<int64_t> dims;
  int64_t count = 0;
  const std::vector<int64_t> seg = reduce_plan(sp, axis, keepdims, "sparse.reduce_max", dims, count);
  const Tensor ids = sparse_util::i64_tensor(seg, Shape{sp.nnz()}, sp.values().device());
  const Tensor m = ops::segment_max(sp.values(), ids, count);
  std::vector<uint8_t> hit(static_cast<size_t>(count), 0);
  for (int64_t s : seg) hit[static_cast<size_t>(s)] = 1;
  Tensor has = from_buffer(hit.data(), Shape{count}, DType::bool_);
  if (m.device() != Device::cpu()) has = has.to(m.device());
  // Output positions with no stored entry are 0, as TensorFlow's kernel leaves them.
  return ops::reshape(ops::where(has, m, ops::zeros_like(m)), dims);
}

}  // namespace keras::core::sparse
