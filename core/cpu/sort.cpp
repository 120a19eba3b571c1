// sort.cpp - CPU kernels of sort, argsort and top_k.
//
// Each line along the sorted axis is copied into (value, index) pairs and ordered with a
// total order: the value order (NaN largest) and, among equal values, the lower index
// first. Sorting with that total order gives exactly the stable result. Lines are
// spread over the thread pool.
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/init.h"

namespace keras::core::cpu {
namespace {

// a < b with NaN above every number (NumPy's sort order); NaNs are equivalent.
template <class T>
inline bool less_nan_last(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(b)) return !std::isnan(a);
    return a < b;
  } else {
    return a < b;
  }
}

template <class T>
using Pair = std::pair<T, int32_t>;

// "p comes before q" for the given direction; ties go to the lower index.
template <class T>
struct Before {
  bool descending;
  bool operator()(const Pair<T>& p, const Pair<T>& q) const {
    const bool lt = descending ? less_nan_last(q.first, p.first) : less_nan_last(p.first, q.first);
    if (lt) return true;
    const bool gt = descending ? less_nan_last(p.first, q.first) : less_nan_last(q.first, p.first);
    return !gt && p.second < q.second;
  }
};

template <class T>
void sort_typed(OpCall& c) {
  const Tensor& x = c.in(0);
  if (x.size() == 0) return;
  const int64_t axis = normalize_axis(c.attrs.axis, x.rank(), c.name());
  // Plain variables, not a structured binding: clang before 16 cannot capture those in
  // the lambda below (the fuzz build uses clang 14).
  const AxisSplit split = split_at(x.shape(), axis);
  const int64_t outer = split.outer, n = split.dim, inner = split.inner;
  const T* src = static_cast<const T*>(x.raw_data());
  const bool arg = c.op == OpId::ArgSort;
  void* dst = c.outputs[0].raw_mutable_data();
  const Before<T> before{c.attrs.flag};
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(n, 1));
  parallel_for(outer * inner, grain, [&](int64_t b, int64_t e) {
    std::vector<Pair<T>> buf(static_cast<size_t>(n));
    for (int64_t line = b; line < e; ++line) {
      const int64_t base = (line / inner) * n * inner + line % inner;
      for (int64_t j = 0; j < n; ++j)
        buf[static_cast<size_t>(j)] = {src[base + j * inner], static_cast<int32_t>(j)};
      std::sort(buf.begin(), buf.end(), before);
      if (arg) {
        int32_t* out = static_cast<int32_t*>(dst);
        for (int64_t j = 0; j < n; ++j) out[base + j * inner] = buf[static_cast<size_t>(j)].second;
      } else {
        T* out = static_cast<T*>(dst);
        for (int64_t j = 0; j < n; ++j) out[base + j * inner] = buf[static_cast<size_t>(j)].first;
      }
    }
  });
}

template <class T>
void top_k_typed(OpCall& c) {
  const Tensor& x = c.in(0);
  const int64_t n = x.shape()[x.rank() - 1], k = c.attrs.k;
  if (k == 0 || x.size() == 0) return;
  const int64_t rows = x.size() / n;
  const T* src = static_cast<const T*>(x.raw_data());
  T* values = static_cast<T*>(c.outputs[0].raw_mutable_data());
  int32_t* indices = static_cast<int32_t*>(c.outputs[1].raw_mutable_data());
  const bool sorted = c.attrs.flag;
  const Before<T> before{true};
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / n);
  parallel_for(rows, grain, [&](int64_t b, int64_t e) {
    std::vector<Pair<T>> buf(static_cast<size_t>(n));
    for (int64_t r = b; r < e; ++r) {
      const T* row = src + r * n;
      for (int64_t j = 0; j < n; ++j) buf[static_cast<size_t>(j)] = {row[j], static_cast<int32_t>(j)};
      std::partial_sort(buf.begin(), buf.begin() + k, buf.end(), before);
      if (!sorted)  // the k largest, in their original order
        std::sort(buf.begin(), buf.begin() + k,
                  [](const Pair<T>& p, const Pair<T>& q) { return p.second < q.second; });
      for (int64_t j = 0; j < k; ++j) {
        values[r * k + j] = buf[static_cast<size_t>(j)].first;
        indices[r * k + j] = buf[static_cast<size_t>(j)].second;
      }
    }
  });
}

template <template <class> class K>
void by_numeric_dtype(OpCall& c) {
  switch (c.in(0).dtype()) {
    case DType::float32: return K<float>::run(c);
    case DType::float64: return K<double>::run(c);
    case DType::int32: return K<int32_t>::run(c);
    case DType::int64: return K<int64_t>::run(c);
    case DType::uint8: return K<uint8_t>::run(c);
    case DType::int8: return K<int8_t>::run(c);
    case DType::int16: return K<int16_t>::run(c);
    case DType::uint16: return K<uint16_t>::run(c);
    case DType::uint32: return K<uint32_t>::run(c);
    case DType::bool_: break;
  }
  throw_invalid(std::string(c.name()) + ": no CPU kernel for dtype " + dtype_name(c.in(0).dtype()));
}

template <class T> struct SortK { static void run(OpCall& c) { sort_typed<T>(c); } };
template <class T> struct TopKK { static void run(OpCall& c) { top_k_typed<T>(c); } };

void sort_kernel(OpCall& c) { by_numeric_dtype<SortK>(c); }
void top_k_kernel(OpCall& c) { by_numeric_dtype<TopKK>(c); }

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_sort_kernels() {
  register_kernel(OpId::Sort, Device::Kind::CPU, cpu::sort_kernel);
  register_kernel(OpId::ArgSort, Device::Kind::CPU, cpu::sort_kernel);
  register_kernel(OpId::TopK, Device::Kind::CPU, cpu::top_k_kernel);
}
}  // namespace keras::core
