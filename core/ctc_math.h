// ctc_math.h - (engine-internal) the per-state arithmetic of ctc_loss's forward-backward
// (core/ops/ctc.cpp), compiled by the CPU kernel (core/cpu/ctc.cpp) and the CUDA kernel
// (gpu/ctc.cuh, gpu/ctc.cu), so both devices run the same recursions: the extended label
// sequence, one state's alpha, beta, posterior, prefix and suffix tangent means, and the
// input checks (which slot of which sample is bad, in the CPU's checking order). Log
// space in double with -inf as log 0; the library calls are exp and log, whose last bits
// may differ between the host and a GPU.
#pragma once
#include <cmath>
#include <cstdint>

#include "core/kernel_math.h"  // KERAS_CPP_HD

namespace keras::core::kmath {

/// log 0.
KERAS_CPP_HD inline double ctc_log0() { return -HUGE_VAL; }

/// log(exp(a) + exp(b)); the larger term is std::max's choice (a on ties and NaN in b).
KERAS_CPP_HD inline double ctc_lse2(double a, double b) {
  if (a == ctc_log0()) return b;
  if (b == ctc_log0()) return a;
  const double m = a < b ? b : a;
  return m + log(exp(a - m) + exp(b - m));
}

/// One sample's extended label sequence e = (blank, l1, blank, ..., lL, blank): S = 2L + 1.
struct CtcSeq {
  const int64_t* lab;  ///< the sample's labels (the first L are used)
  int64_t S;           ///< 2L + 1 states
  int64_t blank;       ///< the blank class
  /// e[s]: the class of state s.
  KERAS_CPP_HD int64_t at(int64_t s) const { return (s & 1) ? lab[s >> 1] : blank; }
  /// Whether an alignment may jump from s - 2 to s (a label different from the previous one).
  KERAS_CPP_HD bool skip_to(int64_t s) const { return s >= 2 && (s & 1) && at(s) != at(s - 2); }
};

/// alpha_0(s): the score of state s at step 0 for s < 2, else log 0.
KERAS_CPP_HD inline double ctc_alpha0(int64_t s, double score) { return s < 2 ? score : ctc_log0(); }

/// alpha_t(s) from row t - 1 of alpha (`prev`) and the score of state s at step t.
KERAS_CPP_HD inline double ctc_alpha(const CtcSeq& q, const double* prev, int64_t s, double score) {
  double a = prev[s];
  if (s >= 1) a = ctc_lse2(a, prev[s - 1]);
  if (q.skip_to(s)) a = ctc_lse2(a, prev[s - 2]);
  return a == ctc_log0() ? a : a + score;
}

/// beta_{T-1}(s): the score of state s at the last step for the two final states, else log 0.
KERAS_CPP_HD inline double ctc_beta_last(const CtcSeq& q, int64_t s, double score) {
  return s >= q.S - 2 ? score : ctc_log0();
}

/// beta_t(s) from row t + 1 of beta (`next`) and the score of state s at step t.
KERAS_CPP_HD inline double ctc_beta(const CtcSeq& q, const double* next, int64_t s, double score) {
  double b = next[s];
  if (s + 1 < q.S) b = ctc_lse2(b, next[s + 1]);
  if (s + 2 < q.S && q.skip_to(s + 2)) b = ctc_lse2(b, next[s + 2]);
  return b == ctc_log0() ? b : b + score;
}

/// log p from the last row of alpha.
KERAS_CPP_HD inline double ctc_log_p(const CtcSeq& q, const double* last) {
  return q.S > 1 ? ctc_lse2(last[q.S - 1], last[q.S - 2]) : last[0];
}

/// The posterior of a state: exp(alpha + beta - its score - log p); 0 where either is log 0.
KERAS_CPP_HD inline double ctc_post(double alpha, double beta, double score, double logp) {
  if (alpha == ctc_log0() || beta == ctc_log0()) return 0.0;
  return exp(alpha + beta - score - logp);
}

/// A_t(s) (alpha_t(s) not log 0): the tangent of state s at t plus the mean of A over the
/// states of step t - 1 that lead to s, weighted by their alpha.
KERAS_CPP_HD inline double ctc_prefix_mean(const CtcSeq& q, const double* prev, const double* prev_a, int64_t s,
                                           double tangent) {
  double norm = prev[s];
  if (s >= 1) norm = ctc_lse2(norm, prev[s - 1]);
  const bool skip = q.skip_to(s);
  if (skip) norm = ctc_lse2(norm, prev[s - 2]);
  double acc = 0.0;
  if (prev[s] != ctc_log0()) acc += exp(prev[s] - norm) * prev_a[s];
  if (s >= 1 && prev[s - 1] != ctc_log0()) acc += exp(prev[s - 1] - norm) * prev_a[s - 1];
  if (skip && prev[s - 2] != ctc_log0()) acc += exp(prev[s - 2] - norm) * prev_a[s - 2];
  return tangent + acc;
}

/// B_t(s) (beta_t(s) not log 0): the mean over the states of step t + 1 that s leads to,
/// weighted by their beta, of their tangent (`v_next`: step t + 1's row, by class) plus B.
template <class T>
KERAS_CPP_HD inline double ctc_suffix_mean(const CtcSeq& q, const double* next, const double* next_b, const T* v_next,
                                           int64_t s) {
  double norm = next[s];
  if (s + 1 < q.S) norm = ctc_lse2(norm, next[s + 1]);
  const bool skip = s + 2 < q.S && q.skip_to(s + 2);
  if (skip) norm = ctc_lse2(norm, next[s + 2]);
  double acc = 0.0;
  auto add = [&](int64_t r) {
    if (next[r] != ctc_log0()) acc += exp(next[r] - norm) * (double(v_next[q.at(r)]) + next_b[r]);
  };
  add(s);
  if (s + 1 < q.S) add(s + 1);
  if (skip) add(s + 2);
  return acc;
}

/// The input checks of one sample in the CPU's order, as slots: 0 target_length in
/// [0, max_label], 1 output_length in [0, steps], 2 + j label j (j < target_length) in
/// [0, classes) and not the blank. Whether slot `slot` of sample i fails.
KERAS_CPP_HD inline bool ctc_input_bad(const int64_t* lab, const int64_t* ll, const int64_t* tl, int64_t i,
                                       int64_t slot, int64_t max_label, int64_t steps, int64_t classes,
                                       int64_t blank) {
  if (slot == 0) return ll[i] < 0 || ll[i] > max_label;
  if (slot == 1) return tl[i] < 0 || tl[i] > steps;
  const int64_t j = slot - 2;
  if (ll[i] < 0 || ll[i] > max_label || j >= ll[i]) return false;
  const int64_t v = lab[i * max_label + j];
  return v < 0 || v >= classes || v == blank;
}

/// The element that slot `slot` of sample i checks, as an offset: into target_length
/// (slot 0), output_length (slot 1) or target (labels).
KERAS_CPP_HD inline int64_t ctc_input_offset(int64_t i, int64_t slot, int64_t max_label) {
  return slot < 2 ? i : i * max_label + (slot - 2);
}

}  // namespace keras::core::kmath
