#include "keras/layers/random_flip.h"

#include <stdexcept>

#include "core/ops.h"

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
