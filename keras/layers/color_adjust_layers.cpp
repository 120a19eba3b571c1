#include "keras/layers/color_adjust_layers.h"

#include "core/conv_variants.h"
#include "core/image_ops_more.h"
#include "core/ops.h"
#include "keras/layers/color_layers_internal.h"

namespace keras::layers {
namespace ops = core::ops;
using Kind = ColorAdjustLayer::Kind;

namespace {

const char* class_of(Kind k) {
  switch (k) {
    case Kind::saturation: return "RandomSaturation";
    case Kind::hue: return "RandomHue";
    case Kind::degeneration: return "RandomColorDegeneration";
    case Kind::sharpness: return "RandomSharpness";
  }
  return "";
}

// Keras's factor bounds: [0, 1] for hue and sharpness, [-1, 1] for the others.
double lower_bound(Kind k) { return k == Kind::hue || k == Kind::sharpness ? 0.0 : -1.0; }

// The HSV channels of rgb as three (batch, h, w) tensors, and back.
std::vector<Tensor> hsv_of(const Tensor& rgb) { return ops::unstack(ops::image::rgb_to_hsv(rgb), 3); }
Tensor rgb_of(const Tensor& h, const Tensor& s, const Tensor& v) {
  return ops::image::hsv_to_rgb(ops::stack({h, s, v}, 3));
}

}  // namespace

ColorAdjustLayer::ColorAdjustLayer(Kind kind, const FactorArg& f, const ColorOptions& o)
    : ImagePreprocessingLayer(class_of(kind), detail::image_base(o)),
      kind_(kind),
      factor_(detail::bounded_factor(name(), "factor", f, lower_bound(kind), 1.0)),
      // Keras keeps RandomHue's value_range as given (it only maps through it).
      value_range_(kind == Kind::hue ? o.value_range : detail::sorted_value_range(name(), o.value_range)) {}

Tensor ColorAdjustLayer::transform(const Tensor& images) {
  const int64_t batch = images.shape()[0];
  const DType dt = images.dtype();
  auto draw = [&](const Shape& s) {
    Tensor f = uniform(s, factor_.first, factor_.second);
    return f.dtype() == dt ? f : ops::cast(f, dt);
  };
  const auto [low, high] = value_range_;
  switch (kind_) {
    case Kind::saturation: {
      Tensor f = draw(Shape{batch, 1, 1});
      f = ops::divide(f, ops::add(ops::subtract(ops::scalar_like(f, 1.0), f), ops::scalar_like(f, 1e-7)));
      std::vector<Tensor> hsv = hsv_of(images);
      // Keras clips the saturation to value_range (a bound that rarely binds).
      return rgb_of(hsv[0], ops::clip(ops::multiply(hsv[1], f), low, high), hsv[2]);
    }
    case Kind::hue: {
      Tensor sign = ops::where(ops::greater(draw(Shape{batch, 1, 1}), ops::fill({}, 0.5, dt)), ops::fill({}, -1.0, dt),
                               ops::fill({}, 1.0, dt));
      Tensor shift = ops::multiply(ops::multiply(sign, draw(Shape{batch, 1, 1})), ops::scalar_like(sign, 0.5));
      std::vector<Tensor> hsv = hsv_of(detail::map_value_range(images, value_range_, {0, 1}));
      Tensor h = ops::add(hsv[0], shift);
      h = ops::where(ops::greater(h, ops::scalar_like(h, 1.0)), ops::subtract(h, ops::scalar_like(h, 1.0)), h);
      h = ops::where(ops::less(h, ops::scalar_like(h, 0.0)), ops::add(h, ops::scalar_like(h, 1.0)), h);
      return detail::map_value_range(ops::clip(rgb_of(h, hsv[1], hsv[2]), 0.0, 1.0), {0, 1}, value_range_);
    }
    case Kind::degeneration: {
      Tensor f = draw(Shape{batch, 1, 1, 1});
      Tensor gray = ops::image::rgb_to_grayscale(images);
      return ops::clip(ops::add(images, ops::multiply(f, ops::subtract(gray, images))), low, high);
    }
    case Kind::sharpness: {
      Tensor f = ops::multiply(draw(Shape{batch, 1, 1, 1}), ops::fill({}, 2.0, dt));
      const double a = 1.0 / 13.0, b = 5.0 / 13.0;
      const int64_t channels = images.shape()[3];
      Tensor kernel = ops::cast(core::constant(std::vector<double>{a, a, a, a, b, a, a, a, a}, Shape{3, 3, 1, 1}), dt);
      Tensor smoothed = ops::depthwise_conv(images, ops::tile(kernel, {1, 1, channels, 1}), 1, "same");
      Tensor blended = ops::add(images, ops::multiply(ops::subtract(ops::scalar_like(f, 1.0), f),
                                                      ops::subtract(smoothed, images)));
      return ops::clip(blended, low, high);
    }
  }
  return images;
}

Config ColorAdjustLayer::get_config() const {
  Config c = ImagePreprocessingLayer::get_config();
  c["factor"] = Value::list({factor_.first, factor_.second});
  c["value_range"] = detail::value_range_config(value_range_);
  return c;
}

LayerPtr ColorAdjustLayer::from_config_of(Kind kind, const Config& c) {
  const ColorOptions o = detail::color_options(options_from(c), detail::value_range_from(class_of(kind), c, {0, 255}));
  return make<ColorAdjustLayer>(kind, FactorArg::from_config(c.at("factor")), o);
}

Ref<ColorAdjustLayer> RandomSaturation(const FactorArg& f, const ColorOptions& o) {
  return make<ColorAdjustLayer>(Kind::saturation, f, o);
}
Ref<ColorAdjustLayer> RandomHue(const FactorArg& f, const ColorOptions& o) { return make<ColorAdjustLayer>(Kind::hue, f, o); }
Ref<ColorAdjustLayer> RandomColorDegeneration(const FactorArg& f, const ColorOptions& o) {
  return make<ColorAdjustLayer>(Kind::degeneration, f, o);
}
Ref<ColorAdjustLayer> RandomSharpness(const FactorArg& f, const ColorOptions& o) {
  return make<ColorAdjustLayer>(Kind::sharpness, f, o);
}

}  // namespace keras::layers
