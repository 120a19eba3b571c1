// confusion_internal.h - (keras-internal) what the confusion-matrix metrics share:
// Keras's update_confusion_matrix_variables and its helpers (confusion_metrics.cpp), for
// TruePositives & co., Precision and Recall there and AUC in auc_metric.cpp.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "core/autodiff.h"

namespace keras::metrics::detail {

using core::Tensor;
using core::Variable;

inline constexpr double kNegInf = -1e10;   // metrics_utils.NEG_INF (top_k filtering)

std::string list_str(const std::vector<double>& v);
// Keras's is_evenly_distributed_thresholds: at least 3 values, allclose to i / (n - 1).
bool evenly_distributed(const std::vector<double>& t);
// x[:-1] and x[1:] along axis 0.
Tensor head(const Tensor& x);
Tensor tail(const Tensor& x);

struct ConfusionVariables {
  Variable* tp = nullptr;
  Variable* fp = nullptr;
  Variable* tn = nullptr;
  Variable* fn = nullptr;
};

struct UpdateArgs {
  std::vector<double> thresholds;
  std::optional<int64_t> top_k;
  std::optional<int64_t> class_id;
  bool multi_label = false;
  Tensor label_weights;       // applied to the flattened data when !multi_label
  bool clip_predictions = false;  // Keras's evenly-distributed path clips y_pred to [0, 1]
};

// Keras's update_confusion_matrix_variables: y_pred > threshold is a positive prediction,
// y_true != 0 a positive label; the weighted counts are added per threshold.
void update_confusion(const ConfusionVariables& vars, const Tensor& y_true_in, const Tensor& y_pred_in,
                      const Tensor& sample_weight, core::DType dtype, const UpdateArgs& a, const std::string& who);

}  // namespace keras::metrics::detail
