// ragged_ops.cpp - ops on RaggedTensor: elementwise, reductions, gather, concat,
// boolean_mask, map_flat_values. All are the engine's dense ops on the flat values with
// index vectors computed from the row partitions, so gradients reach the flat values.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/ops.h"
#include "core/ragged.h"
#include "core/ragged_impl.h"

namespace keras::core {

using ragged_detail::check_defined;
using ragged_detail::host_ints;
using ragged_detail::host_splits;
using ragged_detail::int64_tensor;
using ragged_detail::shape_str;

namespace ragged {

Tensor splits_from_lengths(const std::vector<int64_t>& lengths) {
  std::vector<int64_t> s{0};
  for (int64_t l : lengths) {
    if (l < 0) throw std::invalid_argument("ragged: expected non-negative row lengths, but received " + std::to_string(l));
    s.push_back(s.back() + l);
  }
  return int64_tensor(s);
}

RaggedTensor map_flat_values(const std::function<Tensor(const Tensor&)>& f, const RaggedTensor& rt) {
  check_defined(rt, "ragged.map_flat_values");
  Tensor out = f(rt.flat_values());
  if (!out.defined() || out.rank() < 1 || out.shape()[0] != rt.flat_values().shape()[0]) {
    throw std::invalid_argument("ragged.map_flat_values: expected the function to keep the flat values' " +
                                std::to_string(rt.flat_values().shape()[0]) + " rows, but it returned " +
                                (out.defined() ? "shape " + out.shape().str() : std::string("an undefined tensor")));
  }
  return rt.with_flat_values(out);
}

// ---- elementwise ----------------------------------------------------------------------
RaggedTensor elementwise(const std::function<Tensor(const Tensor&, const Tensor&)>& op, const RaggedTensor& a,
                         const RaggedTensor& b, const char* name) {
  check_defined(a, name);
  check_defined(b, name);
  if (!b.is_ragged()) return elementwise(op, a, b.flat_values(), name);
  if (!a.is_ragged()) {
    return elementwise([&op](const Tensor& x, const Tensor& y) { return op(y, x); }, b, a.flat_values(), name);
  }
  if (ragged_detail::traced({&a, &b}))
    return ragged_detail::traced_call(name, "", {a, b}, {}, [op, n = std::string(name)](const auto& r, const auto&) {
      return elementwise(op, r[0], r[1], n.c_str());
    });
  if (a.ragged_rank() != b.ragged_rank() || host_splits(a) != host_splits(b)) {
    throw std::invalid_argument(std::string(name) + ": expected ragged operands with equal row partitions, but received " +
                                a.str() + " and " + b.str());
  }
  return a.with_flat_values(op(a.flat_values(), b.flat_values()));
}

RaggedTensor elementwise(const std::function<Tensor(const Tensor&, const Tensor&)>& op, const RaggedTensor& a,
                         const Tensor& b, const char* name) {
  check_defined(a, name);
  if (!b.defined()) throw std::invalid_argument(std::string(name) + ": expected a tensor operand, but received an undefined one");
  if (!a.is_ragged()) return RaggedTensor::from_dense(op(a.flat_values(), b));
  if (b.rank() >= a.flat_values().rank()) {
    throw std::invalid_argument(std::string(name) + ": expected a dense operand of rank < " +
                                std::to_string(a.flat_values().rank()) + " (a scalar or the inner shape of " +
                                shape_str(a) + "), but received shape " + b.shape().str());
  }
  return a.with_flat_values(op(a.flat_values(), b));
}

// ---- reductions -----------------------------------------------------------------------
namespace {

enum class Reduce { sum, prod, max, min, mean };

const char* reduce_name(Reduce k) {
  switch (k) {
    case Reduce::sum: return "ragged.reduce_sum";
    case Reduce::prod: return "ragged.reduce_prod";
    case Reduce::max: return "ragged.reduce_max";
    case Reduce::min: return "ragged.reduce_min";
    default: return "ragged.reduce_mean";
  }
}

Tensor dense_reduce(Reduce k, const Tensor& x, int64_t axis) {
  switch (k) {
    case Reduce::sum: return ops::sum(x, {axis});
    case Reduce::prod: return ops::prod(x, {axis});
    case Reduce::max: return ops::max(x, {axis});
    case Reduce::min: return ops::min(x, {axis});
    default: return ops::mean(x, {axis});
  }
}

Tensor segment_reduce(Reduce k, const Tensor& data, const std::vector<int64_t>& ids, int64_t n) {
  Tensor seg = int64_tensor(ids);
  switch (k) {
    case Reduce::prod: return ops::segment_prod(data, seg, n);
    case Reduce::max: return ops::segment_max(data, seg, n);
    case Reduce::min: return ops::segment_min(data, seg, n);
    default: return ops::unsorted_segment_sum(data, seg, n);
  }
}

// TensorFlow's ragged segment aggregation: rows of `data` (dense or ragged) combined into
// n segments by ids. A ragged output row is as long as the longest row in its segment;
// the items are combined position by position, recursively down to the flat values.
RaggedTensor segment_aggregate(Reduce k, const RaggedTensor& data, const std::vector<int64_t>& ids, int64_t n) {
  if (!data.is_ragged()) return RaggedTensor::from_dense(segment_reduce(k, data.flat_values(), ids, n));
  auto s = data.row_splits().to_vector<int64_t>();
  std::vector<int64_t> out_len(static_cast<size_t>(n), 0);
  for (size_t i = 0; i < ids.size(); ++i) out_len[ids[i]] = std::max(out_len[ids[i]], s[i + 1] - s[i]);
  std::vector<int64_t> out_splits{0};
  for (int64_t l : out_len) out_splits.push_back(out_splits.back() + l);
  std::vector<int64_t> value_ids;  // where each item of data.values() goes in the output's values
  for (size_t i = 0; i < ids.size(); ++i) {
    for (int64_t j = 0; j < s[i + 1] - s[i]; ++j) value_ids.push_back(out_splits[ids[i]] + j);
  }
  RaggedTensor values = segment_aggregate(k, data.values(), value_ids, out_splits.back());
  return RaggedTensor::from_row_splits(values, int64_tensor(out_splits));
}

// tf.reduce_*(rt, axis) for sum, prod, max, min (TensorFlow's ragged_reduce_aggregate).
RaggedTensor aggregate(Reduce k, const RaggedTensor& rt, int64_t axis) {
  if (!rt.is_ragged()) return RaggedTensor::from_dense(dense_reduce(k, rt.flat_values(), axis));
  auto s = rt.row_splits().to_vector<int64_t>();
  if (axis == 0) {  // out[i1, ...] = reduce_j rt[j, i1, ...]: one segment per position in a row
    std::vector<int64_t> ids;
    int64_t width = 0;
    for (size_t i = 1; i < s.size(); ++i) {
      for (int64_t j = 0; j < s[i] - s[i - 1]; ++j) ids.push_back(j);
      width = std::max(width, s[i] - s[i - 1]);
    }
    return segment_aggregate(k, rt.values(), ids, width);
  }
  if (axis == 1) {  // out[i0, i2, ...] = reduce_j rt[i0, j, i2, ...]: one segment per row
    std::vector<int64_t> ids;
    for (size_t i = 1; i < s.size(); ++i) ids.insert(ids.end(), static_cast<size_t>(s[i] - s[i - 1]), static_cast<int64_t>(i - 1));
    return segment_aggregate(k, rt.values(), ids, static_cast<int64_t>(s.size()) - 1);
  }
  return RaggedTensor::from_row_splits(aggregate(k, rt.values(), axis - 1), rt.row_splits());
}

RaggedTensor reduce(Reduce k, const RaggedTensor& rt, int64_t axis) {
  const char* name = reduce_name(k);
  check_defined(rt, name);
  const int64_t rank = rt.rank();
  if (axis < -rank || axis >= rank) {
    throw std::invalid_argument(std::string(name) + ": expected axis in [" + std::to_string(-rank) + ", " +
                                std::to_string(rank) + "), but received " + std::to_string(axis) + " for shape " +
                                shape_str(rt));
  }
  if (axis < 0) axis += rank;
  if (k != Reduce::sum && k != Reduce::mean && !is_numeric(rt.dtype())) {
    throw std::invalid_argument(std::string(name) + ": expected a numeric dtype, but received " + dtype_name(rt.dtype()));
  }
  if (!rt.is_ragged()) return RaggedTensor::from_dense(dense_reduce(k, rt.flat_values(), axis));
  if (ragged_detail::traced({&rt}))
    return ragged_detail::traced_call(name, std::to_string(axis), {rt}, {},
                                      [k, axis](const auto& r, const auto&) { return reduce(k, r[0], axis); });
  if (k != Reduce::mean) return aggregate(k, rt, axis);
  // TensorFlow: the sum over the count of values, with truediv (integers give float64;
  // empty rows NaN).
  RaggedTensor total = aggregate(Reduce::sum, rt, axis);
  RaggedTensor count = aggregate(Reduce::sum, rt.with_flat_values(ops::ones_like(rt.flat_values())), axis);
  return total.with_flat_values(ops::divide(total.flat_values(), count.flat_values()));
}

}  // namespace

RaggedTensor reduce_sum(const RaggedTensor& rt, int64_t axis) { return reduce(Reduce::sum, rt, axis); }
RaggedTensor reduce_prod(const RaggedTensor& rt, int64_t axis) { return reduce(Reduce::prod, rt, axis); }
RaggedTensor reduce_max(const RaggedTensor& rt, int64_t axis) { return reduce(Reduce::max, rt, axis); }
RaggedTensor reduce_min(const RaggedTensor& rt, int64_t axis) { return reduce(Reduce::min, rt, axis); }
RaggedTensor reduce_mean(const RaggedTensor& rt, int64_t axis) { return reduce(Reduce::mean, rt, axis); }
Tensor reduce_sum(const RaggedTensor& rt) {
  check_defined(rt, "ragged.reduce_sum");
  return ops::sum(rt.flat_values());
}
Tensor reduce_max(const RaggedTensor& rt) {
  check_defined(rt, "ragged.reduce_max");
  return ops::max(rt.flat_values());
}
Tensor reduce_min(const RaggedTensor& rt) {
  check_defined(rt, "ragged.reduce_min");
  return ops::min(rt.flat_values());
}
Tensor reduce_mean(const RaggedTensor& rt) {
  check_defined(rt, "ragged.reduce_mean");
  return ops::mean(rt.flat_values());
}

// ---- gather, concat, boolean_mask ------------------------------------------------------
RaggedTensor gather(const RaggedTensor& rt, const Tensor& indices) {
  check_defined(rt, "ragged.gather");
  if (ragged_detail::traced({&rt}, {&indices}))
    return ragged_detail::traced_call("ragged.gather", "", {rt}, {indices},
                                      [](const auto& r, const auto& d) { return gather(r[0], d[0]); });
  auto idx = host_ints(indices, "ragged.gather: indices");
  const int64_t n = rt.nrows();
  for (size_t i = 0; i < idx.size(); ++i) {
    if (idx[i] < 0 || idx[i] >= n) {
      throw std::invalid_argument("ragged.gather: indices[" + std::to_string(i) + "] = " + std::to_string(idx[i]) +
                                  " is not in [0, " + std::to_string(n) + ")");
    }
  }
  return ragged_detail::gather_checked(rt, idx);
}

namespace {
void check_same_kind(const std::vector<RaggedTensor>& rts, const char* name) {
  if (rts.empty()) throw std::invalid_argument(std::string(name) + ": expected at least one tensor, but received none");
  for (const auto& r : rts) check_defined(r, name);
  const RaggedTensor& a = rts[0];
  for (size_t i = 1; i < rts.size(); ++i) {
    const RaggedTensor& b = rts[i];
    auto sa = a.shape(), sb = b.shape();
    bool inner_ok = a.ragged_rank() == b.ragged_rank() && sa.size() == sb.size() &&
                    std::equal(sa.begin() + a.ragged_rank() + 1, sa.end(), sb.begin() + b.ragged_rank() + 1);
    if (a.dtype() != b.dtype() || !inner_ok) {
      throw std::invalid_argument(std::string(name) + ": expected tensors of one dtype, ragged rank and inner shape, but "
                                  "received " + dtype_name(a.dtype()) + " " + shape_str(a) + " and " +
                                  dtype_name(b.dtype()) + " " + shape_str(b) + " (input " + std::to_string(i) + ")");
    }
  }
}

RaggedTensor concat_rows(const std::vector<RaggedTensor>& rts) {
  std::vector<Tensor> flats;
  for (const auto& r : rts) flats.push_back(r.flat_values());
  Tensor flat = ops::concat(flats, 0);
  if (!rts[0].is_ragged()) return RaggedTensor::from_dense(flat);
  HostSplits out(static_cast<size_t>(rts[0].ragged_rank()), std::vector<int64_t>{0});
  for (const auto& r : rts) {
    auto hs = host_splits(r);
    for (size_t l = 0; l < hs.size(); ++l) {
      int64_t off = out[l].back();
      for (size_t i = 1; i < hs[l].size(); ++i) out[l].push_back(hs[l][i] + off);
    }
  }
  return RaggedAccess::make(flat, ragged_detail::splits_tensors(out));
}
}  // namespace

RaggedTensor concat(const std::vector<RaggedTensor>& rts, int64_t axis) {
  const char* name = "ragged.concat";
  check_same_kind(rts, name);
  const int64_t rank = rts[0].rank(), R = rts[0].ragged_rank();
  if (axis < -rank || axis >= rank) {
    throw std::invalid_argument(std::string(name) + ": expected axis in [" + std::to_string(-rank) + ", " +
                                std::to_string(rank) + "), but received " + std::to_string(axis));
  }
  if (axis < 0) axis += rank;
  bool any_traced = false;
  for (const RaggedTensor& r : rts) any_traced = any_traced || ragged_detail::traced({&r});
  if (any_traced)
    return ragged_detail::traced_call(name, std::to_string(axis), rts, {},
                                      [axis](const auto& r, const auto&) { return concat(r, axis); });
  if (axis == 0) return concat_rows(rts);
  if (axis > R) {  // a uniform inner axis: the row partitions must agree
    std::vector<Tensor> flats;
    for (const auto& r : rts) {
      if (host_splits(r) != host_splits(rts[0])) {
        throw std::invalid_argument(std::string(name) + ": expected equal row partitions to concatenate along uniform axis " +
                                    std::to_string(axis) + ", but received " + rts[0].str() + " and " + r.str());
      }
      flats.push_back(r.flat_values());
    }
    return rts[0].with_flat_values(ops::concat(flats, axis - R));
  }
  if (axis != 1) {
    throw std::invalid_argument(std::string(name) + ": axis " + std::to_string(axis) +
                                " is not supported (supported: 0, 1 and the uniform inner axes)");
  }
  // axis 1: row i of the result is row i of each input, one after another.
  const int64_t n = rts[0].nrows();
  std::vector<RaggedTensor> values;
  std::vector<std::vector<int64_t>> splits;
  for (size_t k = 0; k < rts.size(); ++k) {
    if (rts[k].nrows() != n) {
      throw std::invalid_argument(std::string(name) + ": expected the same number of rows along axis 0 to concatenate "
                                  "along axis 1, but received " + std::to_string(n) + " and " +
                                  std::to_string(rts[k].nrows()) + " (input " + std::to_string(k) + ")");
    }
    values.push_back(rts[k].values());
    splits.push_back(rts[k].row_splits().to_vector<int64_t>());
  }
  RaggedTensor joined = concat_rows(values);
  std::vector<int64_t> order, out_splits{0}, offsets(rts.size(), 0);
  for (size_t k = 1; k < rts.size(); ++k) offsets[k] = offsets[k - 1] + splits[k - 1].back();
  for (int64_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < rts.size(); ++k) {
      for (int64_t j = splits[k][i]; j < splits[k][i + 1]; ++j) order.push_back(j + offsets[k]);
    }
    out_splits.push_back(static_cast<int64_t>(order.size()));
  }
  return RaggedTensor::from_row_splits(ragged_detail::gather_checked(joined, order), int64_tensor(out_splits));
}

RaggedTensor boolean_mask(const RaggedTensor& rt, const Tensor& mask) {
  const char* name = "ragged.boolean_mask";
  check_defined(rt, name);
  if (!mask.defined() || mask.dtype() != DType::bool_ || mask.rank() != 1 || mask.shape()[0] != rt.nrows()) {
    throw std::invalid_argument(std::string(name) + ": expected a 1-d bool mask of " + std::to_string(rt.nrows()) +
                                " rows (or a ragged mask), but received " +
                                (mask.defined() ? std::string(dtype_name(mask.dtype())) + " " + mask.shape().str() : "none"));
  }
  if (ragged_detail::traced({&rt}, {&mask}))
    return ragged_detail::traced_call(name, "", {rt}, {mask},
                                      [](const auto& r, const auto& d) { return boolean_mask(r[0], d[0]); });
  auto m = ops::cast(mask, DType::uint8).to_vector<uint8_t>();
  std::vector<int64_t> rows;
  for (size_t i = 0; i < m.size(); ++i) {
    if (m[i]) rows.push_back(static_cast<int64_t>(i));
  }
  return ragged_detail::gather_checked(rt, rows);
}

RaggedTensor boolean_mask(const RaggedTensor& rt, const RaggedTensor& mask) {
  const char* name = "ragged.boolean_mask";
  check_defined(rt, name);
  check_defined(mask, name);
  if (!mask.is_ragged()) return boolean_mask(rt, mask.flat_values());
  if (ragged_detail::traced({&rt, &mask}))
    return ragged_detail::traced_call(name, "", {rt, mask}, {},
                                      [](const auto& r, const auto&) { return boolean_mask(r[0], r[1]); });
  if (mask.dtype() != DType::bool_ || mask.flat_values().rank() != 1 || mask.ragged_rank() != rt.ragged_rank() ||
      host_splits(mask) != host_splits(rt)) {
    throw std::invalid_argument(std::string(name) + ": expected a bool mask with the row partitions of the data " +
                                shape_str(rt) + ", but received " + dtype_name(mask.dtype()) + " " + mask.str());
  }
  auto m = ops::cast(mask.flat_values(), DType::uint8).to_vector<uint8_t>();
  auto hs = host_splits(rt);
  std::vector<int64_t> keep, last{0};
  auto& s = hs.back();
  for (size_t i = 1; i < s.size(); ++i) {
    for (int64_t j = s[i - 1]; j < s[i]; ++j) {
      if (m[static_cast<size_t>(j)]) keep.push_back(j);
    }
    last.push_back(static_cast<int64_t>(keep.size()));
  }
  s = last;
  Tensor flat = ops::gather(rt.flat_values(), int64_tensor(keep));
  return RaggedAccess::make(flat, ragged_detail::splits_tensors(hs));
}

}  // namespace ragged

// ---- operators ------------------------------------------------------------------------
#define KERAS_RAGGED_BINARY(SYM, OPFN, NAME)                                                      \
  RaggedTensor operator SYM(const RaggedTensor& a, const RaggedTensor& b) {                     \
    return ragged::elementwise([](const Tensor& x, const Tensor& y) { return OPFN(x, y); }, a, b, NAME); \
  }                                                                                             \
  RaggedTensor operator SYM(const RaggedTensor& a, const Tensor& b) {                           \
    return ragged::elementwise([](const Tensor& x, const Tensor& y) { return OPFN(x, y); }, a, b, NAME); \
  }                                                                                             \
  RaggedTensor operator SYM(const RaggedTensor& a, double b) {                                  \
    check_defined(a, NAME);                                                                     \
    return a.with_flat_values(OPFN(a.flat_values(), ops::scalar_like(a.flat_values(), b, NAME))); \
  }
KERAS_RAGGED_BINARY(+, ops::add, "ragged.add")
KERAS_RAGGED_BINARY(-, ops::subtract, "ragged.subtract")
KERAS_RAGGED_BINARY(*, ops::multiply, "ragged.multiply")
KERAS_RAGGED_BINARY(/, ops::divide, "ragged.divide")
#undef KERAS_RAGGED_BINARY

RaggedTensor operator-(const RaggedTensor& a) {
  check_defined(a, "ragged.negative");
  return a.with_flat_values(ops::neg(a.flat_values()));
}

}  // namespace keras::core
