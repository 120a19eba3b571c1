#include "keras/metrics/loss_function_metrics.h"

#include "keras/losses.h"
#include "keras/metrics/metrics_utils.h"

namespace keras::metrics {

// Each the streaming mean of the loss function of the same name (its per-sample values).
#define KERAS_LOSS_FUNCTION_METRIC_IMPL(Class, fn)                                                                    \
  Class::Class(const Class##Options& o)                                                                               \
      : MeanMetricWrapper([](const Tensor& t, const Tensor& p) { return losses::fn(t, p); }, o.name, o.dtype, #fn) {} \
  keras::Config Class::get_config() const { return detail::name_dtype_config(*this); }
KERAS_LOSS_FUNCTION_METRIC_IMPL(KLDivergence, kl_divergence)
KERAS_LOSS_FUNCTION_METRIC_IMPL(Poisson, poisson)
KERAS_LOSS_FUNCTION_METRIC_IMPL(Hinge, hinge)
KERAS_LOSS_FUNCTION_METRIC_IMPL(SquaredHinge, squared_hinge)
KERAS_LOSS_FUNCTION_METRIC_IMPL(CategoricalHinge, categorical_hinge)
KERAS_LOSS_FUNCTION_METRIC_IMPL(MeanSquaredLogarithmicError, mean_squared_logarithmic_error)
#undef KERAS_LOSS_FUNCTION_METRIC_IMPL

}  // namespace keras::metrics
