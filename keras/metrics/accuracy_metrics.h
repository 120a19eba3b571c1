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
/// mean(y_true == y_pred, axis=-1) (y_true cast to y_pred's dtype).
Tensor accuracy(const Tensor& y_true, const Tensor& y_pred);
/// mean(y_true == (y_pred > threshold), axis=-1).
Tensor binary_accuracy(const Tensor& y_true, const Tensor& y_pred, double threshold = 0.5);
/// argmax(y_true, -1) == argmax(y_pred, -1).
Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);
/// y_true == argmax(y_pred, -1); y_true (...,) or (..., 1).
Tensor sparse_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred);
/// argmax(y_true, -1) is among the k largest of y_pred (ties at the boundary count, as
/// tf.math.in_top_k).
Tensor top_k_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred, int64_t k = 5);
Tensor sparse_top_k_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred,
                                         int64_t k = 5);

// ---- metrics ----------------------------------------------------------------------------
struct AccuracyOptions {
  std::string name = "accuracy";
  DType dtype = DType::float32;
};
class Accuracy : public MeanMetricWrapper {
 public:
  explicit Accuracy(const AccuracyOptions& o = {});
  std::string class_name() const override { return "Accuracy"; }
  keras::Config get_config() const override;  ///< {"name", "dtype"}
};

struct BinaryAccuracyOptions {
  double threshold = 0.5;  ///< in (0, 1)
  std::string name = "binary_accuracy";
  DType dtype = DType::float32;
};
class BinaryAccuracy : public MeanMetricWrapper {
 public:
  explicit BinaryAccuracy(const BinaryAccuracyOptions& o = {});
  std::string class_name() const override { return "BinaryAccuracy"; }
  keras::Config get_config() const override;  ///< {"name", "dtype", "threshold"}
  double threshold() const { return threshold_; }

 private:
  double threshold_;
};

struct CategoricalAccuracyOptions {
  std::string name = "categorical_accuracy";
  DType dtype = DType::float32;
};
class CategoricalAccuracy : public MeanMetricWrapper {
 public:
  explicit CategoricalAccuracy(const CategoricalAccuracyOptions& o = {});
  std::string class_name() const override { return "CategoricalAccuracy"; }
  keras::Config get_config() const override;
};

struct SparseCategoricalAccuracyOptions {
  std::string name = "sparse_categorical_accuracy";
  DType dtype = DType::float32;
};
class SparseCategoricalAccuracy : public MeanMetricWrapper {
 public:
  explicit SparseCategoricalAccuracy(const SparseCategoricalAccuracyOptions& o = {});
  std::string class_name() const override { return "SparseCategoricalAccuracy"; }
  keras::Config get_config() const override;
};

struct TopKCategoricalAccuracyOptions {
  int64_t k = 5;  ///< >= 1
  std::string name = "top_k_categorical_accuracy";
  DType dtype = DType::float32;
};
class TopKCategoricalAccuracy : public MeanMetricWrapper {
 public:
  explicit TopKCategoricalAccuracy(const TopKCategoricalAccuracyOptions& o = {});
  std::string class_name() const override { return "TopKCategoricalAccuracy"; }
  keras::Config get_config() const override;  ///< {"name", "dtype", "k"}
  int64_t k() const { return k_; }

 private:
  int64_t k_;
};

struct SparseTopKCategoricalAccuracyOptions {
  int64_t k = 5;
  std::string name = "sparse_top_k_categorical_accuracy";
  DType dtype = DType::float32;
};
class SparseTopKCategoricalAccuracy : public MeanMetricWrapper {
 public:
  explicit SparseTopKCategoricalAccuracy(const SparseTopKCategoricalAccuracyOptions& o = {});
  std::string class_name() const override { return "SparseTopKCategoricalAccuracy"; }
  keras::Config get_config() const override;
  int64_t k() const { return k_; }

 private:
  int64_t k_;
};

}  // namespace keras::metrics
