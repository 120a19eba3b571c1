// iou_metrics.cpp - IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU (Keras 3's formulas).
#include "keras/metrics/iou_metrics.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/metrics/metrics_utils.h"
#include "keras/settings.h"

namespace keras::metrics {

namespace ops = core::ops;
using detail::to_dtype;

namespace {

std::vector<int64_t> all_classes(int64_t n) {
  std::vector<int64_t> ids;
  for (int64_t i = 0; i < n; ++i) ids.push_back(i);
  return ids;
}

keras::Value id_list(const std::vector<int64_t>& ids) {
  std::vector<keras::Value> v;
  for (int64_t i : ids) v.emplace_back(i);
  return keras::Value(v);
}

// Values as the state's dtype holds them (an integer dtype truncates, as Keras's
// convert_to_tensor(x, dtype="int")), in float64 for the arithmetic.
Tensor as_state(const Tensor& x, DType dtype) {
  if (core::is_floating(dtype)) return to_dtype(x, DType::float64);
  return to_dtype(to_dtype(x, DType::int64), DType::float64);
}
}  // namespace

IoU::IoU(int64_t num_classes, std::vector<int64_t> target_class_ids, const IoUOptions& o)
    : IoU("io_u", num_classes, std::move(target_class_ids), o) {}

IoU::IoU(const std::string& default_name, int64_t num_classes, std::vector<int64_t> target_class_ids,
         const IoUOptions& o)
    : Metric(o.name.empty() ? default_name : o.name, o.dtype, IntegerStateAllowed{}),
      num_classes_(num_classes),
      targets_(std::move(target_class_ids)),
      o_(o) {
  if (num_classes < 1)
    detail::fail(name() + ": expected num_classes >= 1, but received num_classes=" + std::to_string(num_classes));
  if (targets_.empty()) detail::fail(name() + ": expected at least one target class id");
  for (int64_t id : targets_)
    if (id < 0 || id >= num_classes)
      detail::fail(name() + ": target class id " + std::to_string(id) + " is out of range, which is [0, " +
                   std::to_string(num_classes) + ")");
  total_cm_ = add_variable("total_confusion_matrix", {num_classes, num_classes}, dtype());
}

void IoU::update_state(const Tensor& y_true_in, const Tensor& y_pred_in, const Tensor& sample_weight) {
  if (!y_true_in.defined() || !y_pred_in.defined())
    detail::fail(name() + ": update_state expected y_true and y_pred, but received an undefined tensor");
  Tensor y_true = detach(y_true_in), y_pred = detach(y_pred_in);
  if (!o_.sparse_y_true) y_true = ops::argmax(y_true, o_.axis);
  if (!o_.sparse_y_pred) y_pred = ops::argmax(y_pred, o_.axis);
  y_true = ops::reshape(as_state(y_true, dtype()), {-1});
  y_pred = ops::reshape(as_state(y_pred, dtype()), {-1});
  if (y_true.size() != y_pred.size())
    detail::fail(name() + ": expected y_true and y_pred with the same number of elements, but "
                 "received shapes " + y_true_in.shape().str() + " and " + y_pred_in.shape().str());
  Tensor w = sample_weight.defined() ? as_state(detach(sample_weight), dtype()) : detail::scalar(1.0, DType::float64);
  if (w.rank() > 1) w = ops::reshape(w, {-1});
  try {
    w = ops::broadcast_to(w, y_true.shape());
  } catch (const std::invalid_argument&) {
    detail::fail(name() + ": expected sample_weight broadcastable to y_true's shape " +
                 y_true_in.shape().str() + ", but received shape " + sample_weight.shape().str());
  }
  if (o_.ignore_class) {
    Tensor valid = ops::cast(
        ops::not_equal(y_true, detail::scalar(static_cast<double>(*o_.ignore_class), DType::float64)),
        DType::float64);
    detail::check_class_ids(y_true, num_classes_, name(), "label", o_.ignore_class);
    y_true = y_true * valid;
    y_pred = y_pred * valid;
    w = w * valid;
  } else {
    detail::check_class_ids(y_true, num_classes_, name(), "label");
  }
  detail::check_class_ids(y_pred, num_classes_, name(), "prediction");
  Tensor ids = ops::cast(y_true * static_cast<double>(num_classes_) + y_pred, DType::int64);
  Tensor cm = ops::unsorted_segment_sum(w, ids, num_classes_ * num_classes_);
  total_cm_.assign_add(to_dtype(ops::reshape(cm, {num_classes_, num_classes_}), dtype()));
}

Tensor IoU::result() const {
  // Keras: the sums and the diagonal in the state's dtype, the ratios in float32.
  Tensor cm = total_cm_.value();
  Tensor eye = ops::eye(num_classes_, std::nullopt, cm.dtype());
  Tensor tp = ops::sum(cm * eye, {1});
  Tensor denominator = ops::sum(cm, {0}) + ops::sum(cm, {1}) - tp;
  Tensor ids = core::constant(targets_);
  tp = to_dtype(ops::take(tp, ids), DType::float32);
  denominator = to_dtype(ops::take(denominator, ids), DType::float32);
  Tensor valid = ops::greater(denominator, ops::scalar_like(denominator, 1e-9));
  Tensor num_valid = ops::sum(ops::cast(valid, DType::float32));
  Tensor iou = ops::where(valid, tp / (denominator + keras::config::epsilon()), ops::scalar_like(tp, 0.0));
  return ops::sum(iou) / (num_valid + keras::config::epsilon());
}

keras::Config IoU::get_config() const {
  keras::Config c = keras::Config::object();
  c["name"] = name();
  c["dtype"] = core::dtype_name(dtype());
  c["num_classes"] = num_classes_;
  c["target_class_ids"] = id_list(targets_);
  c["ignore_class"] = o_.ignore_class ? keras::Value(*o_.ignore_class) : keras::Value();
  c["sparse_y_true"] = o_.sparse_y_true;
  c["sparse_y_pred"] = o_.sparse_y_pred;
  c["axis"] = o_.axis;
  return c;
}

// ---- MeanIoU --------------------------------------------------------------------------------
MeanIoU::MeanIoU(int64_t num_classes, const MeanIoUOptions& o)
    : IoU("mean_io_u", num_classes, all_classes(std::max<int64_t>(num_classes, 1)), o) {}

keras::Config MeanIoU::get_config() const {
  keras::Config c = keras::Config::object();
  c["num_classes"] = num_classes();
  c["name"] = name();
  c["dtype"] = core::dtype_name(dtype());
  c["ignore_class"] = options().ignore_class ? keras::Value(*options().ignore_class) : keras::Value();
  c["sparse_y_true"] = options().sparse_y_true;
  c["sparse_y_pred"] = options().sparse_y_pred;
  c["axis"] = options().axis;
  return c;
}

// ---- BinaryIoU ------------------------------------------------------------------------------
BinaryIoU::BinaryIoU(const BinaryIoUOptions& o)
    : IoU("binary_io_u", 2, o.target_class_ids, IoUOptions{.name = o.name, .dtype = o.dtype}),
      threshold_(o.threshold) {}

void BinaryIoU::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor& sample_weight) {
  if (!y_pred.defined()) detail::fail(name() + ": update_state expected y_pred, but received an undefined tensor");
  Tensor p = to_dtype(detach(y_pred), DType::float32);
  IoU::update_state(y_true, ops::greater_equal(p, ops::scalar_like(p, threshold_)), sample_weight);
}

keras::Config BinaryIoU::get_config() const {
  keras::Config c = keras::Config::object();
  c["target_class_ids"] = id_list(target_class_ids());
  c["threshold"] = threshold_;
  c["name"] = name();
  c["dtype"] = core::dtype_name(dtype());
  return c;
}

// ---- OneHotIoU, OneHotMeanIoU ----------------------------------------------------------------
namespace {
IoUOptions one_hot(const OneHotIoUOptions& o) {
  return IoUOptions{.name = o.name, .dtype = o.dtype, .ignore_class = o.ignore_class, .sparse_y_true = false,
                    .sparse_y_pred = o.sparse_y_pred, .axis = o.axis};
}
void one_hot_config(keras::Config& c, const IoU& m, bool targets) {
  const keras::Config base = m.IoU::get_config();
  c["num_classes"] = m.num_classes();
  if (targets) c["target_class_ids"] = id_list(m.target_class_ids());
  for (const char* k : {"name", "dtype", "ignore_class", "sparse_y_pred", "axis"}) c[k] = base.at(k);
}
}  // namespace

OneHotIoU::OneHotIoU(int64_t num_classes, std::vector<int64_t> target_class_ids, const OneHotIoUOptions& o)
    : IoU("one_hot_io_u", num_classes, std::move(target_class_ids), one_hot(o)) {}

keras::Config OneHotIoU::get_config() const {
  keras::Config c = keras::Config::object();
  one_hot_config(c, *this, true);
  return c;
}

OneHotMeanIoU::OneHotMeanIoU(int64_t num_classes, const OneHotIoUOptions& o)
    : IoU("one_hot_mean_io_u", num_classes, all_classes(std::max<int64_t>(num_classes, 1)), one_hot(o)) {}

keras::Config OneHotMeanIoU::get_config() const {
  keras::Config c = keras::Config::object();
  one_hot_config(c, *this, false);
  return c;
}

}  // namespace keras::metrics
