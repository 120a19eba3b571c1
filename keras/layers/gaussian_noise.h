// gaussian_noise.h - GaussianNoise (keras.layers.GaussianNoise): adds zero-centered
// Gaussian noise of standard deviation `stddev` in training; the identity in inference.
//
//   auto g = keras::layers::GaussianNoise(0.1, {.seed = 7});
#pragma once
#include <atomic>

#include "keras/layers/layer.h"

namespace keras::layers {

struct GaussianNoiseOptions {
  int64_t seed = -1;  // -1 = unseeded (Keras: None); a seed gives a reproducible sequence
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
  uint64_t seed_generator_state() const override { return calls_.load(); }
  void set_seed_generator_state(uint64_t state) override { calls_.store(state); }

  double stddev() const { return stddev_; }

 private:
  double stddev_;
  GaussianNoiseOptions o_;
  std::atomic<uint64_t> calls_{0};
};

Ref<GaussianNoiseLayer> GaussianNoise(double stddev, const GaussianNoiseOptions& options = {});

}  // namespace keras::layers
