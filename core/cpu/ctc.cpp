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
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/init.h"

namespace keras::core::cpu {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double lse2(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  const double m = std::max(a, b);
  return m + std::log(std::exp(a - m) + std::exp(b - m));
}

// Every length and used label checked before any arithmetic.
void check_inputs(const OpCall& c) {
  const Shape& ls = c.in(0).shape();
  const int64_t b = ls[0], max_label = ls[1], steps = c.in(1).shape()[1], classes = c.in(1).shape()[2];
  const int64_t blank = c.attrs.k;
  const int64_t* lab = static_cast<const int64_t*>(c.in(0).raw_data());
  const int64_t* ll = static_cast<const int64_t*>(c.in(2).raw_data());
  const int64_t* tl = static_cast<const int64_t*>(c.in(3).raw_data());
  for (int64_t i = 0; i < b; ++i) {
    if (ll[i] < 0 || ll[i] > max_label)
      throw_invalid(std::string(c.name()) + ": expected target_length in [0, " + std::to_string(max_label) +
                    "] (target of shape " + ls.str() + "), but received " + std::to_string(ll[i]) + " for sample " +
                    std::to_string(i));
    if (tl[i] < 0 || tl[i] > steps)
      throw_invalid(std::string(c.name()) + ": expected output_length in [0, " + std::to_string(steps) +
                    "] (output of shape " + c.in(1).shape().str() + "), but received " + std::to_string(tl[i]) +
                    " for sample " + std::to_string(i));
    for (int64_t j = 0; j < ll[i]; ++j) {
      const int64_t v = lab[i * max_label + j];
      if (v < 0 || v >= classes || v == blank)
        throw_invalid(std::string(c.name()) + ": received label " + std::to_string(v) + " at position (" +
                      std::to_string(i) + ", " + std::to_string(j) + ") of target (shape " + ls.str() +
                      "), but target within target_length must be in [0, " + std::to_string(classes) +
                      ") and not the blank index " + std::to_string(blank));
    }
  }
}

template <class T>
struct Sample {
  const T* x;      // (steps, classes) scores
  const T* v;      // the tangent (mode 2) or null
  int64_t T_, C, S;
  std::vector<int64_t> e;  // extended labels
  std::vector<double> alpha, beta;  // (T_, S)

  double at(int64_t t, int64_t s) const { return double(x[t * C + e[size_t(s)]]); }
  bool skip_to(int64_t s) const { return s >= 2 && (s & 1) && e[size_t(s)] != e[size_t(s - 2)]; }

  // Fills alpha and beta; returns log p.
  double forward_backward() {
    alpha.assign(size_t(T_ * S), kNegInf);
    beta.assign(size_t(T_ * S), kNegInf);
    alpha[0] = at(0, 0);
    if (S > 1) alpha[1] = at(0, 1);
    for (int64_t t = 1; t < T_; ++t)
      for (int64_t s = 0; s < S; ++s) {
        const double* prev = &alpha[size_t((t - 1) * S)];
        double a = prev[s];
        if (s >= 1) a = lse2(a, prev[s - 1]);
        if (skip_to(s)) a = lse2(a, prev[s - 2]);
        alpha[size_t(t * S + s)] = a == kNegInf ? kNegInf : a + at(t, s);
      }
    beta[size_t((T_ - 1) * S + S - 1)] = at(T_ - 1, S - 1);
    if (S > 1) beta[size_t((T_ - 1) * S + S - 2)] = at(T_ - 1, S - 2);
    for (int64_t t = T_ - 2; t >= 0; --t)
      for (int64_t s = 0; s < S; ++s) {
        const double* next = &beta[size_t((t + 1) * S)];
        double b = next[s];
        if (s + 1 < S) b = lse2(b, next[s + 1]);
        if (s + 2 < S && skip_to(s + 2)) b = lse2(b, next[s + 2]);
        beta[size_t(t * S + s)] = b == kNegInf ? kNegInf : b + at(t, s);
      }
    const double* last = &alpha[size_t((T_ - 1) * S)];
    return S > 1 ? lse2(last[S - 1], last[S - 2]) : last[0];
  }

  double post(int64_t t, int64_t s, double logp) const {
    const double a = alpha[size_t(t * S + s)], b = beta[size_t(t * S + s)];
    if (a == kNegInf || b == kNegInf) return 0.0;
    return std::exp(a + b - at(t, s) - logp);
  }

  // out (T_, C) += the posterior of each class at each step.
  void posterior(double logp, T* out) const {
    for (int64_t t = 0; t < T_; ++t)
      for (int64_t s = 0; s < S; ++s) out[t * C + e[size_t(s)]] += T(post(t, s, logp));
  }

  // out (T_, C) = the Hessian of log p times v.
  void hessian_product(double logp, T* out) const {
    auto tv = [&](int64_t t, int64_t s) { return double(v[t * C + e[size_t(s)]]); };
    // A_t(s): expected sum of v over the prefix ending in s at t; B_t(s): over the suffix after t.
    std::vector<double> A(size_t(T_ * S), 0.0), B(size_t(T_ * S), 0.0);
    for (int64_t s = 0; s < std::min<int64_t>(S, 2); ++s) A[size_t(s)] = tv(0, s);
    for (int64_t t = 1; t < T_; ++t)
      for (int64_t s = 0; s < S; ++s) {
        if (alpha[size_t(t * S + s)] == kNegInf) continue;
        const double* prev = &alpha[size_t((t - 1) * S)];
        const double* pa = &A[size_t((t - 1) * S)];
        double norm = prev[s];
        if (s >= 1) norm = lse2(norm, prev[s - 1]);
        if (skip_to(s)) norm = lse2(norm, prev[s - 2]);
        double acc = 0.0;
        auto add = [&](int64_t q) { if (prev[q] != kNegInf) acc += std::exp(prev[q] - norm) * pa[q]; };
        add(s);
        if (s >= 1) add(s - 1);
        if (skip_to(s)) add(s - 2);
        A[size_t(t * S + s)] = tv(t, s) + acc;
      }
    for (int64_t t = T_ - 2; t >= 0; --t)
      for (int64_t s = 0; s < S; ++s) {
        if (beta[size_t(t * S + s)] == kNegInf) continue;
        const double* next = &beta[size_t((t + 1) * S)];
        const double* nb = &B[size_t((t + 1) * S)];
        double norm = next[s];
        if (s + 1 < S) norm = lse2(norm, next[s + 1]);
        const bool skip = s + 2 < S && skip_to(s + 2);
        if (skip) norm = lse2(norm, next[s + 2]);
        double acc = 0.0;
        auto add = [&](int64_t q) { if (next[q] != kNegInf) acc += std::exp(next[q] - norm) * (tv(t + 1, q) + nb[q]); };
        add(s);
        if (s + 1 < S) add(s + 1);
        if (skip) add(s + 2);
        B[size_t(t * S + s)] = acc;
      }
    double ef = 0.0;  // E[f], from step 0
    for (int64_t s = 0; s < S; ++s) ef += post(0, s, logp) * (A[size_t(s)] + B[size_t(s)]);
    for (int64_t t = 0; t < T_; ++t)
      for (int64_t s = 0; s < S; ++s) {
        const double g = post(t, s, logp);
        if (g == 0.0) continue;
        out[t * C + e[size_t(s)]] += T(g * (A[size_t(t * S + s)] + B[size_t(t * S + s)] - ef));
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
      Sample<T> sm{x + i * steps * classes, v ? v + i * steps * classes : nullptr, Ti, classes, 2 * L + 1, {}, {}, {}};
      sm.e.assign(size_t(sm.S), blank);
      for (int64_t j = 0; j < L; ++j) sm.e[size_t(2 * j + 1)] = lab[i * max_label + j];
      const double logp = sm.forward_backward();
      if (mode == 0) {
        out[i] = T(-logp);
        continue;
      }
      if (logp == kNegInf) continue;  // no alignment fits: zero gradient
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
