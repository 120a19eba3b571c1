// image_preprocessing.h - the base of the random image layers (RandomFlip, RandomCrop,
// RandomContrast, RandomRotation, RandomZoom, RandomTranslation; Keras's
// BaseImagePreprocessingLayer): images (batch, height, width, channels) or one image
// (height, width, channels), channels_last; active in training only (the identity in
// inference, as Keras 3); integer images become float32 (Keras's compute dtype).
//
// Random draws go through the stateless random ops keyed by the layer's seed and a
// counter variable (seed_generator.h), as Dropout: a traced train step draws new numbers at
// every step, the same ones as the eager step would.
#pragma once
#include <utility>

#include "keras/layers/layer.h"
#include "keras/layers/seed_generator.h"

namespace keras::layers {

/// A factor: one number f (Keras: a range symmetric about 0, each layer's rule) or an
/// explicit {lower, upper}.
struct FactorArg {
  ///@{
  /// The range's bounds (both f for a single factor).
  double lower = 0, upper = 0;
  ///@}
  /// Whether an explicit {lower, upper} was given.
  bool is_pair = false;
  /// A single factor f (the layer turns it into its range).
  FactorArg(double f) : lower(f), upper(f) {}  // NOLINT: implicit, as Keras's floats
  /// An explicit range {lower, upper}.
  FactorArg(double a, double b) : lower(a), upper(b), is_pair(true) {}
  Value to_config() const;  ///< f or [a, b], as given
  /// The factor a config value holds (a number or a list of 2); throws
  /// std::invalid_argument otherwise.
  static FactorArg from_config(const Value& v);
};

/// Options of the random image layers (Keras's base keyword arguments of RandomFlip,
/// RandomCrop, ...).
struct ImagePreprocessingOptions {
  int64_t seed = -1;          ///< -1 = unseeded (Keras: None)
  std::string data_format{};  ///< "channels_last" (the default); "channels_first" raises
  /// Layer name (default: generated from the class, random_flip, random_crop, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layers have no weights.
  bool trainable = true;
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// The base of the random image layers (Keras's BaseImagePreprocessingLayer): the identity
/// in inference, transform() in training.
class ImagePreprocessingLayer : public Layer {
 public:
  /// Checks the rank; float images unchanged (int: float32); training ? transform : identity.
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;  ///< base keys, seed, data_format
  const SeedGenerator* seed_generator() const override { return &seeds_; }
  /// Keras's transform_images, for layers that compose others (RandAugment, AugMix): the
  /// layer's transformation of a floating batch (batch, height, width, channels), whatever
  /// `training`, with its draws keyed by seed and base (an int64 scalar tensor; see
  /// SeedGenerator::Replay) instead of the layer's generator: the same seed and base give
  /// the same transformation, and the generator's state is left alone.
  Tensor transform_images(const Tensor& images, int64_t seed, const Tensor& base);

 protected:
  /// For subclasses: the class name they register under; checks data_format
  /// (std::invalid_argument for "channels_first").
  ImagePreprocessingLayer(std::string class_name, const ImagePreprocessingOptions& options);
  /// The random transformation of a batch (batch, h, w, c) of floating images.
  virtual Tensor transform(const Tensor& images) = 0;
  /// `shape` random numbers uniform in [lo, hi), float32, from the layer's next draw.
  Tensor uniform(const Shape& shape, double lo, double hi);
  /// The options of the config in c (for from_config).
  static ImagePreprocessingOptions options_from(const Config& c);

  /// The options the layer was made with.
  ImagePreprocessingOptions o_;
  /// The layer's generator (seed and draw counter).
  SeedGenerator seeds_;
};

}  // namespace keras::layers
