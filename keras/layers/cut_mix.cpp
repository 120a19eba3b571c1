// cut_mix.cpp - CutMix: Keras 3's Beta weights, boxes, masks and label weights.
#include "keras/layers/cut_mix.h"

#include <stdexcept>

#include "core/ops.h"
#include "core/random_ops.h"
#include "keras/layers/color_layers_internal.h"

namespace keras::layers {
namespace ops = core::ops;

CutMixLayer::CutMixLayer(const CutMixOptions& o)
    : ImagePreprocessingLayer("CutMix", detail::image_base(o)),
      factor_(detail::bounded_factor(name(), "factor", o.factor, 0.0, 1.0)) {}

CutMixLayer::Cut CutMixLayer::draw(const Shape& images_shape) {
  const int64_t batch = images_shape[0], h = images_shape[1], w = images_shape[2];
  const SeedGenerator::Draw d = seeds_.next();
  // Independent streams of the one draw (a seeded layer offsets its counter per stream).
  auto stream = [&](int64_t k) {
    ops::RandomOptions r{.seed = d.seed, .counter = d.counter};
    if (d.seed >= 0 && k > 0) r.counter = ops::add(d.counter, core::constant(k << 40));
    return r;
  };
  ops::RandomOptions a_opts = stream(1);
  a_opts.minval = factor_.first;
  a_opts.maxval = factor_.second;
  Tensor alpha = ops::random_uniform({}, a_opts) + 1e-6f;
  Tensor mix = ops::random::beta(Shape{batch}, alpha, alpha, stream(2));
  Tensor ratio = ops::sqrt(1.0f - mix);
  // Keras's boxes: a side of ratio * length, placed uniformly inside the image.
  auto bounds = [&](int64_t length, int64_t k) {
    Tensor side = ratio * float(length);
    Tensor start = ops::random_uniform(Shape{batch}, stream(k)) * (float(length) - side);
    return std::pair{start, start + side};
  };
  auto [x0, x1] = bounds(w, 3);
  auto [y0, y1] = bounds(h, 4);
  Tensor gy = ops::reshape(ops::arange(0, h, 1, DType::float32), {1, h, 1, 1});
  Tensor gx = ops::reshape(ops::arange(0, w, 1, DType::float32), {1, 1, w, 1});
  auto column = [&](const Tensor& t) { return ops::reshape(t, {batch, 1, 1, 1}); };
  Tensor inside = ops::logical_and(ops::logical_and(ops::greater_equal(gx, column(x0)), ops::less(gx, column(x1))),
                                   ops::logical_and(ops::greater_equal(gy, column(y0)), ops::less(gy, column(y1))));
  Tensor weight = 1.0f - (x1 - x0) * (y1 - y0) / float(w * h);
  Tensor order = ops::random::shuffle(ops::arange(0, batch, 1, DType::int64), 0, stream(0));
  return {order, inside, weight};
}

Tensor CutMixLayer::transform(const Tensor& images) {
  if (images.shape()[0] == 0) return images;
  const Cut cut = draw(images.shape());
  return ops::where(cut.mask, ops::take(images, cut.order, 0), images);
}

Tensor CutMixLayer::transform_labels(const Tensor& labels, const Shape& images_shape, bool training) {
  const Tensor y = core::is_floating(labels.dtype()) ? labels : ops::cast(labels, DType::float32);
  if (!training || images_shape[0] == 0) return y;
  const Cut cut = draw(images_shape);
  std::vector<int64_t> dims(size_t(y.rank()), 1);
  dims[0] = -1;
  Tensor wy = ops::reshape(ops::cast(cut.weight, y.dtype()), dims);
  return wy * y + (ops::scalar_like(wy, 1.0) - wy) * ops::take(y, cut.order, 0);
}

std::pair<Tensor, Tensor> CutMixLayer::mix(const Tensor& images, const Tensor& labels, bool training) {
  auto [x, y] = detail::mix_inputs(name(), images, labels);
  ImageData out = (*this)(ImageData{.images = x, .labels = y}, training);
  return {out.images, *out.labels};
}

Config CutMixLayer::get_config() const {
  Config c = ImagePreprocessingLayer::get_config();
  c["factor"] = Value(std::vector<Value>{Value(factor_.first), Value(factor_.second)});
  return c;
}

LayerPtr CutMixLayer::from_config(const Config& c) {
  CutMixOptions o = detail::with_image_base(CutMixOptions{}, options_from(c));
  o.factor = FactorArg::from_config(c.get("factor", 1.0));
  return make<CutMixLayer>(o);
}

Ref<CutMixLayer> CutMix(const CutMixOptions& o) { return make<CutMixLayer>(o); }

}  // namespace keras::layers
