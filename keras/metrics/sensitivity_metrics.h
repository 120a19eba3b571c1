// sensitivity_metrics.h - the metrics that maximize one rate subject to a bound on another,
// over num_thresholds evenly spaced decision thresholds (keras.metrics
// SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall,
// RecallAtPrecision):
//
//   keras::metrics::PrecisionAtRecall p(0.8);     // the best precision with recall >= 0.8
//   p.update_state(labels, probabilities);
//
// The counts (tp, fp, tn, fn per threshold) are Keras's: y_pred > threshold is a positive
// prediction, y_true != 0 a positive label, predictions are clipped to [0, 1]; thresholds
// are 0, 1/(n-1), ..., 1 (n = 1: the single threshold 0.5). result() is the largest rate
// among the thresholds whose bounded rate is >= the value (0 when none is). class_id
// picks one column of 2-D inputs.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/metrics/metric.h"

namespace keras::metrics {

/// Options of the four metrics below (their keyword arguments after the bound).
struct SensitivitySpecificityOptions {
  /// How many thresholds (Keras `num_thresholds`, default 200, > 0).
  int64_t num_thresholds = 200;
  /// Only this column of 2-D inputs counts (Keras `class_id`; none by default).
  std::optional<int64_t> class_id = std::nullopt;
  std::string name = "";  ///< "" -> the class's snake_case name
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};

/// The base of the four: the counts per threshold and the constrained maximum.
class SensitivitySpecificityBase : public Metric {
 public:
  void update_state(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  /// {"name", "dtype", "class_id", "num_thresholds", <the bound's name>}
  keras::Config get_config() const override;
  /// The thresholds in use.
  const std::vector<double>& thresholds() const { return thresholds_; }

 protected:
  /// value: the bound, in [0, 1] (named `value_name` in errors and the config).
  SensitivitySpecificityBase(const std::string& default_name, const char* value_name, double value,
                             const SensitivitySpecificityOptions& o);
  /// The largest of `dependent` where constrained >= the bound (0 when none is).
  Tensor max_under_constraint(const Tensor& constrained, const Tensor& dependent) const;
  Tensor sensitivities() const;  ///< tp / (tp + fn) per threshold (recall)
  Tensor specificities() const;  ///< tn / (tn + fp) per threshold
  Tensor precisions() const;     ///< tp / (tp + fp) per threshold

 private:
  const char* value_name_;
  double value_;
  SensitivitySpecificityOptions o_;
  std::vector<double> thresholds_;
  Variable tp_, fp_, tn_, fn_;
};

/// keras.metrics.SensitivityAtSpecificity: the best sensitivity with specificity >= value.
class SensitivityAtSpecificity : public SensitivitySpecificityBase {
 public:
  /// specificity in [0, 1].
  explicit SensitivityAtSpecificity(double specificity, const SensitivitySpecificityOptions& o = {});
  Tensor result() const override;
  std::string class_name() const override { return "SensitivityAtSpecificity"; }
};
/// keras.metrics.SpecificityAtSensitivity: the best specificity with sensitivity >= value.
class SpecificityAtSensitivity : public SensitivitySpecificityBase {
 public:
  /// sensitivity in [0, 1].
  explicit SpecificityAtSensitivity(double sensitivity, const SensitivitySpecificityOptions& o = {});
  Tensor result() const override;
  std::string class_name() const override { return "SpecificityAtSensitivity"; }
};
/// keras.metrics.PrecisionAtRecall: the best precision with recall >= value.
class PrecisionAtRecall : public SensitivitySpecificityBase {
 public:
  /// recall in [0, 1].
  explicit PrecisionAtRecall(double recall, const SensitivitySpecificityOptions& o = {});
  Tensor result() const override;
  std::string class_name() const override { return "PrecisionAtRecall"; }
};
/// keras.metrics.RecallAtPrecision: the best recall with precision >= value.
class RecallAtPrecision : public SensitivitySpecificityBase {
 public:
  /// precision in [0, 1].
  explicit RecallAtPrecision(double precision, const SensitivitySpecificityOptions& o = {});
  Tensor result() const override;
  std::string class_name() const override { return "RecallAtPrecision"; }
};

}  // namespace keras::metrics
