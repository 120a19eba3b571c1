// segment.cpp - keras.ops's segment_sum / _max / _min / _prod and the functional
// assignments scatter, scatter_update, slice_update. The primitives are
// unsorted_segment_max / _min / _prod (kernels core/cpu/segment.cpp; the sum is the
// engine's unsorted_segment_sum); the rest are compositions, differentiable through them.
//
// Attrs read by the primitives: k = num_segments; inputs data (N, ...), segment_ids (N,).
// Gradients (TensorFlow's rules): max/min share dy equally among the rows that attain the
// segment's extreme; prod's is the product of the segment's other rows, exact with zeros.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/device_scope.h"
#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"

namespace keras::core {
namespace {

std::string num(int64_t v) { return std::to_string(v); }

void infer_segment(OpCall& c) {
  const Tensor &data = c.in(0), &ids = c.in(1);
  expect_dtype(c, data, "data", kNumericTypes);
  expect_dtype(c, ids, "segment_ids", {DType::int32, DType::int64});
  expect_rank_at_least(c, data, "data", 1);
  if (ids.rank() != 1 || ids.shape()[0] != data.shape()[0])
    throw_invalid(std::string(c.name()) + ": expected segment_ids of shape (" + num(data.shape()[0]) +
                  ",) (one id per row of data, shape " + data.shape().str() + "), but received shape " +
                  ids.shape().str());
  if (c.attrs.k < 0)
    throw_invalid(std::string(c.name()) + ": expected num_segments >= 0, but received " + num(c.attrs.k));
  std::vector<int64_t> dims = data.shape().dims();
  dims[0] = c.attrs.k;
  c.set_output(0, Shape(std::move(dims)), data.dtype());
}

Tensor segment_op(OpId op, const Tensor& data, const Tensor& ids, int64_t n) {
  Attrs a;
  a.k = n;
  return dispatch(op, {data, ids}, a);
}

// dy and y of the segments, gathered back to data's rows.
std::vector<Tensor> segment_grad(const GradContext& c) {
  const Tensor &x = c.in(0), &ids = c.in(1);
  const int64_t n = c.attrs.k;
  Tensor dy = ops::gather(c.grad(), ids, 0), y = ops::gather(c.out(), ids, 0);
  if (c.op == OpId::UnsortedSegmentProd) {
    Tensor zero = ops::scalar_like(x, 0.0), one = ops::scalar_like(x, 1.0);
    Tensor is_zero = ops::equal(x, zero);
    Tensor zeros = ops::gather(ops::unsorted_segment_sum(ops::cast(is_zero, x.dtype()), ids, n), ids, 0);
    Tensor safe = ops::where(is_zero, one, x);
    Tensor rest = ops::gather(segment_op(OpId::UnsortedSegmentProd, safe, ids, n), ids, 0);
    Tensor g = ops::where(ops::equal(zeros, zero), ops::divide(rest, safe),
                          ops::where(ops::logical_and(ops::equal(zeros, one), is_zero), rest, zero));
    return {ops::multiply(dy, g), Tensor()};
  }
  Tensor hit = ops::cast(ops::equal(x, y), x.dtype());
  Tensor count = ops::gather(ops::unsorted_segment_sum(hit, ids, n), ids, 0);
  return {ops::multiply(hit, ops::divide(dy, count)), Tensor()};
}

void check_defined(const char* op, std::initializer_list<std::pair<const char*, const Tensor*>> ts) {
  for (auto& [name, t] : ts)
    if (!t->defined()) throw_invalid(std::string(op) + ": " + name + " is an undefined tensor");
}

// keras.ops.segment_*: num_segments from the ids when not given; sorted ids checked.
Tensor keras_segment(const char* op, OpId id, const Tensor& data, const Tensor& ids,
                     std::optional<int64_t> num_segments, bool sorted) {
  check_defined(op, {{"data", &data}, {"segment_ids", &ids}});
  if (ids.dtype() != DType::int32 && ids.dtype() != DType::int64)
    throw_invalid(std::string(op) + ": expected segment_ids of dtype int32 or int64, but received " +
                  dtype_name(ids.dtype()));
  if (sorted && num_segments)
    throw_invalid(std::string(op) + ": num_segments cannot be set when sorted is true (as Keras on "
                  "TensorFlow), but received num_segments = " + num(*num_segments));
  if (ids.rank() != 1)
    throw_invalid(std::string(op) + ": expected 1-d segment_ids, but received shape " + ids.shape().str());
  if (!num_segments || sorted) {
    tracing::check_not_tracing((std::string(op) + " without num_segments (its output shape "
                                "depends on segment_ids' values)").c_str());
    std::vector<int64_t> v = ops::cast(ids, DType::int64).to_vector<int64_t>();
    int64_t top = -1;
    for (size_t i = 0; i < v.size(); ++i) {
      if (sorted && i > 0 && v[i] < v[i - 1])
        throw_invalid(std::string(op) + ": sorted is true but segment_ids are not sorted: segment_ids[" +
                      num(int64_t(i)) + "] = " + num(v[i]) + " < segment_ids[" + num(int64_t(i) - 1) +
                      "] = " + num(v[i - 1]));
      top = std::max(top, v[i]);
    }
    num_segments = top + 1;
  }
  Tensor r = id == OpId::UnsortedSegmentSum ? ops::unsorted_segment_sum(data, ids, *num_segments)
                                            : segment_op(id, data, ids, *num_segments);
  if (sorted && (id == OpId::UnsortedSegmentMax || id == OpId::UnsortedSegmentMin)) {  // empty: 0, as TF
    Tensor ones = ops::cast(ops::ones_like(ids), DType::float32);  // on the ids' device
    Tensor count = ops::unsorted_segment_sum(ones, ids, *num_segments);
    std::vector<int64_t> kd(static_cast<size_t>(r.rank()), 1);
    kd[0] = -1;
    Tensor empty = ops::reshape(ops::equal(count, ops::scalar_like(count, 0.0)), kd);
    r = ops::where(empty, ops::zeros_like(r), r);
  }
  return r;
}

// ---- scatter ----------------------------------------------------------------------------
struct Scatter {
  Tensor lin;       // (N,) int64 flat row of each update in the (S, rest) view of `shape`
  Tensor updates;   // (N, rest)
  int64_t rows = 0;  // S: the product of shape[:k]
  std::vector<int64_t> rest;  // shape[k:]
};

Scatter scatter_plan(const char* op, const Tensor& indices, const Tensor& updates,
                     const std::vector<int64_t>& shape, const char* upd_name) {
  if (indices.dtype() != DType::int32 && indices.dtype() != DType::int64)
    throw_invalid(std::string(op) + ": expected indices of dtype int32 or int64, but received " +
                  dtype_name(indices.dtype()) + " (shape " + indices.shape().str() + ")");
  const Shape target(shape);
  const int64_t k = indices.rank() >= 1 ? indices.shape()[indices.rank() - 1] : -1;
  if (k < 1 || k > target.rank())
    throw_invalid(std::string(op) + ": expected indices of shape (..., k) with 1 <= k <= " + num(target.rank()) +
                  " (the rank of the target shape " + target.str() + "), but received indices of shape " +
                  indices.shape().str());
  std::vector<int64_t> want(indices.shape().dims().begin(), indices.shape().dims().end() - 1);
  Scatter p;
  p.rows = 1;
  for (int64_t i = 0; i < k; ++i) p.rows *= shape[size_t(i)];
  for (int64_t i = k; i < target.rank(); ++i) {
    want.push_back(shape[size_t(i)]);
    p.rest.push_back(shape[size_t(i)]);
  }
  if (updates.shape() != Shape(want))
    throw_invalid(std::string(op) + ": expected " + upd_name + " of shape " + Shape(want).str() +
                  " (indices' shape " + indices.shape().str() + " without its last axis, then the target shape " +
                  target.str() + " after its first " + num(k) + " axes), but received shape " + updates.shape().str());
  Tensor idx = ops::reshape(ops::cast(indices, DType::int64), {-1, k});
  std::vector<int64_t> strides(size_t(k), 1);
  for (int64_t i = k - 2; i >= 0; --i)
    if (__builtin_mul_overflow(strides[size_t(i + 1)], shape[size_t(i + 1)], &strides[size_t(i)]))
      throw std::overflow_error(std::string(op) + ": the target shape " + target.str() +
                                " has more elements than an int64 counts");
  Tensor st = from_buffer(strides.data(), Shape{k}, DType::int64);
  Tensor dims = from_buffer(shape.data(), Shape{k}, DType::int64);
  if (!tracing::t_tracer) {  // eager: name the bad index
    std::vector<int64_t> v = idx.to_vector<int64_t>();
    for (size_t i = 0; i < v.size(); ++i) {
      const int64_t d = shape[i % size_t(k)];
      if (v[i] < 0 || v[i] >= d)
        throw_invalid(std::string(op) + ": index " + num(v[i]) + " (indices row " + num(int64_t(i) / k) +
                      ", coordinate " + num(int64_t(i % size_t(k))) + ") is out of range for axis " +
                      num(int64_t(i % size_t(k))) + " of size " + num(d) + " (target shape " + target.str() + ")");
    }
  }
  Tensor valid = ops::all(ops::logical_and(ops::greater_equal(idx, ops::scalar_like(idx, 0.0)), ops::less(idx, dims)),
                          {1});
  p.lin = ops::where(valid, ops::sum(ops::multiply(idx, st), {1}), ops::scalar_like(idx, -1.0));
  std::vector<int64_t> flat{-1};
  int64_t r = 1;
  for (int64_t d : p.rest) r *= d;
  flat.push_back(r);
  p.updates = ops::reshape(updates, flat);
  return p;
}

std::vector<int64_t> with_rows(const Scatter& p) {
  std::vector<int64_t> d{p.rows};
  int64_t r = 1;
  for (int64_t x : p.rest) r *= x;
  d.push_back(r);
  return d;
}

}  // namespace

void define_segment_ops() {
  for (OpId op : {OpId::UnsortedSegmentMax, OpId::UnsortedSegmentMin, OpId::UnsortedSegmentProd}) {
    define_op(op, infer_segment);
    define_grad(op, segment_grad);
  }
}

namespace ops {
Tensor segment_sum(const Tensor& data, const Tensor& ids, std::optional<int64_t> n, bool sorted) {
  return keras_segment("segment_sum", OpId::UnsortedSegmentSum, data, ids, n, sorted);
}
Tensor segment_max(const Tensor& data, const Tensor& ids, std::optional<int64_t> n, bool sorted) {
  return keras_segment("segment_max", OpId::UnsortedSegmentMax, data, ids, n, sorted);
}
Tensor segment_min(const Tensor& data, const Tensor& ids, std::optional<int64_t> n, bool sorted) {
  return keras_segment("segment_min", OpId::UnsortedSegmentMin, data, ids, n, sorted);
}
Tensor segment_prod(const Tensor& data, const Tensor& ids, std::optional<int64_t> n, bool sorted) {
  return keras_segment("segment_prod", OpId::UnsortedSegmentProd, data, ids, n, sorted);
}

Tensor scatter(const Tensor& indices, const Tensor& values, const std::vector<int64_t>& shape) {
  check_defined("scatter", {{"indices", &indices}, {"values", &values}});
  for (int64_t d : shape)
    if (d < 0) throw_invalid("scatter: expected a shape of non-negative sizes, but received " + Shape(shape).str());
  Scatter p = scatter_plan("scatter", indices, values, shape, "values");
  return reshape(unsorted_segment_sum(p.updates, p.lin, p.rows), shape);
}

Tensor scatter_update(const Tensor& inputs, const Tensor& indices, const Tensor& updates,
                      const std::string& reduction) {
  check_defined("scatter_update", {{"inputs", &inputs}, {"indices", &indices}, {"updates", &updates}});
  if (inputs.dtype() != updates.dtype())
    throw_invalid("scatter_update: expected updates of inputs' dtype " + std::string(dtype_name(inputs.dtype())) +
                  ", but received " + dtype_name(updates.dtype()));
  const std::vector<int64_t> shape = inputs.shape().dims();
  Scatter p = scatter_plan("scatter_update", indices, updates, shape, "updates");
  Tensor base = reshape(inputs, with_rows(p));
  DeviceScope on_input(inputs.device());  // the helper tensors on the inputs' device
  Tensor hits = unsorted_segment_sum(ones({p.lin.shape()[0]}, DType::float32), p.lin, p.rows);
  Tensor hit = reshape(greater(hits, scalar_like(hits, 0.0)), {p.rows, 1});
  Tensor r;
  if (reduction.empty()) {  // the last update of each row wins
    Tensor pos = range(0.0, double(p.lin.shape()[0]), 1.0, DType::int64);
    Tensor last = segment_op(OpId::UnsortedSegmentMax, pos, p.lin, p.rows);
    Tensor picked = gather(p.updates, maximum(last, scalar_like(last, 0.0)), 0);
    r = where(hit, picked, base);
  } else if (reduction == "add") {
    r = add(base, unsorted_segment_sum(p.updates, p.lin, p.rows));
  } else if (reduction == "mul") {
    r = multiply(base, segment_op(OpId::UnsortedSegmentProd, p.updates, p.lin, p.rows));
  } else if (reduction == "max") {
    r = where(hit, maximum(base, segment_op(OpId::UnsortedSegmentMax, p.updates, p.lin, p.rows)), base);
  } else if (reduction == "min") {
    r = where(hit, minimum(base, segment_op(OpId::UnsortedSegmentMin, p.updates, p.lin, p.rows)), base);
  } else {
    throw_invalid("scatter_update: expected reduction to be none (\"\"), \"add\", \"mul\", \"max\" or \"min\", "
                  "but received \"" + reduction + "\"");
  }
  return reshape(r, shape);
}

Tensor slice_update(const Tensor& inputs, const std::vector<int64_t>& start_indices, const Tensor& updates) {
  check_defined("slice_update", {{"inputs", &inputs}, {"updates", &updates}});
  const int64_t r = inputs.rank();
  if (updates.rank() != r || int64_t(start_indices.size()) != r)
    throw_invalid("slice_update: expected updates of inputs' rank " + num(r) + " and " + num(r) +
                  " start indices (inputs shape " + inputs.shape().str() + "), but received updates of shape " +
                  updates.shape().str() + " and " + num(int64_t(start_indices.size())) + " start indices");
  if (inputs.dtype() != updates.dtype())
    throw_invalid("slice_update: expected updates of inputs' dtype " + std::string(dtype_name(inputs.dtype())) +
                  ", but received " + dtype_name(updates.dtype()));
  DeviceScope on_input(inputs.device());  // the mask on the inputs' device
  std::vector<std::pair<int64_t, int64_t>> pads;
  for (int64_t i = 0; i < r; ++i) {
    const int64_t n = inputs.shape()[i], u = updates.shape()[i];
    if (u > n)
      throw_invalid("slice_update: updates of shape " + updates.shape().str() + " do not fit in inputs of shape " +
                    inputs.shape().str() + " (axis " + num(i) + ")");
    const int64_t s = std::clamp<int64_t>(start_indices[size_t(i)], 0, n - u);
    pads.push_back({s, n - u - s});
  }
  Tensor mask = not_equal(pad(ones(updates.shape(), DType::float32), pads), zeros({}, DType::float32));
  Tensor placed = updates.dtype() == DType::bool_
                      ? cast(pad(cast(updates, DType::float32), pads), DType::bool_)
                      : pad(updates, pads);
  return where(mask, placed, inputs);
}
}  // namespace ops
}  // namespace keras::core
