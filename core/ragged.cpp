// ragged.cpp - RaggedTensor: factories (from_tensor included) and structure.
#include "core/ragged.h"

#include <algorithm>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "core/ops.h"
#include "core/dispatch.h"
#include "core/ragged_impl.h"

namespace keras::core {

using ragged_detail::host_ints;
using ragged_detail::host_splits;
using ragged_detail::int64_tensor;

namespace ragged_detail {

std::vector<int64_t> host_ints(const Tensor& t, const char* what) {
  if (!t.defined()) throw std::invalid_argument(std::string(what) + ": expected a tensor, but received an undefined one");
  if (t.rank() != 1 || (t.dtype() != DType::int32 && t.dtype() != DType::int64)) {
    throw std::invalid_argument(std::string(what) + ": expected a 1-d int32 or int64 tensor, but received " +
                                dtype_name(t.dtype()) + " " + t.shape().str());
  }
  if (tracing::t_tracer && tracing::is_traced(t))
    throw std::invalid_argument(std::string(what) + ": inside a traced function (keras::function) this tensor is known "
                                "only when the graph runs, and the op reads it at trace time; it has no traced form "
                                "here: call it eagerly");
  if (t.dtype() == DType::int64) return t.to_vector<int64_t>();
  auto v = t.to_vector<int32_t>();
  return std::vector<int64_t>(v.begin(), v.end());
}

Tensor int64_tensor(const std::vector<int64_t>& v) { return constant(v); }

HostSplits host_splits(const RaggedTensor& rt) {
  check_not_traced(rt, "RaggedTensor");
  HostSplits s;
  for (const Tensor& t : rt.nested_row_splits()) s.push_back(t.to_vector<int64_t>());
  return s;
}

std::vector<Tensor> splits_tensors(const HostSplits& s) {
  std::vector<Tensor> out;
  for (const auto& v : s) out.push_back(int64_tensor(v));
  return out;
}

void check_defined(const RaggedTensor& rt, const char* op) {
  if (!rt.defined()) throw std::invalid_argument(std::string(op) + ": expected a RaggedTensor, but received an undefined one");
}

Gathered gather_rows(const HostSplits& s, const std::vector<int64_t>& rows) {
  Gathered g;
  std::vector<int64_t> items = rows;
  for (const auto& level : s) {
    std::vector<int64_t> splits{0}, next;
    for (int64_t r : items) {
      for (int64_t j = level[r]; j < level[r + 1]; ++j) next.push_back(j);
      splits.push_back(static_cast<int64_t>(next.size()));
    }
    g.splits.push_back(std::move(splits));
    items = std::move(next);
  }
  g.flat_rows = std::move(items);
  return g;
}

RaggedTensor gather_checked(const RaggedTensor& rt, const std::vector<int64_t>& rows) {
  Tensor idx = int64_tensor(rows);
  if (!rt.is_ragged()) return RaggedTensor::from_dense(ops::gather(rt.flat_values(), idx));
  Gathered g = gather_rows(host_splits(rt), rows);
  Tensor flat = ops::gather(rt.flat_values(), int64_tensor(g.flat_rows));
  return RaggedAccess::make(flat, splits_tensors(g.splits));
}

std::string shape_str(const RaggedTensor& rt) {
  std::string s = "(";
  auto shape = rt.shape();
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += shape[i] < 0 ? "None" : std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

}  // namespace ragged_detail

namespace {

std::string list_str(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

// Checks one level's splits against the number of rows below it.
void check_splits(const std::vector<int64_t>& s, int64_t nvals, const char* op) {
  std::string got = " (row_splits " + list_str(s) + ")";
  if (s.empty()) throw std::invalid_argument(std::string(op) + ": expected row_splits to have at least one element, but received an empty tensor");
  if (s[0] != 0) throw std::invalid_argument(std::string(op) + ": expected row_splits to start at 0, but received " + std::to_string(s[0]) + got);
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] < s[i - 1]) {
      throw std::invalid_argument(std::string(op) + ": expected row_splits to be non-decreasing, but element " +
                                  std::to_string(i) + " is " + std::to_string(s[i]) + " after " + std::to_string(s[i - 1]) + got);
    }
  }
  if (s.back() != nvals) {
    throw std::invalid_argument(std::string(op) + ": expected the last row split to equal the number of values, " +
                                std::to_string(nvals) + ", but received " + std::to_string(s.back()) + got);
  }
}

int64_t rows_of(const Tensor& values, const char* op) {
  if (!values.defined()) throw std::invalid_argument(std::string(op) + ": expected values, but received an undefined tensor");
  if (values.rank() < 1) throw std::invalid_argument(std::string(op) + ": expected values of rank >= 1, but received a scalar");
  return values.shape()[0];
}

// Wraps `values` (dense or ragged) under one more level with splits `s` (checked).
RaggedTensor wrap(const RaggedTensor& values, std::vector<int64_t> s, const char* op) {
  int64_t nvals = values.is_ragged() ? values.nrows() : rows_of(values.flat_values(), op);
  check_splits(s, nvals, op);
  std::vector<Tensor> splits{int64_tensor(s)};
  for (const Tensor& t : values.nested_row_splits()) splits.push_back(t);
  return RaggedAccess::make(values.flat_values(), splits);
}

std::vector<int64_t> lengths_to_splits(const std::vector<int64_t>& lengths, const char* op) {
  std::vector<int64_t> s{0};
  for (int64_t l : lengths) {
    if (l < 0) throw std::invalid_argument(std::string(op) + ": expected non-negative row lengths, but received " + list_str(lengths));
    s.push_back(s.back() + l);
  }
  return s;
}

std::vector<int64_t> rowids_to_splits(const std::vector<int64_t>& ids, std::optional<int64_t> nrows, const char* op) {
  int64_t n = nrows ? *nrows : (ids.empty() ? 0 : ids.back() + 1);
  if (n < 0) throw std::invalid_argument(std::string(op) + ": expected nrows >= 0, but received " + std::to_string(n));
  std::vector<int64_t> s(static_cast<size_t>(n) + 1, 0);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= n || (i && ids[i] < ids[i - 1])) {
      throw std::invalid_argument(std::string(op) + ": expected non-decreasing value_rowids in [0, " + std::to_string(n) +
                                  "), but received " + list_str(ids));
    }
    ++s[ids[i] + 1];
  }
  for (size_t i = 1; i < s.size(); ++i) s[i] += s[i - 1];
  return s;
}

}  // namespace

// ---- factories ------------------------------------------------------------------------
RaggedTensor RaggedTensor::from_dense(const Tensor& tensor) {
  if (!tensor.defined()) throw std::invalid_argument("RaggedTensor.from_dense: expected a tensor, but received an undefined one");
  return RaggedAccess::make(tensor, {});
}

RaggedTensor RaggedTensor::from_row_splits(const RaggedTensor& values, const Tensor& row_splits) {
  ragged_detail::check_defined(values, "RaggedTensor.from_row_splits");
  if (ragged_detail::traced({&values}, {&row_splits})) {
    std::vector<Tensor> splits{row_splits};
    for (const Tensor& s : values.nested_row_splits()) splits.push_back(s);
    const RaggedTensor parts = ragged_detail::from_parts(values.flat_values(), std::move(splits));
    return ragged_detail::traced_call("RaggedTensor.from_row_splits", "", {parts}, {}, [](const auto& r, const auto&) {
      return from_row_splits(r[0].values(), r[0].row_splits());
    });
  }
  return wrap(values, host_ints(row_splits, "RaggedTensor.from_row_splits: row_splits"), "RaggedTensor.from_row_splits");
}
RaggedTensor RaggedTensor::from_row_splits(const Tensor& values, const Tensor& row_splits) {
  rows_of(values, "RaggedTensor.from_row_splits");
  return from_row_splits(from_dense(values), row_splits);
}

RaggedTensor RaggedTensor::from_row_lengths(const RaggedTensor& values, const Tensor& row_lengths) {
  const char* op = "RaggedTensor.from_row_lengths";
  ragged_detail::check_defined(values, op);
  if (ragged_detail::traced({&values}, {&row_lengths})) return ragged_detail::traced_from_row_lengths(values, row_lengths);
  return wrap(values, lengths_to_splits(host_ints(row_lengths, "RaggedTensor.from_row_lengths: row_lengths"), op), op);
}
RaggedTensor RaggedTensor::from_row_lengths(const Tensor& values, const Tensor& row_lengths) {
  rows_of(values, "RaggedTensor.from_row_lengths");
  return from_row_lengths(from_dense(values), row_lengths);
}

RaggedTensor RaggedTensor::from_value_rowids(const RaggedTensor& values, const Tensor& value_rowids,
                                             std::optional<int64_t> nrows) {
  const char* op = "RaggedTensor.from_value_rowids";
  ragged_detail::check_defined(values, op);
  if (ragged_detail::traced({&values}, {&value_rowids}))
    return ragged_detail::traced_call(op, nrows ? std::to_string(*nrows) : "none", {values}, {value_rowids},
                                      [nrows](const auto& r, const auto& d) { return from_value_rowids(r[0], d[0], nrows); });
  auto ids = host_ints(value_rowids, "RaggedTensor.from_value_rowids: value_rowids");
  int64_t nvals = values.is_ragged() ? values.nrows() : rows_of(values.flat_values(), op);
  if (static_cast<int64_t>(ids.size()) != nvals) {
    throw std::invalid_argument(std::string(op) + ": expected one row id per value (" + std::to_string(nvals) +
                                "), but received " + std::to_string(ids.size()));
  }
  return wrap(values, rowids_to_splits(ids, nrows, op), op);
}
RaggedTensor RaggedTensor::from_value_rowids(const Tensor& values, const Tensor& value_rowids,
                                             std::optional<int64_t> nrows) {
  rows_of(values, "RaggedTensor.from_value_rowids");
  return from_value_rowids(from_dense(values), value_rowids, nrows);
}

RaggedTensor RaggedTensor::from_nested_row_splits(const Tensor& flat_values,
                                                  const std::vector<Tensor>& nested_row_splits) {
  const char* op = "RaggedTensor.from_nested_row_splits";
  rows_of(flat_values, op);
  if (nested_row_splits.empty()) throw std::invalid_argument(std::string(op) + ": expected at least one row_splits tensor, but received none");
  const RaggedTensor parts = ragged_detail::from_parts(flat_values, nested_row_splits);
  if (ragged_detail::traced({&parts}))
    return ragged_detail::traced_call(op, "", {parts}, {}, [](const auto& r, const auto&) {
      return from_nested_row_splits(r[0].flat_values(), r[0].nested_row_splits());
    });
  RaggedTensor r = from_dense(flat_values);
  for (size_t i = nested_row_splits.size(); i-- > 0;) {
    r = wrap(r, host_ints(nested_row_splits[i], "RaggedTensor.from_nested_row_splits: row_splits"), op);
  }
  return r;
}

RaggedTensor RaggedTensor::from_nested_row_lengths(const Tensor& flat_values,
                                                   const std::vector<Tensor>& nested_row_lengths) {
  const char* op = "RaggedTensor.from_nested_row_lengths";
  rows_of(flat_values, op);
  if (nested_row_lengths.empty()) throw std::invalid_argument(std::string(op) + ": expected at least one row_lengths tensor, but received none");
  bool traced = ragged_detail::traced({}, {&flat_values});
  for (const Tensor& l : nested_row_lengths) traced = traced || ragged_detail::traced({}, {&l});
  if (traced) {  // one graph node per level (from_row_lengths), innermost first
    RaggedTensor r = from_dense(flat_values);
    for (size_t i = nested_row_lengths.size(); i-- > 0;) r = from_row_lengths(r, nested_row_lengths[i]);
    return r;
  }
  RaggedTensor r = from_dense(flat_values);
  for (size_t i = nested_row_lengths.size(); i-- > 0;) {
    r = wrap(r, lengths_to_splits(host_ints(nested_row_lengths[i], "RaggedTensor.from_nested_row_lengths: row_lengths"), op), op);
  }
  return r;
}

RaggedTensor RaggedTensor::from_tensor(const Tensor& tensor, const FromTensorOptions& o) {
  const char* op = "RaggedTensor.from_tensor";
  if (!tensor.defined()) throw std::invalid_argument(std::string(op) + ": expected a tensor, but received an undefined one");
  const int64_t R = o.ragged_rank;
  if (R < 1 || R >= tensor.rank()) {
    throw std::invalid_argument(std::string(op) + ": expected ragged_rank in [1, rank - 1] = [1, " +
                                std::to_string(tensor.rank() - 1) + "], but received " + std::to_string(R) +
                                " for a tensor of shape " + tensor.shape().str());
  }
  if (o.lengths.defined() && o.padding.defined()) {
    throw std::invalid_argument(std::string(op) + ": expected at most one of lengths and padding, but received both");
  }
  if (ragged_detail::traced({}, {&tensor, &o.lengths, &o.padding})) return ragged_detail::traced_from_tensor(tensor, o);
  const Shape& sh = tensor.shape();
  int64_t outer = 1;  // rows of the innermost ragged level
  for (int64_t i = 0; i < R; ++i) outer *= sh[i];
  const int64_t width = sh[R];
  std::vector<int64_t> inner(sh.dims().begin() + R + 1, sh.dims().end());
  std::vector<int64_t> flat_shape{outer * width};
  flat_shape.insert(flat_shape.end(), inner.begin(), inner.end());
  Tensor flat = ops::reshape(tensor, flat_shape);

  std::vector<int64_t> lengths(static_cast<size_t>(outer), width);
  if (o.lengths.defined()) {
    if (R != 1) throw std::invalid_argument(std::string(op) + ": lengths is supported for ragged_rank 1, but received ragged_rank " + std::to_string(R));
    lengths = host_ints(o.lengths, "RaggedTensor.from_tensor: lengths");
    if (static_cast<int64_t>(lengths.size()) != outer) {
      throw std::invalid_argument(std::string(op) + ": expected " + std::to_string(outer) + " lengths, but received " +
                                  std::to_string(lengths.size()));
    }
    for (int64_t l : lengths) {
      if (l < 0 || l > width) {
        throw std::invalid_argument(std::string(op) + ": expected lengths in [0, " + std::to_string(width) +
                                    "], but received " + list_str(lengths));
      }
    }
  } else if (o.padding.defined()) {
    if (o.padding.dtype() != tensor.dtype() || o.padding.shape().dims() != inner) {
      throw std::invalid_argument(std::string(op) + ": expected padding of dtype " + dtype_name(tensor.dtype()) +
                                  " and shape " + Shape(inner).str() + ", but received " +
                                  dtype_name(o.padding.dtype()) + " " + o.padding.shape().str());
    }
    Tensor differs = ops::not_equal(flat, o.padding);
    if (!inner.empty()) {
      std::vector<int64_t> axes;
      for (size_t i = 0; i < inner.size(); ++i) axes.push_back(static_cast<int64_t>(i) + 1);
      differs = ops::any(differs, axes);
    }
    auto d = ops::cast(differs, DType::int32).to_vector<int32_t>();
    for (int64_t r = 0; r < outer; ++r) {
      int64_t len = width;
      while (len > 0 && d[static_cast<size_t>(r * width + len - 1)] == 0) --len;
      lengths[static_cast<size_t>(r)] = len;
    }
  }
  std::vector<int64_t> keep;
  bool all = true;
  for (int64_t r = 0; r < outer; ++r) {
    for (int64_t j = 0; j < lengths[static_cast<size_t>(r)]; ++j) keep.push_back(r * width + j);
    all = all && lengths[static_cast<size_t>(r)] == width;
  }
  if (!all) flat = ops::gather(flat, int64_tensor(keep));
  RaggedTensor result = wrap(from_dense(flat), lengths_to_splits(lengths, op), op);
  for (int64_t level = R - 1; level-- > 0;) {  // uniform outer levels
    int64_t nrows = 1;
    for (int64_t i = 0; i <= level; ++i) nrows *= sh[i];
    result = wrap(result, lengths_to_splits(std::vector<int64_t>(static_cast<size_t>(nrows), sh[level + 1]), op), op);
  }
  return result;
}

// ---- structure ----------------------------------------------------------------------
int64_t RaggedTensor::rank() const { return ragged_rank() + flat_values_.rank(); }

int64_t RaggedTensor::nrows() const {
  ragged_detail::check_defined(*this, "RaggedTensor.nrows");
  if (is_ragged()) return splits_[0].size() - 1;
  return rows_of(flat_values_, "RaggedTensor.nrows");
}

std::vector<int64_t> RaggedTensor::shape() const {
  ragged_detail::check_defined(*this, "RaggedTensor.shape");
  if (!is_ragged()) return flat_values_.shape().dims();
  std::vector<int64_t> s{nrows()};
  for (size_t i = 0; i < splits_.size(); ++i) s.push_back(-1);
  for (int64_t i = 1; i < flat_values_.rank(); ++i) s.push_back(flat_values_.shape()[i]);
  return s;
}

std::vector<int64_t> RaggedTensor::bounding_shape() const {
  std::vector<int64_t> s = shape();
  ragged_detail::check_not_traced(*this, "RaggedTensor.bounding_shape");
  auto hs = host_splits(*this);
  for (size_t l = 0; l < hs.size(); ++l) {
    int64_t m = 0;
    for (size_t i = 1; i < hs[l].size(); ++i) m = std::max(m, hs[l][i] - hs[l][i - 1]);
    s[l + 1] = m;
  }
  return s;
}

Tensor RaggedTensor::row_splits() const {
  if (!is_ragged()) throw std::invalid_argument("RaggedTensor.row_splits: expected a ragged tensor, but received ragged_rank 0");
  return splits_[0];
}

RaggedTensor RaggedTensor::values() const {
  if (!is_ragged()) throw std::invalid_argument("RaggedTensor.values: expected a ragged tensor, but received ragged_rank 0");
  return RaggedAccess::make(flat_values_, std::vector<Tensor>(splits_.begin() + 1, splits_.end()));
}

Tensor RaggedTensor::row_lengths() const {
  if (ragged_detail::traced({this})) return ragged_detail::traced_partition(*this, "RaggedTensor.row_lengths", &RaggedTensor::row_lengths);
  auto s = row_splits().to_vector<int64_t>();
  std::vector<int64_t> l;
  for (size_t i = 1; i < s.size(); ++i) l.push_back(s[i] - s[i - 1]);
  return int64_tensor(l);
}
Tensor RaggedTensor::row_starts() const {
  if (ragged_detail::traced({this})) return ragged_detail::traced_partition(*this, "RaggedTensor.row_starts", &RaggedTensor::row_starts);
  auto s = row_splits().to_vector<int64_t>();
  return int64_tensor(std::vector<int64_t>(s.begin(), s.end() - 1));
}
Tensor RaggedTensor::row_limits() const {
  if (ragged_detail::traced({this})) return ragged_detail::traced_partition(*this, "RaggedTensor.row_limits", &RaggedTensor::row_limits);
  auto s = row_splits().to_vector<int64_t>();
  return int64_tensor(std::vector<int64_t>(s.begin() + 1, s.end()));
}
Tensor RaggedTensor::value_rowids() const {
  if (ragged_detail::traced({this})) return ragged_detail::traced_partition(*this, "RaggedTensor.value_rowids", &RaggedTensor::value_rowids);
  auto s = row_splits().to_vector<int64_t>();
  std::vector<int64_t> ids;
  for (size_t i = 1; i < s.size(); ++i) ids.insert(ids.end(), static_cast<size_t>(s[i] - s[i - 1]), static_cast<int64_t>(i - 1));
  return int64_tensor(ids);
}
std::vector<Tensor> RaggedTensor::nested_row_lengths() const {
  std::vector<Tensor> out;
  for (RaggedTensor r = *this; r.is_ragged(); r = r.values()) out.push_back(r.row_lengths());
  return out;
}
std::vector<Tensor> RaggedTensor::nested_value_rowids() const {
  std::vector<Tensor> out;
  for (RaggedTensor r = *this; r.is_ragged(); r = r.values()) out.push_back(r.value_rowids());
  return out;
}

RaggedTensor RaggedTensor::with_flat_values(const Tensor& flat_values) const {
  ragged_detail::check_defined(*this, "RaggedTensor.with_flat_values");
  if (!is_ragged()) return from_dense(flat_values);
  int64_t n = rows_of(flat_values, "RaggedTensor.with_flat_values");
  if (n != flat_values_.shape()[0]) {
    throw std::invalid_argument("RaggedTensor.with_flat_values: expected flat values with " +
                                std::to_string(flat_values_.shape()[0]) + " rows, but received shape " +
                                flat_values.shape().str());
  }
  return RaggedAccess::make(flat_values, splits_);
}

}  // namespace keras::core
