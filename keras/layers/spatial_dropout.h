// spatial_dropout.h - SpatialDropout1D/2D/3D (keras.layers): Dropout of whole feature maps.
// In training, each channel of each sample (channels_last: the last axis) is zeroed with
// probability `rate` over all its spatial positions, the kept ones scaled by
// 1 / (1 - rate); in inference, the identity. Seeded as Dropout (seed_generator.h).
//
//   auto d = keras::layers::SpatialDropout2D(0.2, {.seed = 7});
#pragma once
#include "keras/layers/layer.h"
#include "keras/layers/seed_generator.h"

namespace keras::layers {

struct SpatialDropoutOptions {
  std::string data_format{};  ///< 2D/3D: "channels_last" (the default); "channels_first" raises
  int64_t seed = -1;          ///< -1 = unseeded (Keras: None)
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class SpatialDropoutLayer : public Layer {
 public:
  SpatialDropoutLayer(int rank, double rate, const SpatialDropoutOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  template <int Rank>
  static LayerPtr from_config(const Config& c);
  const SeedGenerator* seed_generator() const override { return &seeds_; }

  double rate() const { return rate_; }

 private:
  int rank_;
  double rate_;
  SpatialDropoutOptions o_;
  SeedGenerator seeds_;
};

Ref<SpatialDropoutLayer> SpatialDropout1D(double rate, const SpatialDropoutOptions& options = {});
Ref<SpatialDropoutLayer> SpatialDropout2D(double rate, const SpatialDropoutOptions& options = {});
Ref<SpatialDropoutLayer> SpatialDropout3D(double rate, const SpatialDropoutOptions& options = {});

}  // namespace keras::layers
