// f_score_metrics.h - FBetaScore and F1Score (keras.metrics) for 2-D inputs
// (batch, classes), multi-class or multi-label.
//
//   keras::metrics::F1Score f1({.average = "macro", .threshold = 0.5});
//
// A prediction is positive when y_pred > threshold, or (threshold nullopt, Keras's None)
// when it is the row's maximum (and non-zero). precision = tp / (tp + fp + 1e-7),
// recall = tp / (tp + fn + 1e-7), score = (1 + b^2) p r / (b^2 p + r + 1e-7), per class;
// average: nullopt (one score per class), "micro" (counts summed over classes first),
// "macro" (mean of the class scores), "weighted" (mean weighted by each class's count
// of true labels). sample_weight: one weight per row.
#pragma once
#include <optional>
#include <string>

#include "keras/metrics/metric.h"

namespace keras::metrics {

struct FBetaScoreOptions {
  std::optional<std::string> average = std::nullopt;
  double beta = 1.0;  ///< > 0
  std::optional<double> threshold = std::nullopt;  ///< in (0, 1]
  std::string name = "fbeta_score";
  DType dtype = DType::float32;
};

class FBetaScore : public Metric {
 public:
  explicit FBetaScore(const FBetaScoreOptions& o = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  /// Before the first update_state: 0.
  Tensor result() const override;
  std::string class_name() const override { return "FBetaScore"; }
  /// {"name", "dtype", "average", "beta", "threshold"}
  keras::Config get_config() const override;

 protected:
  FBetaScoreOptions o_;

 private:
  bool built_ = false;
  Variable true_positives_, false_positives_, false_negatives_, intermediate_weights_;
};

struct F1ScoreOptions {
  std::optional<std::string> average = std::nullopt;
  std::optional<double> threshold = std::nullopt;
  std::string name = "f1_score";
  DType dtype = DType::float32;
};

class F1Score : public FBetaScore {
 public:
  explicit F1Score(const F1ScoreOptions& o = {});
  std::string class_name() const override { return "F1Score"; }
  keras::Config get_config() const override;  ///< FBetaScore's without "beta"
};

}  // namespace keras::metrics
