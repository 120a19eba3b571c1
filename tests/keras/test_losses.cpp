// test_losses.cpp - keras::losses: every loss against Keras's formulas computed here in
// float64 (and Keras's documented examples), hinge losses' label mapping, crossentropies,
// label smoothing, and from_logits against probabilities. (Reductions, sample weights,
// ignore_class, errors and gradients: test_loss_options.cpp; get()/serialize()/
// deserialize(), LossArg and a user subclass: test_loss_registry.cpp; the shared data and
// formulas: loss_fixtures.h.)
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "helpers.h"
#include "keras/losses.h"
#include "loss_fixtures.h"

using namespace th;
namespace losses = keras::losses;


// ---- values ----------------------------------------------------------------------------

TEST_CASE("losses: Keras's documented examples") {
  Tensor t2 = core::constant({{0.0, 1.0}, {0.0, 0.0}});
  Tensor p2 = core::constant({{0.6, 0.4}, {0.4, 0.6}});
  check_values(losses::binary_crossentropy(t2, p2), std::vector<double>{0.916, 0.714}, 1e-3);
  check_values(losses::binary_focal_crossentropy(t2, p2), std::vector<double>{0.330, 0.206},
               1e-3);
  check_values(losses::Huber()(t2, p2), std::vector<double>{0.155}, 1e-6);
  Tensor t3 = core::constant({{0.0, 1.0, 0.0}, {0.0, 0.0, 1.0}});
  Tensor p3 = core::constant({{0.05, 0.95, 0.0}, {0.1, 0.8, 0.1}});
  check_values(losses::categorical_crossentropy(t3, p3), std::vector<double>{0.0513, 2.303},
               1e-3);
  check_values(losses::sparse_categorical_crossentropy(core::constant({1, 2}), p3),
               std::vector<double>{0.0513, 2.303}, 1e-3);
  check_values(losses::CategoricalCrossentropy()(t3, p3), std::vector<double>{1.177}, 1e-3);
  check_values(losses::log_cosh(core::constant({{0.0, 1.0}, {0.0, 0.0}}),
                                core::constant({{1.0, 1.0}, {0.0, 0.0}})),
               std::vector<double>{0.21689, 0.0}, 1e-4);
  check_values(losses::cosine_similarity(core::constant({{0.0, 1.0}, {1.0, 1.0}, {1.0, 1.0}}),
                                         core::constant({{1.0, 0.0}, {1.0, 1.0}, {-1.0, -1.0}})),
               std::vector<double>{0.0, -1.0, 1.0}, 1e-6);
}

TEST_CASE("losses: regression losses against Keras's formulas") {
  check_fn(losses::mean_squared_error, ref_mse, kReal, kReal2);
  check_fn(losses::mean_absolute_error, ref_mae, kReal, kReal2);
  check_fn(losses::mean_absolute_percentage_error, ref_mape, kReal, kReal2);
  check_fn(losses::mean_squared_logarithmic_error, ref_msle, kPos, kReal2);  // negatives -> eps
  check_fn(losses::log_cosh, ref_log_cosh, kReal, kReal2);
  check_fn(losses::huber, [](const Row& t, const Row& p) { return ref_huber(t, p, 1.0); }, kReal,
           kReal2);
  check_fn([](const Tensor& t, const Tensor& p) { return losses::huber(t, p, 0.3); },
           [](const Row& t, const Row& p) { return ref_huber(t, p, 0.3); }, kReal, kReal2);
  check_fn(losses::poisson, ref_poisson, kPos, kPos2);
  check_fn(losses::kl_divergence, ref_kld, kProb, uniform(B * C, 0.05, 0.95, 9));
  check_fn(losses::cosine_similarity, ref_cosine, kReal, kReal2);
  // MAPE with y_true = 0 divides by epsilon.
  check_values(losses::mean_absolute_percentage_error(core::constant({0.0}), core::constant({1e-7})),
               std::vector<double>{100.0}, 1e-4);
  // Cosine similarity of a zero vector is 0, not NaN.
  check_values(losses::cosine_similarity(core::constant({{0.0, 0.0}}), core::constant({{1.0, 2.0}})),
               std::vector<double>{0.0});
  // Along another axis.
  Tensor cs0 = losses::cosine_similarity(f64(kReal), f64(kReal2), 0);
  CHECK(cs0.shape() == Shape{C});
  std::vector<double> tt(B * C), pp(B * C);  // transposed
  for (int64_t i = 0; i < B; ++i)
    for (int64_t j = 0; j < C; ++j) {
      tt[size_t(j * B + i)] = kReal[size_t(i * C + j)];
      pp[size_t(j * B + i)] = kReal2[size_t(i * C + j)];
    }
  check_values(cs0, per_row(ref_cosine, tt, pp, B), 1e-10);
}

TEST_CASE("losses: hinge losses, with {0, 1} labels mapped to {-1, 1}") {
  auto h = [](const Row& t, const Row& p) { return ref_hinge(t, p, false); };
  auto sh = [](const Row& t, const Row& p) { return ref_hinge(t, p, true); };
  check_fn(losses::hinge, h, kPlusMinus, kReal);
  check_fn(losses::squared_hinge, sh, kPlusMinus, kReal);
  check_values(losses::hinge(f64(kBinary), f64(kReal)), per_row(h, kPlusMinus, kReal), 1e-12);
  check_values(losses::squared_hinge(f64(kBinary), f64(kReal)), per_row(sh, kPlusMinus, kReal),
               1e-12);
  check_fn(losses::categorical_hinge, ref_categorical_hinge, kOneHot, kReal);
}

TEST_CASE("losses: crossentropies against Keras's formulas") {
  check_fn(losses::binary_crossentropy, [](const Row& t, const Row& p) { return ref_bce(t, p); },
           kBinary, kProb);
  check_fn(losses::categorical_crossentropy,
           [](const Row& t, const Row& p) { return ref_cce(t, p); }, kOneHot, kPos);
  check_fn(losses::binary_focal_crossentropy,
           [](const Row& t, const Row& p) { return ref_focal(t, p, false, 0.25, 2.0); }, kBinary,
           kProb);
  check_fn([](const Tensor& t, const Tensor& p) {
             return losses::binary_focal_crossentropy(t, p, true, 0.4, 1.5);
           },
           [](const Row& t, const Row& p) { return ref_focal(t, p, true, 0.4, 1.5); }, kBinary,
           kProb);
  // Sparse labels: the same as the one-hot form; int32, int64 and whole float labels.
  std::vector<double> want = per_row([](const Row& t, const Row& p) { return ref_cce(t, p); },
                                     kOneHot, kPos);
  check_values(losses::sparse_categorical_crossentropy(labels(), f64(kPos)), want, 1e-10);
  check_values(losses::sparse_categorical_crossentropy(ops::cast(labels(), DType::int32), f64(kPos)),
               want, 1e-10);
  check_values(losses::sparse_categorical_crossentropy(ops::cast(labels(), DType::float32),
                                                       f32(kPos)),
               want, 2e-5);
  // (B, 1) labels are squeezed.
  check_values(losses::sparse_categorical_crossentropy(ops::reshape(labels(), {B, 1}), f64(kPos)),
               want, 1e-10);
  // Probabilities of 0 and 1 are clipped to [eps, 1 - eps]: finite.
  Tensor hard = losses::binary_crossentropy(f64({1.0, 0.0}, Shape{1, 2}), f64({0.0, 1.0}, Shape{1, 2}));
  CHECK(all_finite(hard));
  check_values(hard, std::vector<double>{-std::log(1e-7)}, 1e-3);
  // Binary crossentropy along axis 0.
  Tensor b0 = losses::binary_crossentropy(f64(kBinary), f64(kProb), false, 0.0, 0);
  CHECK(b0.shape() == Shape{C});
}

TEST_CASE("losses: label smoothing") {
  const double ls = 0.2;
  check_fn([ls](const Tensor& t, const Tensor& p) {
             return losses::binary_crossentropy(t, p, false, ls);
           },
           [ls](const Row& t, const Row& p) { return ref_bce(t, p, ls); }, kBinary, kProb);
  check_fn([ls](const Tensor& t, const Tensor& p) {
             return losses::categorical_crossentropy(t, p, false, ls);
           },
           [ls](const Row& t, const Row& p) { return ref_cce(t, p, ls); }, kOneHot, kPos);
  check_fn([ls](const Tensor& t, const Tensor& p) {
             return losses::binary_focal_crossentropy(t, p, false, 0.25, 2.0, false, ls);
           },
           [ls](const Row& t, const Row& p) { return ref_focal(t, p, false, 0.25, 2.0, ls); },
           kBinary, kProb);
  // Smoothing equals passing the smoothed labels; also from logits.
  std::vector<double> smoothed(kOneHot.size());
  for (size_t i = 0; i < kOneHot.size(); ++i) smoothed[i] = kOneHot[i] * (1 - ls) + ls / C;
  check_values(losses::CategoricalCrossentropy({.from_logits = true, .label_smoothing = ls})(
                   f64(kOneHot), f64(kLogits)),
               values(losses::CategoricalCrossentropy({.from_logits = true})(f64(smoothed),
                                                                             f64(kLogits))),
               1e-12);
  CHECK_THROWS_MSG(losses::BinaryCrossentropy({.label_smoothing = 1.5}), std::invalid_argument,
                   "binary_crossentropy: expected label_smoothing in [0, 1], but received 1.5");
  CHECK_THROWS_MSG(losses::categorical_crossentropy(f64(kOneHot), f64(kPos), false, -0.1),
                   std::invalid_argument, "expected label_smoothing in [0, 1]");
}

TEST_CASE("losses: from_logits equals the probability form and stays finite") {
  std::vector<double> probs(kLogits.size());
  for (size_t i = 0; i < kLogits.size(); ++i) probs[i] = sigmoid(kLogits[i]);
  check_values(losses::BinaryCrossentropy({.from_logits = true})(f64(kBinary), f64(kLogits)),
               values(losses::BinaryCrossentropy()(f64(kBinary), f64(probs))), 1e-9);
  check_values(losses::BinaryFocalCrossentropy({.apply_class_balancing = true, .from_logits = true})(
                   f64(kBinary), f64(kLogits)),
               values(losses::BinaryFocalCrossentropy({.apply_class_balancing = true})(
                   f64(kBinary), f64(probs))),
               1e-9);
  std::vector<double> sm = softmax_rows(kLogits);
  check_values(losses::CategoricalCrossentropy({.from_logits = true})(f64(kOneHot), f64(kLogits)),
               values(losses::CategoricalCrossentropy()(f64(kOneHot), f64(sm))), 1e-9);
  check_values(losses::SparseCategoricalCrossentropy({.from_logits = true})(labels(), f64(kLogits)),
               values(losses::SparseCategoricalCrossentropy()(labels(), f64(sm))), 1e-9);
  check_values(losses::sparse_categorical_crossentropy(labels(), f32(kLogits), true),
               values(losses::categorical_crossentropy(f64(kOneHot), f64(kLogits), true)), 2e-5);
  // Categorical crossentropy over axis 0 from logits (log_softmax path).
  Tensor ax0 = losses::categorical_crossentropy(ops::transpose(f64(kOneHot)),
                                                ops::transpose(f64(kLogits)), true, 0.0, 0);
  check_values(ax0, values(losses::categorical_crossentropy(f64(kOneHot), f64(kLogits), true)),
               1e-12);

  // Extreme logits: exact, finite losses (no clipping needed).
  Tensor big = core::constant({{100.0, -100.0, 1e4}});
  Tensor y = core::constant({{0.0, 1.0, 1.0}});
  Tensor bce = losses::binary_crossentropy(y, big, true);
  CHECK(all_finite(bce));
  check_values(bce, std::vector<double>{200.0 / 3.0}, 1e-5);
  Tensor focal = losses::binary_focal_crossentropy(y, big, false, 0.25, 2.0, true);
  CHECK(all_finite(focal));
  check_values(focal, std::vector<double>{200.0 / 3.0}, 1e-5);
  Tensor cce = losses::categorical_crossentropy(core::constant({{1.0, 0.0, 0.0}}),
                                                core::constant({{-1e4, 0.0, 1e4}}), true);
  CHECK(all_finite(cce));
  check_values(cce, std::vector<double>{2e4}, 1e-6);
  Tensor scce = losses::sparse_categorical_crossentropy(core::constant({0}),
                                                        core::constant({{-1e4, 0.0, 1e4}}), true);
  check_values(scce, std::vector<double>{2e4}, 1e-6);
  // and their gradients stay finite.
  core::GradientTape tape;
  Tensor logits = core::constant({{-1e4, 0.0, 1e4}});
  tape.watch(logits);
  Tensor l = losses::CategoricalCrossentropy({.from_logits = true})(
                 core::constant({{1.0, 0.0, 0.0}}), logits) +
             losses::BinaryCrossentropy({.from_logits = true})(core::constant({{1.0, 0.0, 1.0}}),
                                                               logits);
  CHECK(all_finite(tape.gradient(l, logits)));
}

// ---- the Loss template method -------------------------------------------------------------
