// register_math.cpp - the CUDA backend's entries for the elementwise math and bitwise ops
// (gpu/math.cu), cumsum / cumprod (gpu/scan.cu), range / linspace / eye (gpu/creation.cu),
// searchsorted (gpu/search.cu) and unsorted_segment_max / _min / _prod (gpu/segment.cu):
// host code turning an OpCall into a launcher call of gpu/kernels.h, with the dtypes of
// the CPU kernels. The checks that read values (an integer fmod's divisor, segment ids)
// read them on the host, as the CPU kernels do, and raise the CPU's messages.
#include <cstdint>
#include <string>

#include "core/dispatch.h"
#include "gpu/kernels.h"
#include "gpu/register_util.h"

namespace keras::core::cuda {
namespace {

// MathOp lists core's OpIds from Erf to Lcm in their order.
static_assert(int(OpId::Trunc) - int(OpId::Erf) == int(MathOp::Trunc));
static_assert(int(OpId::BitwiseInvert) - int(OpId::Erf) == int(MathOp::BitwiseInvert));
static_assert(int(OpId::NextAfter) - int(OpId::Erf) == int(MathOp::NextAfter));
static_assert(int(OpId::Lcm) - int(OpId::Erf) == int(MathOp::Lcm));
MathOp math_op(OpId op) { return MathOp(int(op) - int(OpId::Erf)); }

void math_unary_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  require(c, x.dtype());
  math_unary(math_op(c.op), dt_of(x.dtype()), x.raw_data(), c.outputs[0].raw_mutable_data(), x.size(),
             device_of(c));
}

// An integer fmod by zero raises before anything runs, as on the CPU (which checks every
// element of the divisor, broadcast or not).
void check_fmod_divisor(const OpCall& c) {
  const Tensor& b = c.in(1);
  if (c.op != OpId::Fmod || !is_integer(b.dtype())) return;
  const Tensor h = b.cpu();
  for (int64_t i = 0; i < h.size(); ++i) {
    bool zero = false;
    switch (h.dtype()) {
      case DType::int32: zero = h.data<int32_t>()[i] == 0; break;
      case DType::int64: zero = h.data<int64_t>()[i] == 0; break;
      default: zero = h.data<uint8_t>()[i] == 0; break;
    }
    if (zero) throw_invalid("fmod: integer division by zero");
  }
}

void math_binary_kernel(OpCall& c) {
  const Tensor &a = c.in(0), &b = c.in(1);
  require(c, a.dtype());
  check_fmod_divisor(c);
  Tensor& o = c.outputs[0];
  math_binary(math_op(c.op), dt_of(a.dtype()), a.raw_data(), b.raw_data(), o.raw_mutable_data(),
              strided(c, o.shape(), {&a, &b}), device_of(c));
}

void scan_kernel(OpCall& c) {
  const Tensor& x = c.in(0);
  require(c, x.dtype());
  if (x.size() == 0) return;
  const AxisSplit sp = split_axis(x.shape(), c.attrs.axis);
  scan(c.op == OpId::Cumprod, dt_of(x.dtype()), x.raw_data(), c.outputs[0].raw_mutable_data(), sp.outer, sp.n,
       sp.inner, device_of(c));
}

void range_kernel(OpCall& c) {
  Tensor& y = c.outputs[0];
  require(c, y.dtype());
  const bool integral = is_integer(y.dtype());
  range_fill(dt_of(y.dtype()), y.raw_mutable_data(), y.size(), c.attrs.alpha, c.attrs.beta,
             integral ? c.attrs.begin[0] : 0, integral ? c.attrs.strides[0] : 0, device_of(c));
}

void linspace_kernel(OpCall& c) {
  Tensor& y = c.outputs[0];
  require(c, y.dtype());
  linspace_fill(dt_of(y.dtype()), y.raw_mutable_data(), y.size(), c.attrs.alpha, c.attrs.beta, device_of(c));
}

void eye_kernel(OpCall& c) {
  Tensor& y = c.outputs[0];
  require(c, y.dtype());
  eye_fill(dt_of(y.dtype()), y.raw_mutable_data(), y.shape()[0], y.shape()[1], device_of(c));
}

void search_kernel(OpCall& c) {
  const Tensor &seq = c.in(0), &vals = c.in(1);
  require(c, seq.dtype());
  search_sorted(dt_of(seq.dtype()), seq.raw_data(), seq.size(), vals.raw_data(),
                static_cast<int32_t*>(c.outputs[0].raw_mutable_data()), vals.size(), c.attrs.flag, device_of(c));
}

void segment_kernel(OpCall& c) {
  const Tensor &data = c.in(0), &ids = c.in(1);
  require(c, data.dtype());
  const int64_t segs = c.attrs.k;
  // Every id checked before anything runs, as on the CPU (on the device: only the first
  // id out of range is read back).
  if (const OutOfRange bad = first_outside(c, ids, 0, segs); bad.flat >= 0)
    throw_invalid(std::string(c.name()) + ": segment_ids[" + std::to_string(bad.flat) + "] = " +
                  std::to_string(bad.value) + " is out of range (expected 0 <= id < num_segments = " +
                  std::to_string(segs) + ")");
  Tensor& y = c.outputs[0];
  const int64_t n = data.shape()[0];  // data rows hold what an output row holds: (segments, *data.shape[1:])
  const SegOp op = c.op == OpId::UnsortedSegmentMax ? SegOp::Max
                   : c.op == OpId::UnsortedSegmentMin ? SegOp::Min : SegOp::Prod;
  segment_reduce(op, dt_of(data.dtype()), data.raw_data(), ids.raw_data(), ids.dtype() == DType::int64,
                 y.raw_mutable_data(), n, segs, segs > 0 ? y.size() / segs : 0, device_of(c));
}

}  // namespace

void register_math_kernels() {
  const auto& f = kFloatTypes;
  const auto& ints = kIntegerTypes;
  const auto& num = kNumericTypes;
  const auto& all = kAllTypes;
  for (int i = int(OpId::Erf); i <= int(OpId::Trunc); ++i) add_kernel(OpId(i), math_unary_kernel, f);
  add_kernel(OpId::SignBit, math_unary_kernel, all);
  add_kernel(OpId::BitwiseInvert, math_unary_kernel, ints);
  for (OpId op : {OpId::Arctan2, OpId::Hypot, OpId::NextAfter}) add_kernel(op, math_binary_kernel, f);
  add_kernel(OpId::Fmod, math_binary_kernel, num);
  for (int i = int(OpId::BitwiseAnd); i <= int(OpId::Lcm); ++i) add_kernel(OpId(i), math_binary_kernel, ints);
  add_kernel(OpId::Cumsum, scan_kernel, num);
  add_kernel(OpId::Cumprod, scan_kernel, num);
  add_kernel(OpId::Range, range_kernel, num);
  add_kernel(OpId::Linspace, linspace_kernel, num);
  add_kernel(OpId::Eye, eye_kernel, all);
  add_kernel(OpId::SearchSorted, search_kernel, num);
  for (OpId op : {OpId::UnsortedSegmentMax, OpId::UnsortedSegmentMin, OpId::UnsortedSegmentProd})
    add_kernel(op, segment_kernel, num);
}

}  // namespace keras::core::cuda
