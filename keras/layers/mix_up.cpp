// mix_up.cpp - MixUp: Keras 3's permutation and Beta(alpha, alpha) weights.
#include "keras/layers/mix_up.h"

#include <stdexcept>

#include "core/ops.h"
#include "core/random_ops.h"
#include "keras/layers/color_layers_internal.h"

namespace keras::layers {
namespace ops = core::ops;

MixUpLayer::MixUpLayer(const MixUpOptions& o) : ImagePreprocessingLayer("MixUp", detail::image_base(o)), alpha_(o.alpha) {
  if (!(o.alpha > 0))
    throw std::invalid_argument(name() + ": expected alpha > 0, but received alpha=" + Value(o.alpha).to_json());
}

std::pair<Tensor, Tensor> MixUpLayer::draw(int64_t batch) {
  const SeedGenerator::Draw d = seeds_.next();
  const ops::RandomOptions base{.seed = d.seed, .counter = d.counter};
  Tensor order = ops::random::shuffle(ops::arange(0, batch, 1, DType::int64), 0, base);
  ops::RandomOptions weights = base;
  if (d.seed >= 0) weights.counter = ops::add(d.counter, core::constant(int64_t{1} << 41));  // (another stream)
  return {order, ops::random::beta(Shape{batch}, alpha_, alpha_, weights)};
}

namespace {
// w x + (1 - w) x[order], w broadcast over each sample's other axes.
Tensor mixed(const Tensor& x, const Tensor& order, const Tensor& w) {
  std::vector<int64_t> dims(size_t(x.rank()), 1);
  dims[0] = -1;
  Tensor wx = ops::reshape(ops::cast(w, x.dtype()), dims);
  Tensor other = ops::take(x, order, 0);
  return ops::add(ops::multiply(wx, x), ops::multiply(ops::subtract(ops::scalar_like(wx, 1.0), wx), other));
}
}  // namespace

Tensor MixUpLayer::transform(const Tensor& images) {
  auto [order, w] = draw(images.shape()[0]);
  return mixed(images, order, w);
}

Tensor MixUpLayer::transform_labels(const Tensor& labels, const Shape& images_shape, bool training) {
  const Tensor y = core::is_floating(labels.dtype()) ? labels : ops::cast(labels, DType::float32);
  if (!training) return y;
  auto [order, w] = draw(images_shape[0]);
  return mixed(y, order, w);
}

utils::bounding_boxes::BoundingBoxes MixUpLayer::transform_bounding_boxes(
    const utils::bounding_boxes::BoundingBoxes& b, const Shape& images_shape, bool training) {
  required_box_format();
  if (!training) return b;
  const Tensor order = draw(images_shape[0]).first;  // the images' draw, replayed
  return {ops::concatenate({b.boxes, ops::take(b.boxes, order, 0)}, 1),
          ops::concatenate({b.labels, ops::take(b.labels, order, 0)}, 1)};
}

std::pair<Tensor, Tensor> MixUpLayer::mix(const Tensor& images, const Tensor& labels, bool training) {
  auto [x, y] = detail::mix_inputs(name(), images, labels);
  ImageData out = (*this)(ImageData{.images = x, .labels = y}, training);
  return {out.images, *out.labels};
}

Config MixUpLayer::get_config() const {
  Config c = ImagePreprocessingLayer::get_config();
  c["alpha"] = alpha_;
  return c;
}

LayerPtr MixUpLayer::from_config(const Config& c) {
  MixUpOptions o = detail::with_image_base(MixUpOptions{}, options_from(c));
  o.alpha = c.get("alpha", 0.2).as_double();
  return make<MixUpLayer>(o);
}

Ref<MixUpLayer> MixUp(const MixUpOptions& o) { return make<MixUpLayer>(o); }

}  // namespace keras::layers
