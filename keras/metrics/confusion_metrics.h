// confusion_metrics.h - TruePositives, FalsePositives, TrueNegatives, FalseNegatives,
// Precision, Recall and AUC (keras.metrics): metrics accumulated from confusion-matrix
// counts at one or more thresholds.
//
//   keras::metrics::Precision p;                          // threshold 0.5
//   keras::metrics::Recall r({.top_k = 2, .class_id = 1});
//   keras::metrics::AUC roc;                              // 200 thresholds, ROC
//   keras::metrics::AUC pr({.curve = "PR"});
//
// A prediction counts as positive at threshold t when y_pred > t; y_true is cast to bool
// (non-zero is positive). y_true and y_pred must have the same shape (after Keras's
// squeeze_or_expand_to_same_rank); sample_weight has rank 0, or y_true's rank (or one
// less), and broadcasts to y_true. With several thresholds result() has one value per
// threshold; with one it is a scalar. Because the counts are accumulated, the streaming
// precision over several batches is the precision of all their samples together, not
// the mean of per-batch precisions.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/metrics/metric.h"

namespace keras::metrics {

/// Thresholds: empty means Keras's None (the default, 0.5); values must lie in [0, 1].
struct ConfusionCountOptions {
  /// The thresholds y_pred is compared with (Keras `thresholds`); empty: 0.5.
  std::vector<double> thresholds = {};
  std::string name = "";  ///< "" -> the class's snake_case name ("true_positives", ...)
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};

/// The base of TruePositives & co.: one accumulator with a count per threshold.
class ConfusionMatrixConditionCount : public Metric {
 public:
  /// Which count the metric accumulates.
  enum class Condition { true_positives, false_positives, true_negatives, false_negatives };
  /// A counter of `condition` (the subclasses pass theirs).
  ConfusionMatrixConditionCount(Condition condition, const ConfusionCountOptions& o);
  void update_state(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  Tensor result() const override;
  keras::Config get_config() const override;  ///< {"name", "dtype", "thresholds"}
  /// The thresholds in use (0.5 when none were given).
  const std::vector<double>& thresholds() const { return thresholds_; }

 private:
  Condition condition_;
  std::vector<double> init_thresholds_, thresholds_;
  Variable accumulator_;
};

#define KERAS_METRICS_CONFUSION_COUNT(Class, cond)                                  \
  class Class : public ConfusionMatrixConditionCount {                              \
   public:                                                                          \
    explicit Class(const ConfusionCountOptions& o = {})                             \
        : ConfusionMatrixConditionCount(Condition::cond, o) {}                      \
    std::string class_name() const override { return #Class; }                     \
  };
KERAS_METRICS_CONFUSION_COUNT(TruePositives, true_positives)
KERAS_METRICS_CONFUSION_COUNT(FalsePositives, false_positives)
KERAS_METRICS_CONFUSION_COUNT(TrueNegatives, true_negatives)
KERAS_METRICS_CONFUSION_COUNT(FalseNegatives, false_negatives)
#undef KERAS_METRICS_CONFUSION_COUNT

/// thresholds: empty -> 0.5 (or, with top_k, "any of the top k"); top_k: only the k
/// largest predictions of each row count as positive; class_id: only that column of
/// (batch, classes) inputs is used.
struct PrecisionRecallOptions {
  /// The thresholds y_pred is compared with (Keras `thresholds`); empty: 0.5, or "in the
  /// top k" with top_k.
  std::vector<double> thresholds = {};
  /// Only the k largest predictions of each row count as positive (Keras `top_k`; >= 1).
  std::optional<int64_t> top_k = std::nullopt;
  /// Only this column of (batch, classes) inputs is used (Keras `class_id`).
  std::optional<int64_t> class_id = std::nullopt;
  std::string name = "";  ///< "" -> "precision" / "recall"
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};
/// The options of Precision.
using PrecisionOptions = PrecisionRecallOptions;
/// The options of Recall.
using RecallOptions = PrecisionRecallOptions;

/// tp / (tp + fp) (0 when nothing was predicted positive).
class Precision : public Metric {
 public:
  /// The metric with the given options.
  explicit Precision(const PrecisionOptions& o = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  Tensor result() const override;
  std::string class_name() const override { return "Precision"; }
  /// {"name", "dtype", "thresholds", "top_k", "class_id"}
  keras::Config get_config() const override;
  /// The thresholds in use.
  const std::vector<double>& thresholds() const { return thresholds_; }

 private:
  PrecisionOptions o_;
  std::vector<double> thresholds_;
  Variable true_positives_, false_positives_;
};

/// tp / (tp + fn) (0 when there were no positive labels).
class Recall : public Metric {
 public:
  /// The metric with the given options.
  explicit Recall(const RecallOptions& o = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  Tensor result() const override;
  std::string class_name() const override { return "Recall"; }
  keras::Config get_config() const override;
  /// The thresholds in use.
  const std::vector<double>& thresholds() const { return thresholds_; }

 private:
  RecallOptions o_;
  std::vector<double> thresholds_;
  Variable true_positives_, false_negatives_;
};

/// The area under the ROC or precision-recall curve, from confusion counts at
/// num_thresholds thresholds: -1e-7, i / (num_thresholds - 1) for i = 1..n-2, 1 + 1e-7
/// (or -1e-7, the sorted `thresholds`, 1 + 1e-7). summation_method "interpolation" is the
/// trapezoidal rule for ROC and Davis & Goadrich's interpolation for PR; "minoring" /
/// "majoring" take the lower / upper value of each interval. multi_label computes one
/// AUC per label of (batch, labels) inputs and averages them (weighted by
/// label_weights); otherwise the inputs are flattened (label_weights then weight the
/// label positions). from_logits applies a sigmoid to y_pred first.
struct AUCOptions {
  /// How many thresholds discretize the curve (Keras `num_thresholds`, default 200, > 1).
  int64_t num_thresholds = 200;
  std::string curve = "ROC";                     ///< "ROC" or "PR"
  std::string summation_method = "interpolation";  ///< "interpolation", "minoring", "majoring"
  std::string name = "";                         ///< "" -> "auc"
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
  std::vector<double> thresholds = {};  ///< non-empty: used instead of num_thresholds
  /// One AUC per label of (batch, labels) inputs, then averaged (Keras `multi_label`,
  /// default false).
  bool multi_label = false;
  /// The number of labels with multi_label (none: taken from the first batch); without
  /// multi_label it must be unset.
  std::optional<int64_t> num_labels = std::nullopt;
  /// Per-label weights of the average (empty: equal weights).
  std::vector<double> label_weights = {};
  /// Whether y_pred holds logits (a sigmoid is applied first; Keras `from_logits`, default
  /// false).
  bool from_logits = false;
};

/// keras.metrics.AUC: the area under the ROC or PR curve (see AUCOptions).
class AUC : public Metric {
 public:
  /// The metric with the given options; bad options throw std::invalid_argument.
  explicit AUC(const AUCOptions& o = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  Tensor result() const override;
  void reset_state() override;
  std::string class_name() const override { return "AUC"; }
  /// {"name", "dtype", "num_thresholds", "curve", "summation_method", "multi_label",
  ///  "num_labels", "label_weights", "from_logits"} and "thresholds" when given.
  keras::Config get_config() const override;
  /// All thresholds, endpoints included.
  const std::vector<double>& thresholds() const { return thresholds_; }
  /// The number of thresholds, endpoints included (the given thresholds + 2 when thresholds
  /// were given).
  int64_t num_thresholds() const { return num_thresholds_; }

 private:
  void build(int64_t num_labels);
  Tensor interpolate_pr_auc() const;
  Tensor average_labels(const Tensor& by_threshold_terms) const;

  AUCOptions o_;
  int64_t num_thresholds_;
  std::vector<double> thresholds_;
  bool built_ = false;
  Variable true_positives_, false_positives_, true_negatives_, false_negatives_;
};

}  // namespace keras::metrics
