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

Tensor RandomCropLayer::transform(const Tensor& images) {
  const int64_t h = images.shape()[1], w = images.shape()[2];
  if (h > height_ && w > width_) {
    // offsets uniform in [0, h - height]: floor of a draw in [0, h - height + 1)
    auto offset = [&](int64_t room) {
      Tensor u = uniform(Shape{}, 0.0, double(room + 1));
      return ops::cast(ops::clip(ops::floor(u), 0.0, double(room)), DType::int32);
    };
    Tensor hs = offset(h - height_), ws = offset(w - width_);
    return window(window(images, 1, hs, height_), 2, ws, width_);
  }
  // Keras: the start of the centered box of the target's aspect ratio, a target-sized
  // slice from there (clamped by the image), resized to the target if it came out smaller
  int64_t ch = std::max<int64_t>(std::min(h, int64_t(double(w * height_) / double(width_))), 1);
  int64_t cw = std::max<int64_t>(std::min(w, int64_t(double(h * width_) / double(height_))), 1);
  const int64_t hs = (h - ch) / 2, ws = (w - cw) / 2;
  Tensor y = ops::slice(images, {0, hs, ws, 0}, {-1, std::min(height_, h - hs), std::min(width_, w - ws), -1});
  if (y.shape()[1] == height_ && y.shape()[2] == width_) return y;
  return ops::image::resize(y, {height_, width_});
}

std::vector<ShapeSpec> RandomCropLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  detail::check_image_rank(name(), shapes.at(0));
  return {detail::with_image_size(shapes.at(0), height_, width_)};
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
