// confusion_metrics.cpp - TruePositives & co., Precision and Recall, and the confusion
// counting they share with AUC (auc_metric.cpp).
#include "keras/metrics/confusion_metrics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <tuple>

#include "core/ops.h"
#include "keras/metrics/confusion_internal.h"
#include "keras/metrics/metrics_utils.h"
#include "keras/settings.h"

namespace keras::metrics {

namespace ops = core::ops;
using namespace detail;  // confusion_internal.h, metrics_utils.h

namespace detail {

// "[0.1, 2]"
std::string list_str(const std::vector<double>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + detail::num_str(v[i]);
  return s + "]";
}

bool evenly_distributed(const std::vector<double>& t) {
  size_t n = t.size();
  if (n < 3) return false;
  for (size_t i = 0; i < n; ++i) {
    double even = static_cast<double>(static_cast<float>(static_cast<double>(i) / static_cast<double>(n - 1)));
    if (std::fabs(t[i] - even) > keras::config::epsilon() + 1e-5 * std::fabs(even)) return false;
  }
  return true;
}

Tensor head(const Tensor& x) {
  std::vector<int64_t> begin(static_cast<size_t>(x.rank()), 0), size(static_cast<size_t>(x.rank()), -1);
  size[0] = x.shape()[0] - 1;
  return ops::slice(x, begin, size);
}
Tensor tail(const Tensor& x) {
  std::vector<int64_t> begin(static_cast<size_t>(x.rank()), 0), size(static_cast<size_t>(x.rank()), -1);
  begin[0] = 1;
  size[0] = x.shape()[0] - 1;
  return ops::slice(x, begin, size);
}

void update_confusion(const ConfusionVariables& vars, const Tensor& y_true_in,
                      const Tensor& y_pred_in, const Tensor& sample_weight, DType dtype,
                      const UpdateArgs& a, const std::string& who) {
  if (!y_true_in.defined() || !y_pred_in.defined())
    detail::fail(who + ": update_state expected y_true and y_pred, but received an undefined tensor");
  Tensor y_true = to_dtype(y_true_in, dtype), y_pred = to_dtype(y_pred_in, dtype);
  std::tie(y_pred, y_true) = detail::squeeze_or_expand_to_same_rank(y_pred, y_true);
  detail::check_same_shape(y_true, y_pred, who);
  Tensor w;
  if (sample_weight.defined()) {
    w = ops::expand_dims(to_dtype(sample_weight, dtype), -1);
    w = detail::squeeze_or_expand_to_same_rank(y_true, w, /*expand_rank_1=*/false).second;
  }
  if (a.top_k) {
    if (y_pred.rank() < 1)
      detail::fail(who + ": top_k needs y_pred with a class axis, but received shape " + y_pred.shape().str());
    int64_t classes = y_pred.shape()[y_pred.rank() - 1];
    if (*a.top_k < 1 || *a.top_k > classes)
      detail::fail(who + ": expected top_k in [1, " + std::to_string(classes) +
                   "] for y_pred of shape " + y_pred.shape().str() + ", but received top_k=" +
                   std::to_string(*a.top_k));
    Tensor idx = ops::top_k(y_pred, *a.top_k).indices;
    Tensor mask = ops::sum(ops::one_hot(idx, classes, {.dtype = dtype}), {-2});
    y_pred = y_pred * mask + (1.0 - mask) * kNegInf;
  }
  if (a.class_id) {
    if (y_pred.rank() < 2)
      detail::fail(who + ": when class_id is provided, y_pred must be a 2D array with shape "
                   "(num_samples, num_classes), but received shape " + y_pred.shape().str());
    int64_t classes = y_pred.shape()[y_pred.rank() - 1];
    if (*a.class_id < 0 || *a.class_id >= classes)
      detail::fail(who + ": expected class_id in [0, " + std::to_string(classes) +
                   ") for y_pred of shape " + y_pred.shape().str() + ", but received class_id=" +
                   std::to_string(*a.class_id));
    std::vector<int64_t> begin(static_cast<size_t>(y_pred.rank()), 0);
    std::vector<int64_t> size(static_cast<size_t>(y_pred.rank()), -1);
    begin.back() = *a.class_id;
    size.back() = 1;
    y_true = ops::slice(y_true, begin, size);
    y_pred = ops::slice(y_pred, begin, size);
  }
  if (a.clip_predictions) y_pred = ops::clip(y_pred, 0.0, 1.0);
  try {
    if (w.defined()) w = ops::broadcast_to(w, y_pred.shape());
    if (a.label_weights.defined() && !a.multi_label) {
      Tensor lw = ops::broadcast_to(to_dtype(a.label_weights, dtype), y_pred.shape());
      w = w.defined() ? w * lw : lw;
    }
  } catch (const std::invalid_argument& e) {
    detail::fail(who + ": expected sample_weight broadcastable to y_pred's shape " +
                 y_pred.shape().str() + ", but received shape " + sample_weight.shape().str() +
                 " (" + e.what() + ")");
  }
  int64_t t_count = static_cast<int64_t>(a.thresholds.size());
  Tensor thr = core::from_buffer(a.thresholds.data(), DType::float64, core::Shape{t_count}, dtype);
  Tensor pred, label;
  if (a.multi_label) {
    pred = ops::expand_dims(y_pred, 0);                       // (1, N, L)
    label = ops::expand_dims(ops::not_equal(y_true, ops::scalar_like(y_true, 0.0)), 0);
    thr = ops::reshape(thr, {t_count, 1, 1});
    if (w.defined()) w = ops::expand_dims(w, 0);
  } else {
    pred = ops::reshape(y_pred, {1, -1});                      // (1, M)
    label = ops::reshape(ops::not_equal(y_true, ops::scalar_like(y_true, 0.0)), {1, -1});
    thr = ops::reshape(thr, {t_count, 1});
    if (w.defined()) w = ops::reshape(w, {1, -1});
  }
  Tensor pred_pos = ops::greater(pred, thr);                   // (T, M) or (T, N, L)
  Tensor pred_neg = ops::logical_not(pred_pos);
  Tensor label_neg = ops::logical_not(label);
  auto count = [&](const Tensor& l, const Tensor& p) {
    Tensor c = ops::cast(ops::logical_and(l, p), dtype);
    if (w.defined()) c = c * w;
    return ops::sum(c, {1});
  };
  if (vars.tp) vars.tp->assign_add(count(label, pred_pos));
  if (vars.fp) vars.fp->assign_add(count(label_neg, pred_pos));
  if (vars.tn) vars.tn->assign_add(count(label_neg, pred_neg));
  if (vars.fn) vars.fn->assign_add(count(label, pred_neg));
}

}  // namespace detail

namespace {

// Keras's parse_init_thresholds: checks [0, 1], empty -> {default_threshold}.
std::vector<double> parse_thresholds(const std::vector<double>& given, double default_threshold,
                                     const std::string& who) {
  std::vector<double> bad;
  for (double t : given)
    if (!(t >= 0.0 && t <= 1.0)) bad.push_back(t);
  if (!bad.empty())
    detail::fail(who + ": expected threshold values in [0, 1], but received " + list_str(bad));
  return given.empty() ? std::vector<double>{default_threshold} : given;
}

keras::Value thresholds_value(const std::vector<double>& init) {
  if (init.empty()) return keras::Value();
  if (init.size() == 1) return keras::Value(init[0]);
  std::vector<keras::Value> l;
  for (double t : init) l.emplace_back(t);
  return keras::Value(l);
}

// A vector with one element becomes a scalar (Keras returns result[0] for one threshold).
Tensor maybe_scalar(const Tensor& x, size_t num_thresholds) {
  return num_thresholds == 1 ? ops::reshape(x, {}) : x;
}

const char* condition_name(ConfusionMatrixConditionCount::Condition c) {
  using C = ConfusionMatrixConditionCount::Condition;
  switch (c) {
    case C::true_positives: return "true_positives";
    case C::false_positives: return "false_positives";
    case C::true_negatives: return "true_negatives";
    case C::false_negatives: return "false_negatives";
  }
  return "confusion_count";
}

}  // namespace

// ---- TruePositives & co. -----------------------------------------------------------------
ConfusionMatrixConditionCount::ConfusionMatrixConditionCount(Condition condition,
                                                             const ConfusionCountOptions& o)
    : Metric(o.name.empty() ? condition_name(condition) : o.name, o.dtype),
      condition_(condition),
      init_thresholds_(o.thresholds),
      thresholds_(parse_thresholds(o.thresholds, 0.5, name())) {
  accumulator_ = add_variable("accumulator", {static_cast<int64_t>(thresholds_.size())}, dtype());
}

void ConfusionMatrixConditionCount::update_state(const Tensor& y_true, const Tensor& y_pred,
                                                 const Tensor& sample_weight) {
  ConfusionVariables v;
  switch (condition_) {
    case Condition::true_positives: v.tp = &accumulator_; break;
    case Condition::false_positives: v.fp = &accumulator_; break;
    case Condition::true_negatives: v.tn = &accumulator_; break;
    case Condition::false_negatives: v.fn = &accumulator_; break;
  }
  UpdateArgs a;
  a.thresholds = thresholds_;
  a.clip_predictions = evenly_distributed(thresholds_);
  update_confusion(v, detach(y_true), detach(y_pred), detach(sample_weight), dtype(), a, name());
}

Tensor ConfusionMatrixConditionCount::result() const {
  return maybe_scalar(accumulator_.value(), thresholds_.size());
}

keras::Config ConfusionMatrixConditionCount::get_config() const {
  keras::Config c = Metric::get_config();
  c["thresholds"] = thresholds_value(init_thresholds_);
  return c;
}

// ---- Precision / Recall ----------------------------------------------------------------
namespace {
keras::Config precision_recall_config(keras::Config c, const PrecisionRecallOptions& o) {
  c["thresholds"] = thresholds_value(o.thresholds);
  c["top_k"] = o.top_k ? keras::Value(*o.top_k) : keras::Value();
  c["class_id"] = o.class_id ? keras::Value(*o.class_id) : keras::Value();
  return c;
}
UpdateArgs precision_recall_args(const PrecisionRecallOptions& o, const std::vector<double>& thresholds) {
  UpdateArgs a;
  a.thresholds = thresholds;
  a.top_k = o.top_k;
  a.class_id = o.class_id;
  a.clip_predictions = evenly_distributed(thresholds);
  return a;
}
void check_top_k(const PrecisionRecallOptions& o, const std::string& who) {
  if (o.top_k && *o.top_k < 1)
    detail::fail(who + ": expected top_k >= 1, but received top_k=" + std::to_string(*o.top_k));
  if (o.class_id && *o.class_id < 0)
    detail::fail(who + ": expected class_id >= 0, but received class_id=" + std::to_string(*o.class_id));
}
}  // namespace

Precision::Precision(const PrecisionOptions& o)
    : Metric(o.name.empty() ? "precision" : o.name, o.dtype),
      o_(o),
      thresholds_(parse_thresholds(o.thresholds, o.top_k ? kNegInf : 0.5, name())) {
  check_top_k(o, name());
  int64_t n = static_cast<int64_t>(thresholds_.size());
  true_positives_ = add_variable("true_positives", {n}, dtype());
  false_positives_ = add_variable("false_positives", {n}, dtype());
}

void Precision::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  ConfusionVariables v;
  v.tp = &true_positives_;
  v.fp = &false_positives_;
  update_confusion(v, detach(y_true), detach(y_pred), detach(sample_weight), dtype(),
                   precision_recall_args(o_, thresholds_), name());
}

Tensor Precision::result() const {
  Tensor tp = true_positives_.value();
  return maybe_scalar(divide_no_nan(tp, tp + false_positives_.value()), thresholds_.size());
}

keras::Config Precision::get_config() const { return precision_recall_config(Metric::get_config(), o_); }

Recall::Recall(const RecallOptions& o)
    : Metric(o.name.empty() ? "recall" : o.name, o.dtype),
      o_(o),
      thresholds_(parse_thresholds(o.thresholds, o.top_k ? kNegInf : 0.5, name())) {
  check_top_k(o, name());
  int64_t n = static_cast<int64_t>(thresholds_.size());
  true_positives_ = add_variable("true_positives", {n}, dtype());
  false_negatives_ = add_variable("false_negatives", {n}, dtype());
}

void Recall::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  ConfusionVariables v;
  v.tp = &true_positives_;
  v.fn = &false_negatives_;
  update_confusion(v, detach(y_true), detach(y_pred), detach(sample_weight), dtype(),
                   precision_recall_args(o_, thresholds_), name());
}

Tensor Recall::result() const {
  Tensor tp = true_positives_.value();
  return maybe_scalar(divide_no_nan(tp, tp + false_negatives_.value()), thresholds_.size());
}

keras::Config Recall::get_config() const { return precision_recall_config(Metric::get_config(), o_); }

}  // namespace keras::metrics
