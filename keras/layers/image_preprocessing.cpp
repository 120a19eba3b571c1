#include "keras/layers/image_preprocessing.h"
#include "keras/layers/options_base.h"

#include <algorithm>
#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/args.h"
#include "keras/layers/conv.h"
#include "keras/layers/data_format.h"
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
    : Layer(std::move(class_name), detail::layer_options_of(o)),
      o_(o),
      seeds_(o.seed) {
  o_.data_format = detail::data_format_of(name(), o.data_format);
  if (!o_.bounding_box_format.empty()) {
    const auto& formats = utils::bounding_boxes::supported_formats();
    if (std::find(formats.begin(), formats.end(), o_.bounding_box_format) == formats.end())
      throw std::invalid_argument(name() + ": unknown bounding_box_format \"" + o_.bounding_box_format +
                                  "\"; expected one of xyxy, yxyx, xywh, center_xywh, center_yxhw, rel_xyxy, "
                                  "rel_yxyx, rel_xywh, rel_center_xywh");
  }
}

namespace {
Tensor floating(const Tensor& x) { return core::is_floating(x.dtype()) ? x : ops::cast(x, DType::float32); }
Tensor batched(const Tensor& x, bool is_batched) { return is_batched ? x : ops::expand_dims(x, 0); }
Tensor unbatched(const Tensor& x, bool is_batched) { return is_batched ? x : ops::squeeze(x, {0}); }
}  // namespace

Tensor ImagePreprocessingLayer::call(const Tensor& x, bool training) {
  detail::check_image_rank(name(), spec_of(x.shape()));
  const bool first = channels_first();
  return detail::image_to_channels_first(
      images_call(detail::image_to_channels_last(x, first),
                  training && draws() ? std::optional<Tensor>(draw_base()) : std::nullopt),
      first);
}

Tensor ImagePreprocessingLayer::images_call(const Tensor& x, const std::optional<Tensor>& base) {
  detail::check_image_rank(name(), spec_of(x.shape()));
  Tensor images = floating(x);
  if (!base) return images;
  const bool is_batched = images.shape().rank() == 4;
  SeedGenerator::Replay replay(seeds_, replay_seed(), *base);
  return unbatched(transform(batched(images, is_batched)), is_batched);
}

ImageData ImagePreprocessingLayer::operator()(const ImageData& data, bool training) {
  if (!data.images.defined()) throw std::invalid_argument(name() + ": ImageData has no images");
  detail::check_image_rank(name(), spec_of(data.images.shape()));
  // The computation is channels_last: channels_first images and masks move there and back.
  const bool first = channels_first();
  // One key for the call's draws: the images, boxes, labels and masks replay it.
  std::optional<Tensor> base;
  if (training && draws()) base = draw_base();
  ImageData out;
  const Tensor images = detail::image_to_channels_last(data.images, first);
  out.images = detail::image_to_channels_first(images_call(images, base), first);
  const Shape& shape = images.shape();
  const bool is_batched = shape.rank() == 4;
  const int64_t batch = is_batched ? shape[0] : 1;
  const Shape images_shape = is_batched ? shape : Shape{1, shape[0], shape[1], shape[2]};
  auto under_replay = [&](auto&& fn) {
    if (!base) return fn();
    SeedGenerator::Replay replay(seeds_, replay_seed(), *base);
    return fn();
  };
  if (data.bounding_boxes) {
    const Tensor& boxes = data.bounding_boxes->boxes;
    const Tensor& labels = data.bounding_boxes->labels;
    const int64_t want = is_batched ? 3 : 2;
    if (!boxes.defined() || !labels.defined() || boxes.shape().rank() != want || boxes.shape()[want - 1] != 4 ||
        (is_batched && boxes.shape()[0] != batch) || labels.shape().rank() != want - 1 ||
        labels.shape()[want - 2] != boxes.shape()[want - 2] || (is_batched && labels.shape()[0] != batch))
      throw std::invalid_argument(
          name() + ": expected bounding boxes " + (is_batched ? "(batch, num_boxes, 4) with labels (batch, num_boxes)"
                                                              : "(num_boxes, 4) with labels (num_boxes)") +
          " for images of shape " + shape.str() + ", but received boxes " +
          (boxes.defined() ? boxes.shape().str() : "(none)") + " and labels " +
          (labels.defined() ? labels.shape().str() : "(none)"));
    utils::bounding_boxes::BoundingBoxes b{batched(ops::cast(boxes, DType::float32), is_batched),
                                           batched(labels, is_batched)};
    b = under_replay([&] { return transform_bounding_boxes(b, images_shape, training); });
    out.bounding_boxes = utils::bounding_boxes::BoundingBoxes{unbatched(b.boxes, is_batched),
                                                              unbatched(b.labels, is_batched)};
  }
  if (data.labels) {
    const Tensor labels = batched(*data.labels, is_batched);
    if (labels.shape().rank() < 1 || labels.shape()[0] != batch)
      throw std::invalid_argument(name() + ": expected labels with the images' batch (" + std::to_string(batch) +
                                  ") first, but received shape " + data.labels->shape().str());
    out.labels = under_replay([&] { return transform_labels(labels, images_shape, training); });
    out.labels = unbatched(*out.labels, is_batched);
  }
  if (data.segmentation_masks) {
    const Tensor masks = detail::image_to_channels_last(*data.segmentation_masks, first);
    if (masks.shape().rank() != shape.rank())
      throw std::invalid_argument(name() + ": expected segmentation masks of rank " + std::to_string(shape.rank()) +
                                  " for images of shape " + shape.str() + ", but received shape " + masks.shape().str());
    out.segmentation_masks = detail::image_to_channels_first(
        under_replay(
            [&] { return unbatched(transform_segmentation_masks(batched(masks, is_batched), training), is_batched); }),
        first);
  }
  return out;
}

utils::bounding_boxes::BoundingBoxes ImagePreprocessingLayer::transform_bounding_boxes(
    const utils::bounding_boxes::BoundingBoxes& boxes, const Shape&, bool) {
  if (moves_pixels())
    throw std::invalid_argument(name() + ": bounding boxes are not supported by this layer yet (it moves pixels "
                                "and has no rule for boxes)");
  return boxes;
}

utils::bounding_boxes::BoundingBoxes ImagePreprocessingLayer::map_boxes(const utils::bounding_boxes::BoundingBoxes& b,
                                                                       const Tensor& map, const Shape& images_shape) const {
  namespace bb = utils::bounding_boxes;
  const std::string& format = required_box_format();
  const int64_t batch = images_shape[0];
  const double height = double(images_shape[1]), width = double(images_shape[2]);
  const bb::ConvertOptions size{.height = height, .width = width};
  const std::vector<Tensor> k = ops::split(ops::reshape(ops::cast(map, b.boxes.dtype()), {batch, 1, 8}), 8, -1);
  const std::vector<Tensor> c = ops::split(bb::convert_format(b.boxes, format, "xyxy", size), 4, -1);  // (batch, n, 1)
  const Tensor xs = ops::concatenate({c[0], c[2], c[2], c[0]}, -1), ys = ops::concatenate({c[1], c[1], c[3], c[3]}, -1);
  const Tensor den = k[6] * xs + k[7] * ys + 1.0;
  const Tensor x = (k[0] * xs + k[1] * ys + k[2]) / den, y = (k[3] * xs + k[4] * ys + k[5]) / den;
  const Tensor moved = ops::concatenate(
      {ops::min(x, {-1}, true), ops::min(y, {-1}, true), ops::max(x, {-1}, true), ops::max(y, {-1}, true)}, -1);
  const bb::BoundingBoxes clipped = bb::clip_to_image_size({moved, b.labels}, {.height = height, .width = width});
  return {bb::convert_format(clipped.boxes, "xyxy", format, size), clipped.labels};
}

Tensor ImagePreprocessingLayer::transform_segmentation_masks(const Tensor& masks, bool training) {
  if (!training || !moves_pixels()) return masks;
  return transform(floating(masks));
}

Tensor ImagePreprocessingLayer::transform_labels(const Tensor& labels, const Shape&, bool) { return labels; }

const std::string& ImagePreprocessingLayer::required_box_format() const {
  if (o_.bounding_box_format.empty())
    throw std::invalid_argument("You passed an input with a 'bounding_boxes' key, but you didn't specify a bounding box "
                                "format. Pass a `bounding_box_format` argument to your " + class_name() +
                                " layer, e.g. `bounding_box_format='xyxy'`.");
  return o_.bounding_box_format;
}

Tensor ImagePreprocessingLayer::draw_base() {
  const SeedGenerator::Draw d = seeds_.next();
  if (d.seed >= 0) return ops::cast(d.counter, DType::int64);
  // Unseeded: a base drawn from the global generator (every call differs); 2^52 keeps
  // base * 64 + k within int64.
  return ops::cast(ops::random_uniform({}, {.minval = 0, .maxval = 4503599627370496.0, .dtype = DType::float64}),
                   DType::int64);
}

int64_t ImagePreprocessingLayer::replay_seed() const {
  return o_.seed >= 0 ? o_.seed : int64_t{0x696d61676573};  // unseeded: the base alone varies
}

std::vector<ShapeSpec> ImagePreprocessingLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  detail::check_image_rank(name(), shapes.at(0));
  const bool first = channels_first();
  return {detail::image_to_channels_first(image_output_shape(detail::image_to_channels_last(shapes.at(0), first)),
                                          first)};
}

ShapeSpec ImagePreprocessingLayer::image_output_shape(const ShapeSpec& shape) const { return shape; }

Config ImagePreprocessingLayer::get_config() const {
  Config c = base_config();
  if (draws()) c["seed"] = o_.seed < 0 ? Value() : Value(static_cast<long long>(o_.seed));
  c["data_format"] = o_.data_format;
  if (!o_.bounding_box_format.empty()) c["bounding_box_format"] = o_.bounding_box_format;
  return c;
}

Tensor ImagePreprocessingLayer::transform_images(const Tensor& images, int64_t seed, const Tensor& base) {
  SeedGenerator::Replay replay(seeds_, seed, base);
  return transform(images);
}

utils::bounding_boxes::BoundingBoxes ImagePreprocessingLayer::transform_boxes(
    const utils::bounding_boxes::BoundingBoxes& boxes, const Shape& images_shape, int64_t seed, const Tensor& base) {
  SeedGenerator::Replay replay(seeds_, seed, base);
  return transform_bounding_boxes(boxes, images_shape, true);
}

Tensor ImagePreprocessingLayer::transform_masks(const Tensor& masks, int64_t seed, const Tensor& base) {
  SeedGenerator::Replay replay(seeds_, seed, base);
  return transform_segmentation_masks(masks, true);
}

Tensor ImagePreprocessingLayer::uniform(const Shape& shape, double lo, double hi) {
  const SeedGenerator::Draw d = seeds_.next();
  if (hi <= lo) return ops::fill(shape, lo);  // a one-point range (a fixed transformation)
  return ops::random_uniform(shape, {.minval = lo, .maxval = hi, .seed = d.seed, .counter = d.counter});
}

ImagePreprocessingOptions ImagePreprocessingLayer::options_from(const Config& c) {
  ImagePreprocessingOptions o;
  detail::read_base_options(c, o);
  Value seed = c.get("seed", Value());
  o.seed = seed.is_null() ? -1 : seed.as_int();
  Value df = c.get("data_format", Value());
  if (!df.is_null()) o.data_format = df.as_string();
  Value bf = c.get("bounding_box_format", Value());
  if (!bf.is_null()) o.bounding_box_format = bf.as_string();
  return o;
}

}  // namespace keras::layers
