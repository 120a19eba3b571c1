// sparse_shape.cpp - the tf.sparse ops that move entries: reshape, slice, concat,
// transpose, fill_empty_rows. New indices are computed on the host; values are gathered
// (or passed through), so their gradients are autodiff's.
#include <algorithm>
#include <numeric>

#include "core/function.h"
#include "core/ops/sparse_util.h"

namespace keras::core::sparse {

using sparse_util::fail;
using sparse_util::index_str;
using sparse_util::sp_of;

namespace {

// The entries of idx (n x rank) in canonical order: a stable permutation.
std::vector<int64_t> canonical_order(const std::vector<int64_t>& idx, int64_t n, int64_t rank) {
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  std::stable_sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) {
    return sparse_util::lex_cmp(idx.data() + a * rank, idx.data() + b * rank, rank) < 0;
  });
  return perm;
}

// idx permuted by perm, and the values gathered the same way.
SparseTensor permuted(const std::vector<int64_t>& idx, const Tensor& values,
                      const std::vector<int64_t>& perm, const std::vector<int64_t>& shape) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<int64_t> out(idx.size());
  for (size_t i = 0; i < perm.size(); ++i)
    std::copy_n(idx.begin() + perm[i] * rank, rank, out.begin() + static_cast<int64_t>(i) * rank);
  return sparse_util::make(out, sparse_util::take(values, perm), shape);
}

}  // namespace

SparseTensor reshape(const SparseTensor& sp, const std::vector<int64_t>& shape) {
  const char* op = "sparse.reshape";
  sparse_util::check_defined(sp, op);
  if (composite::needed({&sp}))
    return sparse_util::traced_sparse(op, composite::key(shape), {composite::graph_value(sp)},
                                      [shape](const std::vector<Tensor>& v) { return reshape(sp_of(v[0]), shape); });
  const int64_t count = sparse_util::checked_count(sp.shape(), op);
  std::vector<int64_t> out = shape;
  int64_t unknown = -1, known = 1;
  for (size_t j = 0; j < out.size(); ++j) {
    if (out[j] == -1 && unknown < 0) {
      unknown = static_cast<int64_t>(j);
      continue;
    }
    if (out[j] < 0)
      fail(std::string(op) + ": expected sizes >= 0 and at most one -1, but received " + index_str(shape));
    known = sparse_util::checked_count({known, out[j]}, op);
  }
  const std::string what = std::string(op) + ": input to reshape is a SparseTensor with " +
                           std::to_string(count) + " dense values, but the requested shape ";
  const std::string tail = ". input_shape=" + index_str(sp.shape()) + " output_shape=" + index_str(shape);
  if (unknown >= 0) {
    if (known == 0 || count % known != 0)
      fail(what + "requires a multiple of " + std::to_string(known) + tail);
    out[static_cast<size_t>(unknown)] = count / known;
  } else if (known != count) {
    fail(what + "has " + std::to_string(known) + tail);
  }
  const std::vector<int64_t> idx = sp.host_indices();
  const int64_t rank = sp.rank(), out_rank = static_cast<int64_t>(out.size());
  std::vector<int64_t> res(static_cast<size_t>(sp.nnz() * out_rank));
  for (int64_t i = 0; i < sp.nnz(); ++i) {
    int64_t lin = 0;
    for (int64_t j = 0; j < rank; ++j) lin = lin * sp.shape()[j] + idx[i * rank + j];
    for (int64_t j = out_rank - 1; j >= 0; --j) {
      res[i * out_rank + j] = lin % out[j];
      lin /= out[j];
    }
  }
  return sparse_util::make(res, sp.values(), out);
}

SparseTensor slice(const SparseTensor& sp, const std::vector<int64_t>& start,
                   const std::vector<int64_t>& size) {
  const char* op = "sparse.slice";
  sparse_util::check_defined(sp, op);
  if (composite::needed({&sp}))
    return sparse_util::traced_sparse(op, composite::key(start) + ";" + composite::key(size),
                                      {composite::graph_value(sp)},
                                      [=](const std::vector<Tensor>& v) { return slice(sp_of(v[0]), start, size); });
  const int64_t rank = sp.rank();
  if (static_cast<int64_t>(start.size()) != rank || static_cast<int64_t>(size.size()) != rank)
    fail(std::string(op) + ": expected start and size of length " + std::to_string(rank) +
         " (the rank of dense_shape " + index_str(sp.shape()) + "), but received " +
         index_str(start) + " and " + index_str(size));
  std::vector<int64_t> out(static_cast<size_t>(rank));
  for (int64_t j = 0; j < rank; ++j) {
    if (start[j] < 0 || size[j] < 0)
      fail(std::string(op) + ": expected non-negative start and size, but received " +
           index_str(start) + " and " + index_str(size));
    out[j] = std::max<int64_t>(0, std::min(size[j], sp.shape()[j] - start[j]));
  }
  const std::vector<int64_t> idx = sp.host_indices();
  std::vector<int64_t> pos, res;
  for (int64_t i = 0; i < sp.nnz(); ++i) {
    const int64_t* p = idx.data() + i * rank;
    bool in = true;
    for (int64_t j = 0; j < rank && in; ++j) in = p[j] >= start[j] && p[j] - start[j] < out[j];
    if (!in) continue;
    pos.push_back(i);
    for (int64_t j = 0; j < rank; ++j) res.push_back(p[j] - start[j]);
  }
  return sparse_util::make(res, sparse_util::take(sp.values(), pos), out);
}

SparseTensor take_rows(const SparseTensor& sp, const std::vector<int64_t>& rows) {
  const char* op = "sparse.take_rows";
  sparse_util::check_defined(sp, op);
  if (composite::needed({&sp}))
    return sparse_util::traced_sparse(op, composite::key(rows), {composite::graph_value(sp)},
                                      [rows](const std::vector<Tensor>& v) { return take_rows(sp_of(v[0]), rows); });
  const int64_t rank = sp.rank();
  if (rank == 0) fail(std::string(op) + ": expected a sparse tensor of rank >= 1, but received rank 0");
  // Where each input row goes (rows may repeat: a row can go to several places).
  std::vector<std::pair<int64_t, int64_t>> dest;  // (input row, output row), sorted
  for (size_t k = 0; k < rows.size(); ++k) {
    if (rows[k] < 0 || rows[k] >= sp.shape()[0])
      fail(std::string(op) + ": rows[" + std::to_string(k) + "] = " + std::to_string(rows[k]) +
           " is out of bounds: need 0 <= row < " + std::to_string(sp.shape()[0]));
    dest.emplace_back(rows[k], static_cast<int64_t>(k));
  }
  std::sort(dest.begin(), dest.end());
  const std::vector<int64_t> idx = sp.host_indices();
  std::vector<int64_t> pos, out;
  for (int64_t i = 0; i < sp.nnz(); ++i) {
    const int64_t r = idx[i * rank];
    for (auto it = std::lower_bound(dest.begin(), dest.end(), std::make_pair(r, int64_t{0}));
         it != dest.end() && it->first == r; ++it) {
      pos.push_back(i);
      out.push_back(it->second);
      out.insert(out.end(), idx.begin() + i * rank + 1, idx.begin() + (i + 1) * rank);
    }
  }
  std::vector<int64_t> shape = sp.shape();
  shape[0] = static_cast<int64_t>(rows.size());
  const int64_t n = static_cast<int64_t>(pos.size());
  return permuted(out, sparse_util::take(sp.values(), pos), canonical_order(out, n, rank), shape);
}

SparseTensor concat(int64_t axis, const std::vector<SparseTensor>& sps, bool expand_nonconcat_dims) {
  const char* op = "sparse.concat";
  if (sps.empty()) fail(std::string(op) + ": expected at least one SparseTensor, but received none");
  for (const SparseTensor& s : sps) sparse_util::check_defined(s, op, "an input");
  bool traced = false;
  for (const SparseTensor& s : sps) traced = traced || composite::needed({&s});
  if (traced) {
    std::vector<Tensor> in;
    for (const SparseTensor& s : sps) in.push_back(composite::graph_value(s));
    return sparse_util::traced_sparse(op, std::to_string(axis) + (expand_nonconcat_dims ? ";1" : ";0"), in,
                                      [=](const std::vector<Tensor>& v) {
                                        std::vector<SparseTensor> parts;
                                        for (const Tensor& t : v) parts.push_back(sp_of(t));
                                        return concat(axis, parts, expand_nonconcat_dims);
                                      });
  }
  const int64_t rank = sps[0].rank();
  if (rank == 0) fail(std::string(op) + ": expected inputs of rank >= 1, but received rank 0");
  const int64_t ax = sparse_util::norm_axis(axis, rank, op);
  std::vector<int64_t> out = sps[0].shape();
  out[ax] = 0;
  for (size_t k = 0; k < sps.size(); ++k) {
    if (sps[k].rank() != rank)
      fail(std::string(op) + ": expected inputs of one rank, but input 0 has dense_shape " +
           index_str(sps[0].shape()) + " and input " + std::to_string(k) + " " + index_str(sps[k].shape()));
    if (sps[k].dtype() != sps[0].dtype())
      fail(std::string(op) + ": expected inputs of one dtype, but input 0 is " + dtype_name(sps[0].dtype()) +
           " and input " + std::to_string(k) + " " + dtype_name(sps[k].dtype()));
    for (int64_t j = 0; j < rank; ++j) {
      if (j == ax) continue;
      if (expand_nonconcat_dims) out[j] = std::max(out[j], sps[k].shape()[j]);
      else if (sps[k].shape()[j] != out[j])
        fail(std::string(op) + ": input shapes must match: expected " + std::to_string(out[j]) +
             " for dimension " + std::to_string(j) + " but got " + std::to_string(sps[k].shape()[j]) +
             " at position " + std::to_string(k));
    }
  }
  std::vector<int64_t> idx;
  std::vector<Tensor> values;
  int64_t offset = 0;
  for (const SparseTensor& s : sps) {
    // Checked first: every index along ax is below its size, so offset + index fits too.
    if (s.shape()[ax] > INT64_MAX - offset)
      fail(std::string(op) + ": the concatenated dimension " + std::to_string(ax) + " overflows int64");
    std::vector<int64_t> part = s.host_indices();
    for (int64_t i = 0; i < s.nnz(); ++i) part[i * rank + ax] += offset;
    idx.insert(idx.end(), part.begin(), part.end());
    values.push_back(s.values());
    offset += s.shape()[ax];
  }
  out[ax] = offset;
  const int64_t n = static_cast<int64_t>(idx.size()) / rank;
  return permuted(idx, ops::concat(values, 0), canonical_order(idx, n, rank), out);
}

SparseTensor transpose(const SparseTensor& sp, const std::vector<int64_t>& perm) {
  const char* op = "sparse.transpose";
  sparse_util::check_defined(sp, op);
  if (composite::needed({&sp}))
    return sparse_util::traced_sparse(op, composite::key(perm), {composite::graph_value(sp)},
                                      [perm](const std::vector<Tensor>& v) { return transpose(sp_of(v[0]), perm); });
  const int64_t rank = sp.rank();
  std::vector<int64_t> p = perm;
  if (p.empty())
    for (int64_t j = rank - 1; j >= 0; --j) p.push_back(j);
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  bool ok = static_cast<int64_t>(p.size()) == rank;
  for (int64_t v : p) {
    ok = ok && v >= 0 && v < rank && !seen[v];
    if (ok) seen[v] = true;
  }
  if (!ok)
    fail(std::string(op) + ": expected perm to be a permutation of [0, " + std::to_string(rank) +
         "), but received " + index_str(perm));
  const std::vector<int64_t> idx = sp.host_indices();
  std::vector<int64_t> moved(idx.size()), shape(static_cast<size_t>(rank));
  for (int64_t j = 0; j < rank; ++j) shape[j] = sp.shape()[p[j]];
  for (int64_t i = 0; i < sp.nnz(); ++i)
    for (int64_t j = 0; j < rank; ++j) moved[i * rank + j] = idx[i * rank + p[j]];
  return permuted(moved, sp.values(), canonical_order(moved, sp.nnz(), rank), shape);
}

FilledRows fill_empty_rows(const SparseTensor& sp, const Tensor& default_value) {
  const char* op = "sparse.fill_empty_rows";
  sparse_util::check_defined(sp, op);
  if (!default_value.defined()) fail(std::string(op) + ": default_value is an undefined tensor");
  if (composite::needed({&sp}, {&default_value})) {
    const std::vector<Tensor> out = composite::call(op, "", {composite::graph_value(sp), default_value},
                                                    [](const std::vector<Tensor>& v) {
                                                      FilledRows r = fill_empty_rows(sp_of(v[0]), v[1]);
                                                      return std::vector<Tensor>{r.output.as_tensor(),
                                                                                 r.empty_row_indicator};
                                                    });
    return {sp_of(out.at(0)), out.at(1)};
  }
  if (default_value.rank() != 0 || default_value.dtype() != sp.dtype())
    fail(std::string(op) + ": expected default_value to be a scalar of dtype " + dtype_name(sp.dtype()) +
         ", but received " + dtype_name(default_value.dtype()) + " " + default_value.shape().str());
  const int64_t rank = sp.rank();
  if (rank == 0) fail(std::string(op) + ": expected a sparse tensor of rank >= 1, but received rank 0");
  const int64_t rows = sp.shape()[0], n = sp.nnz();
  const std::vector<int64_t> idx = sp.host_indices();
  // Entries grouped by row (stable); rows without one get [row, 0, ..., 0].
  std::vector<std::vector<int64_t>> by_row(static_cast<size_t>(rows));
  for (int64_t i = 0; i < n; ++i) by_row[idx[i * rank]].push_back(i);
  std::vector<int64_t> order, out;
  std::vector<uint8_t> empty(static_cast<size_t>(rows), 0);
  int64_t filled = 0;
  for (int64_t r = 0; r < rows; ++r) {
    if (by_row[r].empty()) {
      empty[r] = 1;
      order.push_back(n + filled++);  // the filled entries follow the values
      out.push_back(r);
      out.insert(out.end(), static_cast<size_t>(rank - 1), 0);
      continue;
    }
    for (int64_t i : by_row[r]) {
      order.push_back(i);
      out.insert(out.end(), idx.begin() + i * rank, idx.begin() + (i + 1) * rank);
    }
  }
  const Tensor fills = ops::broadcast_to(ops::reshape(default_value, {1}), Shape{filled});
  const Tensor values = sparse_util::take(ops::concat({sp.values(), fills}, 0), order);
  Tensor indicator = from_buffer(empty.data(), Shape{rows}, DType::bool_);
  return {sparse_util::make(out, values, sp.shape()), indicator};
}

FilledRows fill_empty_rows(const SparseTensor& sp, double default_value) {
  sparse_util::check_defined(sp, "sparse.fill_empty_rows");
  if (sp.symbolic()) {  // (its values cannot be read): the default as a constant of its dtype
    Tensor fill;
    {
      InitScope now;
      fill = ops::scalar_like(ops::zeros({}, sp.dtype()), default_value, "sparse.fill_empty_rows default_value");
    }
    return fill_empty_rows(sp, fill);
  }
  return fill_empty_rows(sp, ops::scalar_like(sp.values(), default_value,
                                              "sparse.fill_empty_rows default_value"));
}

}  // namespace keras::core::sparse
