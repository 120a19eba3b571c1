#include "keras/layers/random_contrast.h"

#include <algorithm>
#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/color_layers_internal.h"
#include "keras/layers/core_layers_util.h"

namespace keras::layers {
namespace ops = core::ops;

RandomContrastLayer::RandomContrastLayer(const FactorArg& f, const RandomContrastOptions& o)
    : ImagePreprocessingLayer("RandomContrast", detail::image_base(o)), value_range_(o.value_range) {
  const std::string got = f.is_pair ? detail::pair_str(f.lower, f.upper) : detail::num(f.lower);
  const std::string msg = name() + ": the `factor` argument should be a number (or a list of two numbers) in the "
                          "range [0, 1]. Received: factor=" + got;
  if (f.is_pair) {  // Keras's bounds check, then sorted
    if (f.lower > 1 || f.upper < 0) throw std::invalid_argument(msg);
    lower_ = std::min(f.lower, f.upper);
    upper_ = std::max(f.lower, f.upper);
  } else {
    if (f.lower < 0 || f.lower > 1) throw std::invalid_argument(msg);
    lower_ = 0;  // max(-f, 0)
    upper_ = f.lower;
  }
  if (!(value_range_.first < value_range_.second))
    throw std::invalid_argument(name() + ": expected value_range (low, high) with low < high, but received (" +
                                detail::num(value_range_.first) + ", " + detail::num(value_range_.second) + ")");
}

Tensor RandomContrastLayer::transform(const Tensor& images) {
  Tensor f = uniform(Shape{images.shape()[0], 1, 1, 1}, 1.0 - lower_, 1.0 + upper_);
  if (f.dtype() != images.dtype()) f = ops::cast(f, images.dtype());
  Tensor mean = ops::mean(images, {1, 2}, true);
  Tensor y = ops::add(ops::multiply(ops::subtract(images, mean), f), mean);
  return ops::clip(y, value_range_.first, value_range_.second);
}

Config RandomContrastLayer::get_config() const {
  Config c = ImagePreprocessingLayer::get_config();
  c["factor"] = Value::list({lower_, upper_});
  c["value_range"] = Value::list({value_range_.first, value_range_.second});
  return c;
}

LayerPtr RandomContrastLayer::from_config(const Config& c) {
  ImagePreprocessingOptions b = options_from(c);
  RandomContrastOptions o{.seed = b.seed, .data_format = b.data_format, .name = b.name, .trainable = b.trainable,
                          .input_shape = b.input_shape};
  Value vr = c.get("value_range", Value());
  if (!vr.is_null()) {
    const auto& l = vr.as_list();
    if (l.size() != 2)
      throw std::invalid_argument("RandomContrast: expected value_range of 2 numbers in the config, but received " +
                                  std::to_string(l.size()));
    o.value_range = {l[0].as_double(), l[1].as_double()};
  }
  return make<RandomContrastLayer>(FactorArg::from_config(c.at("factor")), o);
}

Ref<RandomContrastLayer> RandomContrast(const FactorArg& f, const RandomContrastOptions& o) {
  return make<RandomContrastLayer>(f, o);
}

}  // namespace keras::layers
