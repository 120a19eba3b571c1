// f_score_metrics.cpp - FBetaScore, F1Score.
#include "keras/metrics/f_score_metrics.h"

#include "core/ops.h"
#include "keras/metrics/metrics_utils.h"
#include "keras/settings.h"

namespace keras::metrics {

namespace ops = core::ops;
using detail::to_dtype;

namespace {
}

FBetaScore::FBetaScore(const FBetaScoreOptions& o) : Metric(o.name, o.dtype), o_(o) {
  if (o_.average && *o_.average != "micro" && *o_.average != "macro" && *o_.average != "weighted")
    detail::fail(name() + ": invalid average argument value; expected one of None, \"micro\", "
                 "\"macro\", \"weighted\", but received average=\"" + *o_.average + "\"");
  if (!(o_.beta > 0.0))
    detail::fail(name() + ": invalid beta argument value; it should be > 0, but received beta=" +
                 detail::num_str(o_.beta));
  if (o_.threshold && !(*o_.threshold > 0.0 && *o_.threshold <= 1.0))
    detail::fail(name() + ": invalid threshold argument value; it should verify 0 < threshold <= 1, "
                 "but received threshold=" + detail::num_str(*o_.threshold));
}

void FBetaScore::update_state(const Tensor& y_true_in, const Tensor& y_pred_in,
                              const Tensor& sample_weight) {
  if (!y_true_in.defined() || !y_pred_in.defined())
    detail::fail(name() + ": update_state expected y_true and y_pred, but received an undefined tensor");
  Tensor y_true = to_dtype(detach(y_true_in), dtype());
  Tensor y_pred = to_dtype(detach(y_pred_in), dtype());
  if (y_true.rank() != 2 || y_pred.rank() != 2)
    detail::fail(name() + ": expected 2D inputs with shape (batch_size, output_dim), but received "
                 "y_pred shape " + y_pred.shape().str() + " and y_true shape " + y_true.shape().str());
  detail::check_same_shape(y_true, y_pred, name());
  bool micro = o_.average && *o_.average == "micro";
  int64_t classes = y_pred.shape()[1];
  if (!built_) {
    Shape shape = micro ? Shape{} : Shape{classes};
    true_positives_ = add_variable("true_positives", shape, dtype());
    false_positives_ = add_variable("false_positives", shape, dtype());
    false_negatives_ = add_variable("false_negatives", shape, dtype());
    intermediate_weights_ = add_variable("intermediate_weights", shape, dtype());
    built_ = true;
  } else if (!micro && true_positives_.shape()[0] != classes) {
    detail::fail(name() + ": expected inputs with " + std::to_string(true_positives_.shape()[0]) +
                 " classes (as in the first batch), but received shape " + y_pred.shape().str());
  }
  Tensor pred;
  if (!o_.threshold) {
    Tensor row_max = ops::max(y_pred, {-1}, /*keepdims=*/true);
    pred = ops::logical_and(ops::greater_equal(y_pred, row_max),
                            ops::greater(ops::abs(y_pred), ops::scalar_like(y_pred, 1e-9)));
  } else {
    pred = ops::greater(y_pred, ops::scalar_like(y_pred, *o_.threshold));
  }
  Tensor p = ops::cast(pred, dtype());
  Tensor w;
  if (sample_weight.defined()) {
    w = to_dtype(detach(sample_weight), dtype());
    if (w.rank() != 1 && w.rank() != 0)
      detail::fail(name() + ": expected sample_weight of shape (batch_size,), but received shape " +
                   w.shape().str());
    if (w.rank() == 1) w = ops::expand_dims(w, 1);
  }
  std::vector<int64_t> axes = micro ? std::vector<int64_t>{} : std::vector<int64_t>{0};
  auto weighted_sum = [&](const Tensor& v) { return ops::sum(w.defined() ? v * w : v, axes); };
  true_positives_.assign_add(weighted_sum(p * y_true));
  false_positives_.assign_add(weighted_sum(p * (1.0 - y_true)));
  false_negatives_.assign_add(weighted_sum((1.0 - p) * y_true));
  intermediate_weights_.assign_add(weighted_sum(y_true));
}

Tensor FBetaScore::result() const {
  if (!built_) return detail::scalar(0.0, dtype());
  Tensor tp = true_positives_.value();
  Tensor precision = tp / (tp + false_positives_.value() + keras::config::epsilon());
  Tensor recall = tp / (tp + false_negatives_.value() + keras::config::epsilon());
  double b2 = o_.beta * o_.beta;
  Tensor score = (precision * recall) / (precision * b2 + recall + keras::config::epsilon()) * (1.0 + b2);
  if (o_.average && *o_.average == "weighted") {
    Tensor iw = intermediate_weights_.value();
    return ops::sum(score * (iw / (ops::sum(iw) + keras::config::epsilon())));
  }
  if (o_.average) return ops::mean(score);
  return score;
}

keras::Config FBetaScore::get_config() const {
  keras::Config c = Metric::get_config();
  c["average"] = o_.average ? keras::Value(*o_.average) : keras::Value();
  c["beta"] = o_.beta;
  c["threshold"] = o_.threshold ? keras::Value(*o_.threshold) : keras::Value();
  return c;
}

F1Score::F1Score(const F1ScoreOptions& o)
    : FBetaScore({.average = o.average, .beta = 1.0, .threshold = o.threshold, .name = o.name,
                  .dtype = o.dtype}) {}

keras::Config F1Score::get_config() const {
  keras::Config c = Metric::get_config();
  c["average"] = o_.average ? keras::Value(*o_.average) : keras::Value();
  c["threshold"] = o_.threshold ? keras::Value(*o_.threshold) : keras::Value();
  return c;
}

}  // namespace keras::metrics
