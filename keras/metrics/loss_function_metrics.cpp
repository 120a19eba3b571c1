#include "keras/metrics/loss_function_metrics.h"

#include "keras/losses.h"
#include "keras/metrics/metrics_utils.h"

namespace keras::metrics {

// Each the streaming mean of the loss function of the same name (its per-sample values).
KERAS_MEAN_METRIC_WRAPPER_DEFINE(KLDivergence, losses, kl_divergence)
KERAS_MEAN_METRIC_WRAPPER_DEFINE(Poisson, losses, poisson)
KERAS_MEAN_METRIC_WRAPPER_DEFINE(Hinge, losses, hinge)
KERAS_MEAN_METRIC_WRAPPER_DEFINE(SquaredHinge, losses, squared_hinge)
KERAS_MEAN_METRIC_WRAPPER_DEFINE(CategoricalHinge, losses, categorical_hinge)
KERAS_MEAN_METRIC_WRAPPER_DEFINE(MeanSquaredLogarithmicError, losses, mean_squared_logarithmic_error)

}  // namespace keras::metrics
