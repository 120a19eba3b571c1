// sensitivity_metrics.cpp - SensitivityAtSpecificity, SpecificityAtSensitivity,
// PrecisionAtRecall, RecallAtPrecision (Keras 3's SensitivitySpecificityBase).
#include "keras/metrics/sensitivity_metrics.h"

#include "core/ops.h"
#include "keras/metrics/confusion_internal.h"
#include "keras/metrics/metrics_utils.h"

namespace keras::metrics {

namespace ops = core::ops;

SensitivitySpecificityBase::SensitivitySpecificityBase(const std::string& default_name, const char* value_name,
                                                       double value, const SensitivitySpecificityOptions& o)
    : Metric(o.name.empty() ? default_name : o.name, o.dtype), value_name_(value_name), value_(value), o_(o) {
  if (!(value >= 0 && value <= 1))
    detail::fail(name() + ": expected " + value_name + " in [0, 1], but received " + value_name + "=" +
                 keras::Value(value).to_json());
  if (o.num_thresholds <= 0)
    detail::fail(name() + ": expected num_thresholds > 0, but received num_thresholds=" +
                 std::to_string(o.num_thresholds));
  if (o.class_id && *o.class_id < 0)
    detail::fail(name() + ": expected class_id >= 0, but received class_id=" + std::to_string(*o.class_id));
  if (o.num_thresholds == 1) {
    thresholds_ = {0.5};
  } else {
    thresholds_.push_back(0.0);
    for (int64_t i = 0; i < o.num_thresholds - 2; ++i)
      thresholds_.push_back(double(i + 1) / double(o.num_thresholds - 1));
    thresholds_.push_back(1.0);
  }
  const int64_t n = int64_t(thresholds_.size());
  tp_ = add_variable("true_positives", {n}, dtype());
  fp_ = add_variable("false_positives", {n}, dtype());
  tn_ = add_variable("true_negatives", {n}, dtype());
  fn_ = add_variable("false_negatives", {n}, dtype());
}

void SensitivitySpecificityBase::update_state(const Tensor& y_true, const Tensor& y_pred,
                                              const Tensor& sample_weight) {
  detail::UpdateArgs a;
  a.thresholds = thresholds_;
  a.class_id = o_.class_id;
  a.clip_predictions = o_.num_thresholds > 1;  // Keras's evenly distributed thresholds
  detail::update_confusion({&tp_, &fp_, &tn_, &fn_}, detach(y_true), detach(y_pred), detach(sample_weight), dtype(),
                           a, name());
}

Tensor SensitivitySpecificityBase::max_under_constraint(const Tensor& constrained, const Tensor& dependent) const {
  Tensor feasible = ops::greater_equal(constrained, ops::scalar_like(constrained, value_));
  Tensor zero = ops::scalar_like(dependent, 0.0);
  return ops::maximum(ops::max(ops::where(feasible, dependent, zero)), zero);
}

Tensor SensitivitySpecificityBase::sensitivities() const {
  return detail::divide_no_nan(tp_.value(), tp_.value() + fn_.value());
}
Tensor SensitivitySpecificityBase::specificities() const {
  return detail::divide_no_nan(tn_.value(), tn_.value() + fp_.value());
}
Tensor SensitivitySpecificityBase::precisions() const {
  return detail::divide_no_nan(tp_.value(), tp_.value() + fp_.value());
}

keras::Config SensitivitySpecificityBase::get_config() const {
  keras::Config c = Metric::get_config();
  c["class_id"] = o_.class_id ? keras::Value(*o_.class_id) : keras::Value();
  c["num_thresholds"] = o_.num_thresholds;
  c[value_name_] = value_;
  return c;
}

SensitivityAtSpecificity::SensitivityAtSpecificity(double specificity, const SensitivitySpecificityOptions& o)
    : SensitivitySpecificityBase("sensitivity_at_specificity", "specificity", specificity, o) {}
Tensor SensitivityAtSpecificity::result() const { return max_under_constraint(specificities(), sensitivities()); }

SpecificityAtSensitivity::SpecificityAtSensitivity(double sensitivity, const SensitivitySpecificityOptions& o)
    : SensitivitySpecificityBase("specificity_at_sensitivity", "sensitivity", sensitivity, o) {}
Tensor SpecificityAtSensitivity::result() const { return max_under_constraint(sensitivities(), specificities()); }

PrecisionAtRecall::PrecisionAtRecall(double recall, const SensitivitySpecificityOptions& o)
    : SensitivitySpecificityBase("precision_at_recall", "recall", recall, o) {}
Tensor PrecisionAtRecall::result() const { return max_under_constraint(sensitivities(), precisions()); }

RecallAtPrecision::RecallAtPrecision(double precision, const SensitivitySpecificityOptions& o)
    : SensitivitySpecificityBase("recall_at_precision", "precision", precision, o) {}
Tensor RecallAtPrecision::result() const { return max_under_constraint(precisions(), sensitivities()); }

}  // namespace keras::metrics
