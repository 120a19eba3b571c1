// random_affine.h - RandomRotation, RandomZoom, RandomTranslation, RandomShear (keras.layers): in
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
//     times the height / width;
//   RandomShear(x_factor, y_factor): shears by draws in the factor ranges, negated with
//     chance one half.
//
//   auto r = keras::layers::RandomRotation(0.1, {.fill_mode = "constant", .seed = 1});
#pragma once
#include <optional>

#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

/// Options of RandomRotation and RandomTranslation (their keyword arguments besides the
/// factors).
struct RandomAffineOptions {
  /// How points outside the image are filled: "reflect" (default), "wrap", "constant",
  /// "nearest".
  std::string fill_mode = "reflect";
  /// Resampling: "bilinear" (default) or "nearest".
  std::string interpolation = "bilinear";
  int64_t seed = -1;  ///< -1 = unseeded (Keras: None)
  /// The value of points outside the image with fill_mode "constant" (default 0).
  double fill_value = 0.0;
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, random_rotation, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
  /// ImageData's boxes' format (see ImagePreprocessingOptions).
  std::string bounding_box_format{};
};

/// Options of RandomZoom (its keyword arguments besides height_factor).
struct RandomZoomOptions {
  std::optional<FactorArg> width_factor{};  ///< none: the height's draw for both axes
  /// How points outside the image are filled: "reflect" (default), "wrap", "constant",
  /// "nearest".
  std::string fill_mode = "reflect";
  /// Resampling: "bilinear" (default) or "nearest".
  std::string interpolation = "bilinear";
  /// Seed of the draws (-1: unseeded, Keras's None).
  int64_t seed = -1;
  /// The value of points outside the image with fill_mode "constant" (default 0).
  double fill_value = 0.0;
  /// "channels_last" or "channels_first" (default: config::image_data_format()).
  std::string data_format{};
  /// Layer name (default: generated, random_zoom, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
  /// ImageData's boxes' format (see ImagePreprocessingOptions).
  std::string bounding_box_format{};
};

/// The base of RandomRotation, RandomZoom and RandomTranslation: resamples each image
/// through a random affine map.
class RandomAffineLayer : public ImagePreprocessingLayer {
 public:
  Config get_config() const override;  ///< + fill_mode, interpolation, fill_value

 protected:
  /// For subclasses; throws std::invalid_argument for an unknown fill_mode or
  /// interpolation.
  RandomAffineLayer(std::string class_name, const RandomAffineOptions& options);
  /// The transforms (batch, 8), float32, of a batch of images of height h and width w.
  virtual Tensor matrix(int64_t batch, int64_t h, int64_t w) = 0;
  Tensor transform(const Tensor& images) override;
  bool moves_pixels() const override { return true; }
  /// Each box's corners through the inverse of the images' map (the same draws), their
  /// bounding box clipped to the image; a box left empty gets the label -1.
  utils::bounding_boxes::BoundingBoxes transform_bounding_boxes(const utils::bounding_boxes::BoundingBoxes& boxes,
                                                                const Shape& images_shape, bool training) override;
  /// The options of the config in c (for from_config).
  static RandomAffineOptions affine_options_from(const Config& c);
  /// Keras's range of a factor: f -> (-f, f) (RandomRotation clamps at -1), a pair sorted;
  /// std::invalid_argument naming the argument outside [-1, 1] (RandomZoom: (-1, 1]).
  std::pair<double, double> factor_range(const char* arg, const FactorArg& f, bool open_below) const;

  ///@{
  /// The fill mode and the interpolation.
  std::string fill_mode_, interpolation_;
  ///@}
  /// The fill value of fill_mode "constant".
  double fill_value_;
};

/// Random rotation of images in training (keras.layers.RandomRotation), made by
/// RandomRotation().
class RandomRotationLayer : public RandomAffineLayer {
 public:
  /// factor: a fraction of 360 degrees, f for [-f, f] or {lower, upper}; outside [-1, 1]
  /// throws std::invalid_argument.
  explicit RandomRotationLayer(const FactorArg& factor, const RandomAffineOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "RandomRotation").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor matrix(int64_t batch, int64_t h, int64_t w) override;

 private:
  std::pair<double, double> factor_;
};

/// Random zoom of images in training (keras.layers.RandomZoom), made by RandomZoom().
class RandomZoomLayer : public RandomAffineLayer {
 public:
  /// height_factor: f for [-f, f] or {lower, upper}, within (-1, 1] (else
  /// std::invalid_argument); negative zooms in.
  explicit RandomZoomLayer(const FactorArg& height_factor, const RandomZoomOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "RandomZoom").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor matrix(int64_t batch, int64_t h, int64_t w) override;

 private:
  FactorArg height_factor_;
  std::optional<FactorArg> width_factor_;
  std::pair<double, double> height_, width_;
};

/// Random translation of images in training (keras.layers.RandomTranslation), made by
/// RandomTranslation().
class RandomTranslationLayer : public RandomAffineLayer {
 public:
  /// The factors: fractions of the height and width, f for [-f, f] or {lower, upper},
  /// within [-1, 1] (else std::invalid_argument).
  RandomTranslationLayer(const FactorArg& height_factor, const FactorArg& width_factor,
                         const RandomAffineOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "RandomTranslation").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor matrix(int64_t batch, int64_t h, int64_t w) override;

 private:
  FactorArg height_factor_, width_factor_;
  std::pair<double, double> height_, width_;
};

/// Random shear of images in training (keras.layers.RandomShear), made by RandomShear():
/// per image, shears sx and sy drawn in the x and y factor ranges, both negated with
/// chance one half, and the map [[1, sx, 0], [sy, 1, 0]] (Keras's, about the corner).
class RandomShearLayer : public RandomAffineLayer {
 public:
  /// The factors: f in [0, 1] for [-f, f], or {lower, upper} within [0, 1] (Keras's rule;
  /// else std::invalid_argument).
  RandomShearLayer(const FactorArg& x_factor, const FactorArg& y_factor, const RandomAffineOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "RandomShear").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor matrix(int64_t batch, int64_t h, int64_t w) override;

 private:
  std::pair<double, double> x_, y_;
};

/// keras.layers.RandomRotation: rotates each image by a random angle in factor * 360
/// degrees in training.
Ref<RandomRotationLayer> RandomRotation(const FactorArg& factor, const RandomAffineOptions& options = {});
/// keras.layers.RandomZoom: zooms each image by a random amount in training.
Ref<RandomZoomLayer> RandomZoom(const FactorArg& height_factor, const RandomZoomOptions& options = {});
/// keras.layers.RandomTranslation: shifts each image by a random fraction of its height and
/// width in training.
Ref<RandomTranslationLayer> RandomTranslation(const FactorArg& height_factor, const FactorArg& width_factor,
                                              const RandomAffineOptions& options = {});
/// keras.layers.RandomShear: shears each image by random amounts in training.
Ref<RandomShearLayer> RandomShear(const FactorArg& x_factor = 0.0, const FactorArg& y_factor = 0.0,
                                  const RandomAffineOptions& options = {});

}  // namespace keras::layers
