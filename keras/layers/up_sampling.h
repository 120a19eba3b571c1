// up_sampling.h - UpSampling1D/2D/3D (keras.layers): each spatial axis of channels_last
// inputs repeated `size` times (nearest); UpSampling2D also resizes with bilinear
// interpolation (ops::image::resize). One class serves the three; the factories fix the
// spatial rank.
//
//   auto u = keras::layers::UpSampling2D({2, 3}, {.interpolation = "bilinear"});
#pragma once
#include "keras/layers/conv.h"

namespace keras::layers {

struct UpSamplingOptions {
  std::string interpolation = "nearest";  ///< UpSampling2D: "nearest" or "bilinear"
  std::string data_format{};              ///< 2D/3D: "channels_last" (the default); "channels_first" raises
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class UpSamplingLayer : public Layer {
 public:
  UpSamplingLayer(int rank, const SpatialArg& size, const UpSamplingOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  template <int Rank>
  static LayerPtr from_config(const Config& c);

  const std::vector<int64_t>& size() const { return size_; }

 private:
  int rank_;
  std::vector<int64_t> size_;
  UpSamplingOptions o_;
};

Ref<UpSamplingLayer> UpSampling1D(const SpatialArg& size = 2, const UpSamplingOptions& options = {});
Ref<UpSamplingLayer> UpSampling2D(const SpatialArg& size = 2, const UpSamplingOptions& options = {});
Ref<UpSamplingLayer> UpSampling3D(const SpatialArg& size = 2, const UpSamplingOptions& options = {});

}  // namespace keras::layers
