// cropping.h - Cropping1D/2D/3D (keras.layers): cells cut from the start and the end of
// each spatial axis of channels_last inputs (batch, *spatial, channels). One class serves
// the three; the factories fix the spatial rank. Keras's defaults: Cropping1D (1, 1),
// Cropping2D ((0, 0), (0, 0)), Cropping3D ((1, 1), (1, 1), (1, 1)).
//
//   auto c = keras::layers::Cropping2D({{2, 2}, {4, 4}});  // (top, bottom), (left, right)
#pragma once
#include "keras/layers/layer.h"
#include "keras/layers/spatial_pairs.h"

namespace keras::layers {

struct CroppingOptions {
  std::string data_format{};  ///< "channels_last" (the default); "channels_first" raises
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class CroppingLayer : public Layer {
 public:
  CroppingLayer(int rank, const SpatialPairsArg& cropping, const CroppingOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  template <int Rank>
  static LayerPtr from_config(const Config& c);

  const detail::Pairs& cropping() const { return cropping_; }

 private:
  ShapeSpec cropped(const ShapeSpec& s) const;  // throws when a crop leaves nothing
  int rank_;
  detail::Pairs cropping_;
  CroppingOptions o_;
};

Ref<CroppingLayer> Cropping1D(const SpatialPairsArg& cropping = 1, const CroppingOptions& options = {});
Ref<CroppingLayer> Cropping2D(const SpatialPairsArg& cropping = 0, const CroppingOptions& options = {});
Ref<CroppingLayer> Cropping3D(const SpatialPairsArg& cropping = 1, const CroppingOptions& options = {});

}  // namespace keras::layers
