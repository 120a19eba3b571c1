// search.cpp - keras.ops's searchsorted, digitize, isin, unique, bincount, histogram and
// nonzero.
//
// searchsorted and digitize run the primitive SearchSorted (a binary search per value,
// kernel core/cpu/search.cpp; inputs sorted_sequence (N,) and values of any shape, attr
// flag = side "right"; int32 output of values' shape, no gradient). isin compares every
// element of x1 with every element of x2 (a broadcast comparison).
// unique, bincount (its length) and nonzero have shapes that depend on the values: they read
// them on the host and raise inside a traced function; histogram has a fixed shape and
// traces. Comparisons of mixed dtypes are made in float64.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>
#include <type_traits>

#include "core/device_scope.h"
#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"

namespace keras::core {
namespace {
void infer_search(OpCall& c) {
  const Tensor &seq = c.in(0), &vals = c.in(1);
  expect_dtype(c, seq, "sorted_sequence", kNumericTypes);
  expect_same_dtype(c, seq, vals);
  if (seq.rank() != 1)
    throw_invalid("searchsorted: expected a 1-d sorted_sequence, but received shape " + seq.shape().str());
  if (seq.size() > INT32_MAX)
    throw_invalid("searchsorted: sorted_sequence of shape " + seq.shape().str() + " is too long for int32 results");
  c.set_output(0, vals.shape(), DType::int32);
}
}  // namespace

void define_search_ops() { define_op(OpId::SearchSorted, infer_search); }
}  // namespace keras::core

namespace keras::core::ops {
namespace {

void need(const char* op, const Tensor& t, const char* name) {
  if (!t.defined()) throw_invalid(std::string(op) + ": " + name + " is an undefined tensor");
}

// a and b in one dtype (float64 when they differ).
std::pair<Tensor, Tensor> common(const Tensor& a, const Tensor& b) {
  if (a.dtype() == b.dtype()) return {a, b};
  return {cast(a, DType::float64), cast(b, DType::float64)};
}

// The number of (sorted, 1-d) boundaries below each value: strictly below (left), or not
// above (right).
Tensor count_below(const Tensor& bounds, const Tensor& values, bool right) {
  auto [b, v] = common(bounds, values);
  Attrs a;
  a.flag = right;
  return dispatch(OpId::SearchSorted, {b, v}, a);
}

// A total order: NaN above every number, and NaNs equal (NumPy's unique collapses them).
template <class T>
bool key_less(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
  }
  return a < b;
}
template <class T>
bool key_equal(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    if (std::isnan(a) && std::isnan(b)) return true;
  return a == b;
}
template <class T>
bool less_at(const T* p, int64_t i, int64_t j, int64_t w) {
  return std::lexicographical_compare(p + i * w, p + (i + 1) * w, p + j * w, p + (j + 1) * w, key_less<T>);
}
template <class T>
bool equal_at(const T* p, int64_t i, int64_t j, int64_t w) {
  return std::equal(p + i * w, p + (i + 1) * w, p + j * w, key_equal<T>);
}

// Groups the rows of a (n, w) array: group[i] in order of first appearance, and the first
// row of each group.
template <class T>
void group_rows(const Tensor& rows, std::vector<int32_t>& group, std::vector<int64_t>& first) {
  const int64_t n = rows.shape()[0], w = rows.shape()[1];
  const T* p = rows.data<T>();
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t i, int64_t j) { return less_at(p, i, j, w); });
  std::vector<int64_t> rep(static_cast<size_t>(n));  // the first row equal to each row
  for (int64_t k = 0; k < n; ++k) {
    const int64_t i = order[size_t(k)];
    rep[size_t(i)] = (k > 0 && equal_at(p, order[size_t(k - 1)], i, w)) ? rep[size_t(order[size_t(k - 1)])] : i;
  }
  group.assign(static_cast<size_t>(n), -1);
  std::vector<int32_t> id_of(static_cast<size_t>(n), -1);
  for (int64_t i = 0; i < n; ++i) {
    int32_t& g = id_of[size_t(rep[size_t(i)])];
    if (g < 0) {
      g = static_cast<int32_t>(first.size());
      first.push_back(i);
    }
    group[size_t(i)] = g;
  }
}

Tensor int32_tensor(const std::vector<int32_t>& v) {
  return from_buffer(v.data(), Shape{int64_t(v.size())}, DType::int32);
}

}  // namespace

Tensor searchsorted(const Tensor& sorted_sequence, const Tensor& values, const std::string& side) {
  need("searchsorted", sorted_sequence, "sorted_sequence");
  need("searchsorted", values, "values");
  if (sorted_sequence.rank() != 1)
    throw_invalid("searchsorted: expected a 1-d sorted_sequence, but received shape " + sorted_sequence.shape().str());
  if (side != "left" && side != "right")
    throw_invalid("searchsorted: expected side \"left\" or \"right\", but received \"" + side + "\"");
  if (sorted_sequence.dtype() == DType::bool_ || values.dtype() == DType::bool_)
    throw_invalid("searchsorted: expected numeric sorted_sequence and values, but received " +
                  std::string(dtype_name(sorted_sequence.dtype())) + " and " + dtype_name(values.dtype()));
  return count_below(sorted_sequence, values, side == "right");
}

Tensor digitize(const Tensor& x, const std::vector<double>& bins) {
  need("digitize", x, "x");
  for (size_t i = 1; i < bins.size(); ++i)
    if (!(bins[i - 1] <= bins[i]))
      throw_invalid("digitize: expected increasing bins, but bins[" + std::to_string(i) + "] = " +
                    std::to_string(bins[i]) + " < bins[" + std::to_string(i - 1) + "] = " + std::to_string(bins[i - 1]));
  Tensor b = from_buffer(bins.data(), Shape{int64_t(bins.size())}, DType::float64);
  return count_below(b, cast(x, DType::float64), true);
}

Tensor isin(const Tensor& x1, const Tensor& x2, bool /*assume_unique*/, bool invert) {
  need("isin", x1, "x1");
  need("isin", x2, "x2");
  Tensor r;
  if (x1.size() == 0 || x2.size() == 0) {
    r = zeros(x1.shape(), DType::bool_);
  } else {
    auto [a, b] = common(x1, x2);
    std::vector<int64_t> dims = a.shape().dims();
    dims.push_back(1);
    Tensor eq = a.dtype() == DType::bool_ ? logical_not(logical_or(logical_and(reshape(a, dims), logical_not(reshape(b, {-1}))),
                                                                  logical_and(logical_not(reshape(a, dims)), reshape(b, {-1}))))
                                          : equal(reshape(a, dims), reshape(b, {-1}));
    r = any(eq, {-1});
  }
  return invert ? logical_not(r) : r;
}

Unique unique(const Tensor& x, const UniqueOptions& o) {
  need("unique", x, "x");
  if (x.dtype() == DType::string) throw_invalid("unique: no kernel for device cpu and dtype string");
  tracing::check_not_tracing("unique (its output shape depends on x's values)");
  Tensor rows;
  int64_t ax = 0;
  Axes perm;
  if (!o.axis) {
    rows = reshape(x, {-1, 1});
  } else {
    if (x.rank() == 0) throw_invalid("unique: an axis was given for a scalar x");
    ax = normalize_axis(*o.axis, x.rank(), "unique");
    for (int64_t i = 0; i < x.rank(); ++i) perm.push_back(i);
    std::swap(perm[0], perm[size_t(ax)]);
    rows = reshape(transpose(x, perm), {x.shape()[ax], -1});
  }
  rows = rows.cpu();
  std::vector<int32_t> group;
  std::vector<int64_t> first;
  switch (x.dtype()) {
    case DType::float32: group_rows<float>(rows, group, first); break;
    case DType::float64: group_rows<double>(rows, group, first); break;
    case DType::int32: group_rows<int32_t>(rows, group, first); break;
    case DType::int64: group_rows<int64_t>(rows, group, first); break;
    case DType::uint8: group_rows<uint8_t>(rows, group, first); break;
    case DType::int8: group_rows<int8_t>(rows, group, first); break;
    case DType::int16: group_rows<int16_t>(rows, group, first); break;
    case DType::uint16: group_rows<uint16_t>(rows, group, first); break;
    case DType::uint32: group_rows<uint32_t>(rows, group, first); break;
    case DType::bool_: group_rows<bool>(rows, group, first); break;
    case DType::string: break;  // rejected above
  }
  const int64_t g = int64_t(first.size());
  std::vector<int32_t> order(static_cast<size_t>(g));  // output position -> group
  std::iota(order.begin(), order.end(), 0);
  if (o.sorted) {
    Tensor reps = gather(rows, from_buffer(first.data(), Shape{g}, DType::int64), 0);
    // The groups in the order of their representative rows.
    auto rank_of = [&](auto tag) {
      using T = decltype(tag);
      const T* p = reps.data<T>();
      const int64_t w = reps.shape()[1];
      std::stable_sort(order.begin(), order.end(), [&](int32_t i, int32_t j) { return less_at(p, i, j, w); });
    };
    switch (x.dtype()) {
      case DType::float32: rank_of(float{}); break;
      case DType::float64: rank_of(double{}); break;
      case DType::int32: rank_of(int32_t{}); break;
      case DType::int64: rank_of(int64_t{}); break;
      case DType::uint8: rank_of(uint8_t{}); break;
      case DType::int8: rank_of(int8_t{}); break;
      case DType::int16: rank_of(int16_t{}); break;
      case DType::uint16: rank_of(uint16_t{}); break;
      case DType::uint32: rank_of(uint32_t{}); break;
      case DType::bool_: rank_of(bool{}); break;
      case DType::string: break;  // rejected above
    }
  }
  std::vector<int32_t> pos(static_cast<size_t>(g));  // group -> output position
  for (int64_t k = 0; k < g; ++k) pos[size_t(order[size_t(k)])] = int32_t(k);
  std::vector<int64_t> picked(static_cast<size_t>(g));
  std::vector<int32_t> index(static_cast<size_t>(g)), counts(static_cast<size_t>(g), 0), inverse(group.size());
  for (int64_t k = 0; k < g; ++k) {
    picked[size_t(k)] = first[size_t(order[size_t(k)])];
    index[size_t(k)] = int32_t(picked[size_t(k)]);
  }
  for (size_t i = 0; i < group.size(); ++i) {
    inverse[i] = pos[size_t(group[i])];
    ++counts[size_t(inverse[i])];
  }
  int64_t size = o.size ? *o.size : g;
  if (size < 0) throw_invalid("unique: expected size >= 0, but received " + std::to_string(size));
  const int64_t keep = std::min(size, g);
  picked.resize(size_t(keep));
  index.resize(size_t(keep));
  counts.resize(size_t(keep));
  index.resize(size_t(size), 1);  // Keras pads the indices with 1 and the counts with 0
  counts.resize(size_t(size), 0);
  Tensor vals = gather(rows, from_buffer(picked.data(), Shape{keep}, DType::int64), 0);
  if (size > keep) vals = concat({vals, fill(Shape{size - keep, vals.shape()[1]}, o.fill_value, x.dtype())}, 0);
  Unique u;
  if (!o.axis) {
    u.values = reshape(vals, {size});
    u.inverse = reshape(int32_tensor(inverse), x.shape().dims());
  } else {
    std::vector<int64_t> d = transpose(x, perm).shape().dims();
    d[0] = size;
    u.values = transpose(reshape(vals, d), perm);
    u.inverse = int32_tensor(inverse);
  }
  if (o.return_index) u.indices = int32_tensor(index);
  if (!o.return_inverse) u.inverse = Tensor();
  if (o.return_counts) u.counts = int32_tensor(counts);
  return u;
}

Tensor bincount(const Tensor& x, const Tensor& weights, int64_t minlength, bool sparse) {
  need("bincount", x, "x");
  if (sparse) throw_invalid("bincount: sparse outputs are not supported (keras-cpp has no sparse tensors)");
  if (!is_integer(x.dtype()))
    throw_invalid("bincount: expected x of an integer dtype, but received " + std::string(dtype_name(x.dtype())));
  if (x.rank() != 1 && x.rank() != 2)
    throw_invalid("bincount: expected x of rank 1 or 2, but received shape " + x.shape().str());
  if (minlength < 0) throw_invalid("bincount: expected minlength >= 0, but received " + std::to_string(minlength));
  if (weights.defined() && weights.shape() != x.shape())
    throw_invalid("bincount: expected weights of x's shape " + x.shape().str() + ", but received " +
                  weights.shape().str());
  tracing::check_not_tracing("bincount (its output length depends on x's values)");
  std::vector<int64_t> v = cast(x, DType::int64).to_vector<int64_t>();
  int64_t len = minlength;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] < 0)
      throw_invalid("bincount: expected non-negative values in x, but x holds " + std::to_string(v[i]) +
                    " at flat position " + std::to_string(i));
    len = std::max(len, v[i] + 1);
  }
  DeviceScope on_input(x.device());  // the helper tensors on the input's device
  Tensor w = weights.defined() ? weights : ones(x.shape(), DType::int32);
  if (w.dtype() == DType::bool_ || w.dtype() == DType::uint8) w = cast(w, DType::int32);
  const int64_t rows = x.rank() == 2 ? x.shape()[0] : 1;
  Tensor ids = cast(x, DType::int64);
  if (x.rank() == 2)
    ids = add(ids, reshape(multiply(range(0.0, double(rows), 1.0, DType::int64), fill(Shape{}, double(len), DType::int64)),
                           {rows, 1}));
  Tensor r = unsorted_segment_sum(reshape(w, {-1}), reshape(ids, {-1}), rows * len);
  return x.rank() == 2 ? reshape(r, {rows, len}) : r;
}

Histogram histogram(const Tensor& x, int64_t bins, std::optional<std::pair<double, double>> range) {
  need("histogram", x, "x");
  if (x.rank() != 1) throw_invalid("histogram: expected a 1-d x, but received shape " + x.shape().str());
  if (bins < 1) throw_invalid("histogram: expected bins >= 1, but received " + std::to_string(bins));
  if (x.dtype() == DType::bool_) throw_invalid("histogram: expected a numeric x, but received bool");
  if (range && !(range->first <= range->second))
    throw_invalid("histogram: expected range (min, max) with min <= max, but received (" +
                  std::to_string(range->first) + ", " + std::to_string(range->second) + ")");
  DeviceScope on_input(x.device());  // the helper tensors on the input's device
  Tensor xf = cast(x, DType::float64);
  Tensor lo, hi;
  if (range) {
    lo = fill(Shape{}, range->first, DType::float64);
    hi = fill(Shape{}, range->second, DType::float64);
  } else {
    if (x.size() == 0) throw_invalid("histogram: cannot find the range of an empty x: give range");
    lo = min(xf);
    hi = max(xf);
  }
  Tensor steps = divide(cast(ops::range(bins + 1), DType::float64), fill(Shape{}, double(bins), DType::float64));
  Tensor edges = add(lo, multiply(subtract(hi, lo), steps));  // bins + 1 edges, float64
  Tensor inside = logical_and(greater_equal(xf, lo), less_equal(xf, hi));
  Tensor edges_x = cast(cast(edges, x.dtype()), DType::float64);  // Keras compares in x's dtype
  Tensor inner = slice(edges_x, {1}, {bins - 1});
  Tensor idx = count_below(inner, xf, true);
  Tensor ids = where(inside, cast(idx, DType::int64), fill(Shape{}, double(bins), DType::int64));
  Tensor counts = unsorted_segment_sum(ones(x.shape(), x.dtype()), ids, bins + 1);
  return {slice(counts, {0}, {bins}), cast(edges, x.dtype())};
}

std::vector<Tensor> nonzero(const Tensor& x) {
  need("nonzero", x, "x");
  tracing::check_not_tracing("nonzero (its output shape depends on x's values)");
  Tensor nz = x.dtype() == DType::bool_ ? x : not_equal(x, scalar_like(x, 0.0));
  std::vector<int32_t> flat = cast(nz, DType::int32).to_vector<int32_t>();
  const int64_t r = x.rank();
  std::vector<std::vector<int32_t>> coords(static_cast<size_t>(r));
  for (size_t i = 0; i < flat.size(); ++i) {
    if (!flat[i]) continue;
    int64_t rem = int64_t(i);
    for (int64_t k = r - 1; k >= 0; --k) {
      coords[size_t(k)].push_back(int32_t(rem % x.shape()[k]));
      rem /= x.shape()[k];
    }
  }
  std::vector<Tensor> out;
  for (auto& c : coords) out.push_back(int32_tensor(c));
  if (r == 0) {  // NumPy/TF treat a scalar as a 1-element vector
    std::vector<int32_t> z;
    if (flat[0]) z.push_back(0);
    out.push_back(int32_tensor(z));
  }
  return out;
}

}  // namespace keras::core::ops
