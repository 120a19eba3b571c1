// iou_metrics.cpp - MeanIoU.
#include "keras/metrics/iou_metrics.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/metrics/metrics_utils.h"

namespace keras::metrics {

namespace ops = core::ops;
using detail::to_dtype;

namespace {
constexpr double kEpsilon = 1e-7;  // Keras's backend.epsilon()
}

MeanIoU::MeanIoU(int64_t num_classes, const MeanIoUOptions& o)
    : Metric(o.name.empty() ? "mean_io_u" : o.name, o.dtype), num_classes_(num_classes), o_(o) {
  if (num_classes < 1)
    detail::fail(name() + ": expected num_classes >= 1, but received num_classes=" +
                 std::to_string(num_classes));
  total_cm_ = add_variable("total_confusion_matrix", {num_classes, num_classes}, dtype());
}

void MeanIoU::update_state(const Tensor& y_true_in, const Tensor& y_pred_in, const Tensor& sample_weight) {
  if (!y_true_in.defined() || !y_pred_in.defined())
    detail::fail(name() + ": update_state expected y_true and y_pred, but received an undefined tensor");
  Tensor y_true = detach(y_true_in), y_pred = detach(y_pred_in);
  if (!o_.sparse_y_true) y_true = ops::argmax(y_true, o_.axis);
  if (!o_.sparse_y_pred) y_pred = ops::argmax(y_pred, o_.axis);
  y_true = ops::reshape(to_dtype(y_true, DType::float64), {-1});
  y_pred = ops::reshape(to_dtype(y_pred, DType::float64), {-1});
  if (y_true.size() != y_pred.size())
    detail::fail(name() + ": expected y_true and y_pred with the same number of elements, but "
                 "received shapes " + y_true_in.shape().str() + " and " + y_pred_in.shape().str());
  Tensor w = sample_weight.defined() ? to_dtype(detach(sample_weight), DType::float64)
                                     : detail::scalar(1.0, DType::float64);
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

Tensor MeanIoU::result() const {
  Tensor cm = total_cm_.value();
  Tensor sum_over_row = ops::sum(cm, {0});
  Tensor sum_over_col = ops::sum(cm, {1});
  Tensor eye = ops::eye(num_classes_, std::nullopt, dtype());
  Tensor tp = ops::sum(cm * eye, {1});
  Tensor denominator = sum_over_row + sum_over_col - tp;
  Tensor num_valid = ops::sum(ops::cast(ops::greater(denominator, ops::scalar_like(denominator, 1e-9)), dtype()));
  Tensor iou = tp / (denominator + kEpsilon);
  return ops::sum(iou) / (num_valid + kEpsilon);
}

keras::Config MeanIoU::get_config() const {
  keras::Config c = keras::Config::object();
  c["num_classes"] = num_classes_;
  c["name"] = name();
  c["dtype"] = core::dtype_name(dtype());
  c["ignore_class"] = o_.ignore_class ? keras::Value(*o_.ignore_class) : keras::Value();
  c["sparse_y_true"] = o_.sparse_y_true;
  c["sparse_y_pred"] = o_.sparse_y_pred;
  c["axis"] = o_.axis;
  return c;
}

}  // namespace keras::metrics
