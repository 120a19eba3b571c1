// loss.cpp - the Loss template method (checks, cast, call, sample weights, reduction),
// LossFunctionWrapper and the built-in classes.
#include "keras/losses.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include "core/control_flow.h"
#include "core/function.h"
#include "core/ops.h"
#include "keras/losses/losses_internal.h"

namespace keras::losses {

namespace ops = core::ops;
using core::DType;
using core::Shape;
using namespace internal;

// ---- Loss --------------------------------------------------------------------------------

LossOptions LossOptions::from_config(const keras::Config& config) {
  LossOptions o;
  if (!config.is_object()) return o;
  if (const keras::Value* n = config.find("name"); n && !n->is_null()) o.name = n->as_string();
  if (const keras::Value* r = config.find("reduction"))
    o.reduction = r->is_null() ? std::string("none") : r->as_string();
  return o;
}

Loss::Loss(const LossOptions& options) : name_(options.name), reduction_(options.reduction) {
  try {
    check_reduction(reduction_);
  } catch (const std::invalid_argument& e) {
    fail((name_.empty() ? std::string("Loss") : name_) + ": " + e.what());
  }
}

Loss::~Loss() = default;

std::string Loss::name() const { return name_.empty() ? to_snake_case(class_name()) : name_; }

keras::Config Loss::get_config() const {
  keras::Config c = keras::Config::object();
  c["name"] = name();
  c["reduction"] = reduction_;
  return c;
}

std::pair<Tensor, Tensor> Loss::call_with_mask(const Tensor& y_true, const Tensor& y_pred) const {
  return {call(y_true, y_pred), Tensor()};
}

Tensor Loss::operator()(const Tensor& y_true, const Tensor& y_pred,
                        const Tensor& sample_weight) const {
  const std::string who = name();
  try {
    check_defined(who, y_true, "y_true");
    check_pred(who, y_pred);
    // Keras computes losses in float32: a half-precision y_pred (mixed precision) is cast.
    const Tensor p = core::is_half(y_pred.dtype()) ? ops::cast(y_pred, DType::float32) : y_pred;
    Tensor t = y_true;
    if (casts_y_true() && t.dtype() != p.dtype()) t = ops::cast(t, p.dtype());
    auto [values, mask] = call_with_mask(t, p);
    if (!values.defined())
      fail(who + ": expected call() to return the per-sample losses, but it returned an "
                 "undefined tensor");
    // y_pred's Keras mask (a masked sequence output) excludes the masked steps, and
    // with a mask of the loss's own (ignore_class) both must hold.
    Tensor in_mask = y_pred.keras_mask();
    if (in_mask.defined())
      mask = mask.defined() ? ops::logical_and(ops::cast(in_mask, DType::bool_), ops::cast(mask, DType::bool_)) : in_mask;
    return reduce_weighted_values(values, sample_weight, mask, reduction_, who);
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    if (message.rfind(who + ":", 0) == 0) throw;
    throw std::invalid_argument(who + ": " + message);
  }
}

// ---- LossFunctionWrapper -------------------------------------------------------------------

LossFunctionWrapper::LossFunctionWrapper(LossFunction fn, std::string fn_name,
                                         const LossOptions& options)
    : Loss(named(options, fn_name.c_str())), fn_(std::move(fn)), fn_name_(std::move(fn_name)) {
  if (!fn_)
    fail("LossFunctionWrapper: expected a callable for loss '" + fn_name_ +
         "', but received an empty function");
}

Tensor LossFunctionWrapper::call(const Tensor& y_true, const Tensor& y_pred) const {
  auto [t, p] = squeeze_or_expand_to_same_rank(y_true, y_pred);
  return fn_(t, p);
}

keras::Config LossFunctionWrapper::get_config() const {
  keras::Config c = Loss::get_config();
  c["fn"] = fn_name_;
  return c;
}

// ---- built-in classes ------------------------------------------------------------------------

#define KERAS_SIMPLE_LOSS_IMPL(Name, fn)                                               \
  Name::Name(const LossOptions& options) : Loss(named(options, fn.name)) {}           \
  Tensor Name::call(const Tensor& y_true, const Tensor& y_pred) const {                \
    return fn(y_true, y_pred);                                                         \
  }
KERAS_SIMPLE_LOSS_IMPL(MeanSquaredError, mean_squared_error)
KERAS_SIMPLE_LOSS_IMPL(MeanAbsoluteError, mean_absolute_error)
KERAS_SIMPLE_LOSS_IMPL(MeanAbsolutePercentageError, mean_absolute_percentage_error)
KERAS_SIMPLE_LOSS_IMPL(MeanSquaredLogarithmicError, mean_squared_logarithmic_error)
KERAS_SIMPLE_LOSS_IMPL(LogCosh, log_cosh)
KERAS_SIMPLE_LOSS_IMPL(KLDivergence, kl_divergence)
KERAS_SIMPLE_LOSS_IMPL(Poisson, poisson)
KERAS_SIMPLE_LOSS_IMPL(Hinge, hinge)
KERAS_SIMPLE_LOSS_IMPL(SquaredHinge, squared_hinge)
KERAS_SIMPLE_LOSS_IMPL(CategoricalHinge, categorical_hinge)
#undef KERAS_SIMPLE_LOSS_IMPL

Huber::Huber(const HuberOptions& o)
    : Loss(named({o.name, o.reduction}, "huber_loss")), delta_(o.delta) {}
Tensor Huber::call(const Tensor& y_true, const Tensor& y_pred) const {
  return huber(y_true, y_pred, delta_);
}
keras::Config Huber::get_config() const {
  keras::Config c = Loss::get_config();
  c["delta"] = delta_;
  return c;
}

CosineSimilarity::CosineSimilarity(const CosineSimilarityOptions& o)
    : Loss(named({o.name, o.reduction}, "cosine_similarity")), axis_(o.axis) {}
Tensor CosineSimilarity::call(const Tensor& y_true, const Tensor& y_pred) const {
  return cosine_similarity(y_true, y_pred, axis_);
}
keras::Config CosineSimilarity::get_config() const {
  keras::Config c = Loss::get_config();
  c["axis"] = axis_;
  return c;
}

BinaryCrossentropy::BinaryCrossentropy(const BinaryCrossentropyOptions& o)
    : Loss(named({o.name, o.reduction}, "binary_crossentropy")),
      from_logits_(o.from_logits),
      label_smoothing_(o.label_smoothing),
      axis_(o.axis) {
  check_label_smoothing(name(), label_smoothing_);
}
Tensor BinaryCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  return binary_crossentropy(y_true, y_pred, from_logits_, label_smoothing_, axis_);
}
keras::Config BinaryCrossentropy::get_config() const {
  keras::Config c = Loss::get_config();
  c["from_logits"] = from_logits_;
  c["label_smoothing"] = label_smoothing_;
  c["axis"] = axis_;
  return c;
}

CategoricalCrossentropy::CategoricalCrossentropy(const CategoricalCrossentropyOptions& o)
    : Loss(named({o.name, o.reduction}, "categorical_crossentropy")),
      from_logits_(o.from_logits),
      label_smoothing_(o.label_smoothing),
      axis_(o.axis) {
  check_label_smoothing(name(), label_smoothing_);
}
Tensor CategoricalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  return categorical_crossentropy(y_true, y_pred, from_logits_, label_smoothing_, axis_);
}
keras::Config CategoricalCrossentropy::get_config() const {
  keras::Config c = Loss::get_config();
  c["from_logits"] = from_logits_;
  c["label_smoothing"] = label_smoothing_;
  c["axis"] = axis_;
  return c;
}

SparseCategoricalCrossentropy::SparseCategoricalCrossentropy(
    const SparseCategoricalCrossentropyOptions& o)
    : Loss(named({o.name, o.reduction}, "sparse_categorical_crossentropy")),
      from_logits_(o.from_logits),
      ignore_class_(o.ignore_class) {}
Tensor SparseCategoricalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  return call_with_mask(y_true, y_pred).first;
}
std::pair<Tensor, Tensor> SparseCategoricalCrossentropy::call_with_mask(
    const Tensor& y_true, const Tensor& y_pred) const {
  SparseResult r = sparse_cce(sparse_categorical_crossentropy.name, y_true, y_pred,
                              from_logits_, ignore_class_, -1);
  return {r.loss, r.mask};
}
keras::Config SparseCategoricalCrossentropy::get_config() const {
  keras::Config c = Loss::get_config();
  c["from_logits"] = from_logits_;
  c["ignore_class"] = ignore_class_ ? keras::Value(*ignore_class_) : keras::Value();
  return c;
}

BinaryFocalCrossentropy::BinaryFocalCrossentropy(const BinaryFocalCrossentropyOptions& o)
    : Loss(named({o.name, o.reduction}, "binary_focal_crossentropy")), o_(o) {
  o_.name = name();
  check_label_smoothing(name(), o_.label_smoothing);
}
Tensor BinaryFocalCrossentropy::call(const Tensor& y_true, const Tensor& y_pred) const {
  return binary_focal_crossentropy(y_true, y_pred, o_.apply_class_balancing, o_.alpha,
                                   o_.gamma, o_.from_logits, o_.label_smoothing, o_.axis);
}
keras::Config BinaryFocalCrossentropy::get_config() const {
  keras::Config c = Loss::get_config();
  c["apply_class_balancing"] = o_.apply_class_balancing;
  c["alpha"] = o_.alpha;
  c["gamma"] = o_.gamma;
  c["from_logits"] = o_.from_logits;
  c["label_smoothing"] = o_.label_smoothing;
  c["axis"] = o_.axis;
  return c;
}

}  // namespace keras::losses
