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

struct BinaryCrossentropyOptions {
  bool from_logits = false;
  double label_smoothing = 0.0;
  std::string name = "binary_crossentropy";
  DType dtype = DType::float32;
};
class BinaryCrossentropy : public MeanMetricWrapper {
 public:
  explicit BinaryCrossentropy(const BinaryCrossentropyOptions& o = {});
  std::string class_name() const override { return "BinaryCrossentropy"; }
  /// {"name", "dtype", "from_logits", "label_smoothing"}
  keras::Config get_config() const override;

 private:
  BinaryCrossentropyOptions o_;
};

struct CategoricalCrossentropyOptions {
  bool from_logits = false;
  double label_smoothing = 0.0;
  int64_t axis = -1;
  std::string name = "categorical_crossentropy";
  DType dtype = DType::float32;
};
class CategoricalCrossentropy : public MeanMetricWrapper {
 public:
  explicit CategoricalCrossentropy(const CategoricalCrossentropyOptions& o = {});
  std::string class_name() const override { return "CategoricalCrossentropy"; }
  /// {"name", "dtype", "from_logits", "label_smoothing", "axis"}
  keras::Config get_config() const override;

 private:
  CategoricalCrossentropyOptions o_;
};

struct SparseCategoricalCrossentropyOptions {
  bool from_logits = false;
  int64_t axis = -1;
  std::string name = "sparse_categorical_crossentropy";
  DType dtype = DType::float32;
};
class SparseCategoricalCrossentropy : public MeanMetricWrapper {
 public:
  explicit SparseCategoricalCrossentropy(const SparseCategoricalCrossentropyOptions& o = {});
  std::string class_name() const override { return "SparseCategoricalCrossentropy"; }
  /// {"name", "dtype", "from_logits", "axis"}
  keras::Config get_config() const override;

 private:
  SparseCategoricalCrossentropyOptions o_;
};

}  // namespace keras::metrics
