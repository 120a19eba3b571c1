// simd/optimizers.cpp - vector kernels of the fused rules of core/training_rules.h
// (RMSprop, Nadam, Adagrad, Adadelta, Adamax, Ftrl, Lion), compiled once per ISA (see
// vec.h) with -ffp-contract=off: each product and sum is rounded on its own, in the order
// the composite ops of keras/optimizers/adaptive.cpp round them, so the result is the
// composite path's bit for bit. s: the slot arrays (null where a rule's option leaves one
// out); c: the step's constants in the order training_rules.h lists them.
#include <cmath>

#include "core/cpu/simd/vec.h"
#include "core/training_rules.h"

namespace keras::core::cpu::KERAS_CPP_ISA {
namespace {

template <class T>
inline B<T> ld(const T* p) {
  return B<T>::load_unaligned(p);
}

// core/cpu/binary.cpp's maximum / minimum: NaN propagates as x + y. (xsimd::isnan: on
// AVX2 and AVX-512 xsimd's `x != x` is an ordered comparison, false on NaN.)
template <class T>
inline B<T> nan_max(B<T> x, B<T> y) {
  return xsimd::select(xsimd::isnan(x) | xsimd::isnan(y), x + y, xsimd::select(x > y, x, y));
}
template <class T>
inline B<T> nan_min(B<T> x, B<T> y) {
  return xsimd::select(xsimd::isnan(x) | xsimd::isnan(y), x + y, xsimd::select(x < y, x, y));
}
// ops::abs (x < 0 ? -x : x, so -0 stays -0) and ops::sign (NaN stays).
template <class T>
inline B<T> abs_of(B<T> x) {
  return xsimd::select(x < B<T>(T(0)), -x, x);
}
template <class T>
inline B<T> sign_of(B<T> x) {
  const B<T> zero(T(0));
  return xsimd::select(x > zero, B<T>(T(1)), xsimd::select(x < zero, B<T>(T(-1)), xsimd::select(x == x, zero, x)));
}
// ops::power with a scalar exponent: std::pow lane by lane (as the Pow kernel).
template <class T>
inline B<T> pow_of(B<T> x, T p) {
  alignas(64) T buf[kWidth<T>];
  x.store_aligned(buf);
  for (int64_t j = 0; j < kWidth<T>; ++j) buf[j] = std::pow(buf[j], p);
  return B<T>::load_aligned(buf);
}

template <class T, bool kMomentum, bool kCentered>
void rmsprop_body(T* w, const T* g, T* s[3], int64_t n, const T* c) {
  const B<T> rho(c[0]), one_rho(c[1]), eps(c[2]), lr(c[3]), mom(c[4]);
  auto body = [=](T* wp, const T* gp, T* vp, auto mp, auto ap) {
    const B<T> gi = ld(gp);
    const B<T> v = ld(vp) * rho + (gi * gi) * one_rho;
    v.store_unaligned(vp);
    B<T> denominator;
    if constexpr (kCentered) {
      const B<T> a = ld(ap) * rho + gi * one_rho;
      a.store_unaligned(ap);
      denominator = (v - a * a) + eps;
    } else {
      denominator = v + eps;
    }
    const B<T> increment = (gi * lr) / xsimd::sqrt(denominator);
    if constexpr (kMomentum) {
      const B<T> m = ld(mp) * mom + increment;
      m.store_unaligned(mp);
      (ld(wp) - m).store_unaligned(wp);
    } else {
      (ld(wp) - increment).store_unaligned(wp);
    }
  };
  // vloop takes arrays only: an absent slot passes the gradient (read-only, so the tail
  // copies nothing back), which the body then ignores.
  if constexpr (kMomentum && kCentered)
    vloop<T>(n, body, w, g, s[0], s[1], s[2]);
  else if constexpr (kMomentum)
    vloop<T>(n, body, w, g, s[0], s[1], g);
  else if constexpr (kCentered)
    vloop<T>(n, body, w, g, s[0], g, s[2]);
  else
    vloop<T>(n, body, w, g, s[0], g, g);
}

template <class T>
void rmsprop(T* w, const T* g, T* s[3], int64_t n, const T* c) {
  if (s[1] && s[2]) return rmsprop_body<T, true, true>(w, g, s, n, c);
  if (s[1]) return rmsprop_body<T, true, false>(w, g, s, n, c);
  if (s[2]) return rmsprop_body<T, false, true>(w, g, s, n, c);
  rmsprop_body<T, false, false>(w, g, s, n, c);
}

template <class T>
void nadam(T* w, const T* g, T* s[3], int64_t n, const T* c) {
  const B<T> c1(c[0]), c2(c[1]), cm(c[2]), cg(c[3]), cv(c[4]), lr(c[5]), eps(c[6]);
  vloop<T>(n, [=](T* wp, const T* gp, T* mp, T* vp) {
    const B<T> gi = ld(gp), m0 = ld(mp), v0 = ld(vp);
    const B<T> m = m0 + (gi - m0) * c1, v = v0 + (gi * gi - v0) * c2;
    m.store_unaligned(mp);
    v.store_unaligned(vp);
    const B<T> m_hat = m * cm + gi * cg, v_hat = v * cv;
    (ld(wp) - (m_hat * lr) / (xsimd::sqrt(v_hat) + eps)).store_unaligned(wp);
  }, w, g, s[0], s[1]);
}

template <class T>
void adagrad(T* w, const T* g, T* s[3], int64_t n, const T* c) {
  const B<T> lr(c[0]), eps(c[1]);
  vloop<T>(n, [=](T* wp, const T* gp, T* ap) {
    const B<T> gi = ld(gp), acc = ld(ap) + gi * gi;
    acc.store_unaligned(ap);
    (ld(wp) - (gi * lr) / xsimd::sqrt(acc + eps)).store_unaligned(wp);
  }, w, g, s[0]);
}

template <class T>
void adadelta(T* w, const T* g, T* s[3], int64_t n, const T* c) {
  const B<T> rho(c[0]), one_rho(c[1]), eps(c[2]), lr(c[3]);
  vloop<T>(n, [=](T* wp, const T* gp, T* gr, T* dl) {
    const B<T> gi = ld(gp);
    const B<T> ag = ld(gr) * rho + (gi * gi) * one_rho;
    ag.store_unaligned(gr);
    const B<T> ad0 = ld(dl);
    const B<T> delta = -((xsimd::sqrt(ad0 + eps) * gi) / xsimd::sqrt(ag + eps));
    (ad0 * rho + (delta * delta) * one_rho).store_unaligned(dl);
    (ld(wp) + delta * lr).store_unaligned(wp);
  }, w, g, s[0], s[1]);
}

template <class T>
void adamax(T* w, const T* g, T* s[3], int64_t n, const T* c) {
  const B<T> c1(c[0]), b2(c[1]), scale(c[2]), eps(c[3]);
  vloop<T>(n, [=](T* wp, const T* gp, T* mp, T* up) {
    const B<T> gi = ld(gp), m0 = ld(mp);
    const B<T> m = m0 + (gi - m0) * c1;
    m.store_unaligned(mp);
    const B<T> u = nan_max(ld(up) * b2, abs_of(gi));
    u.store_unaligned(up);
    (ld(wp) - (m * scale) / (u + eps)).store_unaligned(wp);
  }, w, g, s[0], s[1]);
}

template <class T>
void ftrl(T* w, const T* g, T* s[3], int64_t n, const T* c) {
  const B<T> shrink2(c[0]), lr(c[2]), l2x2(c[3]), lo(c[4]), hi(c[5]);
  const T p = c[1];
  vloop<T>(n, [=](T* wp, const T* gp, T* ap, T* lp) {
    const B<T> gi = ld(gp), w0 = ld(wp), acc = ld(ap);
    const B<T> g_shrunk = gi + w0 * shrink2;
    const B<T> new_acc = acc + gi * gi;
    const B<T> new_acc_p = pow_of(new_acc, p);
    const B<T> sigma = (new_acc_p - pow_of(acc, p)) / lr;
    const B<T> lin = ld(lp) + (g_shrunk - sigma * w0);
    lin.store_unaligned(lp);
    const B<T> quadratic = new_acc_p / lr + l2x2;
    const B<T> clipped = nan_min(nan_max(lin, lo), hi);
    ((clipped - lin) / quadratic).store_unaligned(wp);
    new_acc.store_unaligned(ap);
  }, w, g, s[0], s[1]);
}

template <class T>
void lion(T* w, const T* g, T* s[3], int64_t n, const T* c) {
  const B<T> b1(c[0]), one_b1(c[1]), lr(c[2]), b2(c[3]), one_b2(c[4]);
  vloop<T>(n, [=](T* wp, const T* gp, T* mp) {
    const B<T> gi = ld(gp), m0 = ld(mp);
    (ld(wp) - sign_of(m0 * b1 + gi * one_b1) * lr).store_unaligned(wp);
    (m0 * b2 + gi * one_b2).store_unaligned(mp);
  }, w, g, s[0]);
}

// Decoupled weight decay as Optimizer::apply_gradients writes it with ops: w - w * k.
template <class T>
void decay(T* w, int64_t n, T k) {
  const B<T> vk(k);
  vloop<T>(n, [=](T* wp) {
    const B<T> w0 = ld(wp);
    (w0 - w0 * vk).store_unaligned(wp);
  }, w);
}

template <class T>
void fill(VecKernels<T>& k) {
  using training_rules::Rule;
  k.decay = &decay<T>;
  k.rule[int(Rule::RMSprop)] = &rmsprop<T>;
  k.rule[int(Rule::Nadam)] = &nadam<T>;
  k.rule[int(Rule::Adagrad)] = &adagrad<T>;
  k.rule[int(Rule::Adadelta)] = &adadelta<T>;
  k.rule[int(Rule::Adamax)] = &adamax<T>;
  k.rule[int(Rule::Ftrl)] = &ftrl<T>;
  k.rule[int(Rule::Lion)] = &lion<T>;
}

}  // namespace

void fill_optimizer_rules(IsaKernels& k) {
  fill(k.f32);
  fill(k.f64);
}

}  // namespace keras::core::cpu::KERAS_CPP_ISA
