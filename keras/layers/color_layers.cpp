#include "keras/layers/color_layers.h"

#include <stdexcept>

#include "core/image_ops_more.h"
#include "core/ops.h"
#include "keras/layers/color_layers_internal.h"
#include "keras/layers/core_layers_util.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
Value factor_config(std::pair<double, double> f) { return Value::list({f.first, f.second}); }
}  // namespace

// ---- RandomBrightness ---------------------------------------------------------------------
RandomBrightnessLayer::RandomBrightnessLayer(const FactorArg& f, const ColorOptions& o)
    : ImagePreprocessingLayer("RandomBrightness", detail::image_base(o)),
      factor_(detail::bounded_factor(name(), "factor", f, -1.0, 1.0)),
      value_range_(detail::sorted_value_range(name(), o.value_range)) {}

Tensor RandomBrightnessLayer::transform(const Tensor& images) {
  Tensor delta = uniform(Shape{images.shape()[0], 1, 1, 1}, factor_.first, factor_.second);
  delta = ops::multiply(delta, ops::scalar_like(delta, value_range_.second - value_range_.first));
  if (delta.dtype() != images.dtype()) delta = ops::cast(delta, images.dtype());
  return ops::clip(ops::add(images, delta), value_range_.first, value_range_.second);
}

Config RandomBrightnessLayer::get_config() const {
  Config c = ImagePreprocessingLayer::get_config();
  c["factor"] = factor_config(factor_);
  c["value_range"] = detail::value_range_config(value_range_);
  return c;
}

LayerPtr RandomBrightnessLayer::from_config(const Config& c) {
  const ColorOptions o = detail::color_options(options_from(c), detail::value_range_from("RandomBrightness", c, {0, 255}));
  return make<RandomBrightnessLayer>(FactorArg::from_config(c.at("factor")), o);
}

// ---- RandomInvert -------------------------------------------------------------------------
RandomInvertLayer::RandomInvertLayer(const FactorArg& f, const ColorOptions& o)
    : ImagePreprocessingLayer("RandomInvert", detail::image_base(o)),
      factor_(detail::bounded_factor(name(), "factor", f, 0.0, 1.0)),
      value_range_(o.value_range) {}

Tensor RandomInvertLayer::transform(const Tensor& images) {
  const Shape per_image{images.shape()[0], 1, 1, 1};
  Tensor probability = uniform(per_image, factor_.first, factor_.second);
  Tensor draw = uniform(per_image, 0.0, 1.0);
  Tensor inverted = ops::subtract(ops::scalar_like(images, value_range_.second), images);
  return ops::where(ops::less(draw, probability), inverted, images);
}

Config RandomInvertLayer::get_config() const {
  Config c = ImagePreprocessingLayer::get_config();
  c["factor"] = factor_config(factor_);
  c["value_range"] = detail::value_range_config(value_range_);
  return c;
}

LayerPtr RandomInvertLayer::from_config(const Config& c) {
  const ColorOptions o = detail::color_options(options_from(c), detail::value_range_from("RandomInvert", c, {0, 255}));
  return make<RandomInvertLayer>(FactorArg::from_config(c.get("factor", 1.0)), o);
}

// ---- RandomGrayscale ----------------------------------------------------------------------
RandomGrayscaleLayer::RandomGrayscaleLayer(double factor, const ColorOptions& o)
    : ImagePreprocessingLayer("RandomGrayscale", detail::image_base(o)), factor_(factor) {
  if (!(factor >= 0.0 && factor <= 1.0))
    throw std::invalid_argument(name() + ": `factor` should be between 0 and 1. Received: factor=" +
                                detail::num(factor));
}

Tensor RandomGrayscaleLayer::transform(const Tensor& images) {
  const int64_t channels = images.shape()[3];
  if (channels != 3 && channels != 1)
    throw std::invalid_argument(name() + ": expected images with 3 channels (RGB) or 1 (grayscale), but received "
                                "shape " + images.shape().str());
  Tensor apply = ops::less(uniform(Shape{images.shape()[0], 1, 1, 1}, 0.0, 1.0), ops::fill({}, factor_));
  Tensor gray = ops::image::rgb_to_grayscale(images);
  return ops::where(apply, ops::broadcast_like(gray, images), images);
}

Config RandomGrayscaleLayer::get_config() const {
  Config c = ImagePreprocessingLayer::get_config();
  c["factor"] = factor_;
  return c;
}

LayerPtr RandomGrayscaleLayer::from_config(const Config& c) {
  return make<RandomGrayscaleLayer>(c.get("factor", 0.5).as_double(), detail::color_options(options_from(c), {0, 255}));
}

Ref<RandomBrightnessLayer> RandomBrightness(const FactorArg& f, const ColorOptions& o) {
  return make<RandomBrightnessLayer>(f, o);
}
Ref<RandomInvertLayer> RandomInvert(const FactorArg& f, const ColorOptions& o) { return make<RandomInvertLayer>(f, o); }
Ref<RandomGrayscaleLayer> RandomGrayscale(double factor, const ColorOptions& o) {
  return make<RandomGrayscaleLayer>(factor, o);
}

}  // namespace keras::layers
