// shape_compose.cpp - the public functions of the data-movement ops (shape_ops.cpp holds
// their checks, shapes and gradients), and the compositions built from them:
// expand_dims, squeeze, stack, unstack, split (into equal parts), split_sizes, slice, reverse.
#include <algorithm>
#include <string>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/shape_util.h"

namespace keras::core {
using namespace shape_util;

namespace ops {

Tensor reshape(const Tensor& x, const std::vector<int64_t>& shape) {
  Attrs a;
  a.shape = shape;
  return unary_op(OpId::Reshape, x, a);
}

Tensor reshape_like(const Tensor& x, const Tensor& like) {
  if (!like.defined()) throw_invalid("reshape_like: the reference tensor is undefined");
  return dispatch(OpId::Reshape, {x, like}, Attrs{});
}

Tensor transpose(const Tensor& x, const Axes& perm) {
  check_defined(x, "transpose");
  Attrs a;
  if (perm.empty()) {
    for (int64_t i = x.rank() - 1; i >= 0; --i) a.axes.push_back(i);
  } else {
    a.axes = perm;
  }
  return unary_op(OpId::Transpose, x, a);
}

namespace {
// The target dims with x's leading (batch) dimension, now at position `pos`, as -1: a
// traced reshape then follows the batch size. Unchanged for an empty x or a rank-0 result.
std::vector<int64_t> open_leading(std::vector<int64_t> dims, const Tensor& x, size_t pos) {
  if (x.size() > 0 && pos < dims.size()) dims[pos] = -1;
  return dims;
}
}  // namespace

Tensor expand_dims(const Tensor& x, int64_t axis) {
  check_defined(x, "expand_dims");
  const int64_t r = x.rank();
  if (axis < -r - 1 || axis > r)
    throw_invalid("expand_dims: axis " + num(axis) + " is out of bounds for a tensor of rank " +
                  num(r) + " (expected " + num(-r - 1) + " <= axis <= " + num(r) + ")");
  if (axis < 0) axis += r + 1;
  std::vector<int64_t> dims = x.shape().dims();
  dims.insert(dims.begin() + axis, 1);
  return reshape(x, open_leading(dims, x, axis == 0 ? 1 : 0));
}

Tensor squeeze(const Tensor& x, const Axes& axes) {
  check_defined(x, "squeeze");
  const int64_t r = x.rank();
  std::vector<bool> drop(static_cast<size_t>(r), false);
  if (axes.empty()) {
    for (int64_t k = 0; k < r; ++k) drop[static_cast<size_t>(k)] = x.shape()[k] == 1;
  } else {
    for (int64_t a : axes) {
      int64_t k = normalize_axis(a, r, "squeeze");
      if (drop[static_cast<size_t>(k)])
        throw_invalid("squeeze: axis " + num(k) + " appears more than once in axes " +
                      dims_str(axes));
      if (x.shape()[k] != 1)
        throw_invalid("squeeze: cannot squeeze axis " + num(k) + " of a tensor with shape " +
                      x.shape().str() + " because its size is " + num(x.shape()[k]) +
                      ", not 1");
      drop[static_cast<size_t>(k)] = true;
    }
  }
  std::vector<int64_t> dims;
  for (int64_t k = 0; k < r; ++k)
    if (!drop[static_cast<size_t>(k)]) dims.push_back(x.shape()[k]);
  return reshape(x, open_leading(dims, x, 0));
}

Tensor concat(const std::vector<Tensor>& xs, int64_t axis) {
  if (xs.empty()) throw_invalid("concatenate: expected at least one tensor, but received none");
  Attrs a;
  a.axis = axis;
  return dispatch(OpId::Concat, std::span<const Tensor>(xs.data(), xs.size()), a);
}

Tensor stack(const std::vector<Tensor>& xs, int64_t axis) {
  if (xs.empty()) throw_invalid("stack: expected at least one tensor, but received none");
  for (size_t i = 0; i < xs.size(); ++i) {
    if (!xs[i].defined()) throw_invalid("stack: input " + std::to_string(i) + " is an undefined tensor");
    if (i == 0) continue;
    if (xs[i].shape() != xs[0].shape())
      throw_invalid("stack: expected all inputs to have the same shape, but input 0 has shape " +
                    xs[0].shape().str() + " and input " + std::to_string(i) + " has shape " +
                    xs[i].shape().str());
    if (xs[i].dtype() != xs[0].dtype())
      throw_invalid("stack: expected all inputs to have the same dtype, but input 0 has dtype " +
                    std::string(dtype_name(xs[0].dtype())) + " and input " + std::to_string(i) +
                    " has dtype " + dtype_name(xs[i].dtype()));
  }
  const int64_t r = xs[0].rank();
  if (axis < -r - 1 || axis > r)
    throw_invalid("stack: axis " + num(axis) + " is out of bounds for inputs of rank " + num(r) +
                  " (expected " + num(-r - 1) + " <= axis <= " + num(r) + ")");
  std::vector<Tensor> ex;
  ex.reserve(xs.size());
  for (const Tensor& x : xs) ex.push_back(expand_dims(x, axis));
  return concat(ex, axis < 0 ? axis + r + 1 : axis);
}

namespace {
// The part [start, start + len) of axis `axis` (already normalized).
Tensor slice_axis(const Tensor& x, int64_t axis, int64_t start, int64_t len) {
  Attrs a;
  a.begin.assign(static_cast<size_t>(x.rank()), 0);
  a.strides.assign(static_cast<size_t>(x.rank()), 1);
  a.shape = x.shape().dims();
  for (int64_t& d : a.shape)
    if (d > 0) d = -1;  // whole axes: their sizes are read when the op runs
  a.begin[static_cast<size_t>(axis)] = len == 0 ? 0 : start;
  a.shape[static_cast<size_t>(axis)] = len;
  return unary_op(OpId::StridedSlice, x, a);
}
}  // namespace

std::vector<Tensor> unstack(const Tensor& x, int64_t axis) {
  check_defined(x, "unstack");
  if (x.rank() == 0) throw_invalid("unstack: cannot unstack a scalar (input shape ())");
  axis = normalize_axis(axis, x.rank(), "unstack");
  std::vector<int64_t> dims = x.shape().dims();
  dims.erase(dims.begin() + axis);
  if (!dims.empty() && x.size() > 0) dims[0] = -1;  // the first axis inferred: no batch size in the graph
  std::vector<Tensor> out;
  for (int64_t i = 0; i < x.shape()[axis]; ++i) out.push_back(reshape(slice_axis(x, axis, i, 1), dims));
  return out;
}

std::vector<Tensor> split(const Tensor& x, int64_t num_splits, int64_t axis) {
  check_defined(x, "split");
  if (x.rank() == 0) throw_invalid("split: cannot split a scalar (input shape ())");
  axis = normalize_axis(axis, x.rank(), "split");
  const int64_t d = x.shape()[axis];
  if (num_splits < 1)
    throw_invalid("split: expected the number of splits to be >= 1, but received " + num(num_splits));
  if (d % num_splits != 0)
    throw_invalid("split: cannot split axis " + num(axis) + " of size " + num(d) + " into " +
                  num(num_splits) + " equal parts (input shape " + x.shape().str() + ")");
  std::vector<Tensor> out;
  const int64_t len = d / num_splits;
  for (int64_t i = 0; i < num_splits; ++i) out.push_back(slice_axis(x, axis, i * len, len));
  return out;
}

std::vector<Tensor> split_sizes(const Tensor& x, const std::vector<int64_t>& sizes, int64_t axis) {
  check_defined(x, "split_sizes");
  if (x.rank() == 0) throw_invalid("split_sizes: cannot split a scalar (input shape ())");
  axis = normalize_axis(axis, x.rank(), "split_sizes");
  const int64_t d = x.shape()[axis];
  std::vector<int64_t> sz = sizes;
  int64_t unknown = -1, total = 0;
  for (size_t i = 0; i < sz.size(); ++i) {
    if (sz[i] == -1) {
      if (unknown >= 0)
        throw_invalid("split_sizes: only one size can be -1, but received sizes " + dims_str(sizes));
      unknown = static_cast<int64_t>(i);
    } else if (sz[i] < 0) {
      throw_invalid("split_sizes: expected sizes >= 0 or -1, but received sizes " + dims_str(sizes));
    } else if (__builtin_add_overflow(total, sz[i], &total)) {
      total = d + 1;  // certainly too large
    }
  }
  if (unknown >= 0 && total <= d) sz[static_cast<size_t>(unknown)] = d - total, total = d;
  if (total != d || sz.empty())
    throw_invalid("split_sizes: expected sizes " + dims_str(sizes) + " to sum to " + num(d) +
                  ", the size of axis " + num(axis) + " of the input with shape " +
                  x.shape().str());
  std::vector<Tensor> out;
  int64_t pos = 0;
  for (int64_t s : sz) {
    out.push_back(slice_axis(x, axis, pos, s));
    pos += s;
  }
  return out;
}

Tensor slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& size) {
  check_defined(x, "slice");
  const int64_t r = x.rank();
  if (static_cast<int64_t>(begin.size()) != r || static_cast<int64_t>(size.size()) != r)
    throw_invalid("slice: expected begin and size with one entry per axis (" + num(r) +
                  " for input shape " + x.shape().str() + "), but received begin " +
                  dims_str(begin) + " and size " + dims_str(size));
  Attrs a;
  a.strides.assign(static_cast<size_t>(r), 1);
  for (int64_t k = 0; k < r; ++k) {
    const size_t i = static_cast<size_t>(k);
    const int64_t d = x.shape()[k];
    if (begin[i] < 0 || begin[i] > d)
      throw_invalid("slice: begin " + num(begin[i]) + " is out of range for axis " + num(k) +
                    " of the input with shape " + x.shape().str() + " (expected 0 <= begin <= " +
                    num(d) + ")");
    int64_t s = size[i] == -1 ? d - begin[i] : size[i];
    if (s < 0 || s > d - begin[i])
      throw_invalid("slice: size " + num(size[i]) + " from begin " + num(begin[i]) +
                    " exceeds axis " + num(k) + " of the input with shape " + x.shape().str() +
                    " (expected -1 or 0 <= size <= " + num(d - begin[i]) + ")");
    a.begin.push_back(s == 0 ? 0 : begin[i]);
    a.shape.push_back(s);
  }
  return unary_op(OpId::StridedSlice, x, a);
}

Tensor strided_slice(const Tensor& x, const std::vector<int64_t>& begin,
                     const std::vector<int64_t>& end, const std::vector<int64_t>& strides) {
  check_defined(x, "strided_slice");
  const int64_t r = x.rank();
  if (begin.size() != end.size() || (!strides.empty() && strides.size() != begin.size()))
    throw_invalid("strided_slice: expected begin, end and strides of equal length, but received "
                  "begin " + dims_str(begin) + ", end " + dims_str(end) + " and strides " +
                  dims_str(strides));
  if (static_cast<int64_t>(begin.size()) > r)
    throw_invalid("strided_slice: received " + num(static_cast<int64_t>(begin.size())) +
                  " slice bounds for a tensor of shape " + x.shape().str() + " (at most " +
                  num(r) + " expected)");
  for (int64_t s : strides)
    if (s == 0)
      throw_invalid("strided_slice: strides must be non-zero, but received strides " +
                    dims_str(strides));
  Attrs a;
  for (int64_t k = 0; k < r; ++k) {
    const size_t i = static_cast<size_t>(k);
    const int64_t d = x.shape()[k];
    if (i >= begin.size()) {  // a missing trailing axis is taken whole
      a.begin.push_back(0);
      a.strides.push_back(1);
      a.shape.push_back(d);
      continue;
    }
    const int64_t st = strides.empty() ? 1 : strides[i];
    // Python's slice.indices: negative bounds count from the end, then clamp to
    // [0, d] for positive strides and to [-1, d - 1] for negative ones.
    const auto norm = [&](int64_t v) {
      if (v < 0) v = v < -d ? -1 : v + d;  // (v + d) cannot overflow here
      return st > 0 ? std::clamp<int64_t>(v, 0, d) : std::clamp<int64_t>(v, -1, d - 1);
    };
    const int64_t s = norm(begin[i]), e = norm(end[i]);
    int64_t n = 0;
    if (st > 0 && e > s) n = (e - s - 1) / st + 1;
    if (st < 0 && s > e) n = (s - e - 1) / (-st) + 1;
    a.begin.push_back(n == 0 ? 0 : s);
    a.strides.push_back(st);
    a.shape.push_back(n);
  }
  return unary_op(OpId::StridedSlice, x, a);
}

Tensor reverse(const Tensor& x, const Axes& axes) {
  check_defined(x, "reverse");
  const int64_t r = x.rank();
  Attrs a;
  a.begin.assign(static_cast<size_t>(r), 0);
  a.strides.assign(static_cast<size_t>(r), 1);
  a.shape = x.shape().dims();
  for (int64_t ax : axes) {
    const size_t k = static_cast<size_t>(normalize_axis(ax, r, "reverse"));
    if (a.strides[k] == -1)
      throw_invalid("reverse: axis " + num(static_cast<int64_t>(k)) +
                    " appears more than once in axes " + dims_str(axes));
    a.strides[k] = -1;
    a.begin[k] = std::max<int64_t>(a.shape[k] - 1, 0);
  }
  return unary_op(OpId::StridedSlice, x, a);
}

Tensor gather(const Tensor& params, const Tensor& indices, int64_t axis) {
  Attrs a;
  a.axis = axis;
  return dispatch(OpId::Gather, {params, indices}, a);
}

Tensor take_along_axis(const Tensor& x, const Tensor& indices, int64_t axis) {
  Attrs a;
  a.axis = axis;
  return dispatch(OpId::TakeAlongAxis, {x, indices}, a);
}

Tensor unsorted_segment_sum(const Tensor& data, const Tensor& segment_ids, int64_t num_segments) {
  Attrs a;
  a.k = num_segments;
  return dispatch(OpId::UnsortedSegmentSum, {data, segment_ids}, a);
}

Tensor tile(const Tensor& x, const std::vector<int64_t>& multiples) {
  Attrs a;
  a.shape = multiples;
  return unary_op(OpId::Tile, x, a);
}

Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  Attrs a;
  a.shape = shape.dims();
  return unary_op(OpId::BroadcastTo, x, a);
}

Tensor broadcast_like(const Tensor& x, const Tensor& like) {
  if (!like.defined()) throw_invalid("broadcast_like: the reference tensor is undefined");
  return dispatch(OpId::BroadcastTo, {x, like}, Attrs{});
}

Tensor pad(const Tensor& x, const std::vector<std::pair<int64_t, int64_t>>& paddings,
           double constant_value) {
  Attrs a;
  for (const auto& [b, e] : paddings) {
    a.begin.push_back(b);
    a.end.push_back(e);
  }
  a.alpha = constant_value;
  return unary_op(OpId::Pad, x, a);
}

}  // namespace ops
}  // namespace keras::core
