// scan.cpp - CPU kernels of cumsum and cumprod.
//
// The input is seen as (outer, n, inner) around the scanned axis. With inner = 1 each line
// is scanned on its own and lines are spread over the thread pool. With inner > 1, a task
// takes one outer block and a slab of adjacent inner columns and walks down the axis,
// adding each row of the slab to the previous one: contiguous, vectorizable inner loops.
// Each output element's arithmetic is the same for any thread count (deterministic).
// Integers wrap around on overflow (computed unsigned, no undefined behaviour).
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/init.h"
#include "core/kernel_math.h"

namespace keras::core::cpu {
namespace {

template <class T, bool = std::is_floating_point_v<T>>
struct ArithOf { using type = T; };
template <class T>
struct ArithOf<T, false> { using type = kmath::wrap_t<T>; };
template <class T>
using Arith = typename ArithOf<T>::type;

template <class T, bool kProd>
inline T step(T a, T b) {
  using A = Arith<T>;
  return kProd ? static_cast<T>(static_cast<A>(a) * static_cast<A>(b))
               : static_cast<T>(static_cast<A>(a) + static_cast<A>(b));
}

template <class T, bool kProd>
void scan_typed(OpCall& c) {
  const Tensor& x = c.in(0);
  if (x.size() == 0) return;
  const int64_t axis = normalize_axis(c.attrs.axis, x.rank(), c.name());
  const AxisSplit split = split_at(x.shape(), axis);
  const int64_t outer = split.outer, n = split.dim, inner = split.inner;
  const T* src = static_cast<const T*>(x.raw_data());
  T* dst = static_cast<T*>(c.outputs[0].raw_mutable_data());
  if (inner == 1) {
    // kLines lines advance together, so their independent chains of additions overlap
    // (one line alone waits on each addition's latency).
    constexpr int64_t kLines = 8;
    const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(n, 1));
    parallel_for(outer, grain, [&](int64_t b, int64_t e) {
      int64_t line = b;
      for (; line + kLines <= e; line += kLines) {
        const T* s = src + line * n;
        T* d = dst + line * n;
        T acc[kLines];
        for (int64_t l = 0; l < kLines; ++l) d[l * n] = acc[l] = s[l * n];
        for (int64_t j = 1; j < n; ++j)
          for (int64_t l = 0; l < kLines; ++l) d[l * n + j] = acc[l] = step<T, kProd>(acc[l], s[l * n + j]);
      }
      for (; line < e; ++line) {
        const T* s = src + line * n;
        T* d = dst + line * n;
        T acc = s[0];
        d[0] = acc;
        for (int64_t j = 1; j < n; ++j) d[j] = acc = step<T, kProd>(acc, s[j]);
      }
    });
    return;
  }
  constexpr int64_t kSlab = 1024;
  const int64_t slabs = (inner + kSlab - 1) / kSlab;
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(n * kSlab, 1));
  parallel_for(outer * slabs, grain, [&](int64_t b, int64_t e) {
    for (int64_t task = b; task < e; ++task) {
      const int64_t o = task / slabs, k0 = (task % slabs) * kSlab;
      const int64_t w = std::min(kSlab, inner - k0);
      const T* s = src + o * n * inner + k0;
      T* d = dst + o * n * inner + k0;
      std::copy(s, s + w, d);
      for (int64_t j = 1; j < n; ++j) {
        const T* sj = s + j * inner;
        const T* prev = d + (j - 1) * inner;
        T* dj = d + j * inner;
        for (int64_t k = 0; k < w; ++k) dj[k] = step<T, kProd>(prev[k], sj[k]);
      }
    }
  });
}

template <bool kProd>
void scan_kernel(OpCall& c) {
  switch (c.in(0).dtype()) {
    case DType::float32: return scan_typed<float, kProd>(c);
    case DType::float64: return scan_typed<double, kProd>(c);
    case DType::int32: return scan_typed<int32_t, kProd>(c);
    case DType::int64: return scan_typed<int64_t, kProd>(c);
    case DType::uint8: return scan_typed<uint8_t, kProd>(c);
    case DType::int8: return scan_typed<int8_t, kProd>(c);
    case DType::int16: return scan_typed<int16_t, kProd>(c);
    case DType::uint16: return scan_typed<uint16_t, kProd>(c);
    case DType::uint32: return scan_typed<uint32_t, kProd>(c);
    case DType::bool_: break;
  }
  throw_invalid(std::string(c.name()) + ": no CPU kernel for dtype " + dtype_name(c.in(0).dtype()));
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_scan_kernels() {
  register_kernel(OpId::Cumsum, Device::Kind::CPU, cpu::scan_kernel<false>);
  register_kernel(OpId::Cumprod, Device::Kind::CPU, cpu::scan_kernel<true>);
}
}  // namespace keras::core
