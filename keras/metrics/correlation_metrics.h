// correlation_metrics.h - PearsonCorrelation and ConcordanceCorrelation
// (keras.metrics), and their per-sample functions: the streaming mean of a correlation
// coefficient computed along `axis` of each batch.
//
//   keras::metrics::PearsonCorrelation pc;              // along the last axis
//   pc.update_state(y_true, y_pred);                    // (batch, n): one value per row
//   keras::metrics::ConcordanceCorrelation cc({.axis = 0});
#pragma once
#include <cstdint>
#include <string>

#include "keras/metrics/reduction_metrics.h"

namespace keras::metrics {

/// keras.metrics.pearson_correlation: mean(z(y_true) * z(y_pred)) along axis, where z
/// centres and divides by the (population) standard deviation along axis.
Tensor pearson_correlation(const Tensor& y_true, const Tensor& y_pred, int64_t axis = -1);
/// keras.metrics.concordance_correlation, Keras 3's formula:
/// mean(2 (y_true - mean(y_pred)) (y_pred - mean(y_pred)) /
///      (var(y_true) + var(y_pred) + (mean(y_true) - mean(y_pred))^2 + epsilon)) along axis.
Tensor concordance_correlation(const Tensor& y_true, const Tensor& y_pred, int64_t axis = -1);

/// Options of PearsonCorrelation and ConcordanceCorrelation (their keyword arguments).
struct CorrelationOptions {
  /// The axis the coefficient is computed along (Keras `axis`, default -1).
  int64_t axis = -1;
  /// The name training logs show ("" -> "pearson_correlation" / "concordance_correlation").
  std::string name = "";
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};

/// keras.metrics.PearsonCorrelation: the streaming mean of pearson_correlation.
class PearsonCorrelation : public MeanMetricWrapper {
 public:
  /// The metric with the given options.
  explicit PearsonCorrelation(const CorrelationOptions& o = {});
  std::string class_name() const override { return "PearsonCorrelation"; }
  keras::Config get_config() const override;  ///< {"name", "dtype", "axis"}
  /// The axis of the coefficient.
  int64_t axis() const { return axis_; }

 private:
  int64_t axis_;
};

/// keras.metrics.ConcordanceCorrelation: the streaming mean of concordance_correlation.
class ConcordanceCorrelation : public MeanMetricWrapper {
 public:
  /// The metric with the given options.
  explicit ConcordanceCorrelation(const CorrelationOptions& o = {});
  std::string class_name() const override { return "ConcordanceCorrelation"; }
  keras::Config get_config() const override;  ///< {"name", "dtype", "axis"}
  /// The axis of the coefficient.
  int64_t axis() const { return axis_; }

 private:
  int64_t axis_;
};

}  // namespace keras::metrics
