// simd/nn.cpp - the exponentials of softmax, log_softmax and the cross-entropies, compiled
// once per ISA (see vec.h). Sums of exponentials accumulate in double: kWidth partial
// sums (one per lane), added in lane order at the end, so the result depends on n only.
#include "core/cpu/simd/vec.h"

namespace core::cpu::KERAS_CPP_ISA {
namespace {

template <class T>
void add_lanes(double* acc, const B<T>& e, int64_t m) {
  alignas(64) T tmp[kWidth<T>];
  e.store_aligned(tmp);
  for (int64_t l = 0; l < m; ++l) acc[l] += static_cast<double>(tmp[l]);
}

template <class T>
double exp_shift_sum(const T* x, T shift, T* y, int64_t n) {
  constexpr int64_t W = kWidth<T>;
  double acc[W] = {};
  const B<T> s(shift);
  int64_t i = 0;
  for (; i + W <= n; i += W) {
    const B<T> e = xsimd::exp(B<T>::load_unaligned(x + i) - s);
    if (y) e.store_unaligned(y + i);
    add_lanes<T>(acc, e, W);
  }
  if (i < n) {  // the same vector code on a padded copy
    alignas(64) T buf[W] = {};
    copy_in(buf, x + i, n - i);
    const B<T> e = xsimd::exp(B<T>::load_aligned(buf) - s);
    e.store_aligned(buf);
    if (y) copy_out<T>(buf, y + i, n - i);
    add_lanes<T>(acc, e, n - i);
  }
  double sum = 0.0;
  for (int64_t l = 0; l < W; ++l) sum += acc[l];
  return sum;
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

}  // namespace core::cpu::KERAS_CPP_ISA
