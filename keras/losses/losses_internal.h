// losses_internal.h - (internal to keras/losses/) the helpers the loss sources share.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/losses.h"

namespace keras::losses::internal {

[[noreturn]] void fail(const std::string& message);
std::string num(double v);
std::string describe(const Tensor& t);
void check_defined(const std::string& who, const Tensor& t, const char* what);
void check_pred(const std::string& who, const Tensor& y_pred);
void check_label_smoothing(const std::string& who, double ls);
// y_true and y_pred checked, brought to the same rank and y_pred's dtype.
std::pair<Tensor, Tensor> prepare(const std::string& who, const Tensor& y_true, const Tensor& y_pred);
Tensor bce_elements(const Tensor& t, const Tensor& p, bool from_logits);
Tensor hinge_labels(const Tensor& t);
Tensor zero_like_scalar(const Tensor& t);
struct SparseResult {
  Tensor loss, mask;
};
// Integer class labels for y_pred (classes last, shape p): y_true without the class axis,
// whole numbers in [0, classes) or ignore_class, as int64. class_axis: y_pred's class
// axis (>= 0; -1: the last), for the error message.
Tensor class_labels(const std::string& who, const Tensor& y_true, const Tensor& y_pred, const core::Shape& p,
                    std::optional<int64_t> ignore_class, int64_t class_axis = -1);
// A loss's axis config (null, an int or a list of ints) as a list (empty for null).
std::vector<int64_t> axes_from_config(const keras::Value* v);
SparseResult sparse_cce(const std::string& who, const Tensor& y_true, const Tensor& y_pred, bool from_logits,
                        std::optional<int64_t> ignore_class, int64_t axis);
bool broadcastable(const core::Shape& a, const core::Shape& b);
std::pair<Tensor, Tensor> align_weight(const std::string& who, const Tensor& x, const Tensor& weight,
                                       const char* what);
std::string to_snake_case(const std::string& s);
LossOptions named(LossOptions o, const char* default_name);
const std::vector<std::string>& reductions();

}  // namespace keras::losses::internal
