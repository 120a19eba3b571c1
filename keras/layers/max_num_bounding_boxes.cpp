#include "keras/layers/max_num_bounding_boxes.h"

#include <stdexcept>

#include "core/ops.h"
#include "core/ops_numpy.h"
#include "keras/layers/color_layers_internal.h"

namespace keras::layers {
namespace ops = core::ops;

MaxNumBoundingBoxesLayer::MaxNumBoundingBoxesLayer(int64_t max_number, const MaxNumBoundingBoxesOptions& o)
    : ImagePreprocessingLayer("MaxNumBoundingBoxes", detail::image_base(o)),
      max_number_(max_number),
      fill_value_(o.fill_value) {
  if (max_number < 1)
    throw std::invalid_argument(name() + ": expected max_number >= 1, but received " + std::to_string(max_number));
}

utils::bounding_boxes::BoundingBoxes MaxNumBoundingBoxesLayer::transform_bounding_boxes(
    const utils::bounding_boxes::BoundingBoxes& b, const Shape&, bool) {
  required_box_format();
  const int64_t n = b.boxes.shape()[1];
  const int64_t keep = std::min(n, max_number_), pad = max_number_ - keep;
  Tensor boxes = b.boxes[{core::Slice(), core::Slice(0, keep)}];
  Tensor labels = b.labels[{core::Slice(), core::Slice(0, keep)}];
  if (pad > 0) {
    boxes = ops::concatenate({boxes, ops::full({boxes.shape()[0], pad, 4}, double(fill_value_), boxes.dtype())}, 1);
    labels = ops::concatenate({labels, ops::full({labels.shape()[0], pad}, double(fill_value_), labels.dtype())}, 1);
  }
  return {boxes, labels};
}

Config MaxNumBoundingBoxesLayer::get_config() const {
  Config c = ImagePreprocessingLayer::get_config();
  c["max_number"] = static_cast<long long>(max_number_);
  c["fill_value"] = static_cast<long long>(fill_value_);
  return c;
}

LayerPtr MaxNumBoundingBoxesLayer::from_config(const Config& c) {
  MaxNumBoundingBoxesOptions o = detail::with_image_base(MaxNumBoundingBoxesOptions{}, options_from(c));
  o.fill_value = c.get("fill_value", -1).as_int();
  return make<MaxNumBoundingBoxesLayer>(c.at("max_number").as_int(), o);
}

Ref<MaxNumBoundingBoxesLayer> MaxNumBoundingBoxes(int64_t max_number, const MaxNumBoundingBoxesOptions& o) {
  return make<MaxNumBoundingBoxesLayer>(max_number, o);
}

}  // namespace keras::layers
