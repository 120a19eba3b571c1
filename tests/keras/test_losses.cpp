// test_losses.cpp - keras::losses: every loss against Keras's formulas computed here in
// float64 (and Keras's documented examples), reductions, sample weights, from_logits vs
// probabilities, label smoothing, ignore_class, error messages, gradients against finite
// differences, get()/serialize()/deserialize(), LossArg and a user subclass.
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "helpers.h"
#include "keras/losses.h"

using namespace th;
namespace losses = keras::losses;

namespace {

constexpr double kEps = 1e-7;
constexpr int64_t B = 4, C = 3;

using Row = std::vector<double>;
using RowFn = std::function<double(const Row& t, const Row& p)>;

// Applies a per-row reference to row-major (B, C) data.
std::vector<double> per_row(const RowFn& f, const std::vector<double>& t,
                            const std::vector<double>& p, int64_t cols = C) {
  std::vector<double> out;
  for (size_t r = 0; r * size_t(cols) < t.size(); ++r) {
    Row tr(t.begin() + long(r * size_t(cols)), t.begin() + long((r + 1) * size_t(cols)));
    Row pr(p.begin() + long(r * size_t(cols)), p.begin() + long((r + 1) * size_t(cols)));
    out.push_back(f(tr, pr));
  }
  return out;
}

double mean_of(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
}
double sum_of(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }
double clipd(double x, double lo, double hi) { return std::min(std::max(x, lo), hi); }
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// ---- Keras's formulas, one row at a time, in float64 ----
double ref_mse(const Row& t, const Row& p) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) s += (t[i] - p[i]) * (t[i] - p[i]);
  return s / double(t.size());
}
double ref_mae(const Row& t, const Row& p) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) s += std::fabs(t[i] - p[i]);
  return s / double(t.size());
}
double ref_mape(const Row& t, const Row& p) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i)
    s += std::fabs((t[i] - p[i]) / std::max(std::fabs(t[i]), kEps));
  return 100.0 * s / double(t.size());
}
double ref_msle(const Row& t, const Row& p) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    double d = std::log(std::max(p[i], kEps) + 1) - std::log(std::max(t[i], kEps) + 1);
    s += d * d;
  }
  return s / double(t.size());
}
double ref_huber(const Row& t, const Row& p, double delta) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    double e = std::fabs(p[i] - t[i]);
    s += e <= delta ? 0.5 * e * e : delta * e - 0.5 * delta * delta;
  }
  return s / double(t.size());
}
double ref_log_cosh(const Row& t, const Row& p) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) s += std::log(std::cosh(p[i] - t[i]));
  return s / double(t.size());
}
double ref_kld(const Row& t, const Row& p) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    double a = clipd(t[i], kEps, 1), b = clipd(p[i], kEps, 1);
    s += a * std::log(a / b);
  }
  return s;
}
double ref_poisson(const Row& t, const Row& p) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) s += p[i] - t[i] * std::log(p[i] + kEps);
  return s / double(t.size());
}
double ref_hinge(const Row& t, const Row& p, bool squared) {  // t in {-1, 1}
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    double h = std::max(1 - t[i] * p[i], 0.0);
    s += squared ? h * h : h;
  }
  return s / double(t.size());
}
double ref_categorical_hinge(const Row& t, const Row& p) {
  double pos = 0, neg = -1e300;
  for (size_t i = 0; i < t.size(); ++i) {
    pos += t[i] * p[i];
    neg = std::max(neg, (1 - t[i]) * p[i]);
  }
  return std::max(neg - pos + 1, 0.0);
}
double ref_cosine(const Row& t, const Row& p) {
  double tt = 0, pp = 0, tp = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    tt += t[i] * t[i];
    pp += p[i] * p[i];
    tp += t[i] * p[i];
  }
  return -tp / (std::max(std::sqrt(tt), kEps) * std::max(std::sqrt(pp), kEps));
}
double ref_bce(const Row& t, const Row& p, double ls = 0) {  // p: probabilities
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    double y = t[i] * (1 - ls) + 0.5 * ls, q = clipd(p[i], kEps, 1 - kEps);
    s += -(y * std::log(q) + (1 - y) * std::log(1 - q));
  }
  return s / double(t.size());
}
double ref_cce(const Row& t, const Row& p, double ls = 0) {  // p: probabilities
  double total = sum_of(p), s = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    double y = t[i] * (1 - ls) + ls / double(t.size());
    s -= y * std::log(clipd(p[i] / total, kEps, 1 - kEps));
  }
  return s;
}
double ref_focal(const Row& t, const Row& p, bool balance, double alpha, double gamma,
                 double ls = 0) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    double y = t[i] * (1 - ls) + 0.5 * ls, q = clipd(p[i], kEps, 1 - kEps);
    double bce = -(y * std::log(q) + (1 - y) * std::log(1 - q));
    double pt = y * p[i] + (1 - y) * (1 - p[i]);
    double f = std::pow(1 - pt, gamma) * bce;
    if (balance) f *= y * alpha + (1 - y) * (1 - alpha);
    s += f;
  }
  return s / double(t.size());
}
std::vector<double> softmax_rows(const std::vector<double>& x, int64_t cols = C) {
  std::vector<double> out(x.size());
  for (size_t r = 0; r * size_t(cols) < x.size(); ++r) {
    double m = -1e300, z = 0;
    for (int64_t j = 0; j < cols; ++j) m = std::max(m, x[r * size_t(cols) + size_t(j)]);
    for (int64_t j = 0; j < cols; ++j) z += std::exp(x[r * size_t(cols) + size_t(j)] - m);
    for (int64_t j = 0; j < cols; ++j)
      out[r * size_t(cols) + size_t(j)] = std::exp(x[r * size_t(cols) + size_t(j)] - m) / z;
  }
  return out;
}

// ---- data ----
const std::vector<double> kReal = uniform(B * C, -2, 2, 1);
const std::vector<double> kReal2 = uniform(B * C, -2, 2, 2);
const std::vector<double> kPos = uniform(B * C, 0.1, 3, 3);
const std::vector<double> kPos2 = uniform(B * C, 0.1, 3, 4);
const std::vector<double> kProb = uniform(B * C, 0.05, 0.95, 5);
const std::vector<double> kBinary = {0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0};
const std::vector<double> kPlusMinus = {-1, 1, 1, 1, -1, -1, -1, 1, -1, 1, 1, -1};
const std::vector<double> kOneHot = {0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0};
const std::vector<int64_t> kSparse = {1, 0, 2, 1};
const std::vector<double> kLogits = uniform(B * C, -3, 3, 6);

Tensor f64(const std::vector<double>& v, const Shape& s = Shape{B, C}) {
  return make(v, s, DType::float64);
}
Tensor f32(const std::vector<double>& v, const Shape& s = Shape{B, C}) {
  return make(v, s, DType::float32);
}
Tensor labels() { return core::constant(kSparse, Shape{B}); }

// Checks a per-sample loss function (float64 and float32) against a reference.
void check_fn(const losses::LossFunction& fn, const RowFn& ref, const std::vector<double>& t,
              const std::vector<double>& p) {
  std::vector<double> want = per_row(ref, t, p);
  Tensor got = fn(f64(t), f64(p));
  CHECK(got.shape() == Shape{B});
  CHECK(got.dtype() == DType::float64);
  check_values(got, want, 1e-10);
  Tensor got32 = fn(f32(t), f32(p));
  CHECK(got32.dtype() == DType::float32);
  check_values(got32, want, 2e-5);
}

// Central finite differences of a scalar function of y_pred (float64) against the tape.
void check_gradient(const std::function<Tensor(const Tensor&)>& f, const std::vector<double>& p0,
                    const Shape& shape = Shape{B, C}) {
  Tensor p = f64(p0, shape);
  core::GradientTape tape;
  tape.watch(p);
  Tensor l = f(p);
  REQUIRE(l.rank() == 0);
  Tensor g = tape.gradient(l, p);
  REQUIRE(g.defined());
  REQUIRE(g.shape() == shape);
  std::vector<double> gv = values(g);
  const double h = 1e-6;
  for (size_t i = 0; i < p0.size(); ++i) {
    std::vector<double> up = p0, down = p0;
    up[i] += h;
    down[i] -= h;
    double fd = (f(f64(up, shape)).item<double>() - f(f64(down, shape)).item<double>()) / (2 * h);
    CHECK_MESSAGE(std::fabs(gv[i] - fd) <= 1e-5 * (1 + std::fabs(fd)),
                  "element " << i << ": tape " << gv[i] << " vs finite difference " << fd);
  }
}

bool all_finite(const Tensor& t) {
  for (double v : values(t))
    if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace

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

// ---- lookup, serialization, user losses -------------------------------------------------------

namespace {
// A user loss with a hyperparameter: squared errors below `threshold` count 0.
class ThresholdLoss : public losses::Loss {
 public:
  explicit ThresholdLoss(double threshold, const losses::LossOptions& o = {})
      : Loss(o), threshold_(threshold) {}
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override {
    Tensor e = ops::square(y_true - y_pred);
    return ops::mean(ops::where(e < threshold_, ops::zeros_like(e), e), {-1});
  }
  std::string class_name() const override { return "ThresholdLoss"; }
  keras::Config get_config() const override {
    keras::Config c = Loss::get_config();
    c["threshold"] = threshold_;
    return c;
  }
  double threshold() const { return threshold_; }

 private:
  double threshold_;
};
}  // namespace

TEST_CASE("losses: a user subclass with a hyperparameter round-trips through JSON") {
  losses::register_loss("ThresholdLoss", [](const keras::Config& c) -> losses::LossPtr {
    return std::make_shared<ThresholdLoss>(c.at("threshold").as_double(),
                                           losses::LossOptions::from_config(c));
  });
  ThresholdLoss loss(0.5, {.reduction = "sum"});
  CHECK(loss.name() == "threshold_loss");  // Keras's default: the snake_case class name
  keras::Config cfg = losses::serialize(loss);
  CHECK(cfg.at("class_name").as_string() == "ThresholdLoss");
  CHECK(cfg.at("config").at("threshold").as_double() == 0.5);
  CHECK(cfg.at("config").at("reduction").as_string() == "sum");
  std::string json = cfg.to_json();
  losses::LossPtr again = losses::deserialize(keras::Value::from_json(json));
  REQUIRE(dynamic_cast<const ThresholdLoss*>(again.get()) != nullptr);
  CHECK(dynamic_cast<const ThresholdLoss*>(again.get())->threshold() == 0.5);
  CHECK(again->reduction() == "sum");
  CHECK(again->name() == "threshold_loss");
  CHECK(losses::serialize(*again).to_json() == json);
  // It computes what the formula says, with the template method's reduction.
  Tensor t = core::constant({{0.0, 0.0}, {1.0, 2.0}}), p = core::constant({{0.5, 2.0}, {1.0, 0.0}});
  check_values((*again)(t, p), std::vector<double>{(0 + 4) / 2.0 + (0 + 4) / 2.0});
  // The template method checks inputs for user losses too, and prefixes their errors.
  CHECK_THROWS_MSG(loss(t, ops::cast(t, DType::int32)), std::invalid_argument,
                   "threshold_loss: expected y_pred of a floating-point dtype");
  CHECK_THROWS_MSG(loss(t, core::constant({{1.0, 2.0, 3.0}})), std::invalid_argument,
                   "threshold_loss: ");
  // Gradients flow through a user loss.
  check_gradient([&](const Tensor& q) { return loss(f64(kReal), q); }, kReal2);
  // Registering a built-in name is refused.
  CHECK_THROWS_MSG(losses::register_loss("mse", [](const keras::Config&) -> losses::LossPtr {
                     return nullptr;
                   }),
                   std::invalid_argument, "'mse' is a built-in loss and cannot be replaced");
}

TEST_CASE("losses: get() by Keras's names, and every class round-trips its config") {
  struct Named {
    const char* name;
    const char* cls;
    const char* default_name;
  };
  for (const Named& n : std::vector<Named>{
           {"mse", "MeanSquaredError", "mean_squared_error"},
           {"mean_squared_error", "MeanSquaredError", "mean_squared_error"},
           {"mae", "MeanAbsoluteError", "mean_absolute_error"},
           {"mape", "MeanAbsolutePercentageError", "mean_absolute_percentage_error"},
           {"msle", "MeanSquaredLogarithmicError", "mean_squared_logarithmic_error"},
           {"huber", "Huber", "huber_loss"},
           {"log_cosh", "LogCosh", "log_cosh"},
           {"binary_crossentropy", "BinaryCrossentropy", "binary_crossentropy"},
           {"categorical_crossentropy", "CategoricalCrossentropy", "categorical_crossentropy"},
           {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy",
            "sparse_categorical_crossentropy"},
           {"binary_focal_crossentropy", "BinaryFocalCrossentropy", "binary_focal_crossentropy"},
           {"kl_divergence", "KLDivergence", "kl_divergence"},
           {"kld", "KLDivergence", "kl_divergence"},
           {"poisson", "Poisson", "poisson"},
           {"hinge", "Hinge", "hinge"},
           {"squared_hinge", "SquaredHinge", "squared_hinge"},
           {"categorical_hinge", "CategoricalHinge", "categorical_hinge"},
           {"cosine_similarity", "CosineSimilarity", "cosine_similarity"},
           {"CosineSimilarity", "CosineSimilarity", "cosine_similarity"}}) {
    CAPTURE(n.name);
    losses::LossPtr l = losses::get(n.name);
    REQUIRE(l);
    CHECK(l->class_name() == n.cls);
    CHECK(l->name() == n.default_name);
    CHECK(l->reduction() == "sum_over_batch_size");
  }
  std::vector<std::string> all = losses::names();
  CHECK(std::is_sorted(all.begin(), all.end()));
  CHECK(std::find(all.begin(), all.end(), "mse") != all.end());

  // Non-default hyperparameters survive serialize -> JSON -> deserialize.
  std::vector<losses::LossPtr> every = {
      std::make_shared<losses::MeanSquaredError>(losses::LossOptions{.name = "a", .reduction = "sum"}),
      std::make_shared<losses::MeanAbsoluteError>(),
      std::make_shared<losses::MeanAbsolutePercentageError>(),
      std::make_shared<losses::MeanSquaredLogarithmicError>(),
      std::make_shared<losses::Huber>(losses::HuberOptions{.delta = 2.5}),
      std::make_shared<losses::LogCosh>(),
      std::make_shared<losses::KLDivergence>(losses::LossOptions{.reduction = "none"}),
      std::make_shared<losses::Poisson>(),
      std::make_shared<losses::Hinge>(),
      std::make_shared<losses::SquaredHinge>(),
      std::make_shared<losses::CategoricalHinge>(),
      std::make_shared<losses::CosineSimilarity>(losses::CosineSimilarityOptions{.axis = 0}),
      std::make_shared<losses::BinaryCrossentropy>(losses::BinaryCrossentropyOptions{
          .from_logits = true, .label_smoothing = 0.1, .axis = 0, .name = "bce"}),
      std::make_shared<losses::CategoricalCrossentropy>(
          losses::CategoricalCrossentropyOptions{.from_logits = true, .label_smoothing = 0.2}),
      std::make_shared<losses::SparseCategoricalCrossentropy>(
          losses::SparseCategoricalCrossentropyOptions{.from_logits = true, .ignore_class = 255}),
      std::make_shared<losses::BinaryFocalCrossentropy>(losses::BinaryFocalCrossentropyOptions{
          .apply_class_balancing = true, .alpha = 0.4, .gamma = 3.0, .from_logits = true,
          .label_smoothing = 0.05, .axis = -1, .reduction = "mean_with_sample_weight"}),
  };
  for (const auto& l : every) {
    CAPTURE(l->class_name());
    keras::Config cfg = losses::serialize(*l);
    CHECK(cfg.at("config").at("name").as_string() == l->name());
    losses::LossPtr again = losses::deserialize(keras::Value::from_json(cfg.to_json()));
    CHECK(again->class_name() == l->class_name());
    CHECK(losses::serialize(*again) == cfg);
  }
  keras::Config bce = losses::serialize(*every[12]);
  CHECK(bce.to_json() ==
        "{\"class_name\": \"BinaryCrossentropy\", \"config\": {\"name\": \"bce\", \"reduction\": "
        "\"sum_over_batch_size\", \"from_logits\": true, \"label_smoothing\": 0.1, \"axis\": 0}}");
  // Keras's own config form (with "dtype", null reduction) deserializes.
  losses::LossPtr k = losses::deserialize(keras::Value::from_json(
      "{\"class_name\": \"Huber\", \"config\": {\"name\": \"h\", \"reduction\": null, "
      "\"dtype\": \"float32\", \"delta\": 0.5}}"));
  CHECK(k->reduction() == "none");
  CHECK(dynamic_cast<const losses::Huber&>(*k).delta() == 0.5);
  CHECK(losses::deserialize(keras::Value("mse"))->class_name() == "MeanSquaredError");
  CHECK_THROWS_MSG(losses::deserialize(keras::Value::from_json(
                       "{\"class_name\": \"Huber\", \"config\": {\"delta\": 1, \"beta\": 2}}")),
                   std::invalid_argument, "unexpected key 'beta' in the config of Huber");
  CHECK_THROWS_MSG(losses::deserialize(keras::Value::from_json("{\"class_name\": \"Nope\"}")),
                   std::invalid_argument, "losses.deserialize: unknown loss class 'Nope'");
}

TEST_CASE("losses: functions as losses, LossFunctionWrapper and LossArg") {
  Tensor t = f64(kReal), p = f64(kReal2);
  double want = mean_of(per_row(ref_mse, kReal, kReal2));
  // A plain C++ function; its (B, 1) / (B,) inputs are rank-aligned as Keras does.
  losses::LossPtr custom = losses::get(
      [](const Tensor& a, const Tensor& b) { return ops::mean(ops::square(a - b), {-1}); }, "my_mse");
  CHECK(custom->name() == "my_mse");
  CHECK(custom->class_name() == "LossFunctionWrapper");
  check_values((*custom)(t, p), std::vector<double>{want}, 1e-12);
  Tensor col = f64({1, 2, 3, 4}, Shape{B, 1}), flat = f64({1, 1, 1, 1}, Shape{B});
  check_values((*custom)(col, flat), std::vector<double>{(0 + 1 + 4 + 9) / 4.0}, 1e-12);
  CHECK(custom->get_config().at("fn").as_string() == "my_mse");

  // A registered function deserializes; an unregistered one is a clear error.
  losses::register_loss("my_abs",
                        [](const Tensor& a, const Tensor& b) { return ops::mean(ops::abs(a - b), {-1}); });
  losses::LossPtr my_abs = losses::get("my_abs");
  check_values((*my_abs)(t, p), std::vector<double>{mean_of(per_row(ref_mae, kReal, kReal2))}, 1e-12);
  losses::LossPtr back = losses::deserialize(losses::serialize(*my_abs));
  check_values((*back)(t, p), values((*my_abs)(t, p)), 1e-15);
  CHECK_THROWS_MSG(losses::deserialize(losses::serialize(*custom)), std::invalid_argument,
                   "unknown loss function 'my_mse'; register it with register_loss");

  // LossArg: a name, an object, a pointer, a Config, a lambda, a built-in function.
  losses::LossArg by_name = "sparse_categorical_crossentropy";
  CHECK(by_name->class_name() == "SparseCategoricalCrossentropy");
  losses::LossArg by_object = losses::BinaryCrossentropy({.from_logits = true});
  CHECK(dynamic_cast<const losses::BinaryCrossentropy&>(*by_object.ptr()).from_logits());
  losses::LossArg by_ptr = std::make_shared<losses::Huber>();
  CHECK(by_ptr->class_name() == "Huber");
  losses::LossArg by_config = losses::serialize(losses::Poisson());
  CHECK(by_config->class_name() == "Poisson");
  losses::LossArg by_lambda = [](const Tensor& a, const Tensor& b) { return ops::abs(a - b); };
  CHECK(by_lambda->name() == "custom");
  losses::LossArg by_fn = losses::mean_squared_error;
  CHECK(by_fn->name() == "mean_squared_error");
  check_values((*by_fn.ptr())(t, p), std::vector<double>{want}, 1e-12);
  // A wrapped built-in function serializes by its name and comes back.
  losses::LossPtr fn_back = losses::deserialize(losses::serialize(*by_fn.ptr()));
  CHECK(fn_back->class_name() == "LossFunctionWrapper");
  check_values((*fn_back)(t, p), std::vector<double>{want}, 1e-12);
  losses::LossArg none = nullptr;
  CHECK(!none);
}
