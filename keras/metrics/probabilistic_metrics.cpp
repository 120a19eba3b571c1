// probabilistic_metrics.cpp - the cross-entropy functions and metrics.
#include "keras/metrics/probabilistic_metrics.h"

#include "core/ops.h"
#include "keras/metrics/metrics_utils.h"
#include "keras/settings.h"

namespace keras::metrics {

namespace ops = core::ops;
using detail::to_dtype;

namespace {


Tensor floating(const Tensor& x) {
  return core::is_floating(x.dtype()) ? x : ops::cast(x, DType::float32);
}

void check_smoothing(double s, const std::string& who) {
  if (!(s >= 0.0 && s <= 1.0))
    detail::fail(who + ": expected label_smoothing in [0, 1], but received label_smoothing=" +
                 detail::num_str(s));
}

}  // namespace

Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred_in, bool from_logits,
                           double label_smoothing, int64_t axis) {
  check_smoothing(label_smoothing, "binary_crossentropy");
  Tensor y_pred = floating(y_pred_in);
  auto [t, p] = detail::squeeze_or_expand_to_same_rank(to_dtype(y_true, y_pred.dtype()), y_pred);
  detail::check_same_shape(t, p, "binary_crossentropy");
  if (label_smoothing != 0.0) t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing;
  Tensor bce;
  if (from_logits) {  // max(x, 0) - x z + log(1 + exp(-|x|))
    bce = ops::relu(p) - p * t + ops::log1p(ops::exp(-ops::abs(p)));
  } else {
    Tensor q = ops::clip(p, keras::config::epsilon(), 1.0 - keras::config::epsilon());
    bce = -(t * ops::log(q) + (1.0 - t) * ops::log(1.0 - q));
  }
  return ops::mean(bce, {axis});
}

Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred_in, bool from_logits,
                                double label_smoothing, int64_t axis) {
  check_smoothing(label_smoothing, "categorical_crossentropy");
  Tensor y_pred = floating(y_pred_in);
  Tensor t = to_dtype(y_true, y_pred.dtype());
  detail::check_same_shape(t, y_pred, "categorical_crossentropy");
  if (y_pred.rank() < 1)
    detail::fail("categorical_crossentropy: expected y_pred with a class axis, but received shape " +
                 y_pred.shape().str());
  if (label_smoothing != 0.0) {
    double classes = static_cast<double>(y_pred.shape()[y_pred.rank() - 1]);
    t = t * (1.0 - label_smoothing) + label_smoothing / classes;
  }
  if (from_logits) return -ops::sum(t * ops::log_softmax(y_pred, axis), {axis});
  Tensor p = y_pred / ops::sum(y_pred, {axis}, /*keepdims=*/true);
  p = ops::clip(p, keras::config::epsilon(), 1.0 - keras::config::epsilon());
  return -ops::sum(t * ops::log(p), {axis});
}

Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred_in,
                                       bool from_logits, int64_t axis) {
  const std::string who = "sparse_categorical_crossentropy";
  Tensor y_pred = floating(y_pred_in);
  if (y_pred.rank() < 1)
    detail::fail(who + ": expected y_pred with a class axis, but received shape " + y_pred.shape().str());
  if (core::normalize_axis(axis, y_pred.rank(), "sparse_categorical_crossentropy") != y_pred.rank() - 1)
    detail::fail(who + ": only axis -1 (the last axis) is supported, but received axis=" +
                 std::to_string(axis));
  Tensor labels = y_true;
  if (labels.rank() == y_pred.rank() && labels.shape()[labels.rank() - 1] == 1)
    labels = ops::squeeze(labels, {-1});
  std::vector<int64_t> lead(y_pred.shape().dims().begin(), y_pred.shape().dims().end() - 1);
  if (labels.shape().dims() != lead)
    detail::fail(who + ": expected y_true of shape " + core::Shape(lead).str() +
                 " (or with a trailing 1) for y_pred of shape " + y_pred.shape().str() +
                 ", but received y_true shape " + y_true.shape().str());
  int64_t classes = y_pred.shape()[y_pred.rank() - 1];
  detail::check_class_ids(labels, classes, who);
  Tensor logits = y_pred;
  if (!from_logits) {
    Tensor p = y_pred / ops::sum(y_pred, {-1}, /*keepdims=*/true);
    logits = ops::log(ops::clip(p, keras::config::epsilon(), 1.0 - keras::config::epsilon()));
  }
  return ops::sparse_softmax_cross_entropy_with_logits(ops::cast(labels, DType::int64), logits);
}

// ---- metrics ---------------------------------------------------------------------------
BinaryCrossentropy::BinaryCrossentropy(const BinaryCrossentropyOptions& o)
    : MeanMetricWrapper(
          [o](const Tensor& t, const Tensor& p) {
            return binary_crossentropy(t, p, o.from_logits, o.label_smoothing);
          },
          o.name, o.dtype, "binary_crossentropy"),
      o_(o) {
  check_smoothing(o.label_smoothing, name());
}

keras::Config BinaryCrossentropy::get_config() const {
  keras::Config c = Metric::get_config();
  c["from_logits"] = o_.from_logits;
  c["label_smoothing"] = o_.label_smoothing;
  return c;
}

CategoricalCrossentropy::CategoricalCrossentropy(const CategoricalCrossentropyOptions& o)
    : MeanMetricWrapper(
          [o](const Tensor& t, const Tensor& p) {
            return categorical_crossentropy(t, p, o.from_logits, o.label_smoothing, o.axis);
          },
          o.name, o.dtype, "categorical_crossentropy"),
      o_(o) {
  check_smoothing(o.label_smoothing, name());
}

keras::Config CategoricalCrossentropy::get_config() const {
  keras::Config c = Metric::get_config();
  c["from_logits"] = o_.from_logits;
  c["label_smoothing"] = o_.label_smoothing;
  c["axis"] = o_.axis;
  return c;
}

SparseCategoricalCrossentropy::SparseCategoricalCrossentropy(
    const SparseCategoricalCrossentropyOptions& o)
    : MeanMetricWrapper(
          [o](const Tensor& t, const Tensor& p) {
            return sparse_categorical_crossentropy(t, p, o.from_logits, o.axis);
          },
          o.name, o.dtype, "sparse_categorical_crossentropy"),
      o_(o) {}

keras::Config SparseCategoricalCrossentropy::get_config() const {
  keras::Config c = Metric::get_config();
  c["from_logits"] = o_.from_logits;
  c["axis"] = o_.axis;
  return c;
}

}  // namespace keras::metrics
