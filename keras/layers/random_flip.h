// random_flip.h - RandomFlip (keras.layers): in training, flips each image left-right
// ("horizontal"), upside down ("vertical") or both ("horizontal_and_vertical", the
// default; one draw per image decides both flips, as Keras 3) with probability 1/2.
//
//   auto f = keras::layers::RandomFlip("horizontal", {.seed = 3});
#pragma once
#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

class RandomFlipLayer : public ImagePreprocessingLayer {
 public:
  explicit RandomFlipLayer(std::string mode = "horizontal_and_vertical", const ImagePreprocessingOptions& options = {});
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);
  const std::string& mode() const { return mode_; }

 protected:
  Tensor transform(const Tensor& images) override;

 private:
  std::string mode_;
};

Ref<RandomFlipLayer> RandomFlip(const std::string& mode = "horizontal_and_vertical",
                                const ImagePreprocessingOptions& options = {});

}  // namespace keras::layers
