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

KERAS_MEAN_METRIC_WRAPPER_CLASS(KLDivergence, "kl_divergence")
KERAS_MEAN_METRIC_WRAPPER_CLASS(Poisson, "poisson")
KERAS_MEAN_METRIC_WRAPPER_CLASS(Hinge, "hinge")
KERAS_MEAN_METRIC_WRAPPER_CLASS(SquaredHinge, "squared_hinge")
KERAS_MEAN_METRIC_WRAPPER_CLASS(CategoricalHinge, "categorical_hinge")
KERAS_MEAN_METRIC_WRAPPER_CLASS(MeanSquaredLogarithmicError, "mean_squared_logarithmic_error")

}  // namespace keras::metrics
