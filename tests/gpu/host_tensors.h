// host_tensors.h - what the host-side checks of CUDA kernel code (test_cuda_scalar.cu,
// test_cuda_scan_model.cu) share: a C++ element type's dtype, and a 1-d CPU tensor holding
// a vector's exact values, to run the CPU kernels on the same inputs.
#pragma once
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "helpers.h"

namespace host_tensors {
using namespace th;

template <class T>
DType dtype_of() {
  if constexpr (std::is_same_v<T, double>) return DType::float64;
  else if constexpr (std::is_same_v<T, float>) return DType::float32;
  else if constexpr (std::is_same_v<T, uint8_t>) return DType::uint8;
  else if constexpr (sizeof(T) == 8) return DType::int64;
  else return DType::int32;
}

// A 1-d tensor holding exactly v (int64 extremes included).
template <class T>
Tensor tensor_of(const std::vector<T>& v) {
  Tensor t = ops::zeros(Shape{int64_t(v.size())}, dtype_of<T>());
  if (!v.empty()) std::memcpy(t.mutable_data<T>(), v.data(), v.size() * sizeof(T));
  return t;
}

}  // namespace host_tensors
