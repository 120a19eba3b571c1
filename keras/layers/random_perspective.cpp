// random_perspective.cpp - RandomPerspective: Keras 3's draws (the chance, the threshold,
// the corners' moves) and its perspective warp.
#include "keras/layers/random_perspective.h"

#include <stdexcept>

#include "core/image_ops_more.h"
#include "core/ops.h"
#include "keras/layers/color_layers_internal.h"

namespace keras::layers {
namespace ops = core::ops;

RandomPerspectiveLayer::RandomPerspectiveLayer(const RandomPerspectiveOptions& o)
    : ImagePreprocessingLayer("RandomPerspective", detail::image_base(o)),
      o_(o),
      factor_(detail::bounded_factor(name(), "factor", o.factor, 0.0, 1.0)) {
  if (!(o.scale >= 0.0 && o.scale <= 1.0))
    throw std::invalid_argument(name() + ": The `scale` argument should be a number in the range [0,1]. Received: scale=" +
                                Value(o.scale).to_json());
  if (o.interpolation != "bilinear" && o.interpolation != "nearest")
    throw std::invalid_argument(name() + ": Unknown `interpolation` " + o.interpolation +
                                ". Expected of one ('nearest', 'bilinear').");
}

Tensor RandomPerspectiveLayer::transform(const Tensor& images) {
  const int64_t n = images.shape()[0], h = images.shape()[1], w = images.shape()[2];
  if (n == 0) return images;
  Tensor x = core::is_floating(images.dtype()) ? images : ops::cast(images, DType::float32);
  const Warp warp = draw_warp(n, h, w, x.dtype());
  Tensor warped = ops::image::perspective_transform(x, warp.start, warp.end, o_.interpolation, o_.fill_value);
  return ops::where(ops::reshape(warp.apply, {n, 1, 1, 1}), warped, x);
}

RandomPerspectiveLayer::Warp RandomPerspectiveLayer::draw_warp(int64_t n, int64_t h, int64_t w, DType dtype) {
  // Keras's draws, in order: the chance, the threshold, the corners' moves.
  Tensor chance = uniform(Shape{n}, factor_.first, factor_.second);
  Tensor apply = ops::less(uniform(Shape{n}, 0.0, 1.0), chance);
  Tensor moves = ops::cast(uniform(Shape{n, 4, 2}, -0.5 * o_.scale, 0.5 * o_.scale), dtype);
  const float fw = float(w - 1), fh = float(h - 1);
  Tensor corners = ops::cast(core::constant(std::vector<float>{0, 0, fw, 0, 0, fh, fw, fh}, Shape{1, 4, 2}), dtype);
  Tensor start = ops::broadcast_to(corners, Shape{n, 4, 2});
  return {apply, start, start + start * moves};
}

utils::bounding_boxes::BoundingBoxes RandomPerspectiveLayer::transform_bounding_boxes(
    const utils::bounding_boxes::BoundingBoxes& b, const Shape& images_shape, bool training) {
  required_box_format();
  const int64_t n = images_shape[0], h = images_shape[1], w = images_shape[2];
  if (!training || n == 0) return b;
  const Warp warp = draw_warp(n, h, w, DType::float32);  // transform()'s draws, replayed
  // The images' homography maps end to start (output to input); the boxes go start to end.
  const Tensor forward = ops::image::perspective_matrix(warp.end, warp.start);
  const Tensor identity = core::constant(std::vector<float>{1, 0, 0, 0, 1, 0, 0, 0}, Shape{1, 8});
  const Tensor map = ops::where(ops::reshape(warp.apply, {n, 1}), forward, identity);
  return map_boxes(b, map, images_shape);
}

Config RandomPerspectiveLayer::get_config() const {
  Config c = ImagePreprocessingLayer::get_config();
  c["factor"] = Value(std::vector<Value>{Value(factor_.first), Value(factor_.second)});
  c["scale"] = o_.scale;
  c["interpolation"] = o_.interpolation;
  c["fill_value"] = o_.fill_value;
  return c;
}

LayerPtr RandomPerspectiveLayer::from_config(const Config& c) {
  RandomPerspectiveOptions o = detail::with_image_base(RandomPerspectiveOptions{}, options_from(c));
  o.factor = FactorArg::from_config(c.get("factor", 1.0));
  o.scale = c.get("scale", 1.0).as_double();
  o.interpolation = c.get("interpolation", "bilinear").as_string();
  o.fill_value = c.get("fill_value", 0.0).as_double();
  return make<RandomPerspectiveLayer>(o);
}

Ref<RandomPerspectiveLayer> RandomPerspective(const RandomPerspectiveOptions& o) { return make<RandomPerspectiveLayer>(o); }

}  // namespace keras::layers
