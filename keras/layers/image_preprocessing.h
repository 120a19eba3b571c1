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
  double lower = 0, upper = 0;
  bool is_pair = false;
  FactorArg(double f) : lower(f), upper(f) {}  // NOLINT: implicit, as Keras's floats
  FactorArg(double a, double b) : lower(a), upper(b), is_pair(true) {}
  Value to_config() const;  ///< f or [a, b], as given
  static FactorArg from_config(const Value& v);
};

struct ImagePreprocessingOptions {
  int64_t seed = -1;          ///< -1 = unseeded (Keras: None)
  std::string data_format{};  ///< "channels_last" (the default); "channels_first" raises
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class ImagePreprocessingLayer : public Layer {
 public:
  /// Checks the rank; float images unchanged (int: float32); training ? transform : identity.
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;  ///< base keys, seed, data_format
  const SeedGenerator* seed_generator() const override { return &seeds_; }

 protected:
  ImagePreprocessingLayer(std::string class_name, const ImagePreprocessingOptions& options);
  /// The random transformation of a batch (batch, h, w, c) of floating images.
  virtual Tensor transform(const Tensor& images) = 0;
  /// `shape` random numbers uniform in [lo, hi), float32, from the layer's next draw.
  Tensor uniform(const Shape& shape, double lo, double hi);
  /// The options of the config in c (for from_config).
  static ImagePreprocessingOptions options_from(const Config& c);

  ImagePreprocessingOptions o_;
  SeedGenerator seeds_;
};

}  // namespace keras::layers
