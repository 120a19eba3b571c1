// functions.cpp - the losses' functional forms, as compositions of core ops.
#include "keras/losses.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include "core/control_flow.h"
#include "core/function.h"
#include "core/ops.h"
#include "keras/losses/losses_internal.h"
#include "keras/settings.h"

namespace keras::losses {

namespace ops = core::ops;
using core::DType;
using core::Shape;
using namespace internal;

// ---- functional forms --------------------------------------------------------------------

namespace detail {

Tensor MeanSquaredErrorFn::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  return ops::mean(ops::square(t - p), {-1});
}

Tensor MeanAbsoluteErrorFn::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  return ops::mean(ops::abs(t - p), {-1});
}

Tensor MeanAbsolutePercentageErrorFn::operator()(const Tensor& y_true,
                                                 const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  Tensor denom = ops::maximum(ops::abs(t), ops::scalar_like(t, keras::config::epsilon()));
  return ops::mean(ops::abs((t - p) / denom), {-1}) * 100.0;
}

Tensor MeanSquaredLogarithmicErrorFn::operator()(const Tensor& y_true,
                                                 const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  Tensor first = ops::log1p(ops::maximum(p, ops::scalar_like(p, keras::config::epsilon())));
  Tensor second = ops::log1p(ops::maximum(t, ops::scalar_like(t, keras::config::epsilon())));
  return ops::mean(ops::square(first - second), {-1});
}

Tensor LogCoshFn::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  Tensor x = p - t;
  return ops::mean(x + ops::softplus(x * -2.0) - std::log(2.0), {-1});
}

Tensor KLDivergenceFn::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  Tensor tc = ops::clip(t, keras::config::epsilon(), 1.0), pc = ops::clip(p, keras::config::epsilon(), 1.0);
  return ops::sum(tc * ops::log(tc / pc), {-1});
}

Tensor PoissonFn::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  return ops::mean(p - t * ops::log(p + keras::config::epsilon()), {-1});
}

Tensor HingeFn::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  return ops::mean(ops::relu(1.0 - hinge_labels(t) * p), {-1});
}

Tensor SquaredHingeFn::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  return ops::mean(ops::square(ops::relu(1.0 - hinge_labels(t) * p)), {-1});
}

Tensor CategoricalHingeFn::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  Tensor pos = ops::sum(t * p, {-1});
  Tensor neg = ops::max((1.0 - t) * p, {-1});
  return ops::relu(neg - pos + 1.0);
}

Tensor HuberFn::operator()(const Tensor& y_true, const Tensor& y_pred, double delta) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  Tensor error = p - t;
  Tensor abs_error = ops::abs(error);
  Tensor quadratic = ops::square(error) * 0.5;
  Tensor linear = abs_error * delta - 0.5 * delta * delta;
  return ops::mean(ops::where(abs_error <= delta, quadratic, linear), {-1});
}

Tensor CosineSimilarityFn::operator()(const Tensor& y_true, const Tensor& y_pred,
                                      int64_t axis) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  const int64_t a = core::normalize_axis(axis, p.rank(), name);
  // x / max(||x||, eps), written as x * rsqrt(max(sum(x^2), eps^2)).
  auto l2_normalize = [a](const Tensor& x) {
    Tensor s = ops::sum(ops::square(x), {a}, true);
    return x * ops::rsqrt(ops::maximum(s, ops::scalar_like(s, keras::config::epsilon() * keras::config::epsilon())));
  };
  return -ops::sum(l2_normalize(t) * l2_normalize(p), {a});
}

Tensor BinaryCrossentropyFn::operator()(const Tensor& y_true, const Tensor& y_pred,
                                        bool from_logits, double label_smoothing,
                                        int64_t axis) const {
  check_label_smoothing(name, label_smoothing);
  auto [t, p] = prepare(name, y_true, y_pred);
  const int64_t a = core::normalize_axis(axis, p.rank(), name);
  if (label_smoothing != 0.0) t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing;
  return ops::mean(bce_elements(t, p, from_logits), {a});
}

Tensor CategoricalCrossentropyFn::operator()(const Tensor& y_true, const Tensor& y_pred,
                                             bool from_logits, double label_smoothing,
                                             int64_t axis) const {
  check_label_smoothing(name, label_smoothing);
  auto [t, p] = prepare(name, y_true, y_pred);
  const int64_t a = core::normalize_axis(axis, p.rank(), name);
  if (label_smoothing != 0.0) {
    const double classes = double(p.shape()[a]);
    t = t * (1.0 - label_smoothing) + label_smoothing / classes;
  }
  return ops::categorical_crossentropy(t, p, from_logits, a);
}

Tensor SparseCategoricalCrossentropyFn::operator()(const Tensor& y_true, const Tensor& y_pred,
                                                   bool from_logits,
                                                   std::optional<int64_t> ignore_class,
                                                   int64_t axis) const {
  return sparse_cce(name, y_true, y_pred, from_logits, ignore_class, axis).loss;
}

Tensor BinaryFocalCrossentropyFn::operator()(const Tensor& y_true, const Tensor& y_pred,
                                             bool apply_class_balancing, double alpha,
                                             double gamma, bool from_logits,
                                             double label_smoothing, int64_t axis) const {
  check_label_smoothing(name, label_smoothing);
  auto [t, p] = prepare(name, y_true, y_pred);
  const int64_t a = core::normalize_axis(axis, p.rank(), name);
  if (label_smoothing != 0.0) t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing;
  Tensor prob = from_logits ? ops::sigmoid(p) : p;
  Tensor bce = bce_elements(t, p, from_logits);
  Tensor p_t = t * prob + (1.0 - t) * (1.0 - prob);
  Tensor base = 1.0 - p_t;
  Tensor focal;
  if (gamma == 2.0) focal = ops::square(base);
  else if (gamma == 1.0) focal = base;
  else if (gamma == 0.0) focal = ops::ones_like(base);
  else focal = ops::power(base, ops::scalar_like(base, gamma));
  Tensor loss = focal * bce;
  if (apply_class_balancing) loss = (t * alpha + (1.0 - t) * (1.0 - alpha)) * loss;
  return ops::mean(loss, {a});
}

}  // namespace detail

}  // namespace keras::losses
