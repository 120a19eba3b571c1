// image_filter_layers.cpp - Equalization and RandomGaussianBlur (Keras 3's formulas).
#include "keras/layers/image_filter_layers.h"

#include <limits>
#include <stdexcept>

#include "core/image_ops_more.h"
#include "core/ops.h"
#include "keras/layers/color_layers_internal.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
const detail::ValueRange k255{0, 255};
std::string num(double v) { return Value(v).to_json(); }
}  // namespace

// ---- Equalization ---------------------------------------------------------------------------
EqualizationLayer::EqualizationLayer(const EqualizationOptions& o)
    : ImagePreprocessingLayer("Equalization", detail::image_base(o)),
      value_range_(detail::sorted_value_range(name(), o.value_range)),
      bins_(o.bins) {
  if (o.bins < 1) throw std::invalid_argument(name() + ": expected bins >= 1, but received bins=" + std::to_string(o.bins));
}

Tensor EqualizationLayer::transform(const Tensor& images) {
  // Keras: per channel, over every image of the batch; values in [0, 255] units.
  const int64_t c = images.shape()[3];
  const double nb = double(bins_);
  Tensor v = ops::transpose(ops::reshape(detail::map_value_range(images, value_range_, k255), {-1, c}));  // (c, m)
  // Histogram bins: trunc(v * (bins - 1) / 255), clipped (Keras's cast to int32, then clip).
  Tensor bin = ops::clip(
      ops::cast(ops::divide(ops::multiply(v, ops::scalar_like(v, nb - 1)), ops::scalar_like(v, 255.0)), DType::int32), 0,
      nb - 1);
  Tensor offsets = ops::reshape(ops::multiply(ops::arange(0, c, 1, DType::int32), ops::scalar_like(bin, nb)), {c, 1});
  // The counts per (channel, bin), in float64 (exact; the lookup divides in float64, as
  // TensorFlow divides integers).
  Tensor ids = ops::reshape(ops::add(bin, offsets), {-1});
  Tensor hist = ops::reshape(ops::unsorted_segment_sum(ops::cast(ops::ones_like(ids), DType::float64), ids, c * bins_),
                             {c, bins_});
  Tensor nonzero_bins = ops::sum(ops::cast(ops::greater(hist, ops::scalar_like(hist, 0.0)), DType::float64), {1}, true);
  Tensor cdf = ops::cumsum(hist, 1);
  // The first nonzero cumulative count (the smallest positive one).
  Tensor big = ops::scalar_like(cdf, std::numeric_limits<double>::infinity());  // (such a channel is kept)
  Tensor cdf_min = ops::min(ops::where(ops::greater(cdf, ops::scalar_like(cdf, 0.0)), cdf, big), {1}, true);
  Tensor last = ops::slice(cdf, {0, bins_ - 1}, {c, 1});
  Tensor denominator = ops::subtract(last, cdf_min);
  denominator = ops::where(ops::equal(denominator, ops::scalar_like(denominator, 0.0)),
                           ops::scalar_like(denominator, 1.0), denominator);
  Tensor lookup = ops::clip(
      ops::round(ops::divide(ops::multiply(ops::subtract(cdf, cdf_min), ops::scalar_like(cdf, 255.0)), denominator)),
      0.0, 255.0);
  Tensor index = ops::cast(ops::clip(ops::multiply(ops::divide(v, ops::scalar_like(v, 255.0)), ops::scalar_like(v, nb - 1)),
                                     0.0, nb - 1),
                           DType::int32);
  Tensor equalized = ops::cast(ops::take_along_axis(lookup, index, 1), v.dtype());
  equalized = ops::where(ops::less_equal(nonzero_bins, ops::scalar_like(nonzero_bins, 1.0)), v, equalized);
  Tensor out = ops::reshape_like(ops::transpose(equalized), images);
  return detail::map_value_range(out, k255, value_range_);
}

Config EqualizationLayer::get_config() const {
  Config c = base_config();  // Keras's Equalization has no seed
  c["data_format"] = o_.data_format;
  c["bins"] = bins_;
  c["value_range"] = detail::value_range_config(value_range_);
  return c;
}

LayerPtr EqualizationLayer::from_config(const Config& c) {
  EqualizationOptions o = detail::with_image_base(EqualizationOptions{}, options_from(c));
  o.value_range = detail::value_range_from("Equalization", c, k255);
  o.bins = c.get("bins", 256).as_int();
  return make<EqualizationLayer>(o);
}

// ---- RandomGaussianBlur ---------------------------------------------------------------------
RandomGaussianBlurLayer::RandomGaussianBlurLayer(const RandomGaussianBlurOptions& o)
    : ImagePreprocessingLayer("RandomGaussianBlur", detail::image_base(o)),
      factor_(detail::bounded_factor(name(), "factor", o.factor, 0, 1)),
      sigma_(detail::bounded_factor(name(), "sigma", o.sigma, 0, 1)),
      value_range_(o.value_range),
      kernel_size_(detail::spatial_values(name(), "kernel_size", o.kernel_size, 2, 1)) {
  for (int64_t k : kernel_size_)
    if (k % 2 == 0)
      throw std::invalid_argument(name() + ": kernel_size must be an odd number. Received: kernel_size=" +
                                  std::to_string(k));
  if (!(value_range_.first <= value_range_.second))
    throw std::invalid_argument(name() + ": expected value_range (low, high) with low <= high, but received (" +
                                num(value_range_.first) + ", " + num(value_range_.second) + ")");
}

Tensor RandomGaussianBlurLayer::transform(const Tensor& images) {
  const int64_t n = images.shape()[0];
  // Keras's draws: each image's chance, each image's threshold, the batch's two sigmas.
  Tensor chance = uniform(Shape{n}, factor_.first, factor_.second);
  Tensor threshold = uniform(Shape{n}, 0.0, 1.0);
  Tensor sigma = ops::add(uniform(Shape{2}, sigma_.first, sigma_.second), ops::scalar_like(chance, 1e-6));
  Tensor x = images.dtype() == DType::float32 ? images : ops::cast(images, DType::float32);
  Tensor blurred = core::ops::image::gaussian_blur(x, kernel_size_, sigma);
  Tensor apply = ops::reshape(ops::less(threshold, chance), {n, 1, 1, 1});
  Tensor out = ops::clip(ops::where(apply, blurred, x), value_range_.first, value_range_.second);
  return out.dtype() == images.dtype() ? out : ops::cast(out, images.dtype());
}

Config RandomGaussianBlurLayer::get_config() const {
  Config c = base_config();
  c["data_format"] = o_.data_format;
  c["factor"] = Value::list({factor_.first, factor_.second});
  c["kernel_size"] = Value::list({kernel_size_[0], kernel_size_[1]});
  c["sigma"] = Value::list({sigma_.first, sigma_.second});
  c["value_range"] = Value::list({value_range_.first, value_range_.second});
  c["seed"] = o_.seed < 0 ? Value() : Value(static_cast<long long>(o_.seed));
  return c;
}

LayerPtr RandomGaussianBlurLayer::from_config(const Config& c) {
  RandomGaussianBlurOptions o = detail::with_image_base(RandomGaussianBlurOptions{}, options_from(c));
  if (c.contains("factor")) o.factor = FactorArg::from_config(c.at("factor"));
  if (c.contains("sigma")) o.sigma = FactorArg::from_config(c.at("sigma"));
  if (c.contains("kernel_size")) o.kernel_size = detail::spatial_from(c.at("kernel_size"));
  o.value_range = detail::value_range_from("RandomGaussianBlur", c, o.value_range);
  return make<RandomGaussianBlurLayer>(o);
}

// ---- RandomErasing ---------------------------------------------------------------------------
RandomErasingLayer::RandomErasingLayer(const RandomErasingOptions& o)
    : ImagePreprocessingLayer("RandomErasing", detail::image_base(o)),
      factor_(detail::bounded_factor(name(), "factor", o.factor, 0, 1)),
      scale_(detail::bounded_factor(name(), "scale", o.scale, 0, 1)),
      value_range_(o.value_range),
      fill_value_(o.fill_value) {
  if (fill_value_ && fill_value_->size() != 1 && fill_value_->size() != 3)
    throw std::invalid_argument(name() + ": the `fill_value` argument should be a number (or a list of three "
                                "numbers), but received a list of " + std::to_string(fill_value_->size()));
}

Tensor RandomErasingLayer::transform(const Tensor& images) {
  const int64_t n = images.shape()[0], h = images.shape()[1], w = images.shape()[2], c = images.shape()[3];
  Tensor x = images.dtype() == DType::float32 ? images : ops::cast(images, DType::float32);
  // Keras's draws, in order: the sides' fractions, the x start, the y start, the chance,
  // the threshold (then the noise).
  Tensor side = ops::sqrt(uniform(Shape{n, 2}, scale_.first, scale_.second));
  auto bounds = [&](const Tensor& ratio, int64_t length) {
    Tensor extent = ops::multiply(ratio, ops::scalar_like(ratio, double(length)));
    Tensor start = ops::multiply(uniform(Shape{n}, 0.0, 1.0), ops::subtract(ops::scalar_like(extent, double(length)), extent));
    return std::pair{ops::reshape(start, {n, 1, 1, 1}), ops::reshape(ops::add(start, extent), {n, 1, 1, 1})};
  };
  auto [x0, x1] = bounds(ops::reshape(ops::slice(side, {0, 0}, {n, 1}), {n}), w);
  auto [y0, y1] = bounds(ops::reshape(ops::slice(side, {0, 1}, {n, 1}), {n}), h);
  Tensor chance = uniform(Shape{n}, factor_.first, factor_.second);
  Tensor apply = ops::reshape(ops::less(uniform(Shape{n}, 0.0, 1.0), chance), {n, 1, 1, 1});
  Tensor gx = ops::reshape(ops::arange(0, w, 1, DType::float32), {1, 1, w, 1});
  Tensor gy = ops::reshape(ops::arange(0, h, 1, DType::float32), {1, h, 1, 1});
  Tensor inside = ops::logical_and(ops::logical_and(ops::greater_equal(gx, x0), ops::less(gx, x1)),
                                   ops::logical_and(ops::greater_equal(gy, y0), ops::less(gy, y1)));
  Tensor fill;
  if (!fill_value_) {
    const SeedGenerator::Draw d = seeds_.next();
    fill = ops::multiply(ops::random_normal(Shape{n, h, w, c}, {.seed = d.seed, .counter = d.counter}),
                         ops::scalar_like(x, value_range_.second));
  } else {
    std::vector<double> per_channel = *fill_value_;
    if (per_channel.size() == 1) per_channel.assign(size_t(c), per_channel[0]);
    if (int64_t(per_channel.size()) != c)
      throw std::invalid_argument(name() + ": fill_value has 3 values, but the images have " + std::to_string(c) +
                                  " channels");
    fill = ops::reshape(core::constant(std::vector<float>(per_channel.begin(), per_channel.end())), {1, 1, 1, c});
  }
  fill = ops::clip(fill, value_range_.first, value_range_.second);
  Tensor out = ops::where(ops::logical_and(apply, inside), fill, x);
  return out.dtype() == images.dtype() ? out : ops::cast(out, images.dtype());
}

Config RandomErasingLayer::get_config() const {
  Config c = base_config();
  c["data_format"] = o_.data_format;
  c["factor"] = Value::list({factor_.first, factor_.second});
  c["scale"] = Value::list({scale_.first, scale_.second});
  if (!fill_value_) c["fill_value"] = Value();
  else if (fill_value_->size() == 1) c["fill_value"] = (*fill_value_)[0];
  else c["fill_value"] = Value::list({(*fill_value_)[0], (*fill_value_)[1], (*fill_value_)[2]});
  c["value_range"] = Value::list({value_range_.first, value_range_.second});
  c["seed"] = o_.seed < 0 ? Value() : Value(static_cast<long long>(o_.seed));
  return c;
}

LayerPtr RandomErasingLayer::from_config(const Config& c) {
  RandomErasingOptions o = detail::with_image_base(RandomErasingOptions{}, options_from(c));
  if (c.contains("factor")) o.factor = FactorArg::from_config(c.at("factor"));
  if (c.contains("scale")) o.scale = FactorArg::from_config(c.at("scale"));
  const Value fv = c.get("fill_value", Value());
  if (fv.type() == Value::Type::list) {
    o.fill_value.emplace();
    for (const Value& v : fv.as_list()) o.fill_value->push_back(v.as_double());
  } else if (!fv.is_null()) {
    o.fill_value = std::vector<double>{fv.as_double()};
  }
  o.value_range = detail::value_range_from("RandomErasing", c, o.value_range);
  return make<RandomErasingLayer>(o);
}

Ref<RandomErasingLayer> RandomErasing(const RandomErasingOptions& o) { return make<RandomErasingLayer>(o); }
Ref<EqualizationLayer> Equalization(const EqualizationOptions& o) { return make<EqualizationLayer>(o); }
Ref<RandomGaussianBlurLayer> RandomGaussianBlur(const RandomGaussianBlurOptions& o) {
  return make<RandomGaussianBlurLayer>(o);
}

}  // namespace keras::layers
