// correlation_metrics.cpp - pearson_correlation, concordance_correlation and their metrics.
#include "keras/metrics/correlation_metrics.h"

#include "core/ops.h"
#include "keras/metrics/metrics_utils.h"
#include "keras/settings.h"

namespace keras::metrics {

namespace ops = core::ops;

namespace {

// y_true in y_pred's dtype, both brought to the same rank (Keras's preamble).
std::pair<Tensor, Tensor> prepared(const Tensor& y_true, const Tensor& y_pred) {
  Tensor t = y_true.dtype() == y_pred.dtype() ? y_true : ops::cast(y_true, y_pred.dtype());
  return detail::squeeze_or_expand_to_same_rank(t, y_pred);
}

keras::Config axis_config(const Metric& m, int64_t axis) {
  keras::Config c = keras::Config::object();
  c["name"] = m.name();
  c["dtype"] = core::dtype_name(m.dtype());
  c["axis"] = axis;
  return c;
}
}  // namespace

Tensor pearson_correlation(const Tensor& y_true_in, const Tensor& y_pred_in, int64_t axis) {
  auto [y_true, y_pred] = prepared(y_true_in, y_pred_in);
  Tensor t = y_true - ops::mean(y_true, {axis}, true);
  Tensor p = y_pred - ops::mean(y_pred, {axis}, true);
  t = t / ops::std(t, {axis}, true);
  p = p / ops::std(p, {axis}, true);
  return ops::mean(t * p, {axis});
}

Tensor concordance_correlation(const Tensor& y_true_in, const Tensor& y_pred_in, int64_t axis) {
  auto [y_true, y_pred] = prepared(y_true_in, y_pred_in);
  Tensor t_mean = ops::mean(y_true, {axis}, true);
  Tensor p_mean = ops::mean(y_pred, {axis}, true);
  Tensor t_var = ops::variance(y_true - t_mean, {axis}, true);
  Tensor p_var = ops::variance(y_pred - p_mean, {axis}, true);
  // (Keras 3 centres y_true on y_pred's mean here.)
  Tensor covar = (y_true - p_mean) * (y_pred - p_mean);
  Tensor norm = t_var + p_var + ops::square(t_mean - p_mean);
  Tensor two = ops::scalar_like(covar, 2.0);
  return ops::mean(two * covar / (norm + ops::scalar_like(norm, keras::config::epsilon())), {axis});
}

PearsonCorrelation::PearsonCorrelation(const CorrelationOptions& o)
    : MeanMetricWrapper([axis = o.axis](const Tensor& a, const Tensor& b) { return pearson_correlation(a, b, axis); },
                        o.name.empty() ? "pearson_correlation" : o.name, o.dtype, "pearson_correlation"),
      axis_(o.axis) {}

keras::Config PearsonCorrelation::get_config() const { return axis_config(*this, axis_); }

ConcordanceCorrelation::ConcordanceCorrelation(const CorrelationOptions& o)
    : MeanMetricWrapper(
          [axis = o.axis](const Tensor& a, const Tensor& b) { return concordance_correlation(a, b, axis); },
          o.name.empty() ? "concordance_correlation" : o.name, o.dtype, "concordance_correlation"),
      axis_(o.axis) {}

keras::Config ConcordanceCorrelation::get_config() const { return axis_config(*this, axis_); }

}  // namespace keras::metrics
