// categorical_focal_crossentropy.cpp - CategoricalFocalCrossentropy, composed of core ops.
#include "keras/losses/categorical_focal_crossentropy.h"

#include "core/ops.h"
#include "keras/losses/losses_internal.h"
#include "keras/settings.h"

namespace keras::losses {

namespace ops = core::ops;
using namespace internal;

Tensor detail::CategoricalFocalCrossentropyFn::operator()(const Tensor& y_true, const Tensor& y_pred, double alpha,
                                                          double gamma, bool from_logits, double label_smoothing,
                                                          int64_t axis) const {
  check_label_smoothing(name, label_smoothing);
  auto [t, p] = prepare(name, y_true, y_pred);
  const int64_t a = core::normalize_axis(axis, p.rank(), name);
  if (label_smoothing != 0.0) t = t * (1.0 - label_smoothing) + label_smoothing / double(p.shape()[a]);
  if (from_logits) p = ops::softmax(p, a);
  Tensor out = ops::clip(p / ops::sum(p, {a}, true), keras::config::epsilon(), 1.0 - keras::config::epsilon());
  Tensor base = 1.0 - out;
  Tensor modulating;
  if (gamma == 2.0) modulating = ops::square(base);
  else if (gamma == 1.0) modulating = base;
  else if (gamma == 0.0) modulating = ops::ones_like(base);
  else modulating = ops::power(base, ops::scalar_like(base, gamma));
  return ops::sum(modulating * alpha * (-t * ops::log(out)), {a});
}

CategoricalFocalCrossentropy::CategoricalFocalCrossentropy(const CategoricalFocalCrossentropyOptions& o)
    : Loss(named({o.name, o.reduction}, categorical_focal_crossentropy.name)), o_(o) {
  check_label_smoothing(name(), o.label_smoothing);
}

Tensor CategoricalFocalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  return categorical_focal_crossentropy(y_true, y_pred, o_.alpha, o_.gamma, o_.from_logits, o_.label_smoothing,
                                        o_.axis);
}

keras::Config CategoricalFocalCrossentropy::get_config() const {
  keras::Config c = Loss::get_config();
  c["from_logits"] = o_.from_logits;
  c["label_smoothing"] = o_.label_smoothing;
  c["axis"] = static_cast<long long>(o_.axis);
  c["alpha"] = o_.alpha;
  c["gamma"] = o_.gamma;
  return c;
}

}  // namespace keras::losses
