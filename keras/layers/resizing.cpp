#include "keras/layers/resizing.h"

#include <stdexcept>

#include "core/image_ops.h"
#include "core/ops_numpy.h"
#include "keras/layers/args.h"
#include "keras/layers/color_layers_internal.h"
#include "keras/layers/conv.h"
#include "keras/layers/core_layers_util.h"

namespace keras::layers {
namespace ops = core::ops;

namespace detail {
void check_image_rank(const std::string& layer, const ShapeSpec& shape) {
  if (shape.size() != 3 && shape.size() != 4)
    throw std::invalid_argument(layer + ": expected images of rank 3 (a single image) or 4 (a batch of images), "
                                "but received input with shape " + shape_str(shape));
}
ShapeSpec with_image_size(const ShapeSpec& shape, int64_t height, int64_t width) {
  ShapeSpec s = shape;
  s[s.size() - 3] = height;
  s[s.size() - 2] = width;
  return s;
}
}  // namespace detail

namespace {
void check_size(const std::string& layer, int64_t height, int64_t width) {
  if (height <= 0 || width <= 0)
    throw std::invalid_argument(layer + ": expected a positive height and width, but received height=" +
                                std::to_string(height) + ", width=" + std::to_string(width));
}
}  // namespace

FixedSizeImageLayer::FixedSizeImageLayer(std::string class_name, int64_t height, int64_t width,
                                         const ImagePreprocessingOptions& base)
    : ImagePreprocessingLayer(std::move(class_name), base), height_(height), width_(width) {
  check_size(name(), height, width);
}

Tensor FixedSizeImageLayer::images_call(const Tensor& x, const std::optional<Tensor>&) {
  detail::check_image_rank(name(), spec_of(x.shape()));
  return transform(x);
}

Tensor FixedSizeImageLayer::transform_segmentation_masks(const Tensor& masks, bool) { return transform(masks); }

ShapeSpec FixedSizeImageLayer::image_output_shape(const ShapeSpec& shape) const {
  return detail::with_image_size(shape, height_, width_);
}

Config FixedSizeImageLayer::get_config() const {
  Config c = ImagePreprocessingLayer::get_config();
  c["height"] = static_cast<long long>(height_);
  c["width"] = static_cast<long long>(width_);
  return c;
}

ResizingLayer::ResizingLayer(int64_t height, int64_t width, const ResizingOptions& o)
    : FixedSizeImageLayer("Resizing", height, width, detail::image_base(o)), resize_(o) {
  const std::string& m = o.interpolation;
  if (!ops::image::is_resize_interpolation(m))
    throw std::invalid_argument(name() + ": the `interpolation` argument must be one of \"bilinear\", \"nearest\", "
                                "\"bicubic\", \"lanczos3\", \"lanczos5\", \"area\". Received: interpolation=\"" +
                                m + "\"");
  if (o.pad_to_aspect_ratio && o.crop_to_aspect_ratio)
    throw std::invalid_argument(name() + ": only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be true");
  if (o.fill_mode != "constant")
    throw std::invalid_argument(name() + ": invalid value for argument `fill_mode`. Only \"constant\" is supported. "
                                "Received: fill_mode=\"" + o.fill_mode + "\"");
}

Tensor ResizingLayer::resized(const Tensor& images, const std::string& interpolation) const {
  return ops::image::resize(images, {height_, width_},
                            {.interpolation = interpolation,
                             .antialias = resize_.antialias,
                             .crop_to_aspect_ratio = resize_.crop_to_aspect_ratio,
                             .pad_to_aspect_ratio = resize_.pad_to_aspect_ratio,
                             .fill_mode = resize_.fill_mode,
                             .fill_value = resize_.fill_value});
}

Tensor ResizingLayer::transform(const Tensor& images) { return resized(images, resize_.interpolation); }

Tensor ResizingLayer::transform_segmentation_masks(const Tensor& masks, bool) { return resized(masks, "nearest"); }

namespace {
namespace bb = utils::bounding_boxes;
// xyxy boxes through x -> x * sx + tx (and y likewise), clipped to the output (out_h,
// out_w); a box left empty gets the label -1.
bb::BoundingBoxes map_scaled(const bb::BoundingBoxes& b, double sx, double sy, double tx, double ty, double out_h,
                             double out_w) {
  const Tensor scale = ops::cast(core::constant({float(sx), float(sy), float(sx), float(sy)}), b.boxes.dtype());
  const Tensor shift = ops::cast(core::constant({float(tx), float(ty), float(tx), float(ty)}), b.boxes.dtype());
  return bb::clip_to_image_size({b.boxes * scale + shift, b.labels}, {.height = out_h, .width = out_w});
}
// The same for the map x -> (x - left) * out_w / win_w.
bb::BoundingBoxes map_window(const bb::BoundingBoxes& b, double top, double left, double win_h, double win_w,
                             double out_h, double out_w) {
  const double sx = out_w / win_w, sy = out_h / win_h;
  return map_scaled(b, sx, sy, -left * sx, -top * sy, out_h, out_w);
}
}  // namespace

bb::BoundingBoxes ResizingLayer::transform_bounding_boxes(const bb::BoundingBoxes& b, const Shape& images_shape, bool) {
  const std::string& format = required_box_format();
  const double h = double(images_shape[1]), w = double(images_shape[2]);
  const double th = double(height_), tw = double(width_);
  // Padding boxes (every coordinate 0, or every one -1) stay zeros, as Keras.
  const Tensor padding = ops::logical_or(ops::all(ops::equal(b.boxes, ops::zeros({}, b.boxes.dtype())), {-1}, true),
                                         ops::all(ops::equal(b.boxes, ops::full({}, -1, b.boxes.dtype())), {-1}, true));
  const bb::BoundingBoxes xyxy{bb::convert_format(b.boxes, format, "xyxy", {.height = h, .width = w}), b.labels};
  bb::BoundingBoxes out;
  if (resize_.crop_to_aspect_ratio) {
    // Keras's: the image scaled to cover the target, then the centered crop (whole pixels).
    const bool wider = w / h > tw / th;
    const double new_w = wider ? th * (w / h) : tw, new_h = wider ? th : tw / (w / h);
    const double crop_left = std::floor((new_w - tw) / 2), crop_top = std::floor((new_h - th) / 2);
    const double sx = new_w / w, sy = new_h / h;
    out = map_window(xyxy, crop_top / sy, crop_left / sx, th / sy, tw / sx, th, tw);
  } else if (resize_.pad_to_aspect_ratio) {
    // Keras's rule: scaled by the smaller ratio, centered (offsets in whole pixels, float32).
    const float s = std::min(float(th) / float(h), float(tw) / float(w));
    const double y_offset = std::floor((float(th) - float(h) * s) / 2), x_offset = std::floor((float(tw) - float(w) * s) / 2);
    out = map_scaled(xyxy, s, s, x_offset, y_offset, th, tw);
  } else {
    out = map_window(xyxy, 0, 0, h, w, th, tw);
  }
  out.boxes = ops::where(padding, ops::zeros({}, out.boxes.dtype()), out.boxes);
  out.boxes = bb::convert_format(out.boxes, "xyxy", format, {.height = th, .width = tw});
  return out;
}

Config ResizingLayer::get_config() const {
  Config c = FixedSizeImageLayer::get_config();
  c["interpolation"] = resize_.interpolation;
  c["crop_to_aspect_ratio"] = resize_.crop_to_aspect_ratio;
  c["pad_to_aspect_ratio"] = resize_.pad_to_aspect_ratio;
  c["fill_mode"] = resize_.fill_mode;
  c["fill_value"] = resize_.fill_value;
  c["antialias"] = resize_.antialias;
  return c;
}

LayerPtr ResizingLayer::from_config(const Config& c) {
  ResizingOptions o = detail::with_image_base(ResizingOptions{}, options_from(c));
  o.interpolation = c.get("interpolation", "bilinear").as_string();
  o.crop_to_aspect_ratio = c.get("crop_to_aspect_ratio", false).as_bool();
  o.pad_to_aspect_ratio = c.get("pad_to_aspect_ratio", false).as_bool();
  o.fill_mode = c.get("fill_mode", "constant").as_string();
  o.fill_value = c.get("fill_value", 0.0).as_double();
  o.antialias = c.get("antialias", false).as_bool();
  return make<ResizingLayer>(c.at("height").as_int(), c.at("width").as_int(), o);
}

CenterCropLayer::CenterCropLayer(int64_t height, int64_t width, const CenterCropOptions& o)
    : FixedSizeImageLayer("CenterCrop", height, width, detail::image_base(o)) {}

bb::BoundingBoxes CenterCropLayer::transform_bounding_boxes(const bb::BoundingBoxes& b, const Shape& images_shape, bool) {
  const std::string& format = required_box_format();
  const int64_t h = images_shape[1], w = images_shape[2];
  const bb::BoundingBoxes xyxy{bb::convert_format(b.boxes, format, "xyxy", {.height = double(h), .width = double(w)}),
                               b.labels};
  bb::BoundingBoxes out;
  if (h >= height_ && w >= width_) {
    out = map_window(xyxy, double((h - height_) / 2), double((w - width_) / 2), double(height_), double(width_),
                     double(height_), double(width_));
  } else {  // the centered window of the target's aspect ratio, resized (smart_resize)
    const int64_t ch = std::max<int64_t>(std::min(h, int64_t(double(w * height_) / double(width_))), 1);
    const int64_t cw = std::max<int64_t>(std::min(w, int64_t(double(h * width_) / double(height_))), 1);
    out = map_window(xyxy, double((h - ch) / 2), double((w - cw) / 2), double(ch), double(cw), double(height_),
                     double(width_));
  }
  out.boxes = bb::convert_format(out.boxes, "xyxy", format, {.height = double(height_), .width = double(width_)});
  return out;
}

Tensor CenterCropLayer::transform(const Tensor& images) {
  // Integer images come out float32, as Keras's (Resizing keeps their dtype).
  const Tensor x = core::is_floating(images.dtype()) ? images : ops::cast(images, DType::float32);
  ShapeSpec s = spec_of(x.shape());
  const size_t r = s.size();
  const int64_t dh = s[r - 3] - height_, dw = s[r - 2] - width_;
  if (dh < 0 || dw < 0)  // smaller than the target: Keras's smart_resize
    return ops::image::resize(x, {height_, width_}, {.crop_to_aspect_ratio = true});
  std::vector<int64_t> begin(r, 0), size = detail::with_image_size(s, height_, width_);
  begin[r - 3] = dh / 2;
  begin[r - 2] = dw / 2;
  return ops::slice(x, begin, size);
}

LayerPtr CenterCropLayer::from_config(const Config& c) {
  const CenterCropOptions o = detail::with_image_base(CenterCropOptions{}, options_from(c));
  return make<CenterCropLayer>(c.at("height").as_int(), c.at("width").as_int(), o);
}

Ref<ResizingLayer> Resizing(int64_t height, int64_t width, const ResizingOptions& o) {
  return make<ResizingLayer>(height, width, o);
}
Ref<CenterCropLayer> CenterCrop(int64_t height, int64_t width, const CenterCropOptions& o) {
  return make<CenterCropLayer>(height, width, o);
}

}  // namespace keras::layers
