// random_crop.h - RandomCrop (keras.layers): in training, a height x width window of the
// images at a random offset (one per batch, as Keras 3) when they are larger than the
// target in both axes; otherwise the centered window of the target's aspect ratio,
// resized (bilinear) to the target. In inference the images pass unchanged, as Keras 3
// (whose compute_output_shape still gives the target size: symbolic models see that).
//
//   auto c = keras::layers::RandomCrop(24, 24, {.seed = 5});
#pragma once
#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

class RandomCropLayer : public ImagePreprocessingLayer {
 public:
  RandomCropLayer(int64_t height, int64_t width, const ImagePreprocessingOptions& options = {});
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor transform(const Tensor& images) override;

 private:
  int64_t height_, width_;
};

Ref<RandomCropLayer> RandomCrop(int64_t height, int64_t width, const ImagePreprocessingOptions& options = {});

}  // namespace keras::layers
