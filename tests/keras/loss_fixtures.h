// loss_fixtures.h - what the loss tests share (test_losses.cpp, test_loss_options.cpp,
// test_loss_registry.cpp): (B, C) = (4, 3) data, Keras's formulas per row in float64, and
// checks of a loss function against them and of its gradient against finite differences.
#pragma once
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "helpers.h"
#include "keras/losses.h"

namespace th {
namespace losses = keras::losses;

inline constexpr double kEps = 1e-7;
inline constexpr int64_t B = 4, C = 3;

using Row = std::vector<double>;
using RowFn = std::function<double(const Row& t, const Row& p)>;

// Applies a per-row reference to row-major (B, C) data.
inline std::vector<double> per_row(const RowFn& f, const std::vector<double>& t,
                            const std::vector<double>& p, int64_t cols = C) {
  std::vector<double> out;
  for (size_t r = 0; r * size_t(cols) < t.size(); ++r) {
    Row tr(t.begin() + long(r * size_t(cols)), t.begin() + long((r + 1) * size_t(cols)));
    Row pr(p.begin() + long(r * size_t(cols)), p.begin() + long((r + 1) * size_t(cols)));
    out.push_back(f(tr, pr));
  }
  return out;
}

inline double mean_of(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
}
inline double sum_of(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }
inline double clipd(double x, double lo, double hi) { return std::min(std::max(x, lo), hi); }
inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// ---- Keras's formulas, one row at a time, in float64 ----
inline double ref_mse(const Row& t, const Row& p) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) s += (t[i] - p[i]) * (t[i] - p[i]);
  return s / double(t.size());
}
inline double ref_mae(const Row& t, const Row& p) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) s += std::fabs(t[i] - p[i]);
  return s / double(t.size());
}
inline double ref_mape(const Row& t, const Row& p) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i)
    s += std::fabs((t[i] - p[i]) / std::max(std::fabs(t[i]), kEps));
  return 100.0 * s / double(t.size());
}
inline double ref_msle(const Row& t, const Row& p) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    double d = std::log(std::max(p[i], kEps) + 1) - std::log(std::max(t[i], kEps) + 1);
    s += d * d;
  }
  return s / double(t.size());
}
inline double ref_huber(const Row& t, const Row& p, double delta) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    double e = std::fabs(p[i] - t[i]);
    s += e <= delta ? 0.5 * e * e : delta * e - 0.5 * delta * delta;
  }
  return s / double(t.size());
}
inline double ref_log_cosh(const Row& t, const Row& p) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) s += std::log(std::cosh(p[i] - t[i]));
  return s / double(t.size());
}
inline double ref_kld(const Row& t, const Row& p) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    double a = clipd(t[i], kEps, 1), b = clipd(p[i], kEps, 1);
    s += a * std::log(a / b);
  }
  return s;
}
inline double ref_poisson(const Row& t, const Row& p) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) s += p[i] - t[i] * std::log(p[i] + kEps);
  return s / double(t.size());
}
inline double ref_hinge(const Row& t, const Row& p, bool squared) {  // t in {-1, 1}
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    double h = std::max(1 - t[i] * p[i], 0.0);
    s += squared ? h * h : h;
  }
  return s / double(t.size());
}
inline double ref_categorical_hinge(const Row& t, const Row& p) {
  double pos = 0, neg = -1e300;
  for (size_t i = 0; i < t.size(); ++i) {
    pos += t[i] * p[i];
    neg = std::max(neg, (1 - t[i]) * p[i]);
  }
  return std::max(neg - pos + 1, 0.0);
}
inline double ref_cosine(const Row& t, const Row& p) {
  double tt = 0, pp = 0, tp = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    tt += t[i] * t[i];
    pp += p[i] * p[i];
    tp += t[i] * p[i];
  }
  return -tp / (std::max(std::sqrt(tt), kEps) * std::max(std::sqrt(pp), kEps));
}
inline double ref_bce(const Row& t, const Row& p, double ls = 0) {  // p: probabilities
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    double y = t[i] * (1 - ls) + 0.5 * ls, q = clipd(p[i], kEps, 1 - kEps);
    s += -(y * std::log(q) + (1 - y) * std::log(1 - q));
  }
  return s / double(t.size());
}
inline double ref_cce(const Row& t, const Row& p, double ls = 0) {  // p: probabilities
  double total = sum_of(p), s = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    double y = t[i] * (1 - ls) + ls / double(t.size());
    s -= y * std::log(clipd(p[i] / total, kEps, 1 - kEps));
  }
  return s;
}
inline double ref_focal(const Row& t, const Row& p, bool balance, double alpha, double gamma,
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
inline std::vector<double> softmax_rows(const std::vector<double>& x, int64_t cols = C) {
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
inline const std::vector<double> kReal = uniform(B * C, -2, 2, 1);
inline const std::vector<double> kReal2 = uniform(B * C, -2, 2, 2);
inline const std::vector<double> kPos = uniform(B * C, 0.1, 3, 3);
inline const std::vector<double> kPos2 = uniform(B * C, 0.1, 3, 4);
inline const std::vector<double> kProb = uniform(B * C, 0.05, 0.95, 5);
inline const std::vector<double> kBinary = {0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0};
inline const std::vector<double> kPlusMinus = {-1, 1, 1, 1, -1, -1, -1, 1, -1, 1, 1, -1};
inline const std::vector<double> kOneHot = {0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0};
inline const std::vector<int64_t> kSparse = {1, 0, 2, 1};
inline const std::vector<double> kLogits = uniform(B * C, -3, 3, 6);

inline Tensor f64(const std::vector<double>& v, const Shape& s = Shape{B, C}) {
  return make(v, s, DType::float64);
}
inline Tensor f32(const std::vector<double>& v, const Shape& s = Shape{B, C}) {
  return make(v, s, DType::float32);
}
inline Tensor labels() { return core::constant(kSparse, Shape{B}); }

// Checks a per-sample loss function (float64 and float32) against a reference.
inline void check_fn(const losses::LossFunction& fn, const RowFn& ref, const std::vector<double>& t,
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
inline void check_gradient(const std::function<Tensor(const Tensor&)>& f, const std::vector<double>& p0,
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

inline bool all_finite(const Tensor& t) {
  for (double v : values(t))
    if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace th
