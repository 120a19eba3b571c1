// register_shape.cpp - the CUDA backend's data-movement and neural-network entries
// (transpose, strided_slice, broadcast_to, tile, pad, concatenate, gather, softmax,
// log_softmax, the fused cross-entropies, one_hot, ctc_loss): host code building each op's strided
// copy or row layout for the launchers of gpu/kernels.h. Index and label checks run on the
// device and read back only the first index out of range (first_outside), then raise the
// CPU kernels' messages (core/index_checks.h).
#include <string>
#include <vector>

#include "core/cpu/ctc_errors.h"
#include "core/dispatch.h"
#include "core/index_checks.h"
#include "core/kernel_dtypes.h"
#include "gpu/kernels.h"
#include "gpu/register_util.h"

namespace keras::core::cuda {

namespace {

std::vector<int64_t> row_major(const Shape& s) {
  std::vector<int64_t> st(size_t(s.rank()), 1);
  for (int64_t d = s.rank() - 2; d >= 0; --d) st[size_t(d)] = st[size_t(d + 1)] * s[d + 1];
  return st;
}

// A copy of `dims` elements from src (strides ss) into a dense destination (strides ds).
Copy copy_of(const OpCall& c, const std::vector<int64_t>& dims, const std::vector<int64_t>& ss,
             const std::vector<int64_t>& ds) {
  if (dims.size() > size_t(Copy::kMax))
    throw_invalid(std::string(c.name()) + ": no kernel for device " + device_str(c) + " for rank " +
                  std::to_string(dims.size()) + " (at most " + std::to_string(Copy::kMax) + ")");
  Copy d;
  d.rank = int(dims.size());
  for (size_t k = 0; k < dims.size(); ++k) d.dims[k] = dims[k], d.src_strides[k] = ss[k], d.dst_strides[k] = ds[k];
  return d;
}

int bytes_of(const Tensor& t) { return int(dtype_size(t.dtype())); }

void transpose_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  require(c, x.dtype());
  Tensor& y = c.outputs[0];
  const auto xs = row_major(x.shape());
  std::vector<int64_t> ss;
  for (int64_t a : c.attrs.axes) ss.push_back(xs[size_t(a < 0 ? a + x.rank() : a)]);
  strided_copy(bytes_of(x), copy_of(c, y.shape().dims(), ss, row_major(y.shape())), x.raw_data(),
               y.raw_mutable_data(), device_of(c));
}

void strided_slice_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  require(c, x.dtype());
  Tensor& y = c.outputs[0];
  if (y.size() == 0) return;
  const auto xs = row_major(x.shape());
  std::vector<int64_t> ss(xs.size());
  int64_t off = 0;
  for (size_t i = 0; i < xs.size(); ++i) off += c.attrs.begin[i] * xs[i], ss[i] = c.attrs.strides[i] * xs[i];
  strided_copy(bytes_of(x), copy_of(c, y.shape().dims(), ss, row_major(y.shape())),
               static_cast<const char*>(x.raw_data()) + off * bytes_of(x), y.raw_mutable_data(), device_of(c));
}

void broadcast_to_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  require(c, x.dtype());
  Tensor& y = c.outputs[0];
  const Shape& so = y.shape();
  const auto xs = row_major(x.shape());
  std::vector<int64_t> ss(size_t(so.rank()), 0);
  for (int64_t d = 0; d < x.rank(); ++d) {
    const int64_t od = d + so.rank() - x.rank();
    ss[size_t(od)] = x.shape()[d] == 1 ? 0 : xs[size_t(d)];
  }
  strided_copy(bytes_of(x), copy_of(c, so.dims(), ss, row_major(so)), x.raw_data(), y.raw_mutable_data(),
               device_of(c));
}

// y viewed as (m0, d0, m1, d1, ...) reads x with stride 0 on the multiple axes.
void tile_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  require(c, x.dtype());
  Tensor& y = c.outputs[0];
  const auto xs = row_major(x.shape());
  std::vector<int64_t> dims, ss;
  for (int64_t i = 0; i < x.rank(); ++i) {
    dims.push_back(c.attrs.shape[size_t(i)]), ss.push_back(0);
    dims.push_back(x.shape()[i]), ss.push_back(xs[size_t(i)]);
  }
  strided_copy(bytes_of(x), copy_of(c, dims, ss, row_major(Shape(dims))), x.raw_data(), y.raw_mutable_data(),
               device_of(c));
}

void pad_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  require(c, x.dtype());
  Tensor& y = c.outputs[0];
  if (y.size() != x.size()) fill(dt_of(y.dtype()), y.raw_mutable_data(), y.size(), c.attrs.alpha, device_of(c));
  const auto ys = row_major(y.shape());
  int64_t off = 0;
  for (size_t i = 0; i < ys.size(); ++i) off += c.attrs.begin[i] * ys[i];
  strided_copy(bytes_of(x), copy_of(c, x.shape().dims(), row_major(x.shape()), ys), x.raw_data(),
               static_cast<char*>(y.raw_mutable_data()) + off * bytes_of(x), device_of(c));
}

void concat_kernel(OpCall& c) {
  Tensor& y = c.outputs[0];
  require(c, y.dtype());
  if (y.size() == 0) return;
  const int64_t axis = normalize_axis(c.attrs.axis, y.rank(), c.name());
  const auto ys = row_major(y.shape());
  int64_t pos = 0;
  for (const Tensor& x : c.inputs) {
    strided_copy(bytes_of(x), copy_of(c, x.shape().dims(), row_major(x.shape()), ys), x.raw_data(),
                 static_cast<char*>(y.raw_mutable_data()) + pos * ys[size_t(axis)] * bytes_of(x), device_of(c));
    pos += x.shape()[axis];
  }
}

void gather_kernel(OpCall& c) {
  const Tensor &params = c.in(0), &indices = c.in(1);
  require(c, params.dtype());
  const int64_t axis = normalize_axis(c.attrs.axis, params.rank(), c.name());
  const int64_t n = params.shape()[axis];
  if (const OutOfRange bad = first_outside(c, indices, 0, n); bad.flat >= 0)
    throw_gather_index(c, bad.flat, bad.value, axis, n);
  const AxisSplit sp = split_axis(params.shape(), axis);
  gather_rows(bytes_of(params), params.raw_data(), indices.raw_data(), indices.dtype() == DType::int64,
              c.outputs[0].raw_mutable_data(), sp.outer, n, indices.size(), sp.inner, device_of(c));
}

void take_along_kernel(OpCall& c) {
  const Tensor &x = c.in(0), &indices = c.in(1);
  require(c, x.dtype());
  const int64_t axis = normalize_axis(c.attrs.axis, x.rank(), c.name());
  const int64_t n = x.shape()[axis];
  if (const OutOfRange bad = first_outside(c, indices, -n, n); bad.flat >= 0)
    throw_take_along_index(c, bad.flat, bad.value, axis, n);
  const AxisSplit sp = split_axis(x.shape(), axis);
  take_along(bytes_of(x), x.raw_data(), indices.raw_data(), indices.dtype() == DType::int64,
             c.outputs[0].raw_mutable_data(), sp.outer, n, indices.shape()[axis], sp.inner, device_of(c));
}

void segment_sum_kernel(OpCall& c) {
  const Tensor &data = c.in(0), &ids = c.in(1);
  require(c, data.dtype());
  const int64_t segs = c.attrs.k;
  if (const OutOfRange bad = first_outside(c, ids, 0, segs); bad.flat >= 0) throw_segment_id(bad.flat, bad.value, segs);
  Tensor& y = c.outputs[0];
  segment_sum(dt_of(data.dtype()), data.raw_data(), ids.raw_data(), ids.dtype() == DType::int64,
              y.raw_mutable_data(), data.shape()[0], segs, segs > 0 ? y.size() / segs : 0, device_of(c));
}

void softmax_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  require(c, x.dtype());
  const AxisSplit sp = split_axis(x.shape(), c.attrs.axis);
  softmax(dt_of(x.dtype()), c.op == OpId::LogSoftmax, x.raw_data(), c.outputs[0].raw_mutable_data(), sp.outer, sp.n,
          sp.inner, device_of(c));
}

void sparse_xent_kernel(OpCall& c) {
  const Tensor &labels = c.in(0), &logits = c.in(1);
  require(c, logits.dtype());
  const int64_t classes = logits.shape()[logits.rank() - 1];
  // Every label checked before any arithmetic, as on the CPU: on the device, reading back
  // only the first label out of range.
  if (const OutOfRange bad = first_outside(c, labels, 0, classes); bad.flat >= 0)
    throw_label_out_of_range(c, bad.flat, bad.value, classes);
  sparse_xent(dt_of(logits.dtype()), dt_of(labels.dtype()), labels.raw_data(), logits.raw_data(),
              c.outputs[0].raw_mutable_data(), c.outputs[0].size(), classes, device_of(c));
}

void dense_xent_kernel(OpCall& c) {
  const Tensor &labels = c.in(0), &logits = c.in(1);
  require(c, logits.dtype());
  dense_xent(dt_of(logits.dtype()), labels.raw_data(), logits.raw_data(), c.outputs[0].raw_mutable_data(),
             c.outputs[0].size(), logits.shape()[logits.rank() - 1], device_of(c));
}

void one_hot_kernel(OpCall& c) {
  const Tensor& idx = c.in(0);
  require(c, c.outputs[0].dtype());
  const Shape& s = idx.shape();
  const int64_t r = s.rank(), axis = c.attrs.axis == -1 ? r : c.attrs.axis;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= s[i];
  for (int64_t i = axis; i < r; ++i) inner *= s[i];
  one_hot(dt_of(c.outputs[0].dtype()), dt_of(idx.dtype()), idx.raw_data(), c.outputs[0].raw_mutable_data(), outer,
          c.attrs.k, inner, c.attrs.alpha, c.attrs.beta, device_of(c));
}

// sort / argsort along attrs.axis (attrs.flag: descending).
void sort_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  require(c, x.dtype());
  if (x.size() == 0) return;
  const AxisSplit s = split_axis(x.shape(), c.attrs.axis);
  void* out = c.outputs[0].raw_mutable_data();
  const bool arg = c.op == OpId::ArgSort;
  sort_lines(dt_of(x.dtype()), x.raw_data(), arg ? nullptr : out, arg ? static_cast<int32_t*>(out) : nullptr, s.outer,
             s.n, s.inner, c.attrs.flag, device_of(c));
}

// top_k along the last axis (attrs.k; attrs.flag: sorted).
void top_k_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  require(c, x.dtype());
  const int64_t n = x.shape()[x.rank() - 1], k = c.attrs.k;
  if (x.size() == 0 || k == 0) return;
  top_k(dt_of(x.dtype()), x.raw_data(), c.outputs[0].raw_mutable_data(),
        static_cast<int32_t*>(c.outputs[1].raw_mutable_data()), x.size() / n, n, k, c.attrs.flag, device_of(c));
}

// ctc_loss: the lengths and labels checked on the device first (the first failing one
// read back, raising the CPU's message), then one block per sample (gpu/ctc.cu).
void ctc_kernel(OpCall& c) {
  const Tensor &labels = c.in(0), &x = c.in(1), &ll = c.in(2), &tl = c.in(3);
  require(c, x.dtype());
  const int64_t b = x.shape()[0], steps = x.shape()[1], classes = x.shape()[2], max_label = labels.shape()[1];
  const auto* lab = static_cast<const int64_t*>(labels.raw_data());
  const auto* llp = static_cast<const int64_t*>(ll.raw_data());
  const auto* tlp = static_cast<const int64_t*>(tl.raw_data());
  if (const CtcBadInput bad = ctc_check(lab, llp, tlp, b, max_label, steps, classes, c.attrs.k, device_of(c));
      bad.sample >= 0)
    ctc_errors::throw_bad_input(c, bad.sample, bad.slot, bad.value);
  const int mode = int(c.attrs.axis);
  ctc_loss(dt_of(x.dtype()), mode, lab, x.raw_data(), mode == 2 ? c.in(4).raw_data() : nullptr, llp, tlp,
           c.outputs[0].raw_mutable_data(), b, steps, classes, max_label, c.attrs.k, device_of(c));
}

}  // namespace

void register_shape_kernels() {
  const auto& all = kAllTypes;
  const auto& f = kFloatTypes;
  add_kernel(OpId::Transpose, transpose_kernel, all);
  add_kernel(OpId::StridedSlice, strided_slice_kernel, all);
  add_kernel(OpId::BroadcastTo, broadcast_to_kernel, all);
  add_kernel(OpId::Tile, tile_kernel, all);
  add_kernel(OpId::Pad, pad_kernel, all);
  add_kernel(OpId::Concat, concat_kernel, all);
  add_kernel(OpId::Gather, gather_kernel, all);
  add_kernel(OpId::TakeAlongAxis, take_along_kernel, all);
  add_kernel(OpId::UnsortedSegmentSum, segment_sum_kernel, kNumericTypes);
  add_kernel(OpId::Softmax, softmax_kernel, f);
  add_kernel(OpId::LogSoftmax, softmax_kernel, f);
  add_kernel(OpId::SparseSoftmaxCrossEntropy, sparse_xent_kernel, f);
  add_kernel(OpId::SoftmaxCrossEntropy, dense_xent_kernel, f);
  add_kernel(OpId::OneHot, one_hot_kernel, all);
  add_kernel(OpId::CtcLoss, ctc_kernel, f);
  const std::initializer_list<DType> sortable = {DType::float32, DType::float64, DType::int32, DType::int64,
                                                 DType::uint8};
  add_kernel(OpId::Sort, sort_kernel, sortable);
  add_kernel(OpId::ArgSort, sort_kernel, sortable);
  add_kernel(OpId::TopK, top_k_kernel, sortable);
}

}  // namespace keras::core::cuda
