// simd/training.cpp - vector kernels of the fused optimizer updates (core/training.h),
// compiled once per ISA (see vec.h). Formulas as in core/cpu/training.cpp.
#include "core/cpu/simd/vec.h"

namespace keras::core::cpu::KERAS_CPP_ISA {
namespace {

template <class T>
void sgd(T* w, const T* g, T* m, int64_t n, T lr, T mom, bool nesterov) {
  const B<T> vlr(lr), vmom(mom);
  if (!m) {
    vloop<T>(n, [=](T* wp, const T* gp) {
      (B<T>::load_unaligned(wp) - vlr * B<T>::load_unaligned(gp)).store_unaligned(wp);
    }, w, g);
    return;
  }
  vloop<T>(n, [=](T* wp, const T* gp, T* mp) {
    const B<T> lg = vlr * B<T>::load_unaligned(gp);
    const B<T> mi = vmom * B<T>::load_unaligned(mp) - lg;
    mi.store_unaligned(mp);
    const B<T> step = nesterov ? vmom * mi - lg : mi;
    (B<T>::load_unaligned(wp) + step).store_unaligned(wp);
  }, w, g, m);
}

// m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); vh = max(vh, v) (amsgrad);
// w -= alpha m / (sqrt(v or vh) + eps).
template <class T>
void adam(T* w, const T* g, T* m, T* v, T* vh, int64_t n, T alpha, T b1, T b2, T eps) {
  const B<T> c1(T(1) - b1), c2(T(1) - b2), va(alpha), ve(eps);
  auto update = [=](const T* gp, T* mp, T* vp) {
    const B<T> gi = B<T>::load_unaligned(gp), m0 = B<T>::load_unaligned(mp), v0 = B<T>::load_unaligned(vp);
    const B<T> mi = m0 + (gi - m0) * c1, vi = v0 + (gi * gi - v0) * c2;
    mi.store_unaligned(mp);
    vi.store_unaligned(vp);
    return std::pair<B<T>, B<T>>(mi, vi);
  };
  auto apply = [=](T* wp, B<T> mi, B<T> vi) {
    (B<T>::load_unaligned(wp) - va * mi / (xsimd::sqrt(vi) + ve)).store_unaligned(wp);
  };
  if (!vh) {
    vloop<T>(n, [=](T* wp, const T* gp, T* mp, T* vp) {
      auto [mi, vi] = update(gp, mp, vp);
      apply(wp, mi, vi);
    }, w, g, m, v);
    return;
  }
  vloop<T>(n, [=](T* wp, const T* gp, T* mp, T* vp, T* hp) {
    auto [mi, vi] = update(gp, mp, vp);
    const B<T> h = B<T>::load_unaligned(hp);
    vi = xsimd::select(h > vi, h, vi);
    vi.store_unaligned(hp);
    apply(wp, mi, vi);
  }, w, g, m, v, vh);
}

template <class T>
void fill(VecKernels<T>& k) {
  k.sgd = &sgd<T>;
  k.adam = &adam<T>;
}

}  // namespace

void fill_training(IsaKernels& k) {
  fill(k.f32);
  fill(k.f64);
  fill_optimizer_rules(k);  // simd/optimizers.cpp (its own flags, see core/meson.build)
}

}  // namespace keras::core::cpu::KERAS_CPP_ISA
