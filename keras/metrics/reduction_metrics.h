// reduction_metrics.h - Mean, Sum and MeanMetricWrapper (keras.metrics.Mean, Sum,
// MeanMetricWrapper).
//
//   keras::metrics::Mean m;
//   m.update_state(ops::constant({1.0, 3.0, 5.0, 7.0}));                 // result 4
//   m.update_state(values, /*sample_weight=*/weights);
//   keras::metrics::MeanMetricWrapper hits(
//       [](const Tensor& t, const Tensor& p) { return ops::cast(t == p, DType::float32); },
//       "hits");
//
// Sample weights follow Keras's reduce_to_samplewise_values: values and weights are
// brought to the same rank (squeeze_or_expand_to_same_rank), values are averaged (Sum:
// summed) over the axes the weights lack, multiplied by the broadcast weights, and both
// are averaged over their non-batch axes; Mean's count grows by the sum of the weights
// (or by the number of samples).
#pragma once
#include <functional>
#include <string>
#include <type_traits>

#include "keras/metrics/metric.h"

namespace keras::metrics {

/// Options of Mean (keras.metrics.Mean's arguments).
struct MeanOptions {
  /// The name training logs show (Keras `name`).
  std::string name = "mean";
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};

/// keras.metrics.Mean: the (weighted) mean of every value seen (see above).
class Mean : public Metric {
 public:
  /// The metric with the given options.
  explicit Mean(const MeanOptions& o = {});
  /// Mean("loss"): a template, so that a braced list (Mean({.name = "loss"})) can only
  /// mean the options.
  template <class S>
    requires std::is_convertible_v<const S&, std::string>
  explicit Mean(const S& name, DType dtype = DType::float32) : Mean(MeanOptions{std::string(name), dtype}) {}

  /// Accumulates values (any shape; axis 0 is the batch) with optional weights.
  void update_state(const Tensor& values, const Tensor& sample_weight = Tensor());
  /// Called through a Metric: update_state(values, sample_weight); a third argument
  /// throws std::invalid_argument.
  void update_state(const Tensor& values, const Tensor& sample_weight,
                    const Tensor& extra) override;
  Tensor result() const override;  ///< total / count, 0 when count is 0
  std::string class_name() const override { return "Mean"; }

 protected:
  ///@{
  /// The weighted sum of the values and the sum of the weights (or the count).
  Variable total_, count_;
  ///@}
};

/// Options of Sum (keras.metrics.Sum's arguments).
struct SumOptions {
  /// The name training logs show (Keras `name`).
  std::string name = "sum";
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};

/// keras.metrics.Sum: the (weighted) sum of every value seen.
class Sum : public Metric {
 public:
  /// The metric with the given options.
  explicit Sum(const SumOptions& o = {});
  /// Accumulates values (any shape; axis 0 is the batch) with optional weights.
  void update_state(const Tensor& values, const Tensor& sample_weight = Tensor());
  void update_state(const Tensor& values, const Tensor& sample_weight,
                    const Tensor& extra) override;
  Tensor result() const override;
  std::string class_name() const override { return "Sum"; }

 private:
  Variable total_;
};

/// fn(y_true, y_pred) -> per-sample values.
using MetricFunction = std::function<Tensor(const Tensor& y_true, const Tensor& y_pred)>;

/// The streaming mean of fn(y_true, y_pred). get_config() writes "fn": fn_name, which
/// deserialize() looks up among the built-in metric functions ("mean_squared_error",
/// "binary_accuracy", ...) and those registered with register_metric_function().
class MeanMetricWrapper : public Mean {
 public:
  /// fn: the per-sample function; name: the metric's name; fn_name: what get_config()
  /// writes as "fn" ("": the name).
  explicit MeanMetricWrapper(MetricFunction fn, std::string name = "mean_metric_wrapper",
                             DType dtype = DType::float32, std::string fn_name = "");
  void update_state(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  std::string class_name() const override { return "MeanMetricWrapper"; }
  keras::Config get_config() const override;  ///< {"name", "dtype", "fn"}
  /// The per-sample function.
  const MetricFunction& fn() const { return fn_; }
  /// The function's name ("" -> the metric's name).
  const std::string& fn_name() const { return fn_name_; }

 private:
  MetricFunction fn_;
  std::string fn_name_;
};

/// Declares `Class##Options` (Keras's `name`, default `default_name`, and `dtype`) and
/// `Class`, a MeanMetricWrapper of one per-sample function (the simple Keras metrics:
/// MeanSquaredError, Hinge, ...). Their constructors and configs come from
/// KERAS_MEAN_METRIC_WRAPPER_DEFINE (metrics_utils.h).
#define KERAS_MEAN_METRIC_WRAPPER_CLASS(Class, default_name)                     \
  /** Options of Class: Keras's `name` and `dtype` (of the state and result). */ \
  struct Class##Options {                                                        \
    std::string name = default_name; /**< the name in the logs */                \
    DType dtype = DType::float32;    /**< the state's dtype */                   \
  };                                                                             \
  /** keras.metrics.Class: the streaming mean of default_name per sample. */     \
  class Class : public MeanMetricWrapper {                                       \
   public:                                                                       \
    /** The metric with the given options. */                                    \
    explicit Class(const Class##Options& o = {});                                \
    std::string class_name() const override { return #Class; }                   \
    keras::Config get_config() const override;                                   \
  };

}  // namespace keras::metrics
