#include "keras/layers/random_crop.h"

#include <algorithm>
#include <stdexcept>

#include "core/image_ops.h"
#include "keras/layers/resizing.h"

namespace keras::layers {
namespace ops = core::ops;

RandomCropLayer::RandomCropLayer(int64_t height, int64_t width, const ImagePreprocessingOptions& o)
    : ImagePreprocessingLayer("RandomCrop", o), height_(height), width_(width) {
  if (height <= 0 || width <= 0)
    throw std::invalid_argument(name() + ": expected a positive height and width, but received height=" +
                                std::to_string(height) + ", width=" + std::to_string(width));
}

namespace {
// Rows start .. start + n of axis, start a random int32 scalar tensor.
Tensor window(const Tensor& x, int64_t axis, const Tensor& start, int64_t n) {
  Tensor idx = ops::add(ops::range(0, n), start);
  return ops::gather(x, idx, axis);
}
}  // namespace

RandomCropLayer::Window RandomCropLayer::window_of(int64_t h, int64_t w) {
  if (h > height_ && w > width_) {
    // offsets uniform in [0, h - height]: floor of a draw in [0, h - height + 1)
    auto offset = [&](int64_t room) {
      Tensor u = uniform(Shape{}, 0.0, double(room + 1));
      return ops::cast(ops::clip(ops::floor(u), 0.0, double(room)), DType::int32);
    };
    Tensor top = offset(h - height_), left = offset(w - width_);
    return {top, left, 0, 0, height_, width_, true};
  }
  // Keras: the start of the centered box of the target's aspect ratio, a target-sized
  // slice from there (clamped by the image), resized to the target if it came out smaller
  int64_t ch = std::max<int64_t>(std::min(h, int64_t(double(w * height_) / double(width_))), 1);
  int64_t cw = std::max<int64_t>(std::min(w, int64_t(double(h * width_) / double(height_))), 1);
  const int64_t hs = (h - ch) / 2, ws = (w - cw) / 2;
  return {core::constant(int32_t(hs)), core::constant(int32_t(ws)), hs, ws, std::min(height_, h - hs), std::min(width_, w - ws),
          false};
}

Tensor RandomCropLayer::transform(const Tensor& images) {
  const Window win = window_of(images.shape()[1], images.shape()[2]);
  if (win.random) return window(window(images, 1, win.top, height_), 2, win.left, width_);
  Tensor y = ops::slice(images, {0, win.fixed_top, win.fixed_left, 0}, {-1, win.height, win.width, -1});
  if (y.shape()[1] == height_ && y.shape()[2] == width_) return y;
  return ops::image::resize(y, {height_, width_});
}

utils::bounding_boxes::BoundingBoxes RandomCropLayer::transform_bounding_boxes(
    const utils::bounding_boxes::BoundingBoxes& b, const Shape& images_shape, bool training) {
  namespace bb = utils::bounding_boxes;
  const std::string& format = required_box_format();
  if (!training) return b;
  const int64_t h = images_shape[1], w = images_shape[2];
  const Window win = window_of(h, w);  // transform()'s draws, replayed
  std::vector<Tensor> c = ops::split(bb::convert_format(b.boxes, format, "xyxy", {.height = double(h), .width = double(w)}), 4, -1);
  const Tensor top = ops::cast(win.top, DType::float32), left = ops::cast(win.left, DType::float32);
  const Tensor shifted = ops::concatenate({c[0] - left, c[1] - top, c[2] - left, c[3] - top}, -1);
  bb::BoundingBoxes out = bb::clip_to_image_size({shifted, b.labels}, {.height = double(win.height), .width = double(win.width)});
  if (win.height != height_ || win.width != width_) {  // the window resized to the target
    const double sy = double(height_) / double(win.height), sx = double(width_) / double(win.width);
    out.boxes = out.boxes * ops::cast(core::constant({float(sx), float(sy), float(sx), float(sy)}), out.boxes.dtype());
  }
  out.boxes = bb::convert_format(out.boxes, "xyxy", format, {.height = double(height_), .width = double(width_)});
  return out;
}

ShapeSpec RandomCropLayer::image_output_shape(const ShapeSpec& shape) const {
  return detail::with_image_size(shape, height_, width_);
}

Config RandomCropLayer::get_config() const {
  Config c = ImagePreprocessingLayer::get_config();
  c["height"] = static_cast<long long>(height_);
  c["width"] = static_cast<long long>(width_);
  return c;
}

LayerPtr RandomCropLayer::from_config(const Config& c) {
  return make<RandomCropLayer>(c.at("height").as_int(), c.at("width").as_int(), options_from(c));
}

Ref<RandomCropLayer> RandomCrop(int64_t height, int64_t width, const ImagePreprocessingOptions& o) {
  return make<RandomCropLayer>(height, width, o);
}

}  // namespace keras::layers
