// auc_metric.cpp - AUC: Keras's approximate area under the ROC or PR curve from
// confusion counts at thresholds (Riemann sums, or interpolation for PR).
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/ops.h"
#include "keras/metrics/confusion_internal.h"
#include "keras/metrics/confusion_metrics.h"
#include "keras/metrics/metrics_utils.h"
#include "keras/settings.h"

namespace keras::metrics {

namespace ops = core::ops;
using namespace detail;  // confusion_internal.h, metrics_utils.h

// ---- AUC -------------------------------------------------------------------------------
AUC::AUC(const AUCOptions& o) : Metric(o.name.empty() ? "auc" : o.name, o.dtype), o_(o) {
  if (o_.curve == "roc" || o_.curve == "ROC") o_.curve = "ROC";
  else if (o_.curve == "pr" || o_.curve == "PR") o_.curve = "PR";
  else
    detail::fail(name() + ": invalid AUC curve value \"" + o.curve +
                 "\"; expected values are [\"PR\", \"ROC\"]");
  std::string& s = o_.summation_method;
  if (s == "Interpolation") s = "interpolation";
  if (s == "Majoring") s = "majoring";
  if (s == "Minoring") s = "minoring";
  if (s != "interpolation" && s != "majoring" && s != "minoring")
    detail::fail(name() + ": invalid AUC summation method value \"" + o.summation_method +
                 "\"; expected values are [\"interpolation\", \"majoring\", \"minoring\"]");
  std::vector<double> inner;
  if (!o_.thresholds.empty()) {
    inner = o_.thresholds;
    std::sort(inner.begin(), inner.end());
    o_.thresholds = inner;
    num_thresholds_ = static_cast<int64_t>(inner.size()) + 2;
  } else {
    if (o_.num_thresholds <= 1)
      detail::fail(name() + ": argument num_thresholds must be an integer > 1, but received "
                   "num_thresholds=" + std::to_string(o_.num_thresholds));
    num_thresholds_ = o_.num_thresholds;
    for (int64_t i = 0; i < num_thresholds_ - 2; ++i)
      inner.push_back(static_cast<double>(i + 1) / static_cast<double>(num_thresholds_ - 1));
  }
  thresholds_.push_back(0.0 - keras::config::epsilon());
  thresholds_.insert(thresholds_.end(), inner.begin(), inner.end());
  thresholds_.push_back(1.0 + keras::config::epsilon());
  for (double lw : o_.label_weights)
    if (lw < 0) detail::fail(name() + ": expected non-negative label_weights, but received " +
                             list_str(o_.label_weights));
  if (o_.multi_label) {
    if (o_.num_labels) {
      if (*o_.num_labels < 1)
        detail::fail(name() + ": expected num_labels >= 1, but received num_labels=" +
                     std::to_string(*o_.num_labels));
      build(*o_.num_labels);
    }
  } else {
    if (o_.num_labels) detail::fail(name() + ": num_labels is needed only when multi_label is true");
    build(0);
  }
}

void AUC::build(int64_t num_labels) {
  Shape shape = o_.multi_label ? Shape{num_thresholds_, num_labels} : Shape{num_thresholds_};
  if (o_.multi_label && !o_.label_weights.empty() &&
      static_cast<int64_t>(o_.label_weights.size()) != num_labels)
    detail::fail(name() + ": expected " + std::to_string(num_labels) +
                 " label_weights (one per label), but received " +
                 std::to_string(o_.label_weights.size()));
  true_positives_ = add_variable("true_positives", shape, dtype());
  false_positives_ = add_variable("false_positives", shape, dtype());
  true_negatives_ = add_variable("true_negatives", shape, dtype());
  false_negatives_ = add_variable("false_negatives", shape, dtype());
  built_ = true;
}

void AUC::update_state(const Tensor& y_true, const Tensor& y_pred_in, const Tensor& sample_weight) {
  if (!y_pred_in.defined()) detail::fail(name() + ": update_state received an undefined y_pred");
  Tensor y_pred = detach(y_pred_in);
  if (o_.multi_label) {
    if (y_pred.rank() != 2)
      detail::fail(name() + ": y_pred must have rank 2 when multi_label is true, but received shape " +
                   y_pred.shape().str());
    if (!built_) build(y_pred.shape()[1]);
    if (y_pred.shape()[1] != true_positives_.shape()[1])
      detail::fail(name() + ": expected y_pred with " + std::to_string(true_positives_.shape()[1]) +
                   " labels, but received shape " + y_pred.shape().str());
  }
  if (o_.from_logits) y_pred = ops::sigmoid(to_dtype(y_pred, dtype()));
  UpdateArgs a;
  a.thresholds = thresholds_;
  a.multi_label = o_.multi_label;
  std::vector<double> even_check = {0.0};
  even_check.insert(even_check.end(), thresholds_.begin() + 1, thresholds_.end() - 1);
  even_check.push_back(1.0);
  a.clip_predictions = evenly_distributed(even_check);
  if (!o_.multi_label && !o_.label_weights.empty())
    a.label_weights = core::from_buffer(o_.label_weights.data(), DType::float64,
                                        Shape{static_cast<int64_t>(o_.label_weights.size())}, dtype());
  ConfusionVariables v{&true_positives_, &false_positives_, &true_negatives_, &false_negatives_};
  update_confusion(v, detach(y_true), y_pred, detach(sample_weight), dtype(), a, name());
}

Tensor AUC::average_labels(const Tensor& terms) const {
  Tensor by_label = ops::sum(terms, {0});
  if (!o_.multi_label) return by_label;
  if (o_.label_weights.empty()) return ops::mean(by_label);
  Tensor lw = core::from_buffer(o_.label_weights.data(), DType::float64,
                                Shape{static_cast<int64_t>(o_.label_weights.size())}, dtype());
  return divide_no_nan(ops::sum(by_label * lw), ops::sum(lw));
}

Tensor AUC::interpolate_pr_auc() const {
  Tensor tp = true_positives_.value(), fp = false_positives_.value(), fn = false_negatives_.value();
  Tensor zero = detail::scalar(0.0, dtype());
  Tensor dtp = head(tp) - tail(tp);
  Tensor p = tp + fp;
  Tensor dp = head(p) - tail(p);
  Tensor prec_slope = divide_no_nan(dtp, ops::maximum(dp, zero));
  Tensor intercept = tail(tp) - prec_slope * tail(p);
  Tensor both_positive = ops::logical_and(ops::greater(head(p), zero), ops::greater(tail(p), zero));
  Tensor safe_p_ratio = ops::where(both_positive, divide_no_nan(head(p), ops::maximum(tail(p), zero)),
                                   ops::ones_like(tail(p)));
  Tensor increment = divide_no_nan(prec_slope * (dtp + intercept * ops::log(safe_p_ratio)),
                                   ops::maximum(tail(tp) + tail(fn), zero));
  return average_labels(increment);
}

Tensor AUC::result() const {
  if (!built_) return detail::scalar(0.0, dtype());
  if (o_.curve == "PR" && o_.summation_method == "interpolation") return interpolate_pr_auc();
  Tensor tp = true_positives_.value(), fp = false_positives_.value();
  Tensor tn = true_negatives_.value(), fn = false_negatives_.value();
  Tensor recall = divide_no_nan(tp, tp + fn);
  Tensor x, y;
  if (o_.curve == "ROC") {
    x = divide_no_nan(fp, fp + tn);
    y = recall;
  } else {
    x = recall;
    y = divide_no_nan(tp, tp + fp);
  }
  Tensor heights;
  if (o_.summation_method == "interpolation") heights = (head(y) + tail(y)) / 2.0;
  else if (o_.summation_method == "minoring") heights = ops::minimum(head(y), tail(y));
  else heights = ops::maximum(head(y), tail(y));
  return average_labels((head(x) - tail(x)) * heights);
}

void AUC::reset_state() { Metric::reset_state(); }

keras::Config AUC::get_config() const {
  keras::Config c = Metric::get_config();
  c["num_thresholds"] = num_thresholds_;
  c["curve"] = o_.curve;
  c["summation_method"] = o_.summation_method;
  c["multi_label"] = o_.multi_label;
  c["num_labels"] = o_.num_labels ? keras::Value(*o_.num_labels) : keras::Value();
  if (o_.label_weights.empty()) {
    c["label_weights"] = keras::Value();
  } else {
    std::vector<keras::Value> l;
    for (double w : o_.label_weights) l.emplace_back(w);
    c["label_weights"] = keras::Value(l);
  }
  c["from_logits"] = o_.from_logits;
  if (!o_.thresholds.empty()) {
    std::vector<keras::Value> l;
    for (double t : o_.thresholds) l.emplace_back(t);
    c["thresholds"] = keras::Value(l);
  }
  return c;
}

}  // namespace keras::metrics
