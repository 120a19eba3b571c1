// The CUDA kernel of ctc_loss against the CPU one (the helpers of cuda_cases.h): losses,
// their gradients (the posterior) and second-order gradients (the Hessian product) in
// float32 and float64, any blank, repeated labels, shorter label and logit lengths, no
// steps, alignments that cannot fit (+inf, zero gradients), identical errors for bad
// lengths and labels; the Keras CTC loss and ctc_decode (greedy and beam search) on GPU
// inputs. Without a GPU the comparisons report skipped; the CPU side of every case and
// `supports()` are checked everywhere.
#include <cmath>
#include <string>
#include <vector>

#include "core/autodiff.h"
#include "core/cuda_backend.h"
#include "core/kernel_support.h"
#include "core/ops_nn.h"
#include "cuda_cases.h"
#include "helpers.h"
#include "keras/losses.h"
#include "skips.h"

using namespace th;
using core::Device;
using namespace cuda_cases;

namespace {

Tensor i64(const std::vector<double>& v, const Shape& s) { return make(v, s, DType::int64); }

// The losses, the gradient of their weighted sum and the second-order gradient of the
// gradient's weighted sum (every output of the op: modes 0, 1 and 2).
std::vector<Tensor> ctc_all(const std::vector<Tensor>& x, int64_t blank) {
  const Tensor& logits = x[1];
  core::GradientTape outer;
  outer.watch(logits);
  Tensor loss, g;
  {
    core::GradientTape inner;
    inner.watch(logits);
    loss = ops::ctc_loss(x[0], logits, x[2], x[3], blank);
    const Tensor finite = ops::where(ops::isfinite(loss), loss, ops::zeros_like(loss));
    g = inner.gradient(ops::sum(ops::multiply(finite, x[4])), logits);
  }
  const Tensor h = outer.gradient(ops::sum(ops::multiply(g, x[5])), logits);
  return {loss, g, h};
}

std::vector<Case> ctc_cases() {
  std::vector<Case> cs;
  for (DType dt : {DType::float32, DType::float64}) {
    const std::string d = std::string(" ") + core::dtype_name(dt);
    // A repeated label (2, 2), shorter label and logit lengths, an empty label.
    const std::vector<Tensor> base = {i64({1, 2, 2, 3, 2, 2, 1, 0, 0, 0, 0, 0}, {3, 4}),
                                      finite({3, 9, 4}, dt, 90), i64({3, 2, 0}, {3}), i64({9, 6, 5}, {3}),
                                      make({1.0, -0.5, 2.0}, {3}, dt), finite({3, 9, 4}, dt, 91)};
    cs.push_back({"ctc_loss, gradients to second order" + d, [](auto& x) { return ctc_all(x, 0); }, base});
    // The blank is the last class; a label equal to class 0.
    cs.push_back({"ctc_loss with blank 3" + d, [](auto& x) { return ctc_all(x, 3); },
                  {i64({0, 1, 0, 2, 2, 1, 0, 0}, {2, 4}), finite({2, 10, 4}, dt, 92), i64({4, 3}, {2}),
                   i64({10, 8}, {2}), make({0.5, 1.5}, {2}, dt), finite({2, 10, 4}, dt, 93)}});
    // A label that needs more steps than it has (+inf, zero gradient); no steps at all,
    // with an empty and a non-empty label; scores of very different magnitudes.
    cs.push_back({"ctc_loss that cannot fit, no steps" + d, [](auto& x) { return ctc_all(x, 0); },
                  {i64({1, 1, 1, 2, 1, 1}, {3, 2}), ops::multiply(finite({3, 3, 3}, dt, 94), make({40.0}, {}, dt)),
                   i64({2, 0, 2}, {3}), i64({2, 0, 0}, {3}), make({1.0, 1.0, 1.0}, {3}, dt),
                   finite({3, 3, 3}, dt, 95)}});
    // More states than a block has threads and more steps than lanes.
    std::vector<double> lab(2 * 150), len = {150, 97};
    for (size_t k = 0; k < lab.size(); ++k) lab[k] = double(1 + (k * 7) % 5);
    cs.push_back({"ctc_loss, 301 states, 400 steps" + d, [](auto& x) { return ctc_all(x, 0); },
                  {i64(lab, {2, 150}), finite({2, 400, 6}, dt, 96), i64(len, {2}), i64({400, 333}, {2}),
                   make({1.0, 2.0}, {2}, dt), finite({2, 400, 6}, dt, 97)}});
    cs.push_back({"ctc_loss of an empty batch" + d, [](auto& x) {
                    return std::vector{ops::ctc_loss(x[0], x[1], x[2], x[3])};
                  }, {i64({}, {0, 2}), ops::zeros({0, 3, 4}, dt), i64({}, {0}), i64({}, {0})}});
  }
  // Bad lengths and labels: the first failure in the CPU's order (a later sample's bad
  // length must not hide an earlier sample's bad label).
  auto loss_only = [](auto& x) { return std::vector{ops::ctc_loss(x[0], x[1], x[2], x[3])}; };
  const Tensor x = ops::zeros({3, 4, 3});
  cs.push_back({"ctc_loss with a label out of range (same error)", loss_only,
                {i64({1, 2, 2, 3, 1, 1}, {3, 2}), x, i64({2, 2, 9}, {3}), i64({4, 4, 4}, {3})}});
  cs.push_back({"ctc_loss with the blank as a label (same error)", loss_only,
                {i64({1, 2, 2, 0, 0, 0}, {3, 2}), x, i64({2, 2, 1}, {3}), i64({4, 4, 4}, {3})}});
  cs.push_back({"ctc_loss with a negative target_length (same error)", loss_only,
                {i64({1, 2, 2, 1, 1, 1}, {3, 2}), x, i64({2, -1, 2}, {3}), i64({4, 4, 4}, {3})}});
  cs.push_back({"ctc_loss with output_length past the steps (same error)", loss_only,
                {i64({1, 2, 2, 1, 1, 1}, {3, 2}), x, i64({2, 2, 2}, {3}), i64({4, 5, 4}, {3})}});
  // The Keras loss (labels padded with 0, the blank) and its gradient.
  cs.push_back({"keras CTC loss and its gradient", [](auto& x) {
                  core::GradientTape tape;
                  tape.watch(x[1]);
                  const Tensor l = keras::losses::CTC()(x[0], x[1]);
                  return std::vector{l, tape.gradient(l, x[1])};
                }, {make({1, 2, 2, 0, 3, 0, 0, 0}, {2, 4}, DType::int32), finite({2, 7, 4}, DType::float32, 98)}});
  // ctc_decode runs on the host: GPU inputs are read there, the results go back to their device.
  cs.push_back({"ctc_decode greedy and beam search", [](auto& x) {
                  const auto g = ops::ctc_decode(x[0], x[1]);
                  const auto b = ops::ctc_decode(x[0], x[1], "beam_search", 4, 2);
                  return std::vector{g.decoded, g.scores, b.decoded, b.scores};
                }, {finite({2, 6, 4}, DType::float32, 99), make({6, 4}, {2}, DType::int32)}});
  return cs;
}

}  // namespace

TEST_CASE("supports: ctc_loss on CUDA takes float32 and float64") {
  const bool cuda = core::cuda::built_with_cuda();
  CHECK(core::supports("ctc_loss", Device::cuda(0), DType::float32) == cuda);
  CHECK(core::supports("ctc_loss", Device::cuda(0), DType::float64) == cuda);
  CHECK_FALSE(core::supports("ctc_loss", Device::cuda(0), DType::int32));
}

TEST_CASE("cuda ctc: the table itself: every case runs on the CPU, and the error cases raise there") {
  CHECK(run_table_on_cpu(ctc_cases()) == 4);
}

TEST_CASE("cuda ctc: ctc_loss, its gradients, the Keras CTC loss and ctc_decode equal the CPU" *
          doctest::skip(no_gpu())) {
  for (const Case& c : ctc_cases()) run_case(c);
}

TEST_CASE("cuda ctc: ctc_decode's results stay on their input's device" * doctest::skip(no_gpu())) {
  const Tensor x = finite({2, 5, 3}, DType::float64, 100).to(Device::cuda(0));
  const Tensor len = make({5, 3}, {2}, DType::int64).to(Device::cuda(0));
  for (const char* strategy : {"greedy", "beam_search"}) {
    CAPTURE(strategy);
    const auto d = ops::ctc_decode(x, len, strategy, 3, 2);
    CHECK(d.decoded.device() == Device::cuda(0));
    CHECK(d.scores.device() == Device::cuda(0));
  }
}
