// simd/reduce.cpp - the inner loop of the float sums (core/cpu/reduce.cpp's blocks),
// compiled once per ISA (see vec.h). The arithmetic is fixed by the block's length alone
// (kLanes interleaved double accumulators, combined in order, then the tail), so it is
// the same on every ISA and for any thread count; only the instructions differ.
#include "core/cpu/simd/vec.h"

namespace keras::core::cpu::KERAS_CPP_ISA {
namespace {

constexpr int kLanes = 8;  // as reduce.cpp's kLanes

template <class T>
double block_sum(const T* p, int64_t n) {
  double lane[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) lane[j] += static_cast<double>(p[i + j]);
  double acc = lane[0];
  for (int j = 1; j < kLanes; ++j) acc += lane[j];
  for (; i < n; ++i) acc += static_cast<double>(p[i]);
  return acc;
}

}  // namespace

void fill_reduce(IsaKernels& k) {
  k.f32.block_sum = &block_sum<float>;
  k.f64.block_sum = &block_sum<double>;
}

}  // namespace keras::core::cpu::KERAS_CPP_ISA
