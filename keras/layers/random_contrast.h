// random_contrast.h - RandomContrast (keras.layers): in training, each image's channels
// become (x - mean) * f + mean (mean over the image's height and width), f drawn per image
// uniform in [1 - lower, 1 + upper], then clipped to value_range. A factor f alone gives
// lower = max(-f, 0), upper = f (Keras 3's rule: contrast is only raised); a pair is
// sorted into (lower, upper).
//
//   auto c = keras::layers::RandomContrast(0.2, {.value_range = {0, 1}});
#pragma once
#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

struct RandomContrastOptions {
  std::pair<double, double> value_range{0, 255};
  int64_t seed = -1;          ///< -1 = unseeded (Keras: None)
  std::string data_format{};  ///< "channels_last" (the default); "channels_first" raises
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class RandomContrastLayer : public ImagePreprocessingLayer {
 public:
  RandomContrastLayer(const FactorArg& factor, const RandomContrastOptions& options = {});
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);
  std::pair<double, double> factor() const { return {lower_, upper_}; }

 protected:
  Tensor transform(const Tensor& images) override;

 private:
  double lower_, upper_;
  std::pair<double, double> value_range_;
};

Ref<RandomContrastLayer> RandomContrast(const FactorArg& factor, const RandomContrastOptions& options = {});

}  // namespace keras::layers
