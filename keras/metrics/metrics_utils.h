// metrics_utils.h - helpers shared by the metric implementations (private to
// keras/metrics; not part of the public API).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/ops.h"
#include "core/tensor.h"
#include "keras/config.h"
#include "keras/metrics/metric.h"

namespace keras::metrics::detail {

using core::DType;
using core::Tensor;

[[noreturn]] void fail(const std::string& message);
// A double as Python prints it in messages ("0.5", "3").
std::string num_str(double v);

// x cast to dtype (x itself when it already has it).
Tensor to_dtype(const Tensor& x, DType dtype);
// A scalar of dtype.
Tensor scalar(double value, DType dtype);
// Axes first..last-1.
std::vector<int64_t> axes_range(int64_t first, int64_t last);
// a / b, and 0 where b == 0 (ops.divide_no_nan).
Tensor divide_no_nan(const Tensor& a, const Tensor& b);

// Keras's squeeze_or_expand_to_same_rank: when the ranks differ by one and the longer
// one ends in a size-1 axis, squeeze it (or, if the shorter is rank 1 and
// expand_rank_1, expand the shorter one).
std::pair<Tensor, Tensor> squeeze_or_expand_to_same_rank(Tensor x1, Tensor x2,
                                                         bool expand_rank_1 = true);

// Throws std::invalid_argument naming `who`, the offending label and the valid range
// unless every element of labels is an integer in [0, num_classes) (elements equal to
// `ignore` are skipped).
void check_class_ids(const Tensor& labels, int64_t num_classes, const std::string& who,
                     const std::string& what = "label",
                     std::optional<int64_t> ignore = std::nullopt);

// Throws naming `who` unless a and b have the same shape.
void check_same_shape(const Tensor& y_true, const Tensor& y_pred, const std::string& who);

/// A metric's config of only its name and dtype (Keras's get_config of the metrics that take
/// no other argument).
keras::Config name_dtype_config(const Metric& m);

/// Defines the constructor and get_config of a class declared by
/// KERAS_MEAN_METRIC_WRAPPER_CLASS: the streaming mean of `ns::fn` per sample, whose config
/// names it "fn" (so deserialize finds the function again).
#define KERAS_MEAN_METRIC_WRAPPER_DEFINE(Class, ns, fn)                                                           \
  Class::Class(const Class##Options& o)                                                                           \
      : MeanMetricWrapper([](const Tensor& t, const Tensor& p) { return ns::fn(t, p); }, o.name, o.dtype, #fn) {} \
  keras::Config Class::get_config() const { return ::keras::metrics::detail::name_dtype_config(*this); }

}  // namespace keras::metrics::detail
