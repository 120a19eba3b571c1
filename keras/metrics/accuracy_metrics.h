// accuracy_metrics.h - Accuracy, BinaryAccuracy, CategoricalAccuracy,
// SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy
// (keras.metrics), and their per-sample functions.
//
//   keras::metrics::SparseCategoricalAccuracy acc;
//   acc.update_state(labels, probabilities);     // labels (N,) or (N, 1), class ids
//   keras::metrics::TopKCategoricalAccuracy top3({.k = 3});
//
// All are MeanMetricWrappers: result() is the (weighted) fraction of matches so far.
// Sparse labels must be integers in [0, num_classes) (std::invalid_argument names the
// label and the range otherwise).
#pragma once
#include <cstdint>
#include <string>

#include "keras/metrics/reduction_metrics.h"

namespace keras::metrics {

// ---- per-sample functions (keras.metrics.binary_accuracy etc.) ------------------------
/// y_true == y_pred as floats, elementwise (y_true cast to y_pred's dtype; Keras 3's, which
/// no longer averages the last axis: the metric class averages each sample's values).
Tensor accuracy(const Tensor& y_true, const Tensor& y_pred);
/// y_true == (y_pred > threshold) as floats, elementwise (Keras 3's).
Tensor binary_accuracy(const Tensor& y_true, const Tensor& y_pred, double threshold = 0.5);
/// argmax(y_true, -1) == argmax(y_pred, -1).
Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);
/// y_true == argmax(y_pred, -1); y_true (...,) or (..., 1).
Tensor sparse_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);
/// argmax(y_true, -1) is among the k largest of y_pred (ties at the boundary count, as
/// tf.math.in_top_k).
Tensor top_k_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred, int64_t k = 5);
/// y_true (integer class ids, (...,) or (..., 1)) is among the k largest of y_pred (ties at
/// the boundary count).
Tensor sparse_top_k_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred,
                                         int64_t k = 5);

// ---- metrics ----------------------------------------------------------------------------
/// Options of Accuracy (keras.metrics.Accuracy's arguments).
struct AccuracyOptions {
  /// The name training logs show (Keras `name`).
  std::string name = "accuracy";
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};
/// keras.metrics.Accuracy: the fraction of exact matches of y_pred and y_true (see
/// accuracy).
class Accuracy : public MeanMetricWrapper {
 public:
  /// The metric with the given options.
  explicit Accuracy(const AccuracyOptions& o = {});
  std::string class_name() const override { return "Accuracy"; }
  keras::Config get_config() const override;  ///< {"name", "dtype"}
};

/// Options of BinaryAccuracy (keras.metrics.BinaryAccuracy's arguments).
struct BinaryAccuracyOptions {
  double threshold = 0.5;  ///< in (0, 1)
  /// The name training logs show (Keras `name`).
  std::string name = "binary_accuracy";
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};
/// keras.metrics.BinaryAccuracy: the fraction of matches after thresholding y_pred (see
/// binary_accuracy).
class BinaryAccuracy : public MeanMetricWrapper {
 public:
  /// The metric with the given options.
  explicit BinaryAccuracy(const BinaryAccuracyOptions& o = {});
  std::string class_name() const override { return "BinaryAccuracy"; }
  keras::Config get_config() const override;  ///< {"name", "dtype", "threshold"}
  /// The threshold y_pred is compared with.
  double threshold() const { return threshold_; }

 private:
  double threshold_;
};

/// Options of CategoricalAccuracy (keras.metrics.CategoricalAccuracy's arguments).
struct CategoricalAccuracyOptions {
  /// The name training logs show (Keras `name`).
  std::string name = "categorical_accuracy";
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};
/// keras.metrics.CategoricalAccuracy: how often argmax(y_pred) matches a one-hot y_true
/// (see categorical_accuracy).
class CategoricalAccuracy : public MeanMetricWrapper {
 public:
  /// The metric with the given options.
  explicit CategoricalAccuracy(const CategoricalAccuracyOptions& o = {});
  std::string class_name() const override { return "CategoricalAccuracy"; }
  keras::Config get_config() const override;
};

/// Options of SparseCategoricalAccuracy (keras.metrics.SparseCategoricalAccuracy's
/// arguments).
struct SparseCategoricalAccuracyOptions {
  /// The name training logs show (Keras `name`).
  std::string name = "sparse_categorical_accuracy";
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};
/// keras.metrics.SparseCategoricalAccuracy: how often argmax(y_pred) matches integer labels
/// (see sparse_categorical_accuracy).
class SparseCategoricalAccuracy : public MeanMetricWrapper {
 public:
  /// The metric with the given options.
  explicit SparseCategoricalAccuracy(const SparseCategoricalAccuracyOptions& o = {});
  std::string class_name() const override { return "SparseCategoricalAccuracy"; }
  keras::Config get_config() const override;
};

/// Options of TopKCategoricalAccuracy (keras.metrics.TopKCategoricalAccuracy's arguments).
struct TopKCategoricalAccuracyOptions {
  int64_t k = 5;  ///< >= 1
  /// The name training logs show (Keras `name`).
  std::string name = "top_k_categorical_accuracy";
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};
/// keras.metrics.TopKCategoricalAccuracy: how often a one-hot y_true's class is among the k
/// largest predictions.
class TopKCategoricalAccuracy : public MeanMetricWrapper {
 public:
  /// The metric with the given options.
  explicit TopKCategoricalAccuracy(const TopKCategoricalAccuracyOptions& o = {});
  std::string class_name() const override { return "TopKCategoricalAccuracy"; }
  keras::Config get_config() const override;  ///< {"name", "dtype", "k"}
  /// The number of top predictions that count as a hit.
  int64_t k() const { return k_; }

 private:
  int64_t k_;
};

/// Options of SparseTopKCategoricalAccuracy (keras.metrics.SparseTopKCategoricalAccuracy's
/// arguments).
struct SparseTopKCategoricalAccuracyOptions {
  /// How many top predictions count as a hit (Keras `k`, default 5, >= 1).
  int64_t k = 5;
  /// The name training logs show (Keras `name`).
  std::string name = "sparse_top_k_categorical_accuracy";
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};
/// keras.metrics.SparseTopKCategoricalAccuracy: how often an integer label is among the k
/// largest predictions.
class SparseTopKCategoricalAccuracy : public MeanMetricWrapper {
 public:
  /// The metric with the given options.
  explicit SparseTopKCategoricalAccuracy(const SparseTopKCategoricalAccuracyOptions& o = {});
  std::string class_name() const override { return "SparseTopKCategoricalAccuracy"; }
  keras::Config get_config() const override;
  /// The number of top predictions that count as a hit.
  int64_t k() const { return k_; }

 private:
  int64_t k_;
};

}  // namespace keras::metrics
