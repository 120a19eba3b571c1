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

/// Options of the cropping layers (keyword arguments of keras.layers.Cropping*D besides
/// cropping).
struct CroppingOptions {
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, cropping2d, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// Crops the spatial axes (Keras's Cropping1D/2D/3D), made by Cropping1D/2D/3D.
class CroppingLayer : public Layer {
 public:
  /// Throws std::invalid_argument for a rank other than 1-3 or negative or malformed
  /// cropping; a crop that leaves nothing throws when called.
  CroppingLayer(int rank, const SpatialPairsArg& cropping, const CroppingOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// Cropping{Rank}D).
  template <int Rank>
  static LayerPtr from_config(const Config& c);

  /// The (before, after) cells cut per spatial axis.
  const detail::Pairs& cropping() const { return cropping_; }

 private:
  bool channels_first() const { return o_.data_format == "channels_first"; }
  ShapeSpec cropped(const ShapeSpec& s) const;  // throws when a crop leaves nothing
  int rank_;
  detail::Pairs cropping_;
  CroppingOptions o_;
};

/// keras.layers.Cropping1D over (batch, steps, channels); default (1, 1).
Ref<CroppingLayer> Cropping1D(const SpatialPairsArg& cropping = 1, const CroppingOptions& options = {});
/// keras.layers.Cropping2D over (batch, height, width, channels); default no cropping.
Ref<CroppingLayer> Cropping2D(const SpatialPairsArg& cropping = 0, const CroppingOptions& options = {});
/// keras.layers.Cropping3D over (batch, depth, height, width, channels); default 1 on every
/// side.
Ref<CroppingLayer> Cropping3D(const SpatialPairsArg& cropping = 1, const CroppingOptions& options = {});

}  // namespace keras::layers
