#include "keras/layers/random_affine.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "core/image_ops.h"
#include "core/ops_numpy.h"
#include "keras/layers/color_layers_internal.h"
#include "keras/layers/core_layers_util.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
RandomAffineOptions zoom_affine_options(const RandomZoomOptions& o) {
  return {.fill_mode = o.fill_mode, .interpolation = o.interpolation, .seed = o.seed, .fill_value = o.fill_value,
          .data_format = o.data_format, .name = o.name, .trainable = o.trainable, .dtype = o.dtype,
          .input_shape = o.input_shape, .bounding_box_format = o.bounding_box_format};
}
std::string factor_str(const FactorArg& f) {
  return f.is_pair ? detail::pair_str(f.lower, f.upper) : detail::num(f.lower);
}
Tensor scalar(double v) { return core::constant(static_cast<float>(v)); }
Tensor zeros_col(int64_t b) { return ops::zeros({b, 1}); }
Tensor ones_col(int64_t b) { return ops::ones({b, 1}); }
}  // namespace

RandomAffineLayer::RandomAffineLayer(std::string class_name, const RandomAffineOptions& o)
    : ImagePreprocessingLayer(std::move(class_name), detail::image_base(o)),
      fill_mode_(o.fill_mode),
      interpolation_(o.interpolation),
      fill_value_(o.fill_value) {
  if (fill_mode_ != "reflect" && fill_mode_ != "wrap" && fill_mode_ != "constant" && fill_mode_ != "nearest")
    throw std::invalid_argument(name() + ": unknown `fill_mode` \"" + fill_mode_ +
                                "\". Expected one of \"reflect\", \"wrap\", \"constant\", \"nearest\"");
  if (interpolation_ != "bilinear" && interpolation_ != "nearest")
    throw std::invalid_argument(name() + ": unknown `interpolation` \"" + interpolation_ +
                                "\". Expected one of \"nearest\", \"bilinear\"");
}

std::pair<double, double> RandomAffineLayer::factor_range(const char* arg, const FactorArg& f, bool open_below) const {
  auto bad = [&] {
    return std::invalid_argument(name() + ": the `" + arg + "` argument should be a number (or a list of two "
                                 "numbers) in the range " + (open_below ? "(-1, 1]" : "[-1, 1]") + ". Received: " +
                                 arg + "=" + factor_str(f));
  };
  auto check = [&](double v) {
    if (v > 1 || v < -1 || (open_below && v == -1) || std::isnan(v)) throw bad();
  };
  check(f.lower);
  if (!f.is_pair) return {-std::abs(f.lower), std::abs(f.lower)};
  check(f.upper);
  return {std::min(f.lower, f.upper), std::max(f.lower, f.upper)};
}

Tensor RandomAffineLayer::transform(const Tensor& images) {
  Tensor m = matrix(images.shape()[0], images.shape()[1], images.shape()[2]);
  if (m.dtype() != images.dtype()) m = ops::cast(m, images.dtype());
  return ops::image::affine_transform(
      images, m, {.interpolation = interpolation_, .fill_mode = fill_mode_, .fill_value = fill_value_});
}

utils::bounding_boxes::BoundingBoxes RandomAffineLayer::transform_bounding_boxes(
    const utils::bounding_boxes::BoundingBoxes& b, const Shape& images_shape, bool training) {
  required_box_format();
  if (!training) return b;
  const int64_t batch = images_shape[0], h = images_shape[1], w = images_shape[2];
  // The images' map (output pixel -> input pixel), replayed: x_in = a0 x + a1 y + a2,
  // y_in = b0 x + b1 y + b2 (these layers' maps are affine), inverted per image.
  const std::vector<Tensor> k = ops::split(matrix(batch, h, w), 8, -1);  // each (batch, 1)
  const Tensor det = k[0] * k[4] - k[1] * k[3];
  const Tensor i0 = k[4] / det, i1 = -k[1] / det, i3 = -k[3] / det, i4 = k[0] / det;
  const Tensor zero = ops::zeros_like(det);
  const Tensor inverse =
      ops::concatenate({i0, i1, -(i0 * k[2] + i1 * k[5]), i3, i4, -(i3 * k[2] + i4 * k[5]), zero, zero}, -1);
  return map_boxes(b, inverse, images_shape);
}

Config RandomAffineLayer::get_config() const {
  Config c = ImagePreprocessingLayer::get_config();
  c["fill_mode"] = fill_mode_;
  c["interpolation"] = interpolation_;
  c["fill_value"] = fill_value_;
  return c;
}

RandomAffineOptions RandomAffineLayer::affine_options_from(const Config& c) {
  ImagePreprocessingOptions b = options_from(c);
  return {.fill_mode = c.get("fill_mode", "reflect").as_string(),
          .interpolation = c.get("interpolation", "bilinear").as_string(),
          .seed = b.seed,
          .fill_value = c.get("fill_value", 0.0).as_double(),
          .data_format = b.data_format,
          .name = b.name,
          .trainable = b.trainable,
          .input_shape = b.input_shape,
          .bounding_box_format = b.bounding_box_format};
}

// ---- RandomRotation --------------------------------------------------------------------

RandomRotationLayer::RandomRotationLayer(const FactorArg& f, const RandomAffineOptions& o)
    : RandomAffineLayer("RandomRotation", o) {
  if (f.is_pair) {  // Keras's bounds check (-1, 1), then sorted
    if (f.lower > 1 || f.upper < -1)
      throw std::invalid_argument(name() + ": the `factor` argument should be a number (or a list of two numbers) "
                                  "in the range [-1, 1]. Received: factor=" + factor_str(f));
    factor_ = {std::min(f.lower, f.upper), std::max(f.lower, f.upper)};
  } else {
    if (f.lower < -1 || f.lower > 1)
      throw std::invalid_argument(name() + ": the `factor` argument should be a number (or a list of two numbers) "
                                  "in the range [-1, 1]. Received: factor=" + factor_str(f));
    factor_ = {std::max(-std::abs(f.lower), -1.0), std::abs(f.lower)};
  }
}

Tensor RandomRotationLayer::matrix(int64_t b, int64_t h, int64_t w) {
  // Keras's _compute_affine_matrix with centre (0.5, 0.5), no shift, scale or shear
  Tensor deg = uniform(Shape{b, 1}, factor_.first * 360.0, factor_.second * 360.0);
  Tensor angle = ops::multiply(deg, scalar(std::numbers::pi / 180.0));
  Tensor cos = ops::cos(angle), sin = ops::sin(angle);
  const double cx = 0.5 * double(w - 1), cy = 0.5 * double(h - 1);
  Tensor a0 = cos, a1 = ops::neg(sin), b0 = sin, b1 = cos;
  Tensor a2 = ops::subtract(ops::subtract(scalar(cx), ops::multiply(scalar(cx), a0)), ops::multiply(scalar(cy), a1));
  Tensor b2 = ops::subtract(ops::subtract(scalar(cy), ops::multiply(scalar(cx), b0)), ops::multiply(scalar(cy), b1));
  return ops::concat({a0, a1, a2, b0, b1, b2, zeros_col(b), zeros_col(b)}, 1);
}

Config RandomRotationLayer::get_config() const {
  Config c = RandomAffineLayer::get_config();
  c["factor"] = Value::list({factor_.first, factor_.second});
  return c;
}

LayerPtr RandomRotationLayer::from_config(const Config& c) {
  return make<RandomRotationLayer>(FactorArg::from_config(c.at("factor")), affine_options_from(c));
}

// ---- RandomZoom ------------------------------------------------------------------------

RandomZoomLayer::RandomZoomLayer(const FactorArg& height_factor, const RandomZoomOptions& o)
    : RandomAffineLayer("RandomZoom", zoom_affine_options(o)),
      height_factor_(height_factor),
      width_factor_(o.width_factor) {
  height_ = factor_range("height_factor", height_factor, true);
  if (width_factor_) width_ = factor_range("width_factor", *width_factor_, true);
}

Tensor RandomZoomLayer::matrix(int64_t b, int64_t h, int64_t w) {
  Tensor zy = uniform(Shape{b, 1}, 1.0 + height_.first, 1.0 + height_.second);
  Tensor zx = width_factor_ ? uniform(Shape{b, 1}, 1.0 + width_.first, 1.0 + width_.second) : zy;
  // [[zx 0 x_offset] [0 zy y_offset]]: zoom about the centre
  Tensor xo = ops::multiply(scalar((double(w) - 1.0) / 2.0), ops::subtract(scalar(1.0), zx));
  Tensor yo = ops::multiply(scalar((double(h) - 1.0) / 2.0), ops::subtract(scalar(1.0), zy));
  return ops::concat({zx, zeros_col(b), xo, zeros_col(b), zy, yo, zeros_col(b), zeros_col(b)}, 1);
}

Config RandomZoomLayer::get_config() const {
  Config c = RandomAffineLayer::get_config();
  c["height_factor"] = height_factor_.to_config();
  c["width_factor"] = width_factor_ ? width_factor_->to_config() : Value();
  return c;
}

LayerPtr RandomZoomLayer::from_config(const Config& c) {
  RandomAffineOptions a = affine_options_from(c);
  RandomZoomOptions o{.fill_mode = a.fill_mode, .interpolation = a.interpolation, .seed = a.seed,
                      .fill_value = a.fill_value, .data_format = a.data_format, .name = a.name,
                      .trainable = a.trainable, .input_shape = a.input_shape,
                      .bounding_box_format = a.bounding_box_format};
  Value wf = c.get("width_factor", Value());
  if (!wf.is_null()) o.width_factor = FactorArg::from_config(wf);
  return make<RandomZoomLayer>(FactorArg::from_config(c.at("height_factor")), o);
}

// ---- RandomTranslation -----------------------------------------------------------------

RandomTranslationLayer::RandomTranslationLayer(const FactorArg& height_factor, const FactorArg& width_factor,
                                               const RandomAffineOptions& o)
    : RandomAffineLayer("RandomTranslation", o), height_factor_(height_factor), width_factor_(width_factor) {
  height_ = factor_range("height_factor", height_factor, false);
  width_ = factor_range("width_factor", width_factor, false);
}

Tensor RandomTranslationLayer::matrix(int64_t b, int64_t h, int64_t w) {
  Tensor dy = ops::multiply(uniform(Shape{b, 1}, height_.first, height_.second), scalar(double(h)));
  Tensor dx = ops::multiply(uniform(Shape{b, 1}, width_.first, width_.second), scalar(double(w)));
  return ops::concat({ones_col(b), zeros_col(b), ops::neg(dx), zeros_col(b), ones_col(b), ops::neg(dy),
                      zeros_col(b), zeros_col(b)}, 1);
}

Config RandomTranslationLayer::get_config() const {
  Config c = RandomAffineLayer::get_config();
  c["height_factor"] = height_factor_.to_config();
  c["width_factor"] = width_factor_.to_config();
  return c;
}

LayerPtr RandomTranslationLayer::from_config(const Config& c) {
  return make<RandomTranslationLayer>(FactorArg::from_config(c.at("height_factor")),
                                      FactorArg::from_config(c.at("width_factor")), affine_options_from(c));
}

// ---- RandomShear -----------------------------------------------------------------------

namespace {
// Keras's RandomShear factor rule: f in [0, 1] -> (-f, f); a pair sorted, here within
// [-1, 1] (Keras asks [0, 1] of a pair too, so it cannot reload its own config of
// RandomShear(f), whose pair is (-f, f)).
std::pair<double, double> shear_range(const std::string& layer, const char* arg, const FactorArg& f) {
  const double lo = f.is_pair ? -1.0 : 0.0;
  for (double v : {f.lower, f.upper})
    if (!(v >= lo && v <= 1))
      throw std::invalid_argument(layer + ": the `" + arg + "` argument should be a number in [0, 1] (or a list of two "
                                  "numbers in [-1, 1]). Received: " + arg + "=" + factor_str(f));
  if (!f.is_pair) return {-f.lower, f.lower};
  return {std::min(f.lower, f.upper), std::max(f.lower, f.upper)};
}
}  // namespace

RandomShearLayer::RandomShearLayer(const FactorArg& x_factor, const FactorArg& y_factor, const RandomAffineOptions& o)
    : RandomAffineLayer("RandomShear", o),
      x_(shear_range(name(), "x_factor", x_factor)),
      y_(shear_range(name(), "y_factor", y_factor)) {}

Tensor RandomShearLayer::matrix(int64_t b, int64_t, int64_t) {
  // Keras's draws, in its order: the sign, then y, then x.
  Tensor sign = ops::where(ops::greater(uniform(Shape{b, 1}, 0.0, 1.0), scalar(0.5)), ops::neg(ones_col(b)), ones_col(b));
  Tensor sy = ops::multiply(uniform(Shape{b, 1}, y_.first, y_.second), sign);
  Tensor sx = ops::multiply(uniform(Shape{b, 1}, x_.first, x_.second), sign);
  return ops::concat({ones_col(b), sx, zeros_col(b), sy, ones_col(b), zeros_col(b), zeros_col(b), zeros_col(b)}, 1);
}

Config RandomShearLayer::get_config() const {
  Config c = RandomAffineLayer::get_config();
  c["x_factor"] = Value::list({x_.first, x_.second});
  c["y_factor"] = Value::list({y_.first, y_.second});
  return c;
}

LayerPtr RandomShearLayer::from_config(const Config& c) {
  auto factor = [&](const char* k) { return c.contains(k) ? FactorArg::from_config(c.at(k)) : FactorArg(0.0); };
  return make<RandomShearLayer>(factor("x_factor"), factor("y_factor"), affine_options_from(c));
}

Ref<RandomRotationLayer> RandomRotation(const FactorArg& f, const RandomAffineOptions& o) {
  return make<RandomRotationLayer>(f, o);
}
Ref<RandomZoomLayer> RandomZoom(const FactorArg& h, const RandomZoomOptions& o) { return make<RandomZoomLayer>(h, o); }
Ref<RandomTranslationLayer> RandomTranslation(const FactorArg& h, const FactorArg& w, const RandomAffineOptions& o) {
  return make<RandomTranslationLayer>(h, w, o);
}
Ref<RandomShearLayer> RandomShear(const FactorArg& x, const FactorArg& y, const RandomAffineOptions& o) {
  return make<RandomShearLayer>(x, y, o);
}

}  // namespace keras::layers
