// simd/nn.cpp - the exponentials of softmax, log_softmax and the cross-entropies, compiled
// once per ISA (see vec.h). Sums of exponentials accumulate in double.
#include "core/cpu/simd/vec.h"

namespace keras::core::cpu::KERAS_CPP_ISA {
namespace {

template <class T>
void exp_shift(const T* x, T shift, T* y, int64_t n) {
  const B<T> s(shift);
  vloop<T>(n, [s](const T* xp, T* yp) { xsimd::exp(B<T>::load_unaligned(xp) - s).store_unaligned(yp); }, x, y);
}

// The exponentials go to y (or, without y, to a buffer chunk by chunk), then are summed
// with kLanes double accumulators, element i into lane i % kLanes, the lanes added in
// order and then the last n % kLanes elements: the order depends on n only (not on the
// ISA, whose exponentials may differ in the last bit).
template <class T>
double exp_shift_sum(const T* x, T shift, T* y, int64_t n) {
  constexpr int kLanes = 8;
  constexpr int64_t kChunk = 1024;  // a multiple of kLanes
  alignas(64) T buf[kChunk];
  double lane[kLanes] = {}, rest = 0.0;
  for (int64_t c = 0; c < n; c += kChunk) {
    const int64_t len = n - c < kChunk ? n - c : kChunk;
    T* e = y ? y + c : buf;
    exp_shift(x + c, shift, e, len);
    int64_t i = 0;
    for (; i + kLanes <= len; i += kLanes)
      for (int j = 0; j < kLanes; ++j) lane[j] += static_cast<double>(e[i + j]);
    for (; i < len; ++i) rest += static_cast<double>(e[i]);  // only in the last chunk
  }
  double sum = lane[0];
  for (int j = 1; j < kLanes; ++j) sum += lane[j];
  return sum + rest;
}

template <class T>
void exp_diff(const T* x, const T* m, T* y, int64_t n) {
  vloop<T>(n, [](const T* xp, const T* mp, T* yp) {
    xsimd::exp(B<T>::load_unaligned(xp) - B<T>::load_unaligned(mp)).store_unaligned(yp);
  }, x, m, y);
}

template <class T>
void fill(VecKernels<T>& k) {
  k.exp_shift_sum = &exp_shift_sum<T>;
  k.exp_diff = &exp_diff<T>;
}

}  // namespace

void fill_nn(IsaKernels& k) {
  fill(k.f32);
  fill(k.f64);
}

}  // namespace keras::core::cpu::KERAS_CPP_ISA
