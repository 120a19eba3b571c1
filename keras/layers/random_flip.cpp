#include "keras/layers/random_flip.h"

#include <stdexcept>

#include "core/ops.h"
#include "core/ops_numpy.h"

namespace keras::layers {
namespace ops = core::ops;

RandomFlipLayer::RandomFlipLayer(std::string mode, const ImagePreprocessingOptions& o)
    : ImagePreprocessingLayer("RandomFlip", o), mode_(std::move(mode)) {
  if (mode_ != "horizontal" && mode_ != "vertical" && mode_ != "horizontal_and_vertical")
    throw std::invalid_argument(name() + ": received an unknown mode argument \"" + mode_ +
                                "\"; expected \"horizontal\", \"vertical\" or \"horizontal_and_vertical\"");
}

Tensor RandomFlipLayer::transform(const Tensor& images) {
  // one draw per image: flipped where it is <= 0.5
  Tensor flips = ops::less_equal(uniform(Shape{images.shape()[0], 1, 1, 1}, 0.0, 1.0), core::constant(0.5f));
  Tensor y = images;
  if (mode_ != "vertical") y = ops::where(flips, ops::reverse(y, {2}), y);
  if (mode_ != "horizontal") y = ops::where(flips, ops::reverse(y, {1}), y);
  return y;
}

// Keras's rule: in relative xyxy coordinates, a flipped box is mirrored about the image's
// centre (1 - x), then "clipped" as Keras does (to [0, height] and [0, width], which in
// relative coordinates only catches negative values, and labels -1 for empty boxes).
utils::bounding_boxes::BoundingBoxes RandomFlipLayer::transform_bounding_boxes(
    const utils::bounding_boxes::BoundingBoxes& b, const Shape& images_shape, bool training) {
  namespace bb = utils::bounding_boxes;
  const std::string& format = required_box_format();
  if (!training) return b;
  const double h = double(images_shape[1]), w = double(images_shape[2]);
  // transform()'s draw, replayed: (batch, 1, 1, 1), here (batch, 1, 1) against (batch, n, 4)
  const Tensor flips = ops::squeeze(ops::less_equal(uniform(Shape{images_shape[0], 1, 1, 1}, 0.0, 1.0),
                                                    core::constant(0.5f)), {-1});
  Tensor rel = bb::convert_format(b.boxes, format, "rel_xyxy", {.height = h, .width = w});
  const auto flipped = [](const Tensor& boxes, bool horizontal) {
    std::vector<Tensor> c = ops::split(boxes, 4, -1);
    return horizontal ? ops::concatenate({1.0 - c[2], c[1], 1.0 - c[0], c[3]}, -1)
                      : ops::concatenate({c[0], 1.0 - c[3], c[2], 1.0 - c[1]}, -1);
  };
  if (mode_ != "vertical") rel = ops::where(flips, flipped(rel, true), rel);
  if (mode_ != "horizontal") rel = ops::where(flips, flipped(rel, false), rel);
  const bb::BoundingBoxes clipped = bb::clip_to_image_size({rel, b.labels}, {.height = h, .width = w});
  return {bb::convert_format(clipped.boxes, "rel_xyxy", format, {.height = h, .width = w}), clipped.labels};
}

Config RandomFlipLayer::get_config() const {
  Config c = ImagePreprocessingLayer::get_config();
  c["mode"] = mode_;
  return c;
}

LayerPtr RandomFlipLayer::from_config(const Config& c) {
  return make<RandomFlipLayer>(c.get("mode", "horizontal_and_vertical").as_string(), options_from(c));
}

Ref<RandomFlipLayer> RandomFlip(const std::string& mode, const ImagePreprocessingOptions& o) {
  return make<RandomFlipLayer>(mode, o);
}

}  // namespace keras::layers
