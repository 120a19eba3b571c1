// generalized_cross_entropy.cpp - CategoricalGeneralizedCrossEntropy, composed of core ops.
#include "keras/losses/generalized_cross_entropy.h"

#include "core/ops.h"
#include "keras/losses/losses_internal.h"

namespace keras::losses {

namespace ops = core::ops;
using namespace internal;

Tensor detail::CategoricalGeneralizedCrossEntropyFn::operator()(const Tensor& y_true, const Tensor& y_pred,
                                                                double q) const {
  check_pred(name, y_pred);
  check_defined(name, y_true, "y_true");
  if (!(q > 0.0)) fail(std::string(name) + ": expected q > 0, but received q=" + num(q));
  if (y_pred.rank() < 1)
    fail(std::string(name) + ": expected y_pred of rank >= 1 (classes on the last axis), but received y_pred with " +
         describe(y_pred));
  const int64_t classes = y_pred.shape()[y_pred.rank() - 1];
  Tensor labels = class_labels(name, y_true, y_pred, y_pred.shape(), std::nullopt);
  Tensor p = ops::sum(y_pred * ops::one_hot(labels, classes, {.dtype = y_pred.dtype()}), {-1});
  return (1.0 - ops::power(p, ops::scalar_like(p, q))) / q;
}

CategoricalGeneralizedCrossEntropy::CategoricalGeneralizedCrossEntropy(
    const CategoricalGeneralizedCrossEntropyOptions& o)
    : Loss(named({o.name, o.reduction}, categorical_generalized_cross_entropy.name)), q_(o.q) {
  if (!(q_ > 0.0 && q_ < 1.0)) fail(name() + ": expected q in the interval (0, 1), but received q=" + num(q_));
}

Tensor CategoricalGeneralizedCrossEntropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  return categorical_generalized_cross_entropy(y_true, y_pred, q_);
}

keras::Config CategoricalGeneralizedCrossEntropy::get_config() const {
  keras::Config c = Loss::get_config();
  c["q"] = q_;
  return c;
}

}  // namespace keras::losses
