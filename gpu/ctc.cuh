// ctc.cuh - (CUDA-internal; host+device) the CUDA kernel of ctc_loss as one function of a
// sample and a lane: gpu/ctc.cu runs it with one block per sample, its threads as the
// lanes and __syncthreads between the phases; tests/gpu/test_cuda_ctc_scalar.cu runs the
// same code on the host with one lane (a barrier then has nothing to wait for) against
// the CPU kernel. Each phase is parallel over the extended-label states s (the alpha,
// beta, A and B rows of one step depend only on the previous row) or over the steps t
// (the posterior and Hessian rows, each summed over s in increasing order into its
// classes as the CPU kernel does, so the sums round alike). The per-state arithmetic is
// core/ctc_math.h's, the CPU kernel's own.
#pragma once
#include <cstdint>

#include "core/ctc_math.h"

namespace keras::core::cuda {

/// One ctc_loss call's arguments; the workspace rows are per sample (steps * s_max
/// doubles each of alpha, beta, A and B; beta only for modes 1 and 2, A and B for 2).
template <class T>
struct CtcArgs {
  const int64_t* labels = nullptr;  ///< (batch, max_label)
  const T* x = nullptr;             ///< (batch, steps, classes) scores
  const T* v = nullptr;             ///< mode 2: the tangent, x's shape
  const int64_t* ll = nullptr;      ///< (batch,) label lengths, checked
  const int64_t* tl = nullptr;      ///< (batch,) logit lengths, checked
  T* out = nullptr;                 ///< (batch,) losses, or x's shape (zero-filled before)
  double *alpha = nullptr, *beta = nullptr, *A = nullptr, *B = nullptr;
  int64_t steps = 0, classes = 0, max_label = 0, blank = 0, s_max = 1;
  int mode = 0;  ///< 0 loss, 1 posterior, 2 Hessian product
};

/// Sample i's part of the op as lane `lane` of `lanes`; `sync()` is a barrier across
/// the lanes and `shared` two doubles every lane sees (log p and E[f]).
#pragma nv_exec_check_disable
template <class T, class Sync>
KERAS_CPP_HD void ctc_sample(const CtcArgs<T>& a, int64_t i, int64_t lane, int64_t lanes, double* shared, Sync sync) {
  using namespace kmath;
  const int64_t L = a.ll[i], Ti = a.tl[i], C = a.classes;
  if (Ti == 0) {  // no steps: only the empty label has an alignment
    if (a.mode == 0 && lane == 0) a.out[i] = L == 0 ? T(0) : T(HUGE_VAL);
    return;
  }
  const CtcSeq q{a.labels + i * a.max_label, 2 * L + 1, a.blank};
  const int64_t S = q.S, ws = i * a.steps * a.s_max;
  const T* x = a.x + i * a.steps * C;
  auto score = [&](int64_t t, int64_t s) { return double(x[t * C + q.at(s)]); };
  double* al = a.alpha + ws;
  for (int64_t s = lane; s < S; s += lanes) al[s] = ctc_alpha0(s, score(0, s));
  sync();
  for (int64_t t = 1; t < Ti; ++t) {
    for (int64_t s = lane; s < S; s += lanes) al[t * S + s] = ctc_alpha(q, al + (t - 1) * S, s, score(t, s));
    sync();
  }
  if (lane == 0) shared[0] = ctc_log_p(q, al + (Ti - 1) * S);
  sync();
  const double logp = shared[0];
  if (a.mode == 0) {
    if (lane == 0) a.out[i] = T(-logp);
    return;
  }
  if (logp == ctc_log0()) return;  // no alignment fits: zero gradient
  double* be = a.beta + ws;
  for (int64_t s = lane; s < S; s += lanes) be[(Ti - 1) * S + s] = ctc_beta_last(q, s, score(Ti - 1, s));
  sync();
  for (int64_t t = Ti - 2; t >= 0; --t) {
    for (int64_t s = lane; s < S; s += lanes) be[t * S + s] = ctc_beta(q, be + (t + 1) * S, s, score(t, s));
    sync();
  }
  auto post = [&](int64_t t, int64_t s) { return ctc_post(al[t * S + s], be[t * S + s], score(t, s), logp); };
  T* o = a.out + i * a.steps * C;
  if (a.mode == 1) {
    for (int64_t t = lane; t < Ti; t += lanes)
      for (int64_t s = 0; s < S; ++s) o[t * C + q.at(s)] += T(post(t, s));
    return;
  }
  const T* v = a.v + i * a.steps * C;
  double *A = a.A + ws, *B = a.B + ws;
  for (int64_t s = lane; s < S; s += lanes) A[s] = s < 2 ? double(v[q.at(s)]) : 0.0;
  sync();
  for (int64_t t = 1; t < Ti; ++t) {
    for (int64_t s = lane; s < S; s += lanes)
      A[t * S + s] = al[t * S + s] == ctc_log0()
                         ? 0.0
                         : ctc_prefix_mean(q, al + (t - 1) * S, A + (t - 1) * S, s, double(v[t * C + q.at(s)]));
    sync();
  }
  for (int64_t s = lane; s < S; s += lanes) B[(Ti - 1) * S + s] = 0.0;
  sync();
  for (int64_t t = Ti - 2; t >= 0; --t) {
    for (int64_t s = lane; s < S; s += lanes)
      B[t * S + s] = be[t * S + s] == ctc_log0()
                         ? 0.0
                         : ctc_suffix_mean(q, be + (t + 1) * S, B + (t + 1) * S, v + (t + 1) * C, s);
    sync();
  }
  if (lane == 0) {  // E[f], from step 0, summed in the CPU's order
    double ef = 0.0;
    for (int64_t s = 0; s < S; ++s) ef += post(0, s) * (A[s] + B[s]);
    shared[1] = ef;
  }
  sync();
  const double ef = shared[1];
  for (int64_t t = lane; t < Ti; t += lanes)
    for (int64_t s = 0; s < S; ++s) {
      const double g = post(t, s);
      if (g == 0.0) continue;
      o[t * C + q.at(s)] += T(g * (A[t * S + s] + B[t * S + s] - ef));
    }
}

/// The key of slot `slot` of sample i among the input checks (kmath::ctc_input_bad): keys
/// grow in the CPU's checking order, so the smallest failing key is the CPU's error.
KERAS_CPP_HD inline uint64_t ctc_check_key(int64_t i, int64_t slot, int64_t max_label) {
  return uint64_t(i) * uint64_t(max_label + 2) + uint64_t(slot);
}

}  // namespace keras::core::cuda
