// simd/reduce.cpp - the inner loops of the float sums, maxima and minima (core/cpu/
// reduce.cpp's blocks), compiled once per ISA (see vec.h). The arithmetic is fixed by the
// block's length alone (kLanes interleaved accumulators, double for sums, combined in
// order, then the tail), so it is the same on every ISA and for any thread count; only
// the instructions differ.
#include <limits>

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

// max (Max true) or min of a block, NaN sticking as in reduce.cpp's MaxR/MinR: 16
// interleaved lanes on every ISA (one AVX-512 register of floats, two of AVX2, ...),
// folded in order, then the tail, so the result (down to the sign of a zero among equal
// zeros) is the same on every ISA and for any thread count.
template <class T, bool Max>
T block_extreme(const T* p, int64_t n) {
  constexpr int64_t kExtLanes = 16, W = kWidth<T>, K = kExtLanes / W;
  static_assert(K * W == kExtLanes);
  auto step = [](T a, T v) {
    const bool better = Max ? v > a : v < a;
    return (better | (v != v)) ? v : a;
  };
  const T init = Max ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
  B<T> acc[K];
  for (auto& a : acc) a = B<T>(init);
  int64_t i = 0;
  for (; i + kExtLanes <= n; i += kExtLanes)
    for (int64_t k = 0; k < K; ++k) {
      const B<T> v = B<T>::load_unaligned(p + i + k * W);
      const auto better = Max ? v > acc[k] : v < acc[k];
      acc[k] = xsimd::select(better | xsimd::isnan(v), v, acc[k]);  // (xsimd's != is false on NaN)
    }
  alignas(64) T lane[kExtLanes];
  for (int64_t k = 0; k < K; ++k) acc[k].store_aligned(lane + k * W);
  T r = lane[0];
  for (int64_t j = 1; j < kExtLanes; ++j) r = step(r, lane[j]);
  for (; i < n; ++i) r = step(r, p[i]);
  return r;
}

}  // namespace

void fill_reduce(IsaKernels& k) {
  k.f32.block_sum = &block_sum<float>;
  k.f64.block_sum = &block_sum<double>;
  k.f32.block_max = &block_extreme<float, true>;
  k.f64.block_max = &block_extreme<double, true>;
  k.f32.block_min = &block_extreme<float, false>;
  k.f64.block_min = &block_extreme<double, false>;
}

}  // namespace keras::core::cpu::KERAS_CPP_ISA
