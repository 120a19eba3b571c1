// random_affine.h - RandomRotation, RandomZoom, RandomTranslation (keras.layers): in
// training, each image is resampled through a random affine map (ops::image::
// affine_transform, TensorFlow's ImageProjectiveTransformV3) with Keras's fill_mode
// ("reflect", "wrap", "constant", "nearest"), fill_value and interpolation ("bilinear",
// "nearest"). One base class, RandomAffineLayer, holds those options; each layer draws
// its own transform per image:
//   RandomRotation(factor): angle uniform in [lower, upper] * 360 degrees about the centre
//     (a factor f gives [-f, f]);
//   RandomZoom(height_factor, {.width_factor}): the sampled region scaled by 1 + a draw in
//     [lower, upper] per axis (negative: zoom in); without width_factor both axes share
//     the height draw;
//   RandomTranslation(height_factor, width_factor): shifts by draws in [lower, upper]
//     times the height / width.
//
//   auto r = keras::layers::RandomRotation(0.1, {.fill_mode = "constant", .seed = 1});
#pragma once
#include <optional>

#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

struct RandomAffineOptions {
  std::string fill_mode = "reflect";
  std::string interpolation = "bilinear";
  int64_t seed = -1;  ///< -1 = unseeded (Keras: None)
  double fill_value = 0.0;
  std::string data_format{};  ///< "channels_last" (the default); "channels_first" raises
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

struct RandomZoomOptions {
  std::optional<FactorArg> width_factor{};  ///< none: the height's draw for both axes
  std::string fill_mode = "reflect";
  std::string interpolation = "bilinear";
  int64_t seed = -1;
  double fill_value = 0.0;
  std::string data_format{};
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class RandomAffineLayer : public ImagePreprocessingLayer {
 public:
  Config get_config() const override;  ///< + fill_mode, interpolation, fill_value

 protected:
  RandomAffineLayer(std::string class_name, const RandomAffineOptions& options);
  /// The transforms (batch, 8), float32, of a batch of images of height h and width w.
  virtual Tensor matrix(int64_t batch, int64_t h, int64_t w) = 0;
  Tensor transform(const Tensor& images) override;
  static RandomAffineOptions affine_options_from(const Config& c);
  /// Keras's range of a factor: f -> (-f, f) (RandomRotation clamps at -1), a pair sorted;
  /// std::invalid_argument naming the argument outside [-1, 1] (RandomZoom: (-1, 1]).
  std::pair<double, double> factor_range(const char* arg, const FactorArg& f, bool open_below) const;

  std::string fill_mode_, interpolation_;
  double fill_value_;
};

class RandomRotationLayer : public RandomAffineLayer {
 public:
  explicit RandomRotationLayer(const FactorArg& factor, const RandomAffineOptions& options = {});
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor matrix(int64_t batch, int64_t h, int64_t w) override;

 private:
  std::pair<double, double> factor_;
};

class RandomZoomLayer : public RandomAffineLayer {
 public:
  explicit RandomZoomLayer(const FactorArg& height_factor, const RandomZoomOptions& options = {});
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor matrix(int64_t batch, int64_t h, int64_t w) override;

 private:
  FactorArg height_factor_;
  std::optional<FactorArg> width_factor_;
  std::pair<double, double> height_, width_;
};

class RandomTranslationLayer : public RandomAffineLayer {
 public:
  RandomTranslationLayer(const FactorArg& height_factor, const FactorArg& width_factor,
                         const RandomAffineOptions& options = {});
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor matrix(int64_t batch, int64_t h, int64_t w) override;

 private:
  FactorArg height_factor_, width_factor_;
  std::pair<double, double> height_, width_;
};

Ref<RandomRotationLayer> RandomRotation(const FactorArg& factor, const RandomAffineOptions& options = {});
Ref<RandomZoomLayer> RandomZoom(const FactorArg& height_factor, const RandomZoomOptions& options = {});
Ref<RandomTranslationLayer> RandomTranslation(const FactorArg& height_factor, const FactorArg& width_factor,
                                              const RandomAffineOptions& options = {});

}  // namespace keras::layers
