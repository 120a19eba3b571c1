// search.cpp - the CPU kernel of searchsorted: a binary search of every value in the
// sorted 1-d sequence (std::lower_bound for side "left", std::upper_bound for "right"),
// values spread over the thread pool. A NaN value goes to 0 (left) or to the end (right).
#include <algorithm>
#include <cstdint>
#include <string>

#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/init.h"

namespace keras::core::cpu {
namespace {

template <class T>
void search_typed(OpCall& c) {
  const Tensor &seq = c.in(0), &vals = c.in(1);
  const T* s = static_cast<const T*>(seq.raw_data());
  const T* v = static_cast<const T*>(vals.raw_data());
  const int64_t n = seq.size();
  int32_t* out = static_cast<int32_t*>(c.outputs[0].raw_mutable_data());
  const bool right = c.attrs.flag;
  parallel_for(vals.size(), 4096, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const T* p = right ? std::upper_bound(s, s + n, v[i]) : std::lower_bound(s, s + n, v[i]);
      out[i] = static_cast<int32_t>(p - s);
    }
  });
}

void search_kernel(OpCall& c) {
  switch (c.in(0).dtype()) {
    case DType::float32: return search_typed<float>(c);
    case DType::float64: return search_typed<double>(c);
    case DType::int32: return search_typed<int32_t>(c);
    case DType::int64: return search_typed<int64_t>(c);
    case DType::uint8: return search_typed<uint8_t>(c);
    case DType::int8: return search_typed<int8_t>(c);
    case DType::int16: return search_typed<int16_t>(c);
    case DType::uint16: return search_typed<uint16_t>(c);
    case DType::uint32: return search_typed<uint32_t>(c);
    case DType::bool_: break;
  }
  throw_invalid(std::string(c.name()) + ": no CPU kernel for dtype " + dtype_name(c.in(0).dtype()));
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_search_kernels() { register_kernel(OpId::SearchSorted, Device::Kind::CPU, cpu::search_kernel); }
}  // namespace keras::core
