// accuracy_metrics.cpp - the accuracy functions and metrics.
#include "keras/metrics/accuracy_metrics.h"

#include "core/ops.h"
#include "keras/metrics/metrics_utils.h"

namespace keras::metrics {

namespace ops = core::ops;
using detail::to_dtype;

namespace {

Tensor matches_f32(const Tensor& a, const Tensor& b) {
  return ops::cast(ops::equal(a, b), DType::float32);
}

void need_rank(const Tensor& y_pred, int64_t rank, const char* who) {
  if (y_pred.rank() < rank)
    detail::fail(std::string(who) + ": expected y_pred of rank >= " + std::to_string(rank) +
                 " with classes on the last axis, but received shape " + y_pred.shape().str());
}

// tf.math.in_top_k: targets (N,) class ids, predictions (N, C); true where fewer than k
// classes score strictly higher than the target (ties at the boundary are in), and the
// target's score is finite.
Tensor in_top_k(const Tensor& targets, const Tensor& predictions, int64_t k, const char* who) {
  int64_t classes = predictions.shape()[predictions.rank() - 1];
  if (targets.size() != predictions.shape()[0])
    detail::fail(std::string(who) + ": expected one label per row of y_pred, but received " +
                 std::to_string(targets.size()) + " labels for y_pred rows of shape " +
                 predictions.shape().str());
  detail::check_class_ids(targets, classes, who);
  Tensor idx = ops::expand_dims(ops::cast(targets, DType::int64), -1);        // (N, 1)
  Tensor target_score = ops::take_along_axis(predictions, idx, 1);             // (N, 1)
  Tensor higher = ops::sum(ops::cast(ops::greater(predictions, target_score), DType::int64), {1});
  Tensor in = ops::less(higher, ops::fill(core::Shape{}, static_cast<double>(k), DType::int64));
  Tensor finite = ops::squeeze(ops::isfinite(target_score), {1});
  return ops::cast(ops::logical_and(in, finite), DType::float32);
}

}  // namespace

Tensor accuracy(const Tensor& y_true_in, const Tensor& y_pred) {
  Tensor y_true = to_dtype(y_true_in, y_pred.dtype());
  auto [t, p] = detail::squeeze_or_expand_to_same_rank(y_true, y_pred);
  return matches_f32(t, p);  // Keras 3's: elementwise (Mean reduces each sample's)
}

Tensor binary_accuracy(const Tensor& y_true_in, const Tensor& y_pred_in, double threshold) {
  auto [t, p] = detail::squeeze_or_expand_to_same_rank(y_true_in, y_pred_in);
  Tensor pred = ops::cast(ops::greater(p, ops::scalar_like(p, threshold)), t.dtype());
  return matches_f32(t, pred);  // Keras 3's: elementwise (Mean reduces each sample's)
}

Tensor categorical_accuracy(const Tensor& y_true_in, const Tensor& y_pred) {
  need_rank(y_pred, 1, "categorical_accuracy");
  need_rank(y_true_in, 1, "categorical_accuracy");
  Tensor t = ops::argmax(y_true_in, -1);
  core::Shape org = t.shape();
  bool reshape = false;
  if (t.rank() == y_pred.rank()) {  // y_true had an extra trailing axis
    t = ops::squeeze(t, {-1});
    reshape = true;
  }
  Tensor m = matches_f32(t, ops::argmax(y_pred, -1));
  return reshape ? ops::reshape(m, org.dims()) : m;
}

Tensor sparse_categorical_accuracy(const Tensor& y_true_in, const Tensor& y_pred) {
  need_rank(y_pred, 1, "sparse_categorical_accuracy");
  Tensor t = y_true_in;
  core::Shape org = t.shape();
  bool reshape = false;
  if (t.rank() == y_pred.rank() && t.rank() > 0 && t.shape()[t.rank() - 1] == 1) {
    t = ops::squeeze(t, {-1});
    reshape = true;
  }
  detail::check_class_ids(t, y_pred.shape()[y_pred.rank() - 1], "sparse_categorical_accuracy");
  Tensor p = to_dtype(ops::argmax(y_pred, -1), t.dtype());
  Tensor m = matches_f32(t, p);
  if (reshape) m = ops::reshape(m, org.dims());
  if (m.rank() > 1 && m.shape()[m.rank() - 1] == 1) m = ops::squeeze(m, {-1});
  return m;
}

namespace {
Tensor top_k_matches(const Tensor& labels, const Tensor& y_pred_in, int64_t k, const char* who) {
  need_rank(y_pred_in, 2, who);
  Tensor y_pred = y_pred_in;
  if (y_pred.rank() > 2) y_pred = ops::reshape(y_pred, {-1, y_pred.shape()[y_pred.rank() - 1]});
  core::Shape org = labels.shape();
  Tensor t = labels.rank() == 1 ? labels : ops::reshape(labels, {-1});
  Tensor m = in_top_k(t, y_pred, k, who);
  return labels.rank() > 1 ? ops::reshape(m, org.dims()) : m;
}
}  // namespace

Tensor top_k_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred, int64_t k) {
  return top_k_matches(ops::argmax(y_true, -1), y_pred, k, "top_k_categorical_accuracy");
}

Tensor sparse_top_k_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred, int64_t k) {
  return top_k_matches(y_true, y_pred, k, "sparse_top_k_categorical_accuracy");
}

// ---- metrics ---------------------------------------------------------------------------
namespace {
keras::Config name_dtype(const Metric& m) { return detail::name_dtype_config(m); }
}  // namespace

Accuracy::Accuracy(const AccuracyOptions& o)
    : MeanMetricWrapper(accuracy, o.name, o.dtype, "accuracy") {}
keras::Config Accuracy::get_config() const { return name_dtype(*this); }

BinaryAccuracy::BinaryAccuracy(const BinaryAccuracyOptions& o)
    : MeanMetricWrapper(
          [t = o.threshold](const Tensor& a, const Tensor& b) { return binary_accuracy(a, b, t); },
          o.name, o.dtype, "binary_accuracy"),
      threshold_(o.threshold) {
  if (!(o.threshold > 0 && o.threshold < 1))
    detail::fail(name() + ": expected threshold in the interval (0, 1), but received threshold=" +
                 detail::num_str(o.threshold));
}
keras::Config BinaryAccuracy::get_config() const {
  keras::Config c = name_dtype(*this);
  c["threshold"] = threshold_;
  return c;
}

CategoricalAccuracy::CategoricalAccuracy(const CategoricalAccuracyOptions& o)
    : MeanMetricWrapper(categorical_accuracy, o.name, o.dtype, "categorical_accuracy") {}
keras::Config CategoricalAccuracy::get_config() const { return name_dtype(*this); }

SparseCategoricalAccuracy::SparseCategoricalAccuracy(const SparseCategoricalAccuracyOptions& o)
    : MeanMetricWrapper(sparse_categorical_accuracy, o.name, o.dtype,
                        "sparse_categorical_accuracy") {}
keras::Config SparseCategoricalAccuracy::get_config() const { return name_dtype(*this); }

namespace {
void check_k(int64_t k, const std::string& who) {
  if (k < 1) detail::fail(who + ": expected k >= 1, but received k=" + std::to_string(k));
}
}  // namespace

TopKCategoricalAccuracy::TopKCategoricalAccuracy(const TopKCategoricalAccuracyOptions& o)
    : MeanMetricWrapper(
          [k = o.k](const Tensor& a, const Tensor& b) { return top_k_categorical_accuracy(a, b, k); },
          o.name, o.dtype, "top_k_categorical_accuracy"),
      k_(o.k) {
  check_k(o.k, name());
}
keras::Config TopKCategoricalAccuracy::get_config() const {
  keras::Config c = name_dtype(*this);
  c["k"] = k_;
  return c;
}

SparseTopKCategoricalAccuracy::SparseTopKCategoricalAccuracy(
    const SparseTopKCategoricalAccuracyOptions& o)
    : MeanMetricWrapper(
          [k = o.k](const Tensor& a, const Tensor& b) {
            return sparse_top_k_categorical_accuracy(a, b, k);
          },
          o.name, o.dtype, "sparse_top_k_categorical_accuracy"),
      k_(o.k) {
  check_k(o.k, name());
}
keras::Config SparseTopKCategoricalAccuracy::get_config() const {
  keras::Config c = name_dtype(*this);
  c["k"] = k_;
  return c;
}

}  // namespace keras::metrics
