// color_adjust_layers.h - random color adjustments of images (Keras 3's keras.layers),
// one draw per image, in training only (the identity in inference):
//   RandomSaturation         the HSV saturation times f / (1 - f + 1e-7)
//   RandomHue                the HSV hue shifted by +-f / 2 (the sign drawn too), wrapped
//   RandomColorDegeneration  blended toward the image's grayscale by f
//   RandomSharpness          blended with a 3x3 smoothed image by 1 - 2 f (f = 0.5: unchanged)
// f drawn uniform in the factor range (Keras's rule: one number g gives (-g, g) for
// saturation and degeneration, (0, g) for hue and sharpness). RGB channels_last images;
// value_range as color_layers.h's.
//
//   auto s = keras::layers::RandomSaturation(0.3);
//   auto h = keras::layers::RandomHue(0.2, {.value_range = {0, 1}});
#pragma once
#include "keras/layers/color_layers.h"

namespace keras::layers {

/// The four layers' one class (the adjustment named by `kind`), made by their factories.
class ColorAdjustLayer : public ImagePreprocessingLayer {
 public:
  /// The adjustments.
  enum class Kind { saturation, hue, degeneration, sharpness };
  /// Factors outside the layer's bounds ([-1, 1] or [0, 1]) and an empty value_range
  /// throw std::invalid_argument.
  ColorAdjustLayer(Kind kind, const FactorArg& factor, const ColorOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "RandomSaturation",
  /// "RandomHue", "RandomColorDegeneration", "RandomSharpness").
  template <Kind K>
  static LayerPtr from_config(const Config& c) {
    return from_config_of(K, c);
  }
  std::pair<double, double> factor() const { return factor_; }  ///< (lower, upper)
  Kind kind() const { return kind_; }                          ///< which adjustment

 protected:
  Tensor transform(const Tensor& images) override;

 private:
  static LayerPtr from_config_of(Kind kind, const Config& c);
  Kind kind_;
  std::pair<double, double> factor_, value_range_;
};

/// keras.layers.RandomSaturation: scales each image's saturation at random in training.
Ref<ColorAdjustLayer> RandomSaturation(const FactorArg& factor, const ColorOptions& options = {});
/// keras.layers.RandomHue: rotates each image's hue at random in training.
Ref<ColorAdjustLayer> RandomHue(const FactorArg& factor, const ColorOptions& options = {});
/// keras.layers.RandomColorDegeneration: blends each image toward its grayscale at random
/// in training.
Ref<ColorAdjustLayer> RandomColorDegeneration(const FactorArg& factor, const ColorOptions& options = {});
/// keras.layers.RandomSharpness: sharpens or smooths each image at random in training.
Ref<ColorAdjustLayer> RandomSharpness(const FactorArg& factor, const ColorOptions& options = {});

}  // namespace keras::layers
