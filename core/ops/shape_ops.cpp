// shape_ops.cpp - data movement: reshape (a view), transpose, strided_slice,
// broadcast_to, tile, pad, concatenate, gather, take_along_axis, and the compositions
// built from them (expand_dims, squeeze, stack, unstack, split, slice, reverse).
// Kernels: core/cpu/shape_ops.cpp (one generic strided copy serves most of them).
//
// Attributes read by the primitives:
//   Reshape        shape (one -1 allowed)
//   Transpose      axes = permutation (negative entries count from the end)
//   StridedSlice   begin = first index per axis, strides = step per axis (non-zero),
//                  shape = elements per axis, or -1: from begin through the end of the
//                  axis (read when the op runs, so a traced graph serves every size of
//                  that axis); every touched index must be in range
//   BroadcastTo    shape
//   Tile           shape = multiples, one per axis, >= 0
//   Pad            begin / end = elements added before / after per axis (>= 0),
//                  alpha = constant value
//   Concat         axis (inputs: the tensors)
//   Gather         axis; indices int32/int64 in [0, dim) (TensorFlow's CPU rule)
//   TakeAlongAxis  axis; indices int32/int64 in [-dim, dim), negative ones counting
//                  from the end (Keras 3's / NumPy's take_along_axis)
//   UnsortedSegmentSum  k = num_segments; inputs data (N, ...), segment_ids (N,)
//
// Gradients (each written with these same ops, so they differentiate again): reshape,
// transpose and pad invert themselves; broadcast_to leaves the summing to the tape;
// tile sums the copies; concatenate slices; gather, take_along_axis and strided_slice
// scatter the gradient back with unsorted_segment_sum (strided_slice with unit strides
// pads instead), whose own gradient is a gather. The public functions are in
// core/ops/shape_compose.cpp.
#include <algorithm>
#include <string>

#include "core/device_scope.h"
#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"
#include "core/ops/shape_util.h"

namespace keras::core {
namespace {

using namespace shape_util;

// ---- reshape -------------------------------------------------------------------------
void infer_reshape(OpCall& c) {
  const Tensor& x = c.in(0);
  if (c.inputs.size() == 2) {  // reshape_like: the shape of the second input, read now
    const Shape& s = c.in(1).shape();
    if (s.num_elements() != x.size())
      throw_invalid("reshape: cannot reshape a tensor of shape " + x.shape().str() + " with " + num(x.size()) +
                    " elements into shape " + s.str() + " (the shape of the reference tensor)");
    c.set_output(0, s, x.dtype());
    c.outputs[0] = view_as(x, s);
    return;
  }
  std::vector<int64_t> dims = c.attrs.shape;
  const auto fail = [&] {
    throw_invalid("reshape: cannot reshape a tensor of shape " + x.shape().str() + " with " +
                  num(x.size()) + " elements into shape " + dims_str(c.attrs.shape));
  };
  int64_t unknown = -1, known = 1;
  bool overflow = false;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (unknown >= 0)
        throw_invalid("reshape: only one dimension can be -1, but received shape " +
                      dims_str(dims));
      unknown = static_cast<int64_t>(i);
    } else if (dims[i] < 0) {
      throw_invalid("reshape: expected dimensions >= 0 or -1, but received shape " +
                    dims_str(dims));
    } else if (!overflow && __builtin_mul_overflow(known, dims[i], &known)) {
      overflow = true;
    }
  }
  if (std::find(dims.begin(), dims.end(), 0) != dims.end()) overflow = false, known = 0;
  if (overflow) fail();
  if (unknown >= 0) {
    if (known == 0 || x.size() % known != 0) fail();
    dims[static_cast<size_t>(unknown)] = x.size() / known;
  } else if (known != x.size()) {
    fail();
  }
  Shape s(std::move(dims));
  c.set_output(0, s, x.dtype());
  c.outputs[0] = view_as(x, s);
}

// ---- transpose -----------------------------------------------------------------------
void infer_transpose(OpCall& c) {
  const Tensor& x = c.in(0);
  const int64_t r = x.rank();
  const auto& perm = c.attrs.axes;
  bool ok = static_cast<int64_t>(perm.size()) == r;
  std::vector<bool> seen(static_cast<size_t>(r), false);
  std::vector<int64_t> dims;
  for (size_t i = 0; ok && i < perm.size(); ++i) {
    int64_t a = perm[i];
    if (a < -r || a >= r) {
      ok = false;
      break;
    }
    if (a < 0) a += r;
    if (seen[static_cast<size_t>(a)]) ok = false;
    seen[static_cast<size_t>(a)] = true;
    dims.push_back(x.shape()[a]);
  }
  if (!ok)
    throw_invalid("transpose: expected perm to be a permutation of the " + num(r) +
                  " axes of the input with shape " + x.shape().str() + ", but received perm " +
                  dims_str(perm));
  c.set_output(0, Shape(std::move(dims)), x.dtype());
}

// ---- strided_slice (normalized primitive) --------------------------------------------
void infer_strided_slice(OpCall& c) {
  const Tensor& x = c.in(0);
  const auto &b = c.attrs.begin, &st = c.attrs.strides;
  std::vector<int64_t> n = c.attrs.shape;
  const size_t r = static_cast<size_t>(x.rank());
  if (b.size() != r || st.size() != r || n.size() != r)
    throw_invalid("strided_slice: expected begin, strides and shape with one entry per axis (" +
                  num(x.rank()) + " for input shape " + x.shape().str() + "), but received " +
                  dims_str(b) + ", " + dims_str(st) + " and " + dims_str(n));
  for (size_t i = 0; i < r; ++i) {
    const int64_t d = x.shape()[static_cast<int64_t>(i)];
    if (st[i] == 0)
      throw_invalid("strided_slice: strides must be non-zero, but received strides " +
                    dims_str(st));
    if (n[i] < -1)
      throw_invalid("strided_slice: expected output sizes >= 0 or -1, but received " + dims_str(n));
    if (n[i] == -1 && d > 0 && st[i] != 0 && b[i] >= 0 && b[i] < d)  // through the end of the axis
      n[i] = st[i] > 0 ? (d - b[i] - 1) / st[i] + 1 : b[i] / -st[i] + 1;
    else if (n[i] == -1)
      n[i] = d == 0 ? 0 : 1;  // (an out-of-range begin fails below)
    if (n[i] == 0) continue;
    int64_t span, last;
    bool bad = b[i] < 0 || b[i] >= d || __builtin_mul_overflow(n[i] - 1, st[i], &span) ||
               __builtin_add_overflow(b[i], span, &last) || last < 0 || last >= d;
    if (bad)
      throw_invalid("strided_slice: " + num(n[i]) + " elements from index " + num(b[i]) +
                    " with stride " + num(st[i]) + " leave axis " + num(static_cast<int64_t>(i)) +
                    " of the input with shape " + x.shape().str());
  }
  c.set_output(0, Shape(n), x.dtype());
}

// ---- broadcast_to --------------------------------------------------------------------
void infer_broadcast_to(OpCall& c) {
  const Tensor& x = c.in(0);
  // broadcast_like: the shape of the second input, read when the op runs.
  const std::vector<int64_t> t = c.inputs.size() == 2 ? c.in(1).shape().dims() : c.attrs.shape;
  for (int64_t d : t)
    if (d < 0)
      throw_invalid("broadcast_to: expected a target shape with dimensions >= 0, but received " +
                    dims_str(t));
  Shape target(t);
  bool ok = target.rank() >= x.rank();
  for (int64_t i = 0; ok && i < x.rank(); ++i) {
    int64_t dx = x.shape()[x.rank() - 1 - i], dt = target[target.rank() - 1 - i];
    ok = dx == dt || dx == 1;
  }
  if (!ok)
    throw_invalid("broadcast_to: cannot broadcast a tensor of shape " + x.shape().str() +
                  " to shape " + target.str());
  c.set_output(0, target, x.dtype());
}

// ---- tile ----------------------------------------------------------------------------
void infer_tile(OpCall& c) {
  const Tensor& x = c.in(0);
  const auto& m = c.attrs.shape;
  if (static_cast<int64_t>(m.size()) != x.rank())
    throw_invalid("tile: expected one multiple per axis of the input with shape " +
                  x.shape().str() + " (" + num(x.rank()) + "), but received multiples " +
                  dims_str(m));
  std::vector<int64_t> dims(m.size());
  for (size_t i = 0; i < m.size(); ++i) {
    if (m[i] < 0)
      throw_invalid("tile: expected multiples >= 0, but received multiples " + dims_str(m));
    if (__builtin_mul_overflow(x.shape()[static_cast<int64_t>(i)], m[i], &dims[i]))
      throw_invalid("tile: tiling shape " + x.shape().str() + " by " + dims_str(m) +
                    " overflows int64");
  }
  c.set_output(0, Shape(std::move(dims)), x.dtype());
}

// ---- pad -----------------------------------------------------------------------------
void infer_pad(OpCall& c) {
  const Tensor& x = c.in(0);
  check_scalar_fits(c.attrs.alpha, x.dtype(), "pad: constant_value");
  const auto &b = c.attrs.begin, &e = c.attrs.end;
  if (static_cast<int64_t>(b.size()) != x.rank() || static_cast<int64_t>(e.size()) != x.rank())
    throw_invalid("pad: expected one (before, after) pair per axis of the input with shape " +
                  x.shape().str() + " (" + num(x.rank()) + "), but received " + num(static_cast<int64_t>(b.size())) +
                  " before and " + num(static_cast<int64_t>(e.size())) + " after values");
  std::vector<int64_t> dims(b.size());
  for (size_t i = 0; i < b.size(); ++i) {
    if (b[i] < 0 || e[i] < 0)
      throw_invalid("pad: expected paddings >= 0, but received (" + num(b[i]) + ", " +
                    num(e[i]) + ") for axis " + num(static_cast<int64_t>(i)));
    int64_t d = x.shape()[static_cast<int64_t>(i)];
    if (__builtin_add_overflow(d, b[i], &d) || __builtin_add_overflow(d, e[i], &dims[i]))
      throw_invalid("pad: the padded size of axis " + num(static_cast<int64_t>(i)) +
                    " overflows int64");
  }
  c.set_output(0, Shape(std::move(dims)), x.dtype());
}

// ---- concatenate ---------------------------------------------------------------------
void infer_concat(OpCall& c) {
  if (c.inputs.empty()) throw_invalid("concatenate: expected at least one tensor, but received none");
  const Tensor& x0 = c.in(0);
  if (x0.rank() == 0)
    throw_invalid("concatenate: cannot concatenate scalars (input 0 has shape ())");
  const int64_t axis = normalize_axis(c.attrs.axis, x0.rank(), "concatenate");
  std::vector<int64_t> dims = x0.shape().dims();
  for (size_t i = 1; i < c.inputs.size(); ++i) {
    const Tensor& xi = c.in(i);
    const std::string idx = std::to_string(i);
    if (xi.dtype() != x0.dtype())
      throw_invalid("concatenate: expected all inputs to have the same dtype, but input 0 has "
                    "dtype " + std::string(dtype_name(x0.dtype())) + " and input " + idx +
                    " has dtype " + dtype_name(xi.dtype()));
    if (xi.rank() != x0.rank())
      throw_invalid("concatenate: expected all inputs to have the same rank, but input 0 has "
                    "shape " + x0.shape().str() + " and input " + idx + " has shape " +
                    xi.shape().str());
    for (int64_t k = 0; k < x0.rank(); ++k)
      if (k != axis && xi.shape()[k] != x0.shape()[k])
        throw_invalid("concatenate: expected all input dimensions except axis " + num(axis) +
                      " to match, but input 0 has shape " + x0.shape().str() + " and input " +
                      idx + " has shape " + xi.shape().str());
    if (__builtin_add_overflow(dims[static_cast<size_t>(axis)], xi.shape()[axis],
                               &dims[static_cast<size_t>(axis)]))
      throw_invalid("concatenate: the size of axis " + num(axis) + " overflows int64");
  }
  c.set_output(0, Shape(std::move(dims)), x0.dtype());
}

// ---- gather --------------------------------------------------------------------------
void infer_gather(OpCall& c) {
  const Tensor &p = c.in(0), &idx = c.in(1);
  expect_dtype(c, idx, "indices", {DType::int32, DType::int64});
  expect_rank_at_least(c, p, "params", 1);
  const int64_t axis = normalize_axis(c.attrs.axis, p.rank(), "gather");
  std::vector<int64_t> dims(p.shape().dims().begin(), p.shape().dims().begin() + axis);
  for (int64_t d : idx.shape().dims()) dims.push_back(d);
  for (int64_t k = axis + 1; k < p.rank(); ++k) dims.push_back(p.shape()[k]);
  c.set_output(0, Shape(std::move(dims)), p.dtype());
}

// ---- take_along_axis -----------------------------------------------------------------
void infer_take_along_axis(OpCall& c) {
  const Tensor &x = c.in(0), &idx = c.in(1);
  expect_dtype(c, idx, "indices", {DType::int32, DType::int64});
  expect_rank_at_least(c, x, "x", 1);
  const int64_t axis = normalize_axis(c.attrs.axis, x.rank(), "take_along_axis");
  bool ok = idx.rank() == x.rank();
  for (int64_t k = 0; ok && k < x.rank(); ++k) ok = k == axis || idx.shape()[k] == x.shape()[k];
  if (!ok)
    throw_invalid("take_along_axis: expected indices to have the rank and dimensions of x " +
                  x.shape().str() + " except along axis " + num(axis) +
                  ", but received indices with shape " + idx.shape().str());
  c.set_output(0, idx.shape(), x.dtype());
}

// ---- unsorted_segment_sum ------------------------------------------------------------
void infer_segment_sum(OpCall& c) {
  const Tensor &data = c.in(0), &ids = c.in(1);
  expect_dtype(c, data, "data", kNumericTypes);
  expect_dtype(c, ids, "segment_ids", {DType::int32, DType::int64});
  expect_rank_at_least(c, data, "data", 1);
  if (ids.rank() != 1 || ids.shape()[0] != data.shape()[0])
    throw_invalid("unsorted_segment_sum: expected segment_ids of shape (" +
                  num(data.shape()[0]) + ",) (one id per row of data, shape " +
                  data.shape().str() + "), but received shape " + ids.shape().str());
  if (c.attrs.k < 0)
    throw_invalid("unsorted_segment_sum: expected num_segments >= 0, but received " + num(c.attrs.k));
  std::vector<int64_t> dims = data.shape().dims();
  dims[0] = c.attrs.k;
  c.set_output(0, Shape(std::move(dims)), data.dtype());
}

// ---- gradient rules --------------------------------------------------------------------
// Element positions of x, laid out like x (int32 when x is small enough).
Tensor positions_like(const Tensor& x) {
  DeviceScope on_input(x.device());  // on the input's device
  Tensor r = x.size() <= INT32_MAX ? ops::range(x.size())
                                   : ops::range(0.0, double(x.size()), 1.0, DType::int64);
  return ops::reshape(r, x.shape().dims());
}

// Adds each element of dy into the element of x at the same place of `pos` (positions
// selected by the forward op from positions_like(x)).
Tensor scatter_back(const Tensor& dy, const Tensor& pos, const Tensor& x) {
  Tensor flat = ops::unsorted_segment_sum(ops::reshape(dy, {-1}), ops::reshape(pos, {-1}), x.size());
  return ops::reshape_like(flat, x);
}

std::vector<Tensor> shape_grad(const GradContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& dy = c.grad();
  const Attrs& a = c.attrs;
  switch (c.op) {
    case OpId::Reshape: return {ops::reshape_like(dy, x)};
    case OpId::Transpose: {
      const int64_t r = x.rank();
      std::vector<int64_t> inv(static_cast<size_t>(r));
      for (int64_t i = 0; i < r; ++i) {
        int64_t p = a.axes[static_cast<size_t>(i)];
        inv[static_cast<size_t>(p < 0 ? p + r : p)] = i;
      }
      return {ops::transpose(dy, inv)};
    }
    case OpId::BroadcastTo: return {dy};
    case OpId::Tile: {  // dy viewed as (m0, d0, m1, d1, ...): sum the m axes
      if (x.rank() == 0) return {dy};
      std::vector<int64_t> dims, axes;
      for (int64_t i = 0; i < x.rank(); ++i) {
        axes.push_back(2 * i);
        dims.push_back(a.shape[static_cast<size_t>(i)]);
        dims.push_back(x.shape()[i]);
      }
      return {ops::sum(ops::reshape(dy, dims), axes)};
    }
    case OpId::Pad: return {ops::slice(dy, a.begin, x.shape().dims())};
    case OpId::Concat: {
      const int64_t axis = a.axis < 0 ? a.axis + x.rank() : a.axis;
      std::vector<Tensor> g;
      int64_t start = 0;
      for (const Tensor& in : c.inputs) {
        std::vector<int64_t> begin(static_cast<size_t>(x.rank()), 0);
        std::vector<int64_t> size = in.shape().dims();
        begin[static_cast<size_t>(axis)] = start;
        g.push_back(ops::slice(dy, begin, size));
        start += in.shape()[axis];
      }
      return g;
    }
    case OpId::StridedSlice: {
      bool unit = std::all_of(a.strides.begin(), a.strides.end(), [](int64_t s) { return s == 1; });
      if (unit) {  // pad back to x's shape
        std::vector<std::pair<int64_t, int64_t>> p;
        for (int64_t i = 0; i < x.rank(); ++i) {  // (sizes from dy: a.shape may hold -1)
          int64_t b = a.begin[static_cast<size_t>(i)], n = dy.shape()[i];
          p.push_back({n == 0 ? x.shape()[i] : b, n == 0 ? 0 : x.shape()[i] - b - n});
        }
        return {ops::pad(dy, p)};
      }
      return {scatter_back(dy, dispatch(OpId::StridedSlice, {positions_like(x)}, a), x)};
    }
    case OpId::Gather: {  // dy: p[:axis] + idx.shape + p[axis+1:]
      const Tensor& idx = c.in(1);
      const int64_t axis = a.axis < 0 ? a.axis + x.rank() : a.axis;
      const auto [outer, d, inner] = split_at(x.shape(), axis);
      // The number of ids as -1 where x has elements: a traced gradient then serves every
      // number of ids (a ragged batch's values, a batch size), as the forward gather does.
      const int64_t n = outer * inner > 0 ? -1 : idx.size();
      Tensor rows = ops::reshape(ops::transpose(ops::reshape(dy, {outer, n, inner}), {1, 0, 2}),
                                 {n, outer * inner});
      Tensor s = ops::unsorted_segment_sum(rows, ops::reshape(idx, {-1}), d);
      return {ops::reshape(ops::transpose(ops::reshape(s, {d, outer, inner}), {1, 0, 2}),
                           x.shape().dims()),
              Tensor()};
    }
    case OpId::TakeAlongAxis:
      return {scatter_back(dy, ops::take_along_axis(positions_like(x), c.in(1), a.axis), x), Tensor()};
    case OpId::UnsortedSegmentSum: return {ops::gather(dy, c.in(1), 0), Tensor()};
    default: return {Tensor()};
  }
}

}  // namespace

void define_shape_ops() {
  define_op(OpId::Reshape, infer_reshape, /*is_view=*/true);
  define_op(OpId::Transpose, infer_transpose);
  define_op(OpId::StridedSlice, infer_strided_slice);
  define_op(OpId::BroadcastTo, infer_broadcast_to);
  define_op(OpId::Tile, infer_tile);
  define_op(OpId::Pad, infer_pad);
  define_op(OpId::Concat, infer_concat);
  define_op(OpId::Gather, infer_gather);
  define_op(OpId::TakeAlongAxis, infer_take_along_axis);
  define_op(OpId::UnsortedSegmentSum, infer_segment_sum);
  for (OpId op : {OpId::Reshape, OpId::Transpose, OpId::StridedSlice, OpId::BroadcastTo,
                  OpId::Tile, OpId::Pad, OpId::Concat, OpId::Gather, OpId::TakeAlongAxis,
                  OpId::UnsortedSegmentSum})
    define_grad(op, shape_grad);
}

}  // namespace keras::core
