// helpers.cpp - what the losses share: argument checks, label preparation, sample-weight
// alignment, squeeze_or_expand_to_same_rank.
#include "keras/losses.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include "core/control_flow.h"
#include "core/element_check.h"
#include "core/function.h"
#include "core/ops.h"
#include "keras/losses/losses_internal.h"
#include "keras/settings.h"

namespace keras::losses {

namespace ops = core::ops;
using core::DType;
using core::Shape;
using namespace internal;

namespace internal {

[[noreturn]] void fail(const std::string& message) { throw std::invalid_argument(message); }

std::string num(double v) { return keras::Value(v).to_json(); }

std::string describe(const Tensor& t) {
  return std::string("shape ") + t.shape().str() + " and dtype " + core::dtype_name(t.dtype());
}

void check_defined(const std::string& who, const Tensor& t, const char* what) {
  if (!t.defined())
    fail(who + ": expected " + what + " to be a tensor, but received an undefined tensor");
}

void check_pred(const std::string& who, const Tensor& y_pred) {
  check_defined(who, y_pred, "y_pred");
  if (!core::is_floating(y_pred.dtype()))
    fail(who + ": expected y_pred of a floating-point dtype (float32 or float64), but "
               "received y_pred with " + describe(y_pred));
}

void check_label_smoothing(const std::string& who, double ls) {
  if (!(ls >= 0.0 && ls <= 1.0))
    fail(who + ": expected label_smoothing in [0, 1], but received " + num(ls));
}

// Checks y_pred, casts y_true to its dtype, aligns the ranks as Keras does and requires
// the same shape and rank >= 1.
std::pair<Tensor, Tensor> prepare(const std::string& who, const Tensor& y_true,
                                  const Tensor& y_pred) {
  check_pred(who, y_pred);
  check_defined(who, y_true, "y_true");
  Tensor t = y_true.dtype() == y_pred.dtype() ? y_true : ops::cast(y_true, y_pred.dtype());
  auto [a, b] = squeeze_or_expand_to_same_rank(t, y_pred);
  if (a.shape() != b.shape())
    fail(who + ": expected y_true and y_pred to have the same shape, but received "
               "y_true.shape=" + y_true.shape().str() + " and y_pred.shape=" +
         y_pred.shape().str());
  if (b.rank() < 1)
    fail(who + ": expected y_true and y_pred of rank >= 1 (the loss is reduced over an "
               "axis), but received scalars");
  return {a, b};
}

// Elementwise binary crossentropy: keras.ops.binary_crossentropy, as Keras's losses call it.
Tensor bce_elements(const Tensor& t, const Tensor& p, bool from_logits) {
  return ops::binary_crossentropy(t, p, from_logits);
}

// Labels all in {0, 1} become {-1, 1} (Keras's convert_binary_labels_to_hinge).
Tensor hinge_labels(const Tensor& t) {
  Tensor is_binary = ops::all(ops::logical_or(ops::equal(t, ops::scalar_like(t, 0.0)),
                                              ops::equal(t, ops::scalar_like(t, 1.0))));
  return ops::where(is_binary, t * 2.0 - 1.0, t);
}

Tensor zero_like_scalar(const Tensor& t) { return ops::scalar_like(t, 0.0); }

// Integer class labels of y_pred (classes last, shape `p`) without its class axis (a
// trailing size-1 axis of y_true squeezed), checked to be whole numbers in [0, classes)
// (or ignore_class) and returned as int64.
Tensor class_labels(const std::string& who, const Tensor& y_true, const Tensor& y_pred, const Shape& p,
                    std::optional<int64_t> ignore_class, int64_t class_axis) {
  const int64_t classes = p[p.rank() - 1];
  const int64_t a = class_axis < 0 ? p.rank() - 1 : class_axis;
  Tensor labels = y_true;
  if (labels.rank() == p.rank() && labels.rank() > 0 && labels.shape()[labels.rank() - 1] == 1)
    labels = ops::squeeze(labels, {-1});
  Shape want(std::vector<int64_t>(p.dims().begin(), p.dims().end() - 1));
  if (labels.shape() != want)
    fail(who + ": expected y_true to have shape " + want.str() + " (the shape of y_pred " +
         y_pred.shape().str() + " without the class axis), but received y_true.shape=" +
         y_true.shape().str());
  if (labels.dtype() == DType::bool_)
    fail(who + ": expected integer class labels, but received y_true of dtype bool");
  // Whole numbers in [0, classes) (or ignore_class), checked by an op: at once when
  // eager, at every run of a traced step.
  const bool floating = core::is_floating(labels.dtype());
  const std::string key = who + "|" + std::to_string(classes) + "|" + std::to_string(a) + "|" + (floating ? "f" : "i") +
                          (ignore_class ? "|" + std::to_string(*ignore_class) : "");
  const core::ops::ElementRange range{
      .lo = 0, .hi = double(classes), .whole = floating,
      .ignore = ignore_class ? std::optional<double>(double(*ignore_class)) : std::nullopt};
  core::ops::check_range(
      labels, range,
      [=](double v, int64_t i, const Shape& label_shape) {
        std::vector<int64_t> pred_dims = label_shape.dims();  // y_pred's shape as the check runs
        pred_dims.insert(pred_dims.begin() + a, classes);
        const std::string pred_shape = Shape(pred_dims).str();
        if (floating && v != std::floor(v))
          return who + ": expected whole-number class labels, but received " + num(v) + " at flat index " +
                 std::to_string(i) + " of y_true";
        return who + ": expected class labels in [0, " + std::to_string(classes) + ")" +
               (ignore_class ? " or ignore_class " + std::to_string(*ignore_class) : "") + " for y_pred with " +
               std::to_string(classes) + " classes (shape " + pred_shape + "), but received label " +
               (std::fabs(v) < 9e18 ? std::to_string(static_cast<long long>(v)) : num(v)) + " at flat index " + std::to_string(i) + " of y_true";
      },
      key);
  if (labels.dtype() != DType::int64) labels = ops::cast(labels, DType::int64);
  return labels;
}

SparseResult sparse_cce(const std::string& who, const Tensor& y_true, const Tensor& y_pred,
                        bool from_logits, std::optional<int64_t> ignore_class, int64_t axis) {
  check_pred(who, y_pred);
  check_defined(who, y_true, "y_true");
  if (y_pred.rank() < 1)
    fail(who + ": expected y_pred of rank >= 1 (classes on the class axis), but received "
               "y_pred with " + describe(y_pred));
  const int64_t a = core::normalize_axis(axis, y_pred.rank(), who.c_str());
  Tensor p = y_pred;
  if (a != p.rank() - 1) {  // move the class axis last
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < p.rank(); ++i)
      if (i != a) perm.push_back(i);
    perm.push_back(a);
    p = ops::transpose(p, perm);
  }
  const int64_t classes = p.shape()[p.rank() - 1];
  Tensor labels = class_labels(who, y_true, y_pred, p.shape(), ignore_class, a);
  Tensor mask;
  if (ignore_class) {
    mask = ops::not_equal(labels, ops::scalar_like(labels, double(*ignore_class)));
    labels = ops::where(mask, labels, ops::zeros_like(labels));
  }
  Tensor loss;
  if (from_logits) {
    loss = ops::sparse_softmax_cross_entropy_with_logits(labels, p);
  } else {
    Tensor out = ops::clip(p / ops::sum(p, {-1}, true), keras::config::epsilon(), 1.0 - keras::config::epsilon());
    Tensor target = ops::one_hot(labels, classes, {.dtype = p.dtype()});
    loss = -ops::sum(target * ops::log(out), {-1});
  }
  if (mask.defined()) loss = ops::where(mask, loss, ops::zeros_like(loss));
  return {loss, mask};
}

bool broadcastable(const Shape& a, const Shape& b) {
  const int64_t n = std::max(a.rank(), b.rank());
  for (int64_t i = 1; i <= n; ++i) {
    int64_t da = i <= a.rank() ? a[a.rank() - i] : 1;
    int64_t db = i <= b.rank() ? b[b.rank() - i] : 1;
    if (da != db && da != 1 && db != 1) return false;
  }
  return true;
}

// Aligns a weight to x as Keras does, then gives it trailing size-1 axes up to x's rank
// (a per-sample weight scales every element of its sample). Returns (x, weight).
std::pair<Tensor, Tensor> align_weight(const std::string& who, const Tensor& x,
                                       const Tensor& weight, const char* what) {
  auto [a, w] = squeeze_or_expand_to_same_rank(x, weight);
  if (w.rank() < a.rank()) {
    std::vector<int64_t> dims = w.shape().dims();
    dims.resize(static_cast<size_t>(a.rank()), 1);
    w = ops::reshape(w, dims);
  }
  if (!broadcastable(a.shape(), w.shape()))
    fail(who + ": expected " + what + " with a shape broadcastable to the per-sample "
               "losses' shape " + x.shape().str() + ", but received " + what + ".shape=" +
         weight.shape().str());
  return {a, w};
}

std::string to_snake_case(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isupper(c) && i > 0) {
      const unsigned char prev = static_cast<unsigned char>(s[i - 1]);
      const bool next_lower =
          i + 1 < s.size() && std::islower(static_cast<unsigned char>(s[i + 1]));
      if (std::islower(prev) || std::isdigit(prev) || (std::isupper(prev) && next_lower))
        out += '_';
    }
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

LossOptions named(LossOptions o, const char* default_name) {
  if (o.name.empty()) o.name = default_name;
  return o;
}

const std::vector<std::string>& reductions() {
  static const std::vector<std::string> r = {"sum_over_batch_size", "sum", "mean",
                                             "mean_with_sample_weight", "none"};
  return r;
}


}  // namespace internal

// ---- helpers ---------------------------------------------------------------------------

std::pair<Tensor, Tensor> squeeze_or_expand_to_same_rank(const Tensor& x1, const Tensor& x2) {
  Tensor a = x1, b = x2;
  const int64_t r1 = a.rank(), r2 = b.rank();
  if (r1 == r2 + 1 && a.shape()[r1 - 1] == 1) {
    if (r2 == 1) b = ops::expand_dims(b, -1);
    else a = ops::squeeze(a, {-1});
  } else if (r2 == r1 + 1 && b.shape()[r2 - 1] == 1) {
    if (r1 == 1) a = ops::expand_dims(a, -1);
    else b = ops::squeeze(b, {-1});
  }
  return {a, b};
}

void check_reduction(const std::string& reduction) {
  const auto& r = reductions();
  if (std::find(r.begin(), r.end(), reduction) != r.end()) return;
  std::string list;
  for (const auto& s : r) list += (list.empty() ? "\"" : ", \"") + s + "\"";
  fail("expected reduction to be one of " + list + ", but received \"" + reduction + "\"");
}

Tensor reduce_weighted_values(const Tensor& values_in, const Tensor& sample_weight,
                              const Tensor& mask, const std::string& reduction,
                              const std::string& who) {
  try {
    check_reduction(reduction);
  } catch (const std::invalid_argument& e) {
    fail(who + ": " + e.what());
  }
  check_defined(who, values_in, "the per-sample losses");
  Tensor values = values_in;
  const DType dt = values.dtype();
  if (!core::is_floating(dt))
    fail(who + ": expected per-sample losses of a floating-point dtype, but received " +
         describe(values));
  Tensor weight;
  if (sample_weight.defined())
    weight = sample_weight.dtype() == dt ? sample_weight : ops::cast(sample_weight, dt);
  if (mask.defined()) {
    Tensor m = mask.dtype() == dt ? mask : ops::cast(mask, dt);
    if (reduction == "sum_over_batch_size" || reduction == "mean") {
      // Valid elements weigh total / valid, so the mean divides by the valid count.
      Tensor valid = ops::sum(m);
      Tensor none = ops::equal(valid, zero_like_scalar(valid));
      Tensor safe = ops::where(none, ops::scalar_like(valid, 1.0), valid);
      Tensor factor = ops::where(none, zero_like_scalar(valid), ops::divide(ops::size(m, dt), safe));
      m = m * factor;
    }
    if (weight.defined()) {
      auto [m2, w2] = align_weight(who, m, weight, "sample_weight");
      weight = w2 * m2;
    } else {
      weight = m;
    }
  }
  if (weight.defined()) {
    auto [v2, w2] = align_weight(who, values, weight, "sample_weight");
    values = v2 * w2;
    weight = w2;
  }
  if (reduction == "none" || values.rank() == 0) return values;
  Tensor loss = ops::sum(values);
  if (reduction == "sum") return loss;
  if (reduction == "mean_with_sample_weight" && weight.defined()) {
    Tensor divisor = ops::sum(weight);
    Tensor none = ops::equal(divisor, zero_like_scalar(divisor));
    Tensor safe = ops::where(none, ops::scalar_like(divisor, 1.0), divisor);
    return ops::where(none, zero_like_scalar(loss), loss / safe);
  }
  if (values.size() == 0) return loss;  // 0
  return ops::divide(loss, ops::size(values, dt));  // the count is read when the step runs
}

}  // namespace keras::losses
