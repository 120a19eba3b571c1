// iou_metrics.h - MeanIoU (keras.metrics.MeanIoU): the mean over classes of
// intersection-over-union, tp / (tp + fp + fn), from a streaming confusion matrix.
//
//   keras::metrics::MeanIoU miou(3);                    // class ids in y_true and y_pred
//   keras::metrics::MeanIoU dense(3, {.sparse_y_pred = false});   // argmax of scores
//
// Class ids must be integers in [0, num_classes) (std::invalid_argument naming the id and
// the range otherwise); elements whose label equals ignore_class are skipped. Inputs of
// any rank are flattened; sample_weight broadcasts to y_true. Classes that never occur
// (in labels or predictions) do not count in the mean.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "keras/metrics/metric.h"

namespace keras::metrics {

/// Options of MeanIoU (keras.metrics.MeanIoU's keyword arguments).
struct MeanIoUOptions {
  std::string name = "";  ///< "" -> "mean_io_u"
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
  /// Elements whose label equals this class are skipped (Keras `ignore_class`).
  std::optional<int64_t> ignore_class = std::nullopt;
  bool sparse_y_true = true;   ///< false: y_true holds scores; argmax over axis
  bool sparse_y_pred = true;   ///< false: y_pred holds scores; argmax over axis
  /// The class axis the argmax is taken over for dense inputs (Keras `axis`, default -1).
  int64_t axis = -1;
};

/// keras.metrics.MeanIoU: the mean intersection-over-union over classes (see above).
class MeanIoU : public Metric {
 public:
  /// The metric for num_classes classes (Keras `num_classes`, >= 1) with the given options.
  explicit MeanIoU(int64_t num_classes, const MeanIoUOptions& o = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  Tensor result() const override;
  std::string class_name() const override { return "MeanIoU"; }
  /// {"num_classes", "name", "dtype", "ignore_class", "sparse_y_true", "sparse_y_pred",
  ///  "axis"}
  keras::Config get_config() const override;
  /// The number of classes.
  int64_t num_classes() const { return num_classes_; }
  /// The accumulated (num_classes, num_classes) confusion matrix: rows are labels,
  /// columns predictions.
  Tensor confusion_matrix() const { return total_cm_.value(); }

 private:
  int64_t num_classes_;
  MeanIoUOptions o_;
  Variable total_cm_;
};

}  // namespace keras::metrics
