// regression_metrics.h - MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError,
// MeanAbsolutePercentageError, CosineSimilarity, LogCoshError, R2Score (keras.metrics),
// and their per-sample functions.
//
//   keras::metrics::RootMeanSquaredError rmse;
//   rmse.update_state(y_true, y_pred);
//   keras::metrics::R2Score r2({.class_aggregation = std::nullopt});  // one per output
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "keras/metrics/reduction_metrics.h"

namespace keras::metrics {

// ---- per-sample functions (as keras.losses' functions; reduce the last axis) -----------
Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred);   ///< mean((t - p)^2)
Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred);  ///< mean(|t - p|)
/// 100 * mean(|t - p| / max(|t|, 1e-7))
Tensor mean_absolute_percentage_error(const Tensor& y_true, const Tensor& y_pred);
/// mean(log(cosh(p - t))), computed as x + softplus(-2x) - log(2)
Tensor log_cosh(const Tensor& y_true, const Tensor& y_pred);
/// sum(l2_normalize(t) * l2_normalize(p), axis)
Tensor cosine_similarity(const Tensor& y_true, const Tensor& y_pred, int64_t axis = -1);

// ---- metrics ----------------------------------------------------------------------------
KERAS_MEAN_METRIC_WRAPPER_CLASS(MeanSquaredError, "mean_squared_error")
KERAS_MEAN_METRIC_WRAPPER_CLASS(MeanAbsoluteError, "mean_absolute_error")
KERAS_MEAN_METRIC_WRAPPER_CLASS(MeanAbsolutePercentageError, "mean_absolute_percentage_error")
KERAS_MEAN_METRIC_WRAPPER_CLASS(LogCoshError, "logcosh")

/// sqrt of the streaming (weighted) mean of (y_pred - y_true)^2.
struct RootMeanSquaredErrorOptions {
  /// The name training logs show (Keras `name`).
  std::string name = "root_mean_squared_error";
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};
/// keras.metrics.RootMeanSquaredError: sqrt of the streaming mean squared error.
class RootMeanSquaredError : public Mean {
 public:
  /// The metric with the given options.
  explicit RootMeanSquaredError(const RootMeanSquaredErrorOptions& o = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  Tensor result() const override;
  std::string class_name() const override { return "RootMeanSquaredError"; }
};

/// Options of CosineSimilarity (keras.metrics.CosineSimilarity's arguments).
struct CosineSimilarityOptions {
  /// The axis the similarity is computed along (Keras `axis`, default -1).
  int64_t axis = -1;
  /// The name training logs show (Keras `name`).
  std::string name = "cosine_similarity";
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};
/// keras.metrics.CosineSimilarity: the streaming mean of cosine_similarity (1 is best).
class CosineSimilarity : public MeanMetricWrapper {
 public:
  /// The metric with the given options.
  explicit CosineSimilarity(const CosineSimilarityOptions& o = {});
  std::string class_name() const override { return "CosineSimilarity"; }
  keras::Config get_config() const override;  ///< {"name", "dtype", "axis"}
  /// The axis of the similarity.
  int64_t axis() const { return axis_; }

 private:
  int64_t axis_;
};

/// The coefficient of determination over 2-D inputs (batch, outputs):
/// 1 - sum((t - p)^2) / sum((t - mean(t))^2) per output, then aggregated:
/// "uniform_average" (mean), "variance_weighted_average", or nullopt (Keras's None: one
/// score per output). num_regressors > 0 gives the adjusted R2 (falling back to the plain
/// score when num_regressors >= num_samples - 1, as Keras does after its warning).
struct R2ScoreOptions {
  /// "uniform_average" (default), "variance_weighted_average" or nullopt (Keras
  /// `class_aggregation`).
  std::optional<std::string> class_aggregation = "uniform_average";
  /// The number of independent variables for the adjusted R2 (Keras `num_regressors`,
  /// default 0: plain R2).
  int64_t num_regressors = 0;
  /// The name training logs show (Keras `name`).
  std::string name = "r2_score";
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};
/// keras.metrics.R2Score: the coefficient of determination (see R2ScoreOptions).
class R2Score : public Metric {
 public:
  /// The metric with the given options; bad options throw std::invalid_argument.
  explicit R2Score(const R2ScoreOptions& o = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  /// Before the first update_state (the output count is unknown): 0.
  Tensor result() const override;
  std::string class_name() const override { return "R2Score"; }
  keras::Config get_config() const override;

 private:
  std::optional<std::string> class_aggregation_;
  int64_t num_regressors_;
  Variable num_samples_, squared_sum_, sum_, total_mse_, count_;
};

}  // namespace keras::metrics
