#include "keras/layers/image_preprocessing.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/args.h"
#include "keras/layers/conv.h"
#include "keras/layers/resizing.h"

namespace keras::layers {
namespace ops = core::ops;

Value FactorArg::to_config() const {
  if (!is_pair) return lower;
  return Value::list({lower, upper});
}

FactorArg FactorArg::from_config(const Value& v) {
  if (v.type() != Value::Type::list) return FactorArg(v.as_double());
  const auto& l = v.as_list();
  if (l.size() != 2)
    throw std::invalid_argument("config: expected a factor or a list of 2 numbers, but received a list of " +
                                std::to_string(l.size()));
  return FactorArg(l[0].as_double(), l[1].as_double());
}

ImagePreprocessingLayer::ImagePreprocessingLayer(std::string class_name, const ImagePreprocessingOptions& o)
    : Layer(std::move(class_name), LayerOptions{.name = o.name, .trainable = o.trainable, .input_shape = o.input_shape}),
      o_(o),
      seeds_(o.seed) {
  o_.data_format = detail::check_channels_last(name(), o.data_format);
}

Tensor ImagePreprocessingLayer::call(const Tensor& x, bool training) {
  detail::check_image_rank(name(), spec_of(x.shape()));
  Tensor images = core::is_floating(x.dtype()) ? x : ops::cast(x, DType::float32);
  if (!training) return images;
  if (images.shape().rank() == 4) return transform(images);
  return ops::squeeze(transform(ops::expand_dims(images, 0)), {0});
}

std::vector<ShapeSpec> ImagePreprocessingLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  detail::check_image_rank(name(), shapes.at(0));
  return {shapes.at(0)};
}

Config ImagePreprocessingLayer::get_config() const {
  Config c = base_config();
  c["seed"] = o_.seed < 0 ? Value() : Value(static_cast<long long>(o_.seed));
  c["data_format"] = o_.data_format;
  return c;
}

Tensor ImagePreprocessingLayer::transform_images(const Tensor& images, int64_t seed, const Tensor& base) {
  SeedGenerator::Replay replay(seeds_, seed, base);
  return transform(images);
}

Tensor ImagePreprocessingLayer::uniform(const Shape& shape, double lo, double hi) {
  const SeedGenerator::Draw d = seeds_.next();
  if (hi <= lo) return ops::fill(shape, lo);  // a one-point range (a fixed transformation)
  return ops::random_uniform(shape, {.minval = lo, .maxval = hi, .seed = d.seed, .counter = d.counter});
}

ImagePreprocessingOptions ImagePreprocessingLayer::options_from(const Config& c) {
  LayerOptions base = layer_options_from(c);
  ImagePreprocessingOptions o{.name = base.name, .trainable = base.trainable, .input_shape = base.input_shape};
  Value seed = c.get("seed", Value());
  o.seed = seed.is_null() ? -1 : seed.as_int();
  Value df = c.get("data_format", Value());
  if (!df.is_null()) o.data_format = df.as_string();
  return o;
}

}  // namespace keras::layers
