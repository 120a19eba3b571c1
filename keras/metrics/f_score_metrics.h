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

/// Options of FBetaScore (keras.metrics.FBetaScore's arguments; see above).
struct FBetaScoreOptions {
  /// nullopt (one score per class, Keras's None), "micro", "macro" or "weighted" (Keras
  /// `average`).
  std::optional<std::string> average = std::nullopt;
  double beta = 1.0;  ///< > 0
  std::optional<double> threshold = std::nullopt;  ///< in (0, 1]
  /// The name training logs show (Keras `name`).
  std::string name = "fbeta_score";
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};

/// keras.metrics.FBetaScore: the F-beta score of (batch, classes) inputs (see above).
class FBetaScore : public Metric {
 public:
  /// The metric with the given options; bad options throw std::invalid_argument.
  explicit FBetaScore(const FBetaScoreOptions& o = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  /// Before the first update_state: 0.
  Tensor result() const override;
  std::string class_name() const override { return "FBetaScore"; }
  /// {"name", "dtype", "average", "beta", "threshold"}
  keras::Config get_config() const override;

 protected:
  /// The options it was built with.
  FBetaScoreOptions o_;

 private:
  bool built_ = false;
  Variable true_positives_, false_positives_, false_negatives_, intermediate_weights_;
};

/// Options of F1Score (FBetaScoreOptions with beta 1).
struct F1ScoreOptions {
  /// nullopt (one score per class), "micro", "macro" or "weighted" (Keras `average`).
  std::optional<std::string> average = std::nullopt;
  /// Positive when y_pred > threshold, in (0, 1]; nullopt: the row's maximum (Keras
  /// `threshold`).
  std::optional<double> threshold = std::nullopt;
  /// The name training logs show (Keras `name`).
  std::string name = "f1_score";
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};

/// keras.metrics.F1Score: the F-beta score with beta = 1.
class F1Score : public FBetaScore {
 public:
  /// The metric with the given options.
  explicit F1Score(const F1ScoreOptions& o = {});
  std::string class_name() const override { return "F1Score"; }
  keras::Config get_config() const override;  ///< FBetaScore's without "beta"
};

}  // namespace keras::metrics
