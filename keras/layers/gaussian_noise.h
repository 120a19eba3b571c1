// gaussian_noise.h - GaussianNoise (keras.layers.GaussianNoise): adds zero-centered
// Gaussian noise of standard deviation `stddev` in training; the identity in inference.
//
//   auto g = keras::layers::GaussianNoise(0.1, {.seed = 7});
#pragma once

#include "keras/layers/layer.h"
#include "keras/layers/seed_generator.h"

namespace keras::layers {

struct GaussianNoiseOptions {
  int64_t seed = -1;  ///< -1 = unseeded (Keras: None); a seed gives a reproducible sequence
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class GaussianNoiseLayer : public Layer {
 public:
  explicit GaussianNoiseLayer(double stddev, const GaussianNoiseOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);
  const SeedGenerator* seed_generator() const override { return &seeds_; }

  double stddev() const { return stddev_; }

 private:
  double stddev_;
  GaussianNoiseOptions o_;
  SeedGenerator seeds_;
};

Ref<GaussianNoiseLayer> GaussianNoise(double stddev, const GaussianNoiseOptions& options = {});

}  // namespace keras::layers
