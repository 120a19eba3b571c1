// segment.cpp - CPU kernels of unsorted_segment_max / _min / _prod.
//
// data is seen as (n, inner) and the output as (num_segments, inner): the output starts at
// the reduction's identity (the lowest / highest finite value, 1) and rows are folded in
// order of their index, so results are deterministic. Column slabs are spread over the
// thread pool. max/min propagate NaN. ids outside [0, num_segments) raise.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/init.h"

namespace keras::core::cpu {
namespace {

inline int64_t id_at(const void* p, bool is64, int64_t i) {
  return is64 ? static_cast<const int64_t*>(p)[i] : static_cast<const int32_t*>(p)[i];
}

template <class T>
struct MaxF {
  static T init() { return std::numeric_limits<T>::lowest(); }
  static T fold(T a, T v) {
    if constexpr (std::is_floating_point_v<T>)
      if (std::isnan(v)) return v;
    return v > a ? v : a;
  }
};
template <class T>
struct MinF {
  static T init() { return std::numeric_limits<T>::max(); }
  static T fold(T a, T v) {
    if constexpr (std::is_floating_point_v<T>)
      if (std::isnan(v)) return v;
    return v < a ? v : a;
  }
};
template <class T>
struct ProdF {
  static T init() { return T(1); }
  static T fold(T a, T v) {
    if constexpr (std::is_floating_point_v<T>) {
      return a * v;
    } else {
      using U = std::make_unsigned_t<T>;
      return static_cast<T>(static_cast<U>(a) * static_cast<U>(v));  // integers wrap around
    }
  }
};

template <class T, template <class> class F>
void segment_typed(OpCall& c) {
  const Tensor &data = c.in(0), &ids = c.in(1);
  const int64_t n = data.shape()[0], segs = c.attrs.k;
  const int64_t inner = data.shape().num_elements() / std::max<int64_t>(n, 1);
  const int64_t out_inner = segs > 0 ? c.outputs[0].size() / segs : 0;
  const bool is64 = ids.dtype() == DType::int64;
  const void* ip = ids.raw_data();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = id_at(ip, is64, i);
    if (v < 0 || v >= segs)
      throw_invalid(std::string(c.name()) + ": segment_ids[" + std::to_string(i) + "] = " +
                    std::to_string(v) + " is out of range (expected 0 <= id < num_segments = " +
                    std::to_string(segs) + ")");
  }
  T* y = static_cast<T*>(c.outputs[0].raw_mutable_data());
  std::fill(y, y + segs * out_inner, F<T>::init());
  if (n == 0 || inner == 0) return;
  const T* x = static_cast<const T*>(data.raw_data());
  constexpr int64_t kSlab = 1024;
  const int64_t slabs = (inner + kSlab - 1) / kSlab;
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(n * kSlab, 1));
  parallel_for(slabs, grain, [&](int64_t b, int64_t e) {
    for (int64_t s = b; s < e; ++s) {
      const int64_t k0 = s * kSlab, w = std::min(kSlab, inner - k0);
      for (int64_t i = 0; i < n; ++i) {
        T* dst = y + id_at(ip, is64, i) * inner + k0;
        const T* src = x + i * inner + k0;
        for (int64_t k = 0; k < w; ++k) dst[k] = F<T>::fold(dst[k], src[k]);
      }
    }
  });
}

template <template <class> class F>
void segment_kernel(OpCall& c) {
  switch (c.in(0).dtype()) {
    case DType::float32: return segment_typed<float, F>(c);
    case DType::float64: return segment_typed<double, F>(c);
    case DType::int32: return segment_typed<int32_t, F>(c);
    case DType::int64: return segment_typed<int64_t, F>(c);
    case DType::uint8: return segment_typed<uint8_t, F>(c);
    case DType::int8: return segment_typed<int8_t, F>(c);
    case DType::int16: return segment_typed<int16_t, F>(c);
    case DType::uint16: return segment_typed<uint16_t, F>(c);
    case DType::uint32: return segment_typed<uint32_t, F>(c);
    case DType::bool_: break;
  }
  throw_invalid(std::string(c.name()) + ": no CPU kernel for dtype " + dtype_name(c.in(0).dtype()));
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_segment_kernels() {
  register_kernel(OpId::UnsortedSegmentMax, Device::Kind::CPU, cpu::segment_kernel<cpu::MaxF>);
  register_kernel(OpId::UnsortedSegmentMin, Device::Kind::CPU, cpu::segment_kernel<cpu::MinF>);
  register_kernel(OpId::UnsortedSegmentProd, Device::Kind::CPU, cpu::segment_kernel<cpu::ProdF>);
}
}  // namespace keras::core
