#include "keras/quantizers.h"

#include <stdexcept>
#include <string>

#include "core/ops.h"

namespace keras::quantizers {
namespace ops = core::ops;
using core::Tensor;

namespace {
// The abs-max quantization's rounded values, in the input's dtype.
Quantized abs_max_round(const Tensor& inputs, const std::vector<int64_t>& axis, std::pair<double, double> range,
                        double epsilon) {
  const Tensor amax = ops::max(ops::abs(inputs), axis, /*keepdims=*/true);
  const Tensor scale = ops::divide(ops::scalar_like(inputs, range.second),
                                   ops::add(amax, ops::scalar_like(inputs, epsilon)));
  return {ops::clip(ops::round(ops::multiply(inputs, scale)), range.first, range.second), scale};
}
}  // namespace

Quantized abs_max_quantize(const Tensor& inputs, const std::vector<int64_t>& axis, std::pair<double, double> range,
                           core::DType dtype, double epsilon) {
  if (!inputs.defined()) throw std::invalid_argument("abs_max_quantize: the inputs are undefined");
  if (!core::is_floating(inputs.dtype()))
    throw std::invalid_argument(std::string("abs_max_quantize: expected floating inputs, but received ") +
                                core::dtype_name(inputs.dtype()));
  if (axis.empty()) throw std::invalid_argument("abs_max_quantize: expected at least one axis to reduce, but received none");
  for (int64_t a : axis)
    if (a < -inputs.rank() || a >= inputs.rank())
      throw std::invalid_argument("abs_max_quantize: axis " + std::to_string(a) + " is out of range for inputs of shape " +
                                  inputs.shape().str());
  if (!(range.first < range.second))
    throw std::invalid_argument("abs_max_quantize: expected value_range (min, max) with min < max, but received (" +
                                std::to_string(range.first) + ", " + std::to_string(range.second) + ")");
  Quantized q = abs_max_round(inputs, axis, range, epsilon);
  q.values = ops::cast(q.values, dtype);
  return q;
}

}  // namespace keras::quantizers
