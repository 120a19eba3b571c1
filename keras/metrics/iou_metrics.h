// iou_metrics.h - the intersection-over-union metrics (keras.metrics.IoU, MeanIoU,
// BinaryIoU, OneHotIoU, OneHotMeanIoU): tp / (tp + fp + fn) per class, from a streaming
// confusion matrix, averaged over target classes.
//
//   keras::metrics::MeanIoU miou(3);                    // class ids in y_true and y_pred
//   keras::metrics::IoU road(3, {1});                   // class 1 only
//   keras::metrics::BinaryIoU mask({.threshold = 0.3}); // probabilities vs 0/1 labels
//   keras::metrics::OneHotMeanIoU oh(3);                // one-hot labels, scores
//
// As in Keras 3 the state's dtype is int64 by default, so fractional sample weights are
// truncated (pass .dtype = float32 for weighted counts). Class ids must be integers in
// [0, num_classes) (std::invalid_argument naming the id and the range otherwise, where
// Keras 3.15 drops such elements silently); elements whose label equals ignore_class are
// skipped. Inputs of any rank are flattened; sample_weight broadcasts to y_true. Target
// classes that never occur (in labels or predictions) do not count in the mean. result()
// is float32.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/metrics/metric.h"

namespace keras::metrics {

/// Options of IoU and MeanIoU (keras.metrics.IoU's keyword arguments).
struct IoUOptions {
  /// "" -> the class's snake_case name ("io_u", "mean_io_u").
  std::string name = "";
  /// The dtype of the confusion matrix (Keras `dtype`, int64 by default as Keras 3).
  DType dtype = DType::int64;
  /// Elements whose label equals this class are skipped (Keras `ignore_class`).
  std::optional<int64_t> ignore_class = std::nullopt;
  bool sparse_y_true = true;   ///< false: y_true holds scores; argmax over axis
  bool sparse_y_pred = true;   ///< false: y_pred holds scores; argmax over axis
  /// The class axis the argmax is taken over for dense inputs (Keras `axis`, default -1).
  int64_t axis = -1;
};
/// MeanIoU takes IoU's options.
using MeanIoUOptions = IoUOptions;

/// keras.metrics.IoU: the mean IoU over target_class_ids (see above).
class IoU : public Metric {
 public:
  /// num_classes >= 1; target_class_ids non-empty, each in [0, num_classes).
  IoU(int64_t num_classes, std::vector<int64_t> target_class_ids, const IoUOptions& o = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  Tensor result() const override;
  std::string class_name() const override { return "IoU"; }
  /// {"name", "dtype", "num_classes", "target_class_ids", "ignore_class", "sparse_y_true",
  ///  "sparse_y_pred", "axis"}
  keras::Config get_config() const override;
  /// The number of classes.
  int64_t num_classes() const { return num_classes_; }
  /// The classes averaged.
  const std::vector<int64_t>& target_class_ids() const { return targets_; }
  /// The accumulated (num_classes, num_classes) confusion matrix: rows are labels,
  /// columns predictions.
  Tensor confusion_matrix() const { return total_cm_.value(); }

 protected:
  /// For the subclasses: their default name.
  IoU(const std::string& default_name, int64_t num_classes, std::vector<int64_t> target_class_ids,
      const IoUOptions& o);
  /// The options in use.
  const IoUOptions& options() const { return o_; }

 private:
  int64_t num_classes_;
  std::vector<int64_t> targets_;
  IoUOptions o_;
  Variable total_cm_;
};

/// keras.metrics.MeanIoU: IoU over every class.
class MeanIoU : public IoU {
 public:
  /// The metric for num_classes classes (Keras `num_classes`, >= 1) with the given options.
  explicit MeanIoU(int64_t num_classes, const MeanIoUOptions& o = {});
  std::string class_name() const override { return "MeanIoU"; }
  /// {"num_classes", "name", "dtype", "ignore_class", "sparse_y_true", "sparse_y_pred",
  ///  "axis"}
  keras::Config get_config() const override;
};

/// Options of BinaryIoU (keras.metrics.BinaryIoU's keyword arguments).
struct BinaryIoUOptions {
  /// The classes averaged: 0, 1 or both (Keras `target_class_ids`, default {0, 1}).
  std::vector<int64_t> target_class_ids = {0, 1};
  /// Predictions >= threshold are class 1 (Keras `threshold`, default 0.5).
  double threshold = 0.5;
  std::string name = "";  ///< "" -> "binary_io_u"
  /// The dtype of the confusion matrix (Keras `dtype`, int64 by default).
  DType dtype = DType::int64;
};
/// keras.metrics.BinaryIoU: IoU of 0/1 labels and thresholded predictions.
class BinaryIoU : public IoU {
 public:
  /// The metric with the given options.
  explicit BinaryIoU(const BinaryIoUOptions& o = {});
  void update_state(const Tensor& y_true, const Tensor& y_pred,
                    const Tensor& sample_weight = Tensor()) override;
  std::string class_name() const override { return "BinaryIoU"; }
  /// {"target_class_ids", "threshold", "name", "dtype"}
  keras::Config get_config() const override;

 private:
  double threshold_;
};

/// Options of OneHotIoU and OneHotMeanIoU (their keyword arguments).
struct OneHotIoUOptions {
  std::string name = "";  ///< "" -> "one_hot_io_u" / "one_hot_mean_io_u"
  /// The dtype of the confusion matrix (Keras `dtype`, int64 by default).
  DType dtype = DType::int64;
  /// Elements whose label equals this class are skipped (Keras `ignore_class`).
  std::optional<int64_t> ignore_class = std::nullopt;
  bool sparse_y_pred = false;  ///< true: y_pred holds class ids
  /// The class axis (Keras `axis`, default -1).
  int64_t axis = -1;
};
/// keras.metrics.OneHotIoU: IoU of one-hot labels and scores (argmax over axis).
class OneHotIoU : public IoU {
 public:
  /// See IoU.
  OneHotIoU(int64_t num_classes, std::vector<int64_t> target_class_ids, const OneHotIoUOptions& o = {});
  std::string class_name() const override { return "OneHotIoU"; }
  /// {"num_classes", "target_class_ids", "name", "dtype", "ignore_class", "sparse_y_pred",
  ///  "axis"}
  keras::Config get_config() const override;
};
/// keras.metrics.OneHotMeanIoU: MeanIoU of one-hot labels and scores.
class OneHotMeanIoU : public IoU {
 public:
  /// See MeanIoU.
  explicit OneHotMeanIoU(int64_t num_classes, const OneHotIoUOptions& o = {});
  std::string class_name() const override { return "OneHotMeanIoU"; }
  /// {"num_classes", "name", "dtype", "ignore_class", "sparse_y_pred", "axis"}
  keras::Config get_config() const override;
};

}  // namespace keras::metrics
