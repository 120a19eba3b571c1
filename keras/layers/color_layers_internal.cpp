#include "keras/layers/color_layers_internal.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/core_layers_util.h"

namespace keras::layers::detail {
namespace ops = core::ops;

ValueRange sorted_value_range(const std::string& layer, ValueRange r) {
  if (!std::isfinite(r.first) || !std::isfinite(r.second) || r.first == r.second)
    throw std::invalid_argument(layer + ": the `value_range` argument should be two different finite numbers, but "
                                "received value_range=" + pair_str(r.first, r.second));
  if (r.first > r.second) std::swap(r.first, r.second);
  return r;
}

Tensor map_value_range(const Tensor& x, ValueRange from, ValueRange to) {
  if (from == to) return x;
  // Keras's order of operations: to [0, 1], then onto `to`.
  Tensor unit = ops::divide(ops::subtract(x, ops::scalar_like(x, from.first)),
                            ops::scalar_like(x, from.second - from.first));
  return ops::add(ops::multiply(unit, ops::scalar_like(x, to.second - to.first)), ops::scalar_like(x, to.first));
}

Value value_range_config(ValueRange r) { return Value::list({r.first, r.second}); }

ValueRange value_range_from(const std::string& layer, const Config& c, ValueRange fallback) {
  Value v = c.get("value_range", Value());
  if (v.is_null()) return fallback;
  if (v.type() != Value::Type::list || v.as_list().size() != 2)
    throw std::invalid_argument(layer + ": expected value_range as a list of 2 numbers in the config, but received " +
                                v.to_json());
  return {v.as_list()[0].as_double(), v.as_list()[1].as_double()};
}

ColorOptions color_options(const ImagePreprocessingOptions& b, ValueRange value_range) {
  return {.value_range = value_range, .seed = b.seed, .data_format = b.data_format, .name = b.name,
          .trainable = b.trainable, .dtype = b.dtype, .input_shape = b.input_shape};
}

std::pair<double, double> bounded_factor(const std::string& layer, const char* arg, const FactorArg& f, double lo,
                                         double hi) {
  const std::string got = f.is_pair ? pair_str(f.lower, f.upper) : num(f.lower);
  auto fail = [&] {
    return std::invalid_argument(layer + ": the `" + arg + "` argument should be a number (or a list of two numbers) "
                                 "in the range [" + num(lo) + ", " + num(hi) + "]. Received: " + arg + "=" + got);
  };
  if (!std::isfinite(f.lower) || !std::isfinite(f.upper)) throw fail();
  if (f.is_pair) {
    if (f.lower > hi || f.upper < lo) throw fail();
    return {std::min(f.lower, f.upper), std::max(f.lower, f.upper)};
  }
  if (f.lower < lo || f.lower > hi) throw fail();
  const double a = std::fabs(f.lower);
  return {std::max(-a, lo), a};
}

std::pair<Tensor, Tensor> mix_inputs(const std::string& layer, const Tensor& images, const Tensor& labels) {
  if (!labels.defined() || labels.rank() < 1 || !images.defined() || images.rank() != 4 ||
      labels.shape()[0] != images.shape()[0])
    throw std::invalid_argument(layer + ": mix expects images (batch, height, width, channels) and labels (batch, "
                                "...) with the same batch, but received " +
                                (images.defined() ? images.shape().str() : std::string("undefined")) + " and " +
                                (labels.defined() ? labels.shape().str() : std::string("undefined")));
  auto floating = [](const Tensor& t) { return core::is_floating(t.dtype()) ? t : core::ops::cast(t, DType::float32); };
  return {floating(images), floating(labels)};
}

}  // namespace keras::layers::detail
