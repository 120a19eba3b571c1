// loss_function_metrics.h - the metrics that are the streaming mean of a loss function
// (keras.metrics.KLDivergence, Poisson, Hinge, SquaredHinge, CategoricalHinge,
// MeanSquaredLogarithmicError): keras::losses' functions per sample, averaged over the
// samples seen, with Keras's default names ("kl_divergence", "poisson", "hinge",
// "squared_hinge", "categorical_hinge", "mean_squared_logarithmic_error").
//
//   keras::metrics::KLDivergence kl;
//   kl.update_state(y_true, y_pred);  // kl.result(): the mean so far
#pragma once
#include <string>

#include "keras/metrics/reduction_metrics.h"

namespace keras::metrics {

#define KERAS_LOSS_FUNCTION_METRIC(Class, default_name)                          \
  /** Options of Class: Keras's `name` and `dtype` (of the state and result). */ \
  struct Class##Options {                                                        \
    std::string name = default_name; /**< the name in the logs */                \
    DType dtype = DType::float32;    /**< the state's dtype */                   \
  };                                                                             \
  /** keras.metrics.Class: the streaming mean of keras::losses' default_name. */ \
  class Class : public MeanMetricWrapper {                                       \
   public:                                                                       \
    /** The metric with the given options. */                                    \
    explicit Class(const Class##Options& o = {});                                \
    std::string class_name() const override { return #Class; }                   \
    keras::Config get_config() const override;                                   \
  };
KERAS_LOSS_FUNCTION_METRIC(KLDivergence, "kl_divergence")
KERAS_LOSS_FUNCTION_METRIC(Poisson, "poisson")
KERAS_LOSS_FUNCTION_METRIC(Hinge, "hinge")
KERAS_LOSS_FUNCTION_METRIC(SquaredHinge, "squared_hinge")
KERAS_LOSS_FUNCTION_METRIC(CategoricalHinge, "categorical_hinge")
KERAS_LOSS_FUNCTION_METRIC(MeanSquaredLogarithmicError, "mean_squared_logarithmic_error")
#undef KERAS_LOSS_FUNCTION_METRIC

}  // namespace keras::metrics
