// The CUDA kernel of ctc_loss (gpu/ctc.cuh: one sample's forward-backward as a function of
// a lane, host+device) run on the host with one lane against the CPU kernel, in every
// CUDA build, GPU or not: the losses, the posterior (mode 1) and the Hessian product
// (mode 2) must be the CPU's bits (the same per-state arithmetic, summed in the same
// order, over the workspace layout of gpu/ctc.cu); and the input checks, visited in a
// shuffled order as the device's threads may run them, must pick the CPU's error.
// Compiled by nvcc (tests/meson.build adds it to CUDA builds only).
#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/dispatch.h"
#include "gpu/ctc.cuh"
#include "helpers.h"

using namespace th;
namespace kc = keras::core::cuda;

namespace {

struct NoSync {  // one lane: every phase is done before the next starts
  KERAS_CPP_HD void operator()() const {}
};

struct Problem {
  std::vector<int64_t> labels, ll, tl;
  int64_t batch, steps, classes, max_label, blank;
};

Tensor i64(const std::vector<int64_t>& v, const Shape& s) {
  Tensor t = ops::zeros(s, DType::int64);
  if (!v.empty()) std::memcpy(t.mutable_data<int64_t>(), v.data(), v.size() * sizeof(int64_t));
  return t;
}

// The CPU kernel's output of `mode` (ctc_loss's op on the scores x, tangent v).
Tensor cpu_op(const Problem& p, const Tensor& x, const Tensor& v, int mode) {
  core::Attrs a;
  a.axis = mode;
  a.k = p.blank;
  std::vector<Tensor> in = {i64(p.labels, {p.batch, p.max_label}), x, i64(p.ll, {p.batch}), i64(p.tl, {p.batch})};
  if (mode == 2) in.push_back(v);
  return core::dispatch(core::OpId::CtcLoss, in, a);
}

// The CUDA kernel's code for every sample, one lane, on host buffers laid out as gpu/ctc.cu's.
template <class T>
std::vector<T> emulated(const Problem& p, const Tensor& x, const Tensor& v, int mode) {
  const int64_t s_max = 2 * p.max_label + 1, rows = p.batch * p.steps * s_max;
  std::vector<double> work(size_t(rows * 4), -7.0);  // garbage: the kernel writes what it reads
  std::vector<T> out(size_t(mode == 0 ? p.batch : p.batch * p.steps * p.classes), T(0));
  kc::CtcArgs<T> a;
  a.labels = p.labels.data();
  a.x = x.data<T>();
  a.v = v.data<T>();
  a.ll = p.ll.data();
  a.tl = p.tl.data();
  a.out = out.data();
  a.alpha = work.data();
  a.beta = work.data() + rows;
  a.A = work.data() + 2 * rows;
  a.B = work.data() + 3 * rows;
  a.steps = p.steps;
  a.classes = p.classes;
  a.max_label = p.max_label;
  a.blank = p.blank;
  a.s_max = s_max;
  a.mode = mode;
  double shared[2] = {0, 0};
  for (int64_t i = 0; i < p.batch; ++i) kc::ctc_sample(a, i, 0, 1, shared, NoSync{});
  return out;
}

template <class T>
void check_modes(const Problem& p, uint32_t seed) {
  const DType dt = std::is_same_v<T, float> ? DType::float32 : DType::float64;
  CAPTURE(std::string(core::dtype_name(dt)));
  const Shape s{p.batch, p.steps, p.classes};
  const Tensor x = make(uniform(s.num_elements(), -4.0, 2.0, seed), s, dt);
  const Tensor v = make(uniform(s.num_elements(), -1.0, 1.0, seed + 1), s, dt);
  for (int mode = 0; mode <= 2; ++mode) {
    CAPTURE(mode);
    const std::vector<T> cpu = cpu_op(p, x, v, mode).template to_vector<T>();
    const std::vector<T> emu = emulated<T>(p, x, v, mode);
    REQUIRE(cpu.size() == emu.size());
    int differ = 0;
    for (size_t k = 0; k < cpu.size(); ++k)
      differ += std::memcmp(&cpu[k], &emu[k], sizeof(T)) != 0;
    CHECK(differ == 0);
  }
}

}  // namespace

TEST_CASE("cuda ctc scalar: the CUDA kernel's code equals the CPU kernel bit for bit on the host") {
  // Repeated labels, an empty label, shorter logit lengths, no steps, a label that cannot
  // fit (+inf, zero gradient), the blank in the middle of the classes.
  const Problem p{{1, 1, 3, 0, 4, 3, 0, 0, 0, 0, 1, 1, 3, 4, 1, 0, 4, 4, 4, 0},
                  {4, 0, 2, 4, 3},
                  {9, 7, 0, 3, 8},
                  5, 9, 5, 4, 2};
  check_modes<double>(p, 110);
  check_modes<float>(p, 120);
  // Long sequences: many states, many steps.
  Problem q{{}, {60, 33}, {150, 101}, 2, 150, 7, 60, 0};
  for (int64_t k = 0; k < 120; ++k) q.labels.push_back(1 + (k * 5) % 6);
  check_modes<double>(q, 130);
  check_modes<float>(q, 140);
}

TEST_CASE("cuda ctc scalar: the device's input check picks the CPU's error in any visiting order") {
  const int64_t batch = 4, max_label = 3, steps = 5, classes = 4, blank = 1;
  std::mt19937_64 g(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<int64_t> labels(static_cast<size_t>(batch * max_label)), ll(static_cast<size_t>(batch)),
        tl(static_cast<size_t>(batch));
    for (auto& l : labels) l = int64_t(g() % 7) - 1;  // -1 .. 5: some out of range, some the blank
    for (auto& l : ll) l = int64_t(g() % 6) - 1;      // -1 .. 4
    for (auto& l : tl) l = int64_t(g() % 8) - 1;      // -1 .. 6
    std::vector<int64_t> slots(static_cast<size_t>(batch * (max_label + 2)));
    for (size_t k = 0; k < slots.size(); ++k) slots[k] = int64_t(k);
    std::shuffle(slots.begin(), slots.end(), g);
    uint64_t first = ~0ull;
    for (int64_t k : slots) {
      const int64_t i = k / (max_label + 2), slot = k % (max_label + 2);
      if (core::kmath::ctc_input_bad(labels.data(), ll.data(), tl.data(), i, slot, max_label, steps, classes, blank))
        first = std::min<uint64_t>(first, kc::ctc_check_key(i, slot, max_label));
    }
    std::string err;
    try {
      core::Attrs a;
      a.k = blank;
      core::dispatch(core::OpId::CtcLoss,
                     {i64(labels, {batch, max_label}), ops::zeros({batch, steps, classes}), i64(ll, {batch}),
                      i64(tl, {batch})},
                     a);
    } catch (const std::invalid_argument& e) {
      err = e.what();
    }
    CAPTURE(err);
    if (first == ~0ull) {
      CHECK(err.empty());
      continue;
    }
    const int64_t i = int64_t(first / (max_label + 2)), slot = int64_t(first % (max_label + 2));
    const std::string sample = " for sample " + std::to_string(i);
    std::string want;
    if (slot == 0)
      want = "target_length in [0, 3] (target of shape (4, 3)), but received " + std::to_string(ll[size_t(i)]) + sample;
    else if (slot == 1)
      want = "output_length in [0, 5] (output of shape (4, 5, 4)), but received " + std::to_string(tl[size_t(i)]) +
             sample;
    else
      want = "received label " + std::to_string(labels[size_t(i * max_label + slot - 2)]) + " at position (" +
             std::to_string(i) + ", " + std::to_string(slot - 2) + ")";
    CHECK(err.find(want) != std::string::npos);
  }
}
