// sets.cpp - tf.sets: size, intersection, union, difference over the last dimension.
// The sets are gathered into sorted rows on the host (plain loops); only rows holding
// elements are kept, so a sparse input with a huge dense_shape costs its entries only.
#include "core/sets.h"

#include <algorithm>
#include <iterator>

#include "core/ops/sparse_util.h"

namespace keras::core::sets {

using sparse_util::fail;
using sparse_util::index_str;

namespace {

struct Row {
  std::vector<int64_t> lead;  // the position in the leading dimensions
  std::vector<int64_t> set;   // sorted, distinct
};

struct Sets {
  std::vector<int64_t> lead_shape;  // shape[:-1]
  DType dtype = DType::int32;
  std::vector<Row> rows;  // the non-empty sets, in row-major order of lead
};

void check_dtype(const char* op, const char* arg, DType d) {
  if (!is_integer(d))
    fail(std::string(op) + ": expected " + arg + " of dtype int8, int16, int32, int64, uint8, uint16 or uint32, but "
         "received " + dtype_name(d));
}

void finish(Row& r) {
  std::sort(r.set.begin(), r.set.end());
  r.set.erase(std::unique(r.set.begin(), r.set.end()), r.set.end());
}

Sets read(const SetInput& in, const char* op, const char* arg, bool validate) {
  Sets s;
  if (in.sparse.defined()) {
    const SparseTensor& sp = in.sparse;
    check_dtype(op, arg, sp.dtype());
    if (sp.rank() < 2)
      fail(std::string(op) + ": expected " + arg + " of rank >= 2, but received dense_shape " +
           index_str(sp.shape()));
    if (validate) sparse_util::check_ordered(sp, op);
    s.dtype = sp.dtype();
    s.lead_shape.assign(sp.shape().begin(), sp.shape().end() - 1);
    const int64_t rank = sp.rank();
    const std::vector<int64_t> idx = sp.host_indices();
    const std::vector<int64_t> v = ops::cast(sp.values(), DType::int64).to_vector<int64_t>();
    std::vector<int64_t> order(static_cast<size_t>(sp.nnz()));
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
    // Rows in lead order (the entries already are, when validated).
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return sparse_util::lex_cmp(idx.data() + a * rank, idx.data() + b * rank, rank - 1) < 0;
    });
    for (int64_t i : order) {
      const int64_t* p = idx.data() + i * rank;
      if (s.rows.empty() || !std::equal(p, p + rank - 1, s.rows.back().lead.begin()))
        s.rows.push_back({std::vector<int64_t>(p, p + rank - 1), {}});
      s.rows.back().set.push_back(v[i]);
    }
  } else {
    const Tensor& t = in.dense;
    if (!t.defined()) fail(std::string(op) + ": " + arg + " is an undefined tensor");
    check_dtype(op, arg, t.dtype());
    if (t.rank() < 2)
      fail(std::string(op) + ": expected " + arg + " of rank >= 2, but received shape " + t.shape().str());
    s.dtype = t.dtype();
    s.lead_shape.assign(t.shape().dims().begin(), t.shape().dims().end() - 1);
    const int64_t width = t.shape().dims().back();
    if (width == 0) return s;
    const std::vector<int64_t> v = ops::cast(t, DType::int64).to_vector<int64_t>();
    const int64_t nrows = static_cast<int64_t>(v.size()) / width;
    std::vector<int64_t> lead(s.lead_shape.size(), 0);
    for (int64_t r = 0; r < nrows; ++r) {
      s.rows.push_back({lead, std::vector<int64_t>(v.begin() + r * width, v.begin() + (r + 1) * width)});
      for (int64_t j = static_cast<int64_t>(lead.size()) - 1; j >= 0; --j) {  // next position
        if (++lead[j] < s.lead_shape[j]) break;
        lead[j] = 0;
      }
    }
  }
  for (Row& r : s.rows) finish(r);
  return s;
}

enum class SetOp { intersection, union_, a_minus_b };

// Inside a trace, with a traced operand: one Composite node whose sparse result has a
// last dimension known only when the graph runs.
bool traced(const SetInput& a, const SetInput& b) {
  return composite::needed({&a.sparse, &b.sparse}, {&a.dense, &b.dense});
}
Tensor graph_value(const SetInput& in) {
  return in.sparse.defined() ? composite::graph_value(in.sparse) : in.dense;
}
SetInput from_value(const Tensor& t) {
  if (sparse::is_sparse(t)) return SetInput(sparse::sparse_of(t));
  return SetInput(t);
}

SparseTensor set_operation(const SetInput& a, const SetInput& b, SetOp kind, bool validate,
                           const char* op) {
  if (traced(a, b))
    return sparse::sparse_of(composite::call(op, std::to_string(int(kind)) + (validate ? ";1" : ";0"),
                                             {graph_value(a), graph_value(b)},
                                             [=](const std::vector<Tensor>& v) {
                                               return std::vector<Tensor>{set_operation(
                                                   from_value(v[0]), from_value(v[1]), kind, validate, op).as_tensor()};
                                             }, /*sparse_unknown_last=*/true)[0]);
  const Sets sa = read(a, op, "a", validate), sb = read(b, op, "b", validate);
  if (sa.dtype != sb.dtype)
    fail(std::string(op) + ": expected a and b of one dtype, but received " + dtype_name(sa.dtype) +
         " and " + dtype_name(sb.dtype));
  if (sa.lead_shape != sb.lead_shape)
    fail(std::string(op) + ": mismatched shapes " + index_str(sa.lead_shape) + " vs " +
         index_str(sb.lead_shape) + " (every dimension but the last must match)");
  const int64_t lead_rank = static_cast<int64_t>(sa.lead_shape.size());
  std::vector<int64_t> out_idx, out_vals;
  int64_t widest = 0;
  auto emit = [&](const std::vector<int64_t>& lead, const std::vector<int64_t>& set) {
    for (size_t j = 0; j < set.size(); ++j) {
      out_idx.insert(out_idx.end(), lead.begin(), lead.end());
      out_idx.push_back(static_cast<int64_t>(j));
      out_vals.push_back(set[j]);
    }
    widest = std::max(widest, static_cast<int64_t>(set.size()));
  };
  static const std::vector<int64_t> kEmpty;
  size_t i = 0, k = 0;
  while (i < sa.rows.size() || k < sb.rows.size()) {
    int c;  // which row comes first: -1 a's, 1 b's, 0 both
    if (i == sa.rows.size()) c = 1;
    else if (k == sb.rows.size()) c = -1;
    else c = sparse_util::lex_cmp(sa.rows[i].lead.data(), sb.rows[k].lead.data(), lead_rank);
    const std::vector<int64_t>& lead = c <= 0 ? sa.rows[i].lead : sb.rows[k].lead;
    const std::vector<int64_t>& x = c <= 0 ? sa.rows[i].set : kEmpty;
    const std::vector<int64_t>& y = c >= 0 ? sb.rows[k].set : kEmpty;
    std::vector<int64_t> r;
    if (kind == SetOp::intersection)
      std::set_intersection(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(r));
    else if (kind == SetOp::union_)
      std::set_union(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(r));
    else
      std::set_difference(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(r));
    emit(lead, r);
    if (c <= 0) ++i;
    if (c >= 0) ++k;
  }
  std::vector<int64_t> shape = sa.lead_shape;
  shape.push_back(widest);
  const int64_t n = static_cast<int64_t>(out_vals.size());
  const Tensor values = ops::cast(constant(out_vals, Shape{n}), sa.dtype);
  return SparseTensor(constant(out_idx, Shape{n, lead_rank + 1}), values, shape);
}

}  // namespace

Tensor size(const SparseTensor& a, bool validate_indices) {
  const char* op = "sets.size";
  sparse_util::check_defined(a, op, "a");
  if (composite::needed({&a}))
    return composite::call(op, validate_indices ? "1" : "0", {composite::graph_value(a)},
                           [validate_indices](const std::vector<Tensor>& v) {
                             return std::vector<Tensor>{size(sparse::sparse_of(v[0]), validate_indices)};
                           })[0];
  const Sets s = read(SetInput(a), op, "a", validate_indices);
  const Shape out(s.lead_shape);  // raises when the dense result cannot exist
  std::vector<int32_t> counts(static_cast<size_t>(out.num_elements()), 0);
  for (const Row& r : s.rows) {
    int64_t lin = 0;
    for (size_t j = 0; j < r.lead.size(); ++j) lin = lin * s.lead_shape[j] + r.lead[j];
    counts[static_cast<size_t>(lin)] = static_cast<int32_t>(r.set.size());
  }
  return constant(counts, out);
}

SparseTensor intersection(const SetInput& a, const SetInput& b, bool validate_indices) {
  return set_operation(a, b, SetOp::intersection, validate_indices, "sets.intersection");
}

SparseTensor union_(const SetInput& a, const SetInput& b, bool validate_indices) {
  return set_operation(a, b, SetOp::union_, validate_indices, "sets.union");
}

SparseTensor difference(const SetInput& a, const SetInput& b, bool aminusb, bool validate_indices) {
  if (aminusb) return set_operation(a, b, SetOp::a_minus_b, validate_indices, "sets.difference");
  return set_operation(b, a, SetOp::a_minus_b, validate_indices, "sets.difference");
}

}  // namespace keras::core::sets
