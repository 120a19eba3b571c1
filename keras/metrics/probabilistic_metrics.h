// probabilistic_metrics.h - BinaryCrossentropy, CategoricalCrossentropy,
// SparseCategoricalCrossentropy metrics (keras.metrics) and their per-sample functions
// (Keras 3's keras.losses.binary_crossentropy etc., with the same clipping to
// [1e-7, 1 - 1e-7] for probabilities).
//
//   keras::metrics::SparseCategoricalCrossentropy xent({.from_logits = true});
#pragma once
#include <cstdint>
#include <string>

#include "keras/metrics/reduction_metrics.h"

namespace keras::metrics {

/// mean over `axis` of -(t log p + (1 - t) log(1 - p)), labels smoothed to
/// t (1 - s) + s / 2.
Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits = false,
                           double label_smoothing = 0.0, int64_t axis = -1);
/// -sum(t log p) over `axis` (p normalized to sum 1), labels smoothed to
/// t (1 - s) + s / num_classes.
Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred,
                                bool from_logits = false, double label_smoothing = 0.0,
                                int64_t axis = -1);
/// y_true: class ids (...,) or (..., 1) in [0, num_classes); only axis -1 is supported.
Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred,
                                       bool from_logits = false, int64_t axis = -1);

/// Options of BinaryCrossentropy (keras.metrics.BinaryCrossentropy's arguments).
struct BinaryCrossentropyOptions {
  /// Whether y_pred holds logits rather than probabilities (Keras `from_logits`, default
  /// false).
  bool from_logits = false;
  /// Label smoothing in [0, 1]: targets move toward 0.5 (Keras `label_smoothing`, default
  /// 0).
  double label_smoothing = 0.0;
  /// The name training logs show (Keras `name`).
  std::string name = "binary_crossentropy";
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};
/// keras.metrics.BinaryCrossentropy: the streaming mean of binary_crossentropy.
class BinaryCrossentropy : public MeanMetricWrapper {
 public:
  /// The metric with the given options.
  explicit BinaryCrossentropy(const BinaryCrossentropyOptions& o = {});
  std::string class_name() const override { return "BinaryCrossentropy"; }
  /// {"name", "dtype", "from_logits", "label_smoothing"}
  keras::Config get_config() const override;

 private:
  BinaryCrossentropyOptions o_;
};

/// Options of CategoricalCrossentropy (keras.metrics.CategoricalCrossentropy's arguments).
struct CategoricalCrossentropyOptions {
  /// Whether y_pred holds logits rather than probabilities (Keras `from_logits`, default
  /// false).
  bool from_logits = false;
  /// Label smoothing in [0, 1]: targets move toward 1 / num_classes (Keras
  /// `label_smoothing`, default 0).
  double label_smoothing = 0.0;
  /// The class axis (Keras `axis`, default -1).
  int64_t axis = -1;
  /// The name training logs show (Keras `name`).
  std::string name = "categorical_crossentropy";
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};
/// keras.metrics.CategoricalCrossentropy: the streaming mean of categorical_crossentropy.
class CategoricalCrossentropy : public MeanMetricWrapper {
 public:
  /// The metric with the given options.
  explicit CategoricalCrossentropy(const CategoricalCrossentropyOptions& o = {});
  std::string class_name() const override { return "CategoricalCrossentropy"; }
  /// {"name", "dtype", "from_logits", "label_smoothing", "axis"}
  keras::Config get_config() const override;

 private:
  CategoricalCrossentropyOptions o_;
};

/// Options of SparseCategoricalCrossentropy (keras.metrics.SparseCategoricalCrossentropy's
/// arguments).
struct SparseCategoricalCrossentropyOptions {
  /// Whether y_pred holds logits rather than probabilities (Keras `from_logits`, default
  /// false).
  bool from_logits = false;
  /// The class axis (Keras `axis`; only -1 is supported).
  int64_t axis = -1;
  /// The name training logs show (Keras `name`).
  std::string name = "sparse_categorical_crossentropy";
  /// The dtype of the state and of result() (Keras `dtype`, float32).
  DType dtype = DType::float32;
};
/// keras.metrics.SparseCategoricalCrossentropy: the streaming mean of
/// sparse_categorical_crossentropy.
class SparseCategoricalCrossentropy : public MeanMetricWrapper {
 public:
  /// The metric with the given options.
  explicit SparseCategoricalCrossentropy(const SparseCategoricalCrossentropyOptions& o = {});
  std::string class_name() const override { return "SparseCategoricalCrossentropy"; }
  /// {"name", "dtype", "from_logits", "axis"}
  keras::Config get_config() const override;

 private:
  SparseCategoricalCrossentropyOptions o_;
};

}  // namespace keras::metrics
