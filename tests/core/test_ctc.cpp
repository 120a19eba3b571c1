// test_ctc.cpp - the ctc_loss op against a brute-force sum over every alignment, both
// float dtypes, the blank index, label and logit lengths, infeasible labels, its
// gradient (the posterior: one class per step), and bad input. Gradients against finite
// differences, to second order: tests/core/test_gradients.cpp.
#include <cmath>
#include <functional>
#include <limits>

#include "helpers.h"

using namespace th;

namespace {

// -log sum over every path of `steps` classes that collapses (repeats merged, blanks
// dropped) to `label`, of its probability (the product of each step's softmax).
double brute_force(const std::vector<double>& x, int64_t steps, int64_t classes, const std::vector<int64_t>& label,
                   int64_t blank) {
  double total = 0.0;
  std::vector<int64_t> path(size_t(steps), 0);
  std::function<void(int64_t)> walk = [&](int64_t t) {
    if (t == steps) {
      std::vector<int64_t> out;
      int64_t prev = -1;
      for (int64_t c : path) {
        if (c != prev && c != blank) out.push_back(c);
        prev = c;
      }
      if (out != label) return;
      double s = 0.0;
      for (int64_t u = 0; u < steps; ++u) {  // log_softmax of the step's logits
        double z = 0.0;
        for (int64_t k = 0; k < classes; ++k) z += std::exp(x[size_t(u * classes + k)]);
        s += x[size_t(u * classes + path[size_t(u)])] - std::log(z);
      }
      total += std::exp(s);
      return;
    }
    for (int64_t c = 0; c < classes; ++c) {
      path[size_t(t)] = c;
      walk(t + 1);
    }
  };
  walk(0);
  return -std::log(total);
}

}  // namespace

TEST_CASE("ctc_loss: equals the sum over every alignment (float64 and float32, any blank)") {
  const int64_t B = 4, T = 5, C = 3, L = 3;
  std::vector<double> x = uniform(B * T * C, -2, 2, 7);
  // sample 0: a repeated label; 1: shorter label, fewer steps; 2: the empty label; 3: all
  const std::vector<std::vector<int64_t>> labels = {{1, 1, 2}, {2, 0, 0}, {0, 0, 0}, {2, 1, 2}};
  const std::vector<int64_t> ll = {3, 1, 0, 3}, tl = {5, 3, 4, 5};
  for (int64_t blank : {int64_t{0}, int64_t{1}}) {
    CAPTURE(blank);
    std::vector<double> flat_labels;
    std::vector<std::vector<int64_t>> used = labels;
    for (auto& row : used)
      for (auto& v : row) v = v == 0 ? blank : (v == blank ? 0 : v);  // relabel so the blank stays free
    for (size_t i = 0; i < used.size(); ++i)
      for (int64_t v : used[i]) flat_labels.push_back(double(v));
    std::vector<double> want;
    for (int64_t i = 0; i < B; ++i) {
      std::vector<double> xi(x.begin() + i * T * C, x.begin() + i * T * C + tl[size_t(i)] * C);
      std::vector<int64_t> lab(used[size_t(i)].begin(), used[size_t(i)].begin() + ll[size_t(i)]);
      want.push_back(brute_force(xi, tl[size_t(i)], C, lab, blank));
    }
    Tensor lab_t = make(flat_labels, Shape{B, L}, DType::int32);
    Tensor ll_t = make(std::vector<double>(ll.begin(), ll.end()), Shape{B}, DType::int64);
    Tensor tl_t = make(std::vector<double>(tl.begin(), tl.end()), Shape{B}, DType::int32);
    Tensor got = ops::ctc_loss(lab_t, make(x, Shape{B, T, C}, DType::float64), ll_t, tl_t, blank);
    CHECK(got.dtype() == DType::float64);
    check_values(got, want, 1e-10);
    Tensor got32 = ops::ctc_loss(lab_t, make(x, Shape{B, T, C}, DType::float32), ll_t, tl_t, blank);
    CHECK(got32.dtype() == DType::float32);
    check_values(got32, want, 1e-5);
  }
}

TEST_CASE("ctc_loss: the gradient of the logits is softmax minus the posterior; zero past logit_length") {
  const int64_t T = 4, C = 3;
  Tensor logits = make(uniform(2 * T * C, -1, 1, 3), Shape{2, T, C}, DType::float64);
  Tensor labels = core::constant({{1, 2}, {2, 2}});
  Tensor ll = core::constant({int64_t{2}, int64_t{2}}), tl = core::constant({int64_t{4}, int64_t{3}});
  core::GradientTape tape;
  tape.watch(logits);
  Tensor loss = ops::sum(ops::ctc_loss(labels, logits, ll, tl));
  Tensor g = tape.gradient(loss, logits);
  // d loss / d logits = softmax - posterior: each valid step's row sums to 0; past logit_length it is 0.
  auto gv = values(g);
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t t = 0; t < T; ++t) {
      double s = 0.0, a = 0.0;
      for (int64_t c = 0; c < C; ++c) s += gv[size_t((i * T + t) * C + c)], a += std::fabs(gv[size_t((i * T + t) * C + c)]);
      CHECK(std::fabs(s) < 1e-12);
      if (i == 1 && t == 3) CHECK(a == 0.0);
    }
}

TEST_CASE("ctc_loss: a label that cannot fit gives +inf and a zero gradient") {
  Tensor x = make(uniform(2 * 2 * 3, -1, 1, 4), Shape{1, 2, 3}, DType::float64);
  x = ops::reshape(x, {1, 2, 3});
  Tensor labels = core::constant({{1, 1}});  // needs 3 steps (a blank between the repeats)
  core::GradientTape tape;
  tape.watch(x);
  Tensor l = ops::ctc_loss(labels, x, core::constant({int64_t{2}}), core::constant({int64_t{2}}));
  CHECK(std::isinf(l.item<double>()));
  Tensor g = tape.gradient(l, x);
  for (double v : values(g)) CHECK(v == 0.0);
  // No steps: only the empty label has an alignment.
  Tensor e = ops::ctc_loss(core::constant({{1}, {1}}), ops::zeros({2, 2, 3}, DType::float64),
                           core::constant({int64_t{0}, int64_t{1}}), core::constant({int64_t{0}, int64_t{0}}));
  auto ev = values(e);
  CHECK(ev[0] == 0.0);
  CHECK(std::isinf(ev[1]));
}

TEST_CASE("ctc_loss: bad input raises errors naming the argument") {
  Tensor x = ops::zeros({2, 4, 3});
  Tensor labels = core::constant({{1, 2}, {2, 1}});
  Tensor ok = core::constant({int64_t{2}, int64_t{2}});
  CHECK_THROWS_MSG(ops::ctc_loss(labels, ops::zeros({2, 4}), ok, ok), std::invalid_argument,
                   "expected output of shape (batch, steps, classes)");
  CHECK_THROWS_MSG(ops::ctc_loss(core::constant({1, 2}), x, ok, ok), std::invalid_argument, "expected target of shape (2");
  CHECK_THROWS_MSG(ops::ctc_loss(labels, x, core::constant({int64_t{2}}), ok), std::invalid_argument,
                   "expected target_length of shape (2,)");
  CHECK_THROWS_MSG(ops::ctc_loss(labels, x, ok, ok, 3), std::invalid_argument, "blank index in [0, 3)");
  CHECK_THROWS_MSG(ops::ctc_loss(labels, x, core::constant({int64_t{3}, int64_t{2}}), ok), std::invalid_argument,
                   "expected target_length in [0, 2]");
  CHECK_THROWS_MSG(ops::ctc_loss(labels, x, ok, core::constant({int64_t{5}, int64_t{2}})), std::invalid_argument,
                   "expected output_length in [0, 4]");
  CHECK_THROWS_MSG(ops::ctc_loss(core::constant({{1, 0}, {2, 1}}), x, ok, ok), std::invalid_argument,
                   "received label 0 at position (0, 1)");
  CHECK_THROWS_MSG(ops::ctc_loss(core::constant({{1, 3}, {2, 1}}), x, ok, ok), std::invalid_argument,
                   "received label 3 at position (0, 1)");
  CHECK_THROWS_MSG(ops::ctc_loss(labels, ops::zeros({2, 4, 3}, DType::int32), ok, ok), std::invalid_argument,
                   "output");
}
