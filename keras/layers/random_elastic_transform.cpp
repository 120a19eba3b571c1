// random_elastic_transform.cpp - RandomElasticTransform: Keras 3's draws and parameters,
// the displacement by ops::image::elastic_transform_fields.
#include "keras/layers/random_elastic_transform.h"

#include <algorithm>
#include <stdexcept>

#include "core/image_ops_more.h"
#include "core/ops.h"
#include "keras/layers/color_layers_internal.h"

namespace keras::layers {
namespace ops = core::ops;

RandomElasticTransformLayer::RandomElasticTransformLayer(const RandomElasticTransformOptions& o)
    : ImagePreprocessingLayer("RandomElasticTransform", detail::image_base(o)),
      o_(o),
      factor_(detail::bounded_factor(name(), "factor", o.factor, 0.0, 1.0)),
      scale_(detail::bounded_factor(name(), "scale", o.scale, 0.0, 1.0)) {
  if (o.interpolation != "bilinear" && o.interpolation != "nearest")
    throw std::invalid_argument(name() + ": Unknown `interpolation` " + o.interpolation +
                                ". Expected of one ('nearest', 'bilinear').");
  static const std::vector<std::string> modes{"constant", "nearest", "wrap", "mirror", "reflect"};
  if (std::find(modes.begin(), modes.end(), o.fill_mode) == modes.end())
    throw std::invalid_argument(name() + ": Unknown `fill_mode` " + o.fill_mode +
                                ". Expected of one ('constant', 'nearest', 'wrap', 'mirror', 'reflect').");
  o_.value_range = detail::sorted_value_range(name(), o.value_range);
}

Tensor RandomElasticTransformLayer::transform(const Tensor& images) {
  const int64_t n = images.shape()[0], h = images.shape()[1], w = images.shape()[2];
  if (n == 0 || scale_.second == 0 || factor_.second == 0) return images;  // Keras: no transformation
  const DType dt = images.dtype();
  // Keras's draws, in order: the chances, the thresholds, the distortion, the fields.
  Tensor chance = uniform(Shape{n}, factor_.first, factor_.second);
  Tensor apply = ops::less(uniform(Shape{n}, 0.0, 1.0), chance);
  Tensor distortion = ops::cast(uniform(Shape{}, scale_.first, scale_.second), dt);
  const SeedGenerator::Draw d = seeds_.next();
  Tensor fields = ops::random_normal({2, n, h, w}, {.dtype = dt, .seed = d.seed, .counter = d.counter});
  const double longer = double(std::max(h, w)), shorter = double(std::min(h, w));
  Tensor alpha = ops::multiply(distortion, ops::scalar_like(distortion, longer * 0.1));
  // A distortion of 0 (sigma 0) moves nothing: a tiny sigma keeps the kernel finite.
  Tensor sigma = ops::maximum(ops::multiply(distortion, ops::scalar_like(distortion, shorter * 0.05)),
                              ops::scalar_like(distortion, 1e-12));
  const double max_sigma = std::max(shorter * 0.05 * scale_.second, 1e-12);
  Tensor moved = ops::image::elastic_transform_fields(images, fields, alpha, sigma, max_sigma, o_.interpolation,
                                                      o_.fill_mode, o_.fill_value);
  Tensor out = ops::where(ops::reshape(apply, {n, 1, 1, 1}), moved, images);
  return ops::clip(out, o_.value_range.first, o_.value_range.second);
}

Config RandomElasticTransformLayer::get_config() const {
  Config c = ImagePreprocessingLayer::get_config();
  c["factor"] = Value::list({factor_.first, factor_.second});
  c["scale"] = Value::list({scale_.first, scale_.second});
  c["interpolation"] = o_.interpolation;
  c["fill_mode"] = o_.fill_mode;
  c["fill_value"] = o_.fill_value;
  c["value_range"] = detail::value_range_config(o_.value_range);
  return c;
}

LayerPtr RandomElasticTransformLayer::from_config(const Config& c) {
  const std::string cls = "RandomElasticTransform";
  RandomElasticTransformOptions o = detail::with_image_base(RandomElasticTransformOptions{}, options_from(c));
  o.factor = FactorArg::from_config(c.get("factor", 1.0));
  o.scale = FactorArg::from_config(c.get("scale", 1.0));
  o.interpolation = c.get("interpolation", "bilinear").as_string();
  o.fill_mode = c.get("fill_mode", "reflect").as_string();
  o.fill_value = c.get("fill_value", 0.0).as_double();
  o.value_range = detail::value_range_from(cls, c, {0, 255});
  return make<RandomElasticTransformLayer>(o);
}

Ref<RandomElasticTransformLayer> RandomElasticTransform(const RandomElasticTransformOptions& o) {
  return make<RandomElasticTransformLayer>(o);
}

}  // namespace keras::layers
