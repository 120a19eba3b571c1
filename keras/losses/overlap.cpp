// overlap.cpp - Dice and Tversky, composed of core ops.
#include "keras/losses/overlap.h"

#include <algorithm>

#include "core/ops.h"
#include "keras/losses/losses_internal.h"
#include "keras/settings.h"

namespace keras::losses {

namespace ops = core::ops;
using namespace internal;

namespace {

// The reduced axes, checked against the rank (empty: every axis).
std::vector<int64_t> reduced_axes(const char* who, const std::vector<int64_t>& axis, int64_t rank) {
  std::vector<int64_t> out;
  for (int64_t a : axis) {
    const int64_t p = core::normalize_axis(a, rank, who);
    if (std::find(out.begin(), out.end(), p) != out.end())
      fail(std::string(who) + ": axis " + std::to_string(a) + " is given twice");
    out.push_back(p);
  }
  return out;
}

keras::Value axis_config(const std::vector<int64_t>& axis) {
  if (axis.empty()) return keras::Value();
  if (axis.size() == 1) return keras::Value(static_cast<long long>(axis[0]));
  return keras::Value(axis);
}

Tensor sum_over(const Tensor& x, const std::vector<int64_t>& axes) {
  return axes.empty() ? ops::sum(x) : ops::sum(x, axes);
}

}  // namespace

namespace internal {
std::vector<int64_t> axes_from_config(const keras::Value* v) {
  if (!v || v->is_null()) return {};
  if (v->type() == keras::Value::Type::list) return v->as_ints();
  return {v->as_int()};
}
}  // namespace internal

Tensor detail::DiceFn::operator()(const Tensor& y_true, const Tensor& y_pred, const std::vector<int64_t>& axis) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  const auto axes = reduced_axes(name, axis, p.rank());
  Tensor intersection = sum_over(t * p, axes);
  return 1.0 - (intersection * 2.0) / (sum_over(t, axes) + sum_over(p, axes) + keras::config::epsilon());
}

Tensor detail::TverskyFn::operator()(const Tensor& y_true, const Tensor& y_pred, double alpha, double beta,
                                     const std::vector<int64_t>& axis) const {
  auto [t, p] = prepare(name, y_true, y_pred);
  const auto axes = reduced_axes(name, axis, p.rank());
  Tensor intersection = sum_over(t * p, axes);
  Tensor fp = sum_over((1.0 - p) * t, axes);
  Tensor fn = sum_over(p * (1.0 - t), axes);
  return 1.0 - intersection / (intersection + fp * alpha + fn * beta + keras::config::epsilon());
}

Dice::Dice(const DiceOptions& o) : Loss(named({o.name, o.reduction}, dice.name)), axis_(o.axis) {}

Tensor Dice::call(const Tensor& y_true, const Tensor& y_pred) const { return dice(y_true, y_pred, axis_); }

keras::Config Dice::get_config() const {
  keras::Config c = Loss::get_config();
  c["axis"] = axis_config(axis_);
  return c;
}

Tversky::Tversky(const TverskyOptions& o) : Loss(named({o.name, o.reduction}, tversky.name)), o_(o) {}

Tensor Tversky::call(const Tensor& y_true, const Tensor& y_pred) const {
  return tversky(y_true, y_pred, o_.alpha, o_.beta, o_.axis);
}

keras::Config Tversky::get_config() const {
  keras::Config c = Loss::get_config();
  c["alpha"] = o_.alpha;
  c["beta"] = o_.beta;
  c["axis"] = axis_config(o_.axis);
  return c;
}

}  // namespace keras::losses
