// test_loss_options.cpp - keras::losses: reductions, sample weights, ignore_class, the
// errors that name what was expected and received, and every loss's gradient against
// finite differences.
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

TEST_CASE("losses: reductions") {
  std::vector<double> per = per_row(ref_mse, kReal, kReal2);
  Tensor t = f64(kReal), p = f64(kReal2);
  Tensor none = losses::MeanSquaredError({.reduction = "none"})(t, p);
  CHECK(none.shape() == Shape{B});
  check_values(none, per, 1e-12);
  Tensor sobs = losses::MeanSquaredError()(t, p);
  CHECK(sobs.rank() == 0);
  CHECK(sobs.dtype() == DType::float64);
  check_values(sobs, std::vector<double>{mean_of(per)}, 1e-12);
  check_values(losses::MeanSquaredError({.reduction = "mean"})(t, p),
               std::vector<double>{mean_of(per)}, 1e-12);
  check_values(losses::MeanSquaredError({.reduction = "sum"})(t, p),
               std::vector<double>{sum_of(per)}, 1e-12);
  check_values(losses::MeanSquaredError({.reduction = "mean_with_sample_weight"})(t, p),
               std::vector<double>{mean_of(per)}, 1e-12);
  // float32 in, float32 out; int y_true is cast to y_pred's dtype.
  Tensor l32 = losses::MeanSquaredError()(ops::cast(f64(kBinary), DType::int32), f32(kReal));
  CHECK(l32.dtype() == DType::float32);
  check_values(l32, std::vector<double>{mean_of(per_row(ref_mse, kBinary, kReal))}, 1e-5);
  CHECK_THROWS_MSG(losses::MeanSquaredError({.reduction = "avg"}), std::invalid_argument,
                   "expected reduction to be one of \"sum_over_batch_size\", \"sum\", \"mean\", "
                   "\"mean_with_sample_weight\", \"none\", but received \"avg\"");
  // Per-element losses of a user function are divided by their element count.
  auto elementwise = losses::get([](const Tensor& a, const Tensor& b) { return ops::abs(a - b); });
  double total = 0;
  for (size_t i = 0; i < kReal.size(); ++i) total += std::fabs(kReal[i] - kReal2[i]);
  check_values((*elementwise)(t, p), std::vector<double>{total / double(B * C)}, 1e-12);
  // An empty batch reduces to 0.
  check_values(losses::MeanSquaredError()(ops::zeros({0, 3}), ops::zeros({0, 3})),
               std::vector<double>{0.0});
}

TEST_CASE("losses: sample_weight") {
  std::vector<double> per = per_row(ref_mse, kReal, kReal2);
  Tensor t = f64(kReal), p = f64(kReal2);
  std::vector<double> w = {1.0, 0.5, 0.0, 2.0};
  double weighted = 0, wsum = sum_of(w);
  std::vector<double> wper(B);
  for (int64_t i = 0; i < B; ++i) {
    wper[size_t(i)] = per[size_t(i)] * w[size_t(i)];
    weighted += wper[size_t(i)];
  }
  for (const Shape& ws : {Shape{B}, Shape{B, 1}}) {
    CAPTURE(ws.str());
    Tensor sw = f64(w, ws);
    check_values(losses::MeanSquaredError()(t, p, sw), std::vector<double>{weighted / B}, 1e-12);
    check_values(losses::MeanSquaredError({.reduction = "sum"})(t, p, sw),
                 std::vector<double>{weighted}, 1e-12);
    check_values(losses::MeanSquaredError({.reduction = "mean_with_sample_weight"})(t, p, sw),
                 std::vector<double>{weighted / wsum}, 1e-12);
    // (B, 1) weights make Keras give (B, 1) unreduced losses (rank-1 losses are expanded).
    Tensor none = losses::MeanSquaredError({.reduction = "none"})(t, p, sw);
    CHECK(none.shape() == ws);
    check_values(none, wper, 1e-12);
  }
  // A float32 weight for float64 losses is cast; a scalar weight scales everything.
  check_values(losses::MeanSquaredError()(t, p, f32(w, Shape{B})),
               std::vector<double>{weighted / B}, 1e-7);
  check_values(losses::MeanSquaredError()(t, p, core::constant(2.0)),
               std::vector<double>{2 * mean_of(per)}, 1e-6);
  // Per-sample weights of per-element losses (B, C) scale each sample's row.
  auto elementwise = losses::get([](const Tensor& a, const Tensor& b) { return ops::square(a - b); });
  double s = 0;
  for (int64_t i = 0; i < B; ++i)
    for (int64_t j = 0; j < C; ++j) {
      double d = kReal[size_t(i * C + j)] - kReal2[size_t(i * C + j)];
      s += d * d * w[size_t(i)];
    }
  check_values((*elementwise)(t, p, f64(w, Shape{B})), std::vector<double>{s / (B * C)}, 1e-12);
  // Weights whose shape cannot broadcast are an error naming both shapes.
  CHECK_THROWS_MSG(losses::MeanSquaredError()(t, p, f64({1, 2, 3}, Shape{3})),
                   std::invalid_argument,
                   "mean_squared_error: expected sample_weight with a shape broadcastable to the "
                   "per-sample losses' shape (4,), but received sample_weight.shape=(3,)");
}

TEST_CASE("losses: ignore_class is masked out of the reduction") {
  std::vector<int64_t> lab = {1, -1, 2, -1};
  Tensor y = core::constant(lab, Shape{B});
  std::vector<double> full = per_row([](const Row& t, const Row& p) { return ref_cce(t, p); },
                                     kOneHot, kPos);
  // rows 0 and 2 have labels 1 and 2, as kOneHot / kSparse.
  std::vector<double> want_none = {full[0], 0.0, full[2], 0.0};
  Tensor p = f64(kPos);
  Tensor none = losses::SparseCategoricalCrossentropy({.ignore_class = -1, .reduction = "none"})(y, p);
  check_values(none, want_none, 1e-10);
  check_values(losses::sparse_categorical_crossentropy(y, p, false, -1), want_none, 1e-10);
  // sum_over_batch_size divides by the number of valid labels.
  check_values(losses::SparseCategoricalCrossentropy({.ignore_class = -1})(y, p),
               std::vector<double>{(full[0] + full[2]) / 2}, 1e-10);
  check_values(losses::SparseCategoricalCrossentropy({.ignore_class = -1, .reduction = "sum"})(y, p),
               std::vector<double>{full[0] + full[2]}, 1e-10);
  check_values(losses::SparseCategoricalCrossentropy({.ignore_class = -1,
                                                      .reduction = "mean_with_sample_weight"})(y, p),
               std::vector<double>{(full[0] + full[2]) / 2}, 1e-10);
  // From logits, with sample weights: sum(w l) over valid / number of valid.
  std::vector<double> sm = softmax_rows(kLogits);
  std::vector<double> fl = per_row([](const Row& t, const Row& q) { return ref_cce(t, q); },
                                   kOneHot, sm);
  Tensor sw = f64({2.0, 5.0, 3.0, 7.0}, Shape{B});
  check_values(losses::SparseCategoricalCrossentropy({.from_logits = true, .ignore_class = -1})(
                   y, f64(kLogits), sw),
               std::vector<double>{(2 * fl[0] + 3 * fl[2]) / 2}, 1e-10);
  // A positive ignore_class (a "void" class 255) and all labels ignored.
  Tensor y255 = core::constant(std::vector<int64_t>{255, 255, 255, 255}, Shape{B});
  check_values(losses::SparseCategoricalCrossentropy({.ignore_class = 255})(y255, p),
               std::vector<double>{0.0});
  // Gradients flow only to the valid rows.
  core::GradientTape tape;
  Tensor logits = f64(kLogits);
  tape.watch(logits);
  Tensor l = losses::SparseCategoricalCrossentropy({.from_logits = true, .ignore_class = -1})(y, logits);
  std::vector<double> g = values(tape.gradient(l, logits));
  for (int64_t j = 0; j < C; ++j) {
    CHECK(g[size_t(1 * C + j)] == 0.0);
    CHECK(g[size_t(3 * C + j)] == 0.0);
    CHECK(std::isfinite(g[size_t(0 * C + j)]));
  }
  CHECK(losses::SparseCategoricalCrossentropy({.ignore_class = -1}).get_config().at("ignore_class") ==
        keras::Value(-1));
  CHECK(losses::SparseCategoricalCrossentropy().get_config().at("ignore_class").is_null());
}

TEST_CASE("losses: errors name the loss, what was expected and what was received") {
  Tensor p = f64(kPos);
  CHECK_THROWS_MSG(losses::SparseCategoricalCrossentropy()(
                       core::constant(std::vector<int64_t>{1, 0, 5, 1}, Shape{B}), p),
                   std::invalid_argument,
                   "sparse_categorical_crossentropy: expected class labels in [0, 3) for y_pred "
                   "with 3 classes (shape (4, 3)), but received label 5 at flat index 2 of y_true");
  CHECK_THROWS_MSG(losses::SparseCategoricalCrossentropy({.from_logits = true})(
                       core::constant(std::vector<int64_t>{-1, 0, 1, 1}, Shape{B}), p),
                   std::invalid_argument, "but received label -1 at flat index 0");
  CHECK_THROWS_MSG(losses::SparseCategoricalCrossentropy({.ignore_class = -1})(
                       core::constant(std::vector<int64_t>{-1, 0, 3, 1}, Shape{B}), p),
                   std::invalid_argument,
                   "expected class labels in [0, 3) or ignore_class -1 for y_pred with 3 "
                   "classes (shape (4, 3)), but received label 3");
  CHECK_THROWS_MSG(losses::sparse_categorical_crossentropy(core::constant({0.0, 1.5, 2.0, 1.0}), p),
                   std::invalid_argument, "expected whole-number class labels, but received 1.5");
  CHECK_THROWS_MSG(losses::SparseCategoricalCrossentropy()(core::constant({0, 1, 2}), p),
                   std::invalid_argument,
                   "sparse_categorical_crossentropy: expected y_true to have shape (4,) (the shape "
                   "of y_pred (4, 3) without the class axis), but received y_true.shape=(3,)");
  // A loss with its own name prefixes the messages of the functions it calls.
  CHECK_THROWS_MSG(losses::SparseCategoricalCrossentropy({.name = "my_scce"})(
                       core::constant(std::vector<int64_t>{1, 0, 9, 1}, Shape{B}), p),
                   std::invalid_argument,
                   "my_scce: sparse_categorical_crossentropy: expected class labels in [0, 3)");
  CHECK_THROWS_MSG(losses::MeanSquaredError()(f64(kReal), f64(kReal, Shape{C, B})),
                   std::invalid_argument,
                   "mean_squared_error: expected y_true and y_pred to have the same shape, but "
                   "received y_true.shape=(4, 3) and y_pred.shape=(3, 4)");
  CHECK_THROWS_MSG(losses::CategoricalCrossentropy()(f64(kOneHot), f64({0.1, 0.9}, Shape{1, 2})),
                   std::invalid_argument,
                   "categorical_crossentropy: expected y_true and y_pred to have the same shape");
  CHECK_THROWS_MSG(losses::BinaryCrossentropy()(f64(kBinary), ops::cast(f64(kBinary), DType::int32)),
                   std::invalid_argument,
                   "binary_crossentropy: expected y_pred of a floating-point dtype (float32 or "
                   "float64), but received y_pred with shape (4, 3) and dtype int32");
  CHECK_THROWS_MSG(losses::Huber()(Tensor(), p), std::invalid_argument,
                   "huber_loss: expected y_true to be a tensor, but received an undefined tensor");
  CHECK_THROWS_MSG(losses::mean_squared_error(core::constant(1.0), core::constant(2.0)),
                   std::invalid_argument, "mean_squared_error: expected y_true and y_pred of rank >= 1");
  CHECK_THROWS_MSG(losses::CategoricalCrossentropy({.axis = 2})(f64(kOneHot), p),
                   std::invalid_argument, "categorical_crossentropy");
  CHECK_THROWS_MSG(losses::get("mean_square_error"), std::invalid_argument,
                   "losses.get: unknown loss 'mean_square_error'; expected one of: ");
  CHECK_THROWS_MSG(losses::get("nope"), std::invalid_argument, "sparse_categorical_crossentropy");
}

// ---- gradients ------------------------------------------------------------------------------

TEST_CASE("losses: gradients of every loss match finite differences") {
  struct Case {
    const char* what;
    losses::LossPtr loss;
    std::vector<double> y_true, y_pred;
    Tensor labels{};
  };
  std::vector<Case> cases = {
      {"mse", losses::get("mse"), kReal, kReal2},
      {"mae", losses::get("mae"), kReal, kReal2},
      {"mape", losses::get("mape"), kReal, kReal2},
      {"msle", losses::get("msle"), kPos, kPos2},
      {"huber", std::make_shared<losses::Huber>(losses::HuberOptions{.delta = 0.7}), kReal, kReal2},
      {"log_cosh", losses::get("log_cosh"), kReal, kReal2},
      {"kld", losses::get("kld"), kProb, uniform(B * C, 0.05, 0.95, 11)},
      {"poisson", losses::get("poisson"), kPos, kPos2},
      {"hinge", losses::get("hinge"), kBinary, kReal},
      {"squared_hinge", losses::get("squared_hinge"), kPlusMinus, kReal},
      {"categorical_hinge", losses::get("categorical_hinge"), kOneHot, kReal},
      {"cosine", losses::get("cosine_similarity"), kReal, kReal2},
      {"bce", losses::get("binary_crossentropy"), kBinary, kProb},
      {"bce logits", std::make_shared<losses::BinaryCrossentropy>(
                         losses::BinaryCrossentropyOptions{.from_logits = true, .label_smoothing = 0.1}),
       kBinary, kLogits},
      {"cce", losses::get("categorical_crossentropy"), kOneHot, kPos},
      {"cce logits", std::make_shared<losses::CategoricalCrossentropy>(
                         losses::CategoricalCrossentropyOptions{.from_logits = true, .label_smoothing = 0.1}),
       kOneHot, kLogits},
      {"focal", losses::get("binary_focal_crossentropy"), kBinary, kProb},
      {"focal logits", std::make_shared<losses::BinaryFocalCrossentropy>(
                           losses::BinaryFocalCrossentropyOptions{
                               .apply_class_balancing = true, .gamma = 1.5, .from_logits = true}),
       kBinary, kLogits},
      {"scce", losses::get("sparse_categorical_crossentropy"), {}, kPos, labels()},
      {"scce logits", std::make_shared<losses::SparseCategoricalCrossentropy>(
                          losses::SparseCategoricalCrossentropyOptions{.from_logits = true}),
       {}, kLogits, labels()},
  };
  Tensor sw = f64({1.0, 0.5, 2.0, 1.5}, Shape{B});
  for (const Case& c : cases) {
    CAPTURE(c.what);
    Tensor y = c.labels.defined() ? c.labels : f64(c.y_true);
    check_gradient([&](const Tensor& p) { return (*c.loss)(y, p, sw); }, c.y_pred);
  }
}
