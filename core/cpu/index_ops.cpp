// index_ops.cpp - CPU kernels of the ops that move data by index: gather,
// take_along_axis and unsorted_segment_sum. Each validates every index before writing
// anything, and raises the error that names the index's position and value.
#include <cstring>
#include <string>
#include <vector>

#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/index_checks.h"
#include "core/init.h"

namespace keras::core {
// "[1, 2]": the multi-index of flat position i in shape s.
static std::string position_str(const Shape& s, int64_t i) {
  std::vector<int64_t> idx(static_cast<size_t>(s.rank()));
  for (int64_t k = s.rank() - 1; k >= 0; --k) {
    idx[static_cast<size_t>(k)] = i % s[k];
    i /= s[k];
  }
  std::string r = "[";
  for (size_t k = 0; k < idx.size(); ++k) r += (k ? ", " : "") + std::to_string(idx[k]);
  return r + "]";
}

void throw_gather_index(const OpCall& c, int64_t flat, int64_t value, int64_t axis, int64_t n) {
  throw_invalid(std::string(c.name()) + ": indices" + position_str(c.in(1).shape(), flat) + " = " +
                std::to_string(value) + " is out of range for axis " + std::to_string(axis) +
                " of params with shape " + c.in(0).shape().str() + " (expected 0 <= index < " + std::to_string(n) +
                ")");
}

void throw_segment_id(int64_t flat, int64_t value, int64_t segments) {
  throw_invalid("unsorted_segment_sum: segment_ids[" + std::to_string(flat) + "] = " + std::to_string(value) +
                " is out of range (expected 0 <= id < " + std::to_string(segments) + ")");
}

void throw_take_along_index(const OpCall& c, int64_t flat, int64_t value, int64_t axis, int64_t n) {
  throw_invalid(std::string(c.name()) + ": indices" + position_str(c.in(1).shape(), flat) + " = " +
                std::to_string(value) + " is out of range for axis " + std::to_string(axis) + " of x with shape " +
                c.in(0).shape().str() + " (expected " + std::to_string(-n) + " <= index < " + std::to_string(n) + ")");
}
}  // namespace keras::core

namespace keras::core::cpu {
namespace {

// The index at flat position i of an int32/int64 tensor.
inline int64_t index_at(const void* p, bool is64, int64_t i) {
  return is64 ? static_cast<const int64_t*>(p)[i] : static_cast<const int32_t*>(p)[i];
}

// params viewed as [outer, n, inner]; out as [outer, indices.size(), inner].
void gather_kernel(OpCall& c) {
  const Tensor &params = c.in(0), &indices = c.in(1);
  Tensor& y = c.outputs[0];
  const int64_t axis = normalize_axis(c.attrs.axis, params.rank(), c.name());
  const int64_t n = params.shape()[axis];
  const bool is64 = indices.dtype() == DType::int64;
  const void* ip = indices.raw_data();
  const int64_t ni = indices.size();
  for (int64_t i = 0; i < ni; ++i) {
    int64_t v = index_at(ip, is64, i);
    if (v < 0 || v >= n) throw_gather_index(c, i, v, axis, n);
  }
  if (y.size() == 0) return;
  const AxisSplit sp = split_at(params.shape(), axis);
  const int64_t outer = sp.outer, inner = sp.inner;
  const size_t es = dtype_size(params.dtype());
  const size_t row = static_cast<size_t>(inner) * es;
  const char* src = static_cast<const char*>(params.raw_data());
  char* dst = static_cast<char*>(y.raw_mutable_data());
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / inner);
  parallel_for(outer * ni, grain, [&](int64_t b, int64_t e) {
    for (int64_t u = b; u < e; ++u) {
      const int64_t o = u / ni, j = u % ni;
      const int64_t v = index_at(ip, is64, j);
      std::memcpy(dst + static_cast<size_t>(u) * row,
                  src + static_cast<size_t>(o * n + v) * row, row);
    }
  });
}

// data viewed as [n, inner]; out as [num_segments, inner], zeroed, then rows added in
// order (deterministic).
template <class T>
void segment_sum_typed(const T* x, T* y, const void* ip, bool is64, int64_t n, int64_t segs,
                       int64_t inner) {
  std::fill(y, y + segs * inner, T(0));
  for (int64_t i = 0; i < n; ++i) {
    T* dst = y + index_at(ip, is64, i) * inner;
    const T* src = x + i * inner;
    for (int64_t j = 0; j < inner; ++j) dst[j] = T(dst[j] + src[j]);
  }
}

void segment_sum_kernel(OpCall& c) {
  const Tensor &data = c.in(0), &ids = c.in(1);
  Tensor& y = c.outputs[0];
  const bool is64 = ids.dtype() == DType::int64;
  const void* ip = ids.raw_data();
  const int64_t n = data.shape()[0], segs = c.attrs.k;
  for (int64_t i = 0; i < n; ++i) {
    int64_t v = index_at(ip, is64, i);
    if (v < 0 || v >= segs) throw_segment_id(i, v, segs);
  }
  // From the output, so that empty data (n = 0) still zeroes all of it.
  const int64_t inner = segs > 0 ? y.size() / segs : 0;
  switch (data.dtype()) {
    case DType::float32: return segment_sum_typed(data.data<float>(), y.mutable_data<float>(), ip, is64, n, segs, inner);
    case DType::float64: return segment_sum_typed(data.data<double>(), y.mutable_data<double>(), ip, is64, n, segs, inner);
    case DType::int32: return segment_sum_typed(data.data<int32_t>(), y.mutable_data<int32_t>(), ip, is64, n, segs, inner);
    case DType::int64: return segment_sum_typed(data.data<int64_t>(), y.mutable_data<int64_t>(), ip, is64, n, segs, inner);
    case DType::uint8: return segment_sum_typed(data.data<uint8_t>(), y.mutable_data<uint8_t>(), ip, is64, n, segs, inner);
    case DType::int8: return segment_sum_typed(data.data<int8_t>(), y.mutable_data<int8_t>(), ip, is64, n, segs, inner);
    case DType::int16: return segment_sum_typed(data.data<int16_t>(), y.mutable_data<int16_t>(), ip, is64, n, segs, inner);
    case DType::uint16: return segment_sum_typed(data.data<uint16_t>(), y.mutable_data<uint16_t>(), ip, is64, n, segs, inner);
    case DType::uint32: return segment_sum_typed(data.data<uint32_t>(), y.mutable_data<uint32_t>(), ip, is64, n, segs, inner);
    case DType::bool_: break;
    case DType::string: break;  // never here: dispatch runs string tensors in string_kernels.cpp
  }
}

template <class T>
void take_along_typed(const T* x, T* y, const void* ip, bool is64, int64_t outer, int64_t n,
                      int64_t k, int64_t inner) {
  const int64_t total = outer * k * inner;
  parallel_for(total, kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t u = b; u < e; ++u) {
      const int64_t i = u % inner, o = u / (k * inner);
      int64_t v = index_at(ip, is64, u);
      if (v < 0) v += n;
      y[u] = x[(o * n + v) * inner + i];
    }
  });
}

// x viewed as [outer, n, inner], indices and out as [outer, k, inner]. Negative indices
// count from the end (validated to [-n, n) first).
void take_along_axis_kernel(OpCall& c) {
  const Tensor &x = c.in(0), &indices = c.in(1);
  Tensor& y = c.outputs[0];
  const int64_t axis = normalize_axis(c.attrs.axis, x.rank(), c.name());
  const int64_t n = x.shape()[axis];
  const bool is64 = indices.dtype() == DType::int64;
  const void* ip = indices.raw_data();
  for (int64_t i = 0, ni = indices.size(); i < ni; ++i) {
    int64_t v = index_at(ip, is64, i);
    if (v < -n || v >= n) throw_take_along_index(c, i, v, axis, n);
  }
  if (y.size() == 0) return;
  const AxisSplit sp = split_at(x.shape(), axis);
  const int64_t outer = sp.outer, inner = sp.inner;
  const int64_t k = indices.shape()[axis];
  switch (dtype_size(x.dtype())) {
    case 1:
      return take_along_typed(static_cast<const uint8_t*>(x.raw_data()),
                              static_cast<uint8_t*>(y.raw_mutable_data()), ip, is64, outer, n, k, inner);
    case 4:
      return take_along_typed(static_cast<const uint32_t*>(x.raw_data()),
                              static_cast<uint32_t*>(y.raw_mutable_data()), ip, is64, outer, n, k, inner);
    default:
      return take_along_typed(static_cast<const uint64_t*>(x.raw_data()),
                              static_cast<uint64_t*>(y.raw_mutable_data()), ip, is64, outer, n, k, inner);
  }
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_index_kernels() {
  using K = Device::Kind;
  register_kernel(OpId::Gather, K::CPU, cpu::gather_kernel);
  register_kernel(OpId::TakeAlongAxis, K::CPU, cpu::take_along_axis_kernel);
  register_kernel(OpId::UnsortedSegmentSum, K::CPU, cpu::segment_sum_kernel);
}
}  // namespace keras::core
