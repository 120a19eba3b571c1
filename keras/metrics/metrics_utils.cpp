// metrics_utils.cpp - helpers shared by the metric implementations.
#include "keras/metrics/metrics_utils.h"

#include "core/control_flow.h"
#include "core/element_check.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace keras::metrics::detail {

namespace ops = core::ops;

void fail(const std::string& message) { throw std::invalid_argument(message); }

std::string num_str(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    std::ostringstream s;
    s << static_cast<long long>(v);
    return s.str();
  }
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

Tensor to_dtype(const Tensor& x, DType dtype) {
  return x.dtype() == dtype ? x : ops::cast(x, dtype);
}

Tensor scalar(double value, DType dtype) { return ops::fill(core::Shape{}, value, dtype); }

std::vector<int64_t> axes_range(int64_t first, int64_t last) {
  std::vector<int64_t> a;
  for (int64_t i = first; i < last; ++i) a.push_back(i);
  return a;
}

Tensor divide_no_nan(const Tensor& a, const Tensor& b) {
  Tensor zero = ops::scalar_like(b, 0.0);
  Tensor safe = ops::where(ops::equal(b, zero), ops::scalar_like(b, 1.0), b);
  Tensor q = ops::divide(a, safe);
  return ops::where(ops::equal(b, zero), ops::zeros_like(q), q);
}

std::pair<Tensor, Tensor> squeeze_or_expand_to_same_rank(Tensor x1, Tensor x2, bool expand_rank_1) {
  int64_t r1 = x1.rank(), r2 = x2.rank();
  if (r1 == r2) return {x1, x2};
  if (r1 == r2 + 1 && x1.shape()[r1 - 1] == 1) {
    if (r2 == 1 && expand_rank_1) x2 = ops::expand_dims(x2, -1);
    else x1 = ops::squeeze(x1, {-1});
  }
  if (r2 == r1 + 1 && x2.shape()[r2 - 1] == 1) {
    if (r1 == 1 && expand_rank_1) x1 = ops::expand_dims(x1, -1);
    else x2 = ops::squeeze(x2, {-1});
  }
  return {x1, x2};
}

void check_class_ids(const Tensor& labels, int64_t num_classes, const std::string& who,
                     const std::string& what, std::optional<int64_t> ignore) {
  // An op: checked at once when eager, at every run of a traced step.
  const core::ops::ElementRange range{
      .lo = 0, .hi = static_cast<double>(num_classes), .whole = true,
      .ignore = ignore ? std::optional<double>(static_cast<double>(*ignore)) : std::nullopt};
  core::ops::check_range(
      labels, range,
      [=](double x, int64_t, const core::Shape& shape) {
        return who + ": expected every " + what + " to be an integer class id in [0, " + std::to_string(num_classes) +
               "), but received " + what + " " + num_str(x) + " (" + what + "s shape " + shape.str() + ")";
      },
      who + "|" + what + "|" + std::to_string(num_classes) + (ignore ? "|" + std::to_string(*ignore) : ""));
}

void check_same_shape(const Tensor& y_true, const Tensor& y_pred, const std::string& who) {
  if (y_true.shape() != y_pred.shape())
    fail(who + ": expected y_true and y_pred to have the same shape, but received y_true shape " +
         y_true.shape().str() + " and y_pred shape " + y_pred.shape().str());
}

keras::Config name_dtype_config(const Metric& m) {
  keras::Config c = keras::Config::object();
  c["name"] = m.name();
  c["dtype"] = core::dtype_name(m.dtype());
  return c;
}

}  // namespace keras::metrics::detail
