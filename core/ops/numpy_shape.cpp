// numpy_shape.cpp - keras.ops's shape manipulation (core/ops_numpy.h): diff, roll, flip,
// rot90, repeat, kron, meshgrid, moveaxis, swapaxes, ravel, the split and stack
// families, append, concatenate and pad's reflect / symmetric modes. All compositions
// of strided_slice, concatenate, reshape, transpose, tile and gather.
#include <algorithm>
#include <numeric>
#include <string>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/shape_util.h"

namespace keras::core::ops {
using namespace shape_util;

namespace {

// x[begin:end] along `axis` (normalized), Python slice bounds (negative from the end,
// clamped), the other axes whole.
Tensor axis_slice(const Tensor& x, int64_t axis, int64_t begin, int64_t end) {
  std::vector<int64_t> b(static_cast<size_t>(axis + 1), 0), e = x.shape().dims();
  e.resize(static_cast<size_t>(axis + 1));
  b[size_t(axis)] = begin;
  e[size_t(axis)] = end;
  return strided_slice(x, b, e);
}

Tensor as_dtype(const Tensor& x, DType d) { return x.dtype() == d ? x : cast(x, d); }

std::vector<Tensor> promoted(const std::vector<Tensor>& xs, const char* op) {
  if (xs.empty()) throw_invalid(std::string(op) + ": expected at least one tensor, but received none");
  for (size_t i = 0; i < xs.size(); ++i)
    if (!xs[i].defined()) throw_invalid(std::string(op) + ": input " + std::to_string(i) + " is an undefined tensor");
  DType d = xs[0].dtype();
  for (const Tensor& x : xs) d = keras_result_type(d, x.dtype());
  std::vector<Tensor> out;
  for (const Tensor& x : xs) out.push_back(as_dtype(x, d));
  return out;
}

// The parts x[p_i:p_{i+1}] for points 0, indices..., dim (NumPy's array_split).
std::vector<Tensor> split_at(const Tensor& x, const std::vector<int64_t>& indices, int64_t axis,
                             const char* op) {
  check_defined(x, op);
  if (x.rank() == 0) throw_invalid(std::string(op) + ": cannot split a scalar (input shape ())");
  axis = normalize_axis(axis, x.rank(), op);
  std::vector<int64_t> pts{0};
  pts.insert(pts.end(), indices.begin(), indices.end());
  pts.push_back(x.shape()[axis]);
  for (size_t i = 1; i < pts.size(); ++i)  // Keras's TensorFlow backend: sorted, in [0, dim]
    if (pts[i] < pts[i - 1])
      throw_invalid(std::string(op) + ": expected increasing split indices in [0, " + num(pts.back()) +
                    "] (the size of axis " + num(axis) + " of the input with shape " + x.shape().str() +
                    "), but received " + dims_str(indices));
  std::vector<Tensor> out;
  for (size_t i = 0; i + 1 < pts.size(); ++i) out.push_back(axis_slice(x, axis, pts[i], pts[i + 1]));
  return out;
}

std::vector<Tensor> sections(const Tensor& x, int64_t n, int64_t axis, bool equal, const char* op) {
  check_defined(x, op);
  if (x.rank() == 0) throw_invalid(std::string(op) + ": cannot split a scalar (input shape ())");
  const int64_t ax = normalize_axis(axis, x.rank(), op);
  if (n < 1) throw_invalid(std::string(op) + ": expected the number of sections to be >= 1, but received " + num(n));
  const int64_t d = x.shape()[ax];
  if (equal && d % n != 0)
    throw_invalid(std::string(op) + ": cannot split axis " + num(ax) + " of size " + num(d) + " into " + num(n) +
                  " equal sections (input shape " + x.shape().str() + ")");
  std::vector<int64_t> pts;
  int64_t p = 0;
  for (int64_t i = 0; i + 1 < n; ++i) pts.push_back(p += d / n + (i < d % n ? 1 : 0));
  return split_at(x, pts, ax, op);
}

int64_t split_axis(const Tensor& x, int64_t min_rank, int64_t axis, const char* op) {
  check_defined(x, op);
  if (x.rank() < min_rank)
    throw_invalid(std::string(op) + ": expected x of rank >= " + num(min_rank) + ", but received shape " +
                  x.shape().str());
  return axis;
}

// x with at least 3 axes, NumPy's atleast_3d layout (dstack).
Tensor at_least(const Tensor& x, int64_t r) {
  if (x.rank() >= r) return x;
  if (x.rank() == 0) return reshape(x, std::vector<int64_t>(size_t(r), 1));
  if (x.rank() == 1) return reshape(x, {1, x.shape()[0], 1});              // (n) -> (1, n, 1)
  return expand_dims(x, 2);                                                // (m, n) -> (m, n, 1)
}

}  // namespace

Tensor diff(const Tensor& a, int64_t n, int64_t axis) {
  check_defined(a, "diff");
  if (n < 0) throw_invalid("diff: expected order n >= 0, but received " + num(n));
  if (a.rank() == 0) throw_invalid("diff: expected an input of rank >= 1, but received a scalar");
  const int64_t ax = normalize_axis(axis, a.rank(), "diff");
  Tensor r = a;
  for (int64_t i = 0; i < n; ++i) {
    Tensor hi = axis_slice(r, ax, 1, r.shape()[ax]), lo = axis_slice(r, ax, 0, -1);
    r = r.dtype() == DType::bool_ ? not_equal(hi, lo) : subtract(hi, lo);
  }
  return r;
}

Tensor roll(const Tensor& x, int64_t shift, std::optional<int64_t> axis) {
  check_defined(x, "roll");
  if (!axis) return reshape(roll(reshape(x, {-1}), shift, int64_t{0}), x.shape().dims());
  if (x.rank() == 0) throw_invalid("roll: expected an input of rank >= 1 when an axis is given, but received a scalar");
  const int64_t ax = normalize_axis(*axis, x.rank(), "roll"), d = x.shape()[ax];
  if (d == 0) return x;
  const int64_t s = ((shift % d) + d) % d;
  if (s == 0) return x;
  return concat({axis_slice(x, ax, d - s, d), axis_slice(x, ax, 0, d - s)}, ax);
}

Tensor roll(const Tensor& x, const std::vector<int64_t>& shift, const std::vector<int64_t>& axis) {
  if (shift.size() != axis.size() && shift.size() != 1)
    throw_invalid("roll: expected one shift per axis (or one for all), but received shift " + dims_str(shift) +
                  " and axis " + dims_str(axis));
  Tensor r = x;
  for (size_t i = 0; i < axis.size(); ++i) r = roll(r, shift.size() == 1 ? shift[0] : shift[i], axis[i]);
  return r;
}

Tensor flip(const Tensor& x) {
  check_defined(x, "flip");
  std::vector<int64_t> all(static_cast<size_t>(x.rank()));
  std::iota(all.begin(), all.end(), 0);
  return reverse(x, all);
}
Tensor flip(const Tensor& x, int64_t axis) { return reverse(x, {axis}); }
Tensor flip(const Tensor& x, const std::vector<int64_t>& axis) { return reverse(x, axis); }
Tensor fliplr(const Tensor& x) { return reverse(x, {split_axis(x, 2, 1, "fliplr")}); }
Tensor flipud(const Tensor& x) { return reverse(x, {split_axis(x, 1, 0, "flipud")}); }

Tensor rot90(const Tensor& array, int64_t k, std::pair<int64_t, int64_t> axes) {
  split_axis(array, 2, 0, "rot90");
  const int64_t a0 = normalize_axis(axes.first, array.rank(), "rot90"),
                a1 = normalize_axis(axes.second, array.rank(), "rot90");
  if (a0 == a1)
    throw_invalid("rot90: expected two different axes, but received axes (" + num(axes.first) + ", " +
                  num(axes.second) + ") of a tensor of rank " + num(array.rank()));
  k = ((k % 4) + 4) % 4;
  if (k == 0) return array;
  if (k == 2) return reverse(array, {a0, a1});
  std::vector<int64_t> perm(static_cast<size_t>(array.rank()));
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[size_t(a0)], perm[size_t(a1)]);
  return k == 1 ? transpose(reverse(array, {a1}), perm) : reverse(transpose(array, perm), {a1});
}

Tensor repeat(const Tensor& x, int64_t repeats, std::optional<int64_t> axis) {
  check_defined(x, "repeat");
  if (repeats < 0) throw_invalid("repeat: expected repeats >= 0, but received " + num(repeats));
  const Tensor v = axis ? x : reshape(x, {-1});
  if (v.rank() == 0) throw_invalid("repeat: expected an input of rank >= 1 when an axis is given, but received a scalar");
  const int64_t ax = normalize_axis(axis.value_or(0), v.rank(), "repeat");
  std::vector<int64_t> mult(static_cast<size_t>(v.rank() + 1), 1), dims = v.shape().dims();
  mult[size_t(ax + 1)] = repeats;
  dims[size_t(ax)] *= repeats;
  return reshape(tile(expand_dims(v, ax + 1), mult), dims);
}

Tensor repeat(const Tensor& x, const std::vector<int64_t>& repeats, std::optional<int64_t> axis) {
  check_defined(x, "repeat");
  if (repeats.size() == 1) return repeat(x, repeats[0], axis);
  const Tensor v = axis ? x : reshape(x, {-1});
  if (v.rank() == 0) throw_invalid("repeat: expected an input of rank >= 1 when an axis is given, but received a scalar");
  const int64_t ax = normalize_axis(axis.value_or(0), v.rank(), "repeat");
  if (static_cast<int64_t>(repeats.size()) != v.shape()[ax])
    throw_invalid("repeat: expected one repeat count per element of axis " + num(ax) + " (" + num(v.shape()[ax]) +
                  ", input shape " + v.shape().str() + "), but received repeats " + dims_str(repeats));
  std::vector<int64_t> idx;
  for (size_t i = 0; i < repeats.size(); ++i) {
    if (repeats[i] < 0) throw_invalid("repeat: expected repeats >= 0, but received " + dims_str(repeats));
    idx.insert(idx.end(), static_cast<size_t>(repeats[i]), static_cast<int64_t>(i));
  }
  return gather(v, constant(idx).to(v.device()), ax);
}

Tensor kron(const Tensor& x1, const Tensor& x2) {
  auto ab = promoted({x1, x2}, "kron");
  const int64_t r = std::max(x1.rank(), x2.rank());
  std::vector<int64_t> da = ab[0].shape().dims(), db = ab[1].shape().dims();
  da.insert(da.begin(), size_t(r - x1.rank()), 1);
  db.insert(db.begin(), size_t(r - x2.rank()), 1);
  std::vector<int64_t> sa, sb, out;
  for (size_t i = 0; i < size_t(r); ++i) {
    sa.insert(sa.end(), {da[i], 1});
    sb.insert(sb.end(), {1, db[i]});
    out.push_back(da[i] * db[i]);
  }
  return reshape(multiply(reshape(ab[0], sa), reshape(ab[1], sb)), out);
}

std::vector<Tensor> meshgrid(const std::vector<Tensor>& x, const std::string& indexing) {
  if (indexing != "xy" && indexing != "ij")
    throw_invalid("meshgrid: expected indexing \"xy\" or \"ij\", but received \"" + indexing + "\"");
  std::vector<int64_t> dims;
  for (size_t i = 0; i < x.size(); ++i) {
    check_defined(x[i], "meshgrid");
    dims.push_back(x[i].size());
  }
  if (indexing == "xy" && dims.size() >= 2) std::swap(dims[0], dims[1]);
  std::vector<Tensor> out;
  for (size_t i = 0; i < x.size(); ++i) {
    size_t pos = indexing == "xy" && x.size() >= 2 && i < 2 ? 1 - i : i;
    std::vector<int64_t> s(dims.size(), 1);
    s[pos] = dims[pos];
    out.push_back(broadcast_to(reshape(x[i], s), Shape(dims)));
  }
  return out;
}

Tensor moveaxis(const Tensor& x, const std::vector<int64_t>& source, const std::vector<int64_t>& destination) {
  check_defined(x, "moveaxis");
  if (source.size() != destination.size())
    throw_invalid("moveaxis: expected as many source as destination axes, but received " + dims_str(source) +
                  " and " + dims_str(destination));
  const int64_t r = x.rank();
  std::vector<std::pair<int64_t, int64_t>> moves;  // (destination, source)
  std::vector<bool> used(size_t(r), false), taken(size_t(r), false);
  for (size_t i = 0; i < source.size(); ++i) {
    int64_t s = normalize_axis(source[i], r, "moveaxis"), d = normalize_axis(destination[i], r, "moveaxis");
    if (used[size_t(s)] || taken[size_t(d)])
      throw_invalid("moveaxis: repeated axis in source " + dims_str(source) + " or destination " +
                    dims_str(destination));
    used[size_t(s)] = taken[size_t(d)] = true;
    moves.push_back({d, s});
  }
  std::vector<int64_t> order;
  for (int64_t a = 0; a < r; ++a)
    if (!used[size_t(a)]) order.push_back(a);
  std::sort(moves.begin(), moves.end());
  for (auto [d, s] : moves) order.insert(order.begin() + d, s);
  return transpose(x, order);
}
Tensor moveaxis(const Tensor& x, int64_t source, int64_t destination) {
  return moveaxis(x, std::vector<int64_t>{source}, std::vector<int64_t>{destination});
}

Tensor swapaxes(const Tensor& x, int64_t axis1, int64_t axis2) {
  check_defined(x, "swapaxes");
  const int64_t a = normalize_axis(axis1, x.rank(), "swapaxes"), b = normalize_axis(axis2, x.rank(), "swapaxes");
  std::vector<int64_t> perm(static_cast<size_t>(x.rank()));
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[size_t(a)], perm[size_t(b)]);
  return transpose(x, perm);
}

Tensor ravel(const Tensor& x) {
  check_defined(x, "ravel");
  return reshape(x, {-1});
}

std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& indices, int64_t axis) {
  return split_at(x, indices, axis, "split");
}
std::vector<Tensor> array_split(const Tensor& x, int64_t indices_or_sections, int64_t axis) {
  return sections(x, indices_or_sections, axis, false, "array_split");
}
std::vector<Tensor> hsplit(const Tensor& x, int64_t n) {
  return sections(x, n, split_axis(x, 1, x.rank() > 1 ? 1 : 0, "hsplit"), true, "hsplit");
}
std::vector<Tensor> hsplit(const Tensor& x, const std::vector<int64_t>& indices) {
  return split_at(x, indices, split_axis(x, 1, x.rank() > 1 ? 1 : 0, "hsplit"), "hsplit");
}
std::vector<Tensor> vsplit(const Tensor& x, int64_t n) { return sections(x, n, split_axis(x, 2, 0, "vsplit"), true, "vsplit"); }
std::vector<Tensor> vsplit(const Tensor& x, const std::vector<int64_t>& indices) {
  return split_at(x, indices, split_axis(x, 2, 0, "vsplit"), "vsplit");
}
std::vector<Tensor> dsplit(const Tensor& x, int64_t n) { return sections(x, n, split_axis(x, 3, 2, "dsplit"), true, "dsplit"); }
std::vector<Tensor> dsplit(const Tensor& x, const std::vector<int64_t>& indices) {
  return split_at(x, indices, split_axis(x, 3, 2, "dsplit"), "dsplit");
}

Tensor concatenate(const std::vector<Tensor>& xs, int64_t axis) { return concat(promoted(xs, "concatenate"), axis); }

// hstack and vstack as Keras's TensorFlow backend: concatenations (no atleast_1d/2d).
Tensor hstack(const std::vector<Tensor>& xs) {
  std::vector<Tensor> v = promoted(xs, "hstack");
  return concat(v, v[0].rank() == 1 ? 0 : 1);
}
Tensor vstack(const std::vector<Tensor>& xs) { return concat(promoted(xs, "vstack"), 0); }
Tensor dstack(const std::vector<Tensor>& xs) {
  std::vector<Tensor> v = promoted(xs, "dstack");
  for (auto& x : v) x = at_least(x, 3);
  return concat(v, 2);
}

Tensor append(const Tensor& x1, const Tensor& x2, std::optional<int64_t> axis) {
  auto v = promoted({x1, x2}, "append");
  if (!axis) return concat({reshape(v[0], {-1}), reshape(v[1], {-1})}, 0);
  return concat(v, *axis);
}

Tensor pad(const Tensor& x, const std::vector<std::pair<int64_t, int64_t>>& pad_width, const std::string& mode,
           std::optional<double> constant_values) {
  check_defined(x, "pad");
  if (mode == "constant") return pad(x, pad_width, constant_values.value_or(0.0));
  if (mode != "reflect" && mode != "symmetric")
    throw_invalid("pad: expected mode \"constant\", \"reflect\" or \"symmetric\", but received \"" + mode + "\"");
  if (constant_values)
    throw_invalid("pad: constant_values can only be given with mode \"constant\", but mode is \"" + mode + "\"");
  if (static_cast<int64_t>(pad_width.size()) != x.rank())
    throw_invalid("pad: expected one (before, after) pair per axis of the input with shape " + x.shape().str() +
                  ", but received " + num(static_cast<int64_t>(pad_width.size())));
  const bool reflect = mode == "reflect";
  Tensor r = x;
  for (int64_t ax = 0; ax < x.rank(); ++ax) {
    const auto [b, e] = pad_width[size_t(ax)];
    const int64_t d = x.shape()[ax], room = reflect ? d - 1 : d;
    if (b < 0 || e < 0 || b > room || e > room)
      throw_invalid("pad: mode \"" + mode + "\" can add at most " + num(room) + " elements on each side of axis " +
                    num(ax) + " (size " + num(d) + ", input shape " + x.shape().str() + "), but received (" + num(b) +
                    ", " + num(e) + ")");
    if (b == 0 && e == 0) continue;
    const int64_t o = reflect ? 1 : 0;  // reflect leaves out the edge element
    std::vector<Tensor> parts;
    if (b > 0) parts.push_back(reverse(axis_slice(r, ax, o, o + b), {ax}));
    parts.push_back(r);
    if (e > 0) parts.push_back(reverse(axis_slice(r, ax, d - o - e, d - o), {ax}));
    r = concat(parts, ax);
  }
  return r;
}

}  // namespace keras::core::ops
