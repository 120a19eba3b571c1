// zero_padding.h - ZeroPadding1D/2D/3D (keras.layers): zeros added before and after each
// spatial axis of channels_last inputs (batch, *spatial, channels). One class serves the
// three; the factories fix the spatial rank.
//
//   auto p = keras::layers::ZeroPadding2D({{1, 2}, {0, 3}});  // (top, bottom), (left, right)
#pragma once
#include "keras/layers/layer.h"
#include "keras/layers/spatial_pairs.h"

namespace keras::layers {

/// Options of the zero-padding layers (keyword arguments of keras.layers.ZeroPadding*D
/// besides padding).
struct ZeroPaddingOptions {
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, zero_padding2d, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// Pads the spatial axes with zeros (Keras's ZeroPadding1D/2D/3D), made by
/// ZeroPadding1D/2D/3D.
class ZeroPaddingLayer : public Layer {
 public:
  /// Throws std::invalid_argument for a rank other than 1-3 or negative or malformed
  /// padding.
  ZeroPaddingLayer(int rank, const SpatialPairsArg& padding, const ZeroPaddingOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// ZeroPadding{Rank}D).
  template <int Rank>
  static LayerPtr from_config(const Config& c);

  /// The (before, after) zeros added per spatial axis.
  const detail::Pairs& padding() const { return padding_; }

 private:
  bool channels_first() const { return o_.data_format == "channels_first"; }
  int rank_;
  detail::Pairs padding_;
  ZeroPaddingOptions o_;
};

/// keras.layers.ZeroPadding1D over (batch, steps, channels); default 1 on each side.
Ref<ZeroPaddingLayer> ZeroPadding1D(const SpatialPairsArg& padding = 1, const ZeroPaddingOptions& options = {});
/// keras.layers.ZeroPadding2D over (batch, height, width, channels); default 1 on each
/// side.
Ref<ZeroPaddingLayer> ZeroPadding2D(const SpatialPairsArg& padding = 1, const ZeroPaddingOptions& options = {});
/// keras.layers.ZeroPadding3D over (batch, depth, height, width, channels); default 1 on
/// each side.
Ref<ZeroPaddingLayer> ZeroPadding3D(const SpatialPairsArg& padding = 1, const ZeroPaddingOptions& options = {});

}  // namespace keras::layers
