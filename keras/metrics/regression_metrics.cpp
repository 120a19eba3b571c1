// regression_metrics.cpp - the regression functions and metrics.
#include "keras/metrics/regression_metrics.h"

#include <cmath>

#include "core/ops.h"
#include "keras/metrics/metrics_utils.h"
#include "keras/settings.h"

namespace keras::metrics {

namespace ops = core::ops;
using detail::to_dtype;

namespace {


// y_true in y_pred's (floating) dtype, both brought to the same rank.
std::pair<Tensor, Tensor> prepare(const Tensor& y_true, const Tensor& y_pred_in) {
  Tensor y_pred = core::is_floating(y_pred_in.dtype()) ? y_pred_in : ops::cast(y_pred_in, DType::float32);
  return detail::squeeze_or_expand_to_same_rank(to_dtype(y_true, y_pred.dtype()), y_pred);
}

keras::Config name_dtype(const Metric& m) { return detail::name_dtype_config(m); }

}  // namespace

Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred) {
  auto [t, p] = prepare(y_true, y_pred);
  return ops::mean(ops::square(t - p), {-1});
}

Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred) {
  auto [t, p] = prepare(y_true, y_pred);
  return ops::mean(ops::abs(t - p), {-1});
}

Tensor mean_absolute_percentage_error(const Tensor& y_true, const Tensor& y_pred) {
  auto [t, p] = prepare(y_true, y_pred);
  Tensor diff = ops::abs((t - p) / ops::maximum(ops::abs(t), ops::scalar_like(t, keras::config::epsilon())));
  return ops::mean(diff, {-1}) * 100.0;
}

Tensor log_cosh(const Tensor& y_true, const Tensor& y_pred) {
  auto [t, p] = prepare(y_true, y_pred);
  Tensor x = p - t;
  return ops::mean(x + ops::softplus(x * -2.0) - std::log(2.0), {-1});
}

namespace {
// x / ||x|| along axis, with ||x|| at least 1e-7 (Keras's ops.normalize).
Tensor l2_normalize(const Tensor& x, int64_t axis) {
  Tensor sq = ops::sum(ops::square(x), {axis}, /*keepdims=*/true);
  return x * ops::rsqrt(ops::maximum(sq, ops::scalar_like(sq, keras::config::epsilon() * keras::config::epsilon())));
}
}  // namespace

Tensor cosine_similarity(const Tensor& y_true, const Tensor& y_pred, int64_t axis) {
  auto [t, p] = prepare(y_true, y_pred);
  return ops::sum(l2_normalize(t, axis) * l2_normalize(p, axis), {axis});
}

// ---- wrappers --------------------------------------------------------------------------
KERAS_MEAN_METRIC_WRAPPER_DEFINE(MeanSquaredError, metrics, mean_squared_error)
KERAS_MEAN_METRIC_WRAPPER_DEFINE(MeanAbsoluteError, metrics, mean_absolute_error)
KERAS_MEAN_METRIC_WRAPPER_DEFINE(MeanAbsolutePercentageError, metrics, mean_absolute_percentage_error)
KERAS_MEAN_METRIC_WRAPPER_DEFINE(LogCoshError, metrics, log_cosh)

RootMeanSquaredError::RootMeanSquaredError(const RootMeanSquaredErrorOptions& o)
    : Mean(o.name, o.dtype) {}

void RootMeanSquaredError::update_state(const Tensor& y_true, const Tensor& y_pred,
                                        const Tensor& sample_weight) {
  auto [t, p] = detail::squeeze_or_expand_to_same_rank(to_dtype(detach(y_true), dtype()),
                                                       to_dtype(detach(y_pred), dtype()));
  Mean::update_state(ops::square(p - t), sample_weight);
}

Tensor RootMeanSquaredError::result() const { return ops::sqrt(Mean::result()); }

CosineSimilarity::CosineSimilarity(const CosineSimilarityOptions& o)
    : MeanMetricWrapper(
          [axis = o.axis](const Tensor& a, const Tensor& b) { return cosine_similarity(a, b, axis); },
          o.name, o.dtype, "cosine_similarity"),
      axis_(o.axis) {}

keras::Config CosineSimilarity::get_config() const {
  keras::Config c = name_dtype(*this);
  c["axis"] = axis_;
  return c;
}

// ---- R2Score ---------------------------------------------------------------------------
R2Score::R2Score(const R2ScoreOptions& o)
    : Metric(o.name, o.dtype), class_aggregation_(o.class_aggregation), num_regressors_(o.num_regressors) {
  if (class_aggregation_ && *class_aggregation_ != "uniform_average" &&
      *class_aggregation_ != "variance_weighted_average")
    detail::fail(name() + ": expected class_aggregation to be one of None, \"uniform_average\", "
                 "\"variance_weighted_average\", but received class_aggregation=\"" +
                 *class_aggregation_ + "\"");
  if (num_regressors_ < 0)
    detail::fail(name() + ": expected num_regressors >= 0, but received num_regressors=" +
                 std::to_string(num_regressors_));
  num_samples_ = add_variable("num_samples", {}, dtype());
}

void R2Score::update_state(const Tensor& y_true_in, const Tensor& y_pred_in, const Tensor& sample_weight) {
  auto [y_true, y_pred] = detail::squeeze_or_expand_to_same_rank(to_dtype(detach(y_true_in), dtype()),
                                                                 to_dtype(detach(y_pred_in), dtype()));
  if (y_true.rank() != 2 || y_pred.rank() != 2)
    detail::fail(name() + ": expected 2D inputs with shape (batch_size, output_dim), but received "
                 "y_pred shape " + y_pred.shape().str() + " and y_true shape " + y_true.shape().str());
  detail::check_same_shape(y_true, y_pred, name());
  int64_t outputs = y_pred.shape()[1];
  if (!squared_sum_.defined()) {
    squared_sum_ = add_variable("squared_sum", {outputs}, dtype());
    sum_ = add_variable("sum", {outputs}, dtype());
    total_mse_ = add_variable("residual", {outputs}, dtype());
    count_ = add_variable("count", {outputs}, dtype());
  } else if (sum_.shape()[0] != outputs) {
    detail::fail(name() + ": expected inputs with " + std::to_string(sum_.shape()[0]) +
                 " outputs (as in the first batch), but received shape " + y_pred.shape().str());
  }
  Tensor w = sample_weight.defined() ? to_dtype(detach(sample_weight), dtype())
                                     : detail::scalar(1.0, dtype());
  if (w.rank() == 1) w = ops::expand_dims(w, 1);
  w = ops::broadcast_to(w, y_true.shape());
  Tensor weighted = y_true * w;
  sum_.assign_add(ops::sum(weighted, {0}));
  squared_sum_.assign_add(ops::sum(y_true * weighted, {0}));
  total_mse_.assign_add(ops::sum(ops::square(y_true - y_pred) * w, {0}));
  count_.assign_add(ops::sum(w, {0}));
  num_samples_.assign_add(detail::scalar(static_cast<double>(y_true.size()), dtype()));
}

Tensor R2Score::result() const {
  if (!sum_.defined()) return detail::scalar(0.0, dtype());
  Tensor mean = sum_.value() / count_.value();
  Tensor total = squared_sum_.value() - sum_.value() * mean;
  Tensor raw = 1.0 - total_mse_.value() / total;
  Tensor is_inf = ops::logical_not(ops::logical_or(ops::isfinite(raw), ops::isnan(raw)));
  raw = ops::where(is_inf, ops::zeros_like(raw), raw);
  Tensor score;
  if (!class_aggregation_) score = raw;
  else if (*class_aggregation_ == "uniform_average") score = ops::mean(raw);
  else score = ops::sum(total * raw) / ops::sum(total);
  if (num_regressors_ != 0) {
    double n = num_samples_.value().item<double>();
    double p = static_cast<double>(num_regressors_);
    if (p < n - 1) score = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0);
  }
  return score;
}

keras::Config R2Score::get_config() const {
  keras::Config c = Metric::get_config();
  c["class_aggregation"] = class_aggregation_ ? keras::Value(*class_aggregation_) : keras::Value();
  c["num_regressors"] = num_regressors_;
  return c;
}

}  // namespace keras::metrics
