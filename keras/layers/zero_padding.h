// zero_padding.h - ZeroPadding1D/2D/3D (keras.layers): zeros added before and after each
// spatial axis of channels_last inputs (batch, *spatial, channels). One class serves the
// three; the factories fix the spatial rank.
//
//   auto p = keras::layers::ZeroPadding2D({{1, 2}, {0, 3}});  // (top, bottom), (left, right)
#pragma once
#include "keras/layers/layer.h"
#include "keras/layers/spatial_pairs.h"

namespace keras::layers {

struct ZeroPaddingOptions {
  std::string data_format{};  ///< "channels_last" (the default); "channels_first" raises
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class ZeroPaddingLayer : public Layer {
 public:
  ZeroPaddingLayer(int rank, const SpatialPairsArg& padding, const ZeroPaddingOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  template <int Rank>
  static LayerPtr from_config(const Config& c);

  const detail::Pairs& padding() const { return padding_; }

 private:
  int rank_;
  detail::Pairs padding_;
  ZeroPaddingOptions o_;
};

Ref<ZeroPaddingLayer> ZeroPadding1D(const SpatialPairsArg& padding = 1, const ZeroPaddingOptions& options = {});
Ref<ZeroPaddingLayer> ZeroPadding2D(const SpatialPairsArg& padding = 1, const ZeroPaddingOptions& options = {});
Ref<ZeroPaddingLayer> ZeroPadding3D(const SpatialPairsArg& padding = 1, const ZeroPaddingOptions& options = {});

}  // namespace keras::layers
