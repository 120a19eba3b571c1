// ctc.cpp - CPU kernel of ctc_loss (core/ops/ctc.cpp): the CTC forward-backward in log
// space, one sample per task, accumulated in double.
//
// For a label sequence l of length L the extended sequence is e = (blank, l1, blank, l2,
// ..., lL, blank), S = 2L + 1 states. An alignment visits one state per step, starting
// in state 0 or 1 and ending in S - 1 or S - 2; from state s it moves to s, s + 1, or
// s + 2 when e[s + 2] is a label different from e[s].
//   alpha_t(s) = log sum over alignment prefixes ending in s at t of exp(sum of scores)
//   beta_t(s)  = the same over suffixes starting in s at t (the score at t included)
//   log p = logsumexp(alpha_{T-1}(S-1), alpha_{T-1}(S-2))
// The posterior of state s at t is exp(alpha_t(s) + beta_t(s) - x_t(e[s]) - log p).
// The Hessian product (mode 2) carries, with alpha and beta, the expected sum of the
// tangent v over the prefix (A) and the suffix (B) given the state; then
//   H v (t, c) = sum over s with e[s] = c of post_t(s) (A_t(s) + B_t(s)) - E[f] post_t(c)
// where f is the sum of v along the alignment and E[f] = sum_s post_t(s)(A_t(s) + B_t(s)).
// The per-state arithmetic and the input checks are core/ctc_math.h's, which the CUDA
// kernel (gpu/ctc.cuh) runs too.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/cpu/ctc_errors.h"
#include "core/cpu/parallel.h"
#include "core/ctc_math.h"
#include "core/dispatch.h"
#include "core/init.h"

namespace keras::core::cpu {
namespace {

using namespace kmath;

// Every length and used label checked before any arithmetic (the slots of ctc_math.h, in order).
void check_inputs(const OpCall& c) {
  const int64_t b = c.in(0).shape()[0], max_label = c.in(0).shape()[1];
  const int64_t steps = c.in(1).shape()[1], classes = c.in(1).shape()[2];
  const int64_t* lab = static_cast<const int64_t*>(c.in(0).raw_data());
  const int64_t* ll = static_cast<const int64_t*>(c.in(2).raw_data());
  const int64_t* tl = static_cast<const int64_t*>(c.in(3).raw_data());
  for (int64_t i = 0; i < b; ++i)
    for (int64_t slot = 0; slot < max_label + 2; ++slot)
      if (ctc_input_bad(lab, ll, tl, i, slot, max_label, steps, classes, c.attrs.k)) {
        const int64_t* src = slot == 0 ? ll : (slot == 1 ? tl : lab);
        ctc_errors::throw_bad_input(c, i, slot, src[ctc_input_offset(i, slot, max_label)]);
      }
}

template <class T>
struct Sample {
  const T* x;      // (steps, classes) scores
  const T* v;      // the tangent (mode 2) or null
  int64_t T_, C;
  CtcSeq q;
  std::vector<double> alpha, beta;  // (T_, S)

  double at(int64_t t, int64_t s) const { return double(x[t * C + q.at(s)]); }

  // Fills alpha and beta; returns log p.
  double forward_backward() {
    const int64_t S = q.S;
    alpha.assign(size_t(T_ * S), ctc_log0());
    beta.assign(size_t(T_ * S), ctc_log0());
    for (int64_t s = 0; s < S; ++s) alpha[size_t(s)] = ctc_alpha0(s, at(0, s));
    for (int64_t t = 1; t < T_; ++t)
      for (int64_t s = 0; s < S; ++s)
        alpha[size_t(t * S + s)] = ctc_alpha(q, &alpha[size_t((t - 1) * S)], s, at(t, s));
    for (int64_t s = 0; s < S; ++s) beta[size_t((T_ - 1) * S + s)] = ctc_beta_last(q, s, at(T_ - 1, s));
    for (int64_t t = T_ - 2; t >= 0; --t)
      for (int64_t s = 0; s < S; ++s) beta[size_t(t * S + s)] = ctc_beta(q, &beta[size_t((t + 1) * S)], s, at(t, s));
    return ctc_log_p(q, &alpha[size_t((T_ - 1) * S)]);
  }

  double post(int64_t t, int64_t s, double logp) const {
    return ctc_post(alpha[size_t(t * q.S + s)], beta[size_t(t * q.S + s)], at(t, s), logp);
  }

  // out (T_, C) += the posterior of each class at each step.
  void posterior(double logp, T* out) const {
    for (int64_t t = 0; t < T_; ++t)
      for (int64_t s = 0; s < q.S; ++s) out[t * C + q.at(s)] += T(post(t, s, logp));
  }

  // out (T_, C) = the Hessian of log p times v.
  void hessian_product(double logp, T* out) const {
    const int64_t S = q.S;
    // A_t(s): expected sum of v over the prefix ending in s at t; B_t(s): over the suffix after t.
    std::vector<double> A(size_t(T_ * S), 0.0), B(size_t(T_ * S), 0.0);
    for (int64_t s = 0; s < std::min<int64_t>(S, 2); ++s) A[size_t(s)] = double(v[q.at(s)]);
    for (int64_t t = 1; t < T_; ++t)
      for (int64_t s = 0; s < S; ++s)
        if (alpha[size_t(t * S + s)] != ctc_log0())
          A[size_t(t * S + s)] = ctc_prefix_mean(q, &alpha[size_t((t - 1) * S)], &A[size_t((t - 1) * S)], s,
                                                 double(v[t * C + q.at(s)]));
    for (int64_t t = T_ - 2; t >= 0; --t)
      for (int64_t s = 0; s < S; ++s)
        if (beta[size_t(t * S + s)] != ctc_log0())
          B[size_t(t * S + s)] = ctc_suffix_mean(q, &beta[size_t((t + 1) * S)], &B[size_t((t + 1) * S)],
                                                 v + (t + 1) * C, s);
    double ef = 0.0;  // E[f], from step 0
    for (int64_t s = 0; s < S; ++s) ef += post(0, s, logp) * (A[size_t(s)] + B[size_t(s)]);
    for (int64_t t = 0; t < T_; ++t)
      for (int64_t s = 0; s < S; ++s) {
        const double g = post(t, s, logp);
        if (g == 0.0) continue;
        out[t * C + q.at(s)] += T(g * (A[size_t(t * S + s)] + B[size_t(t * S + s)] - ef));
      }
  }
};

template <class T>
void ctc_typed(OpCall& c) {
  check_inputs(c);
  const int64_t mode = c.attrs.axis, blank = c.attrs.k;
  const Shape& xs = c.in(1).shape();
  const int64_t b = xs[0], steps = xs[1], classes = xs[2], max_label = c.in(0).shape()[1];
  const int64_t* lab = static_cast<const int64_t*>(c.in(0).raw_data());
  const int64_t* ll = static_cast<const int64_t*>(c.in(2).raw_data());
  const int64_t* tl = static_cast<const int64_t*>(c.in(3).raw_data());
  const T* x = static_cast<const T*>(c.in(1).raw_data());
  const T* v = mode == 2 ? static_cast<const T*>(c.in(4).raw_data()) : nullptr;
  T* out = static_cast<T*>(c.outputs[0].raw_mutable_data());
  if (mode != 0) std::fill(out, out + c.outputs[0].size(), T(0));
  parallel_for(b, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      const int64_t L = ll[i], Ti = tl[i];
      if (Ti == 0) {  // no steps: only the empty label has an alignment
        if (mode == 0) out[i] = L == 0 ? T(0) : std::numeric_limits<T>::infinity();
        continue;
      }
      Sample<T> sm{x + i * steps * classes, v ? v + i * steps * classes : nullptr, Ti, classes,
                   CtcSeq{lab + i * max_label, 2 * L + 1, blank}, {}, {}};
      const double logp = sm.forward_backward();
      if (mode == 0) {
        out[i] = T(-logp);
        continue;
      }
      if (logp == ctc_log0()) continue;  // no alignment fits: zero gradient
      T* o = out + i * steps * classes;
      if (mode == 1) sm.posterior(logp, o);
      else sm.hessian_product(logp, o);
    }
  });
}

void ctc_kernel(OpCall& c) {
  if (c.in(1).dtype() == DType::float32) return ctc_typed<float>(c);
  ctc_typed<double>(c);
}

}  // namespace
}  // namespace keras::core::cpu

namespace keras::core {
void register_cpu_ctc_kernels() { register_kernel(OpId::CtcLoss, Device::Kind::CPU, cpu::ctc_kernel); }
}  // namespace keras::core
