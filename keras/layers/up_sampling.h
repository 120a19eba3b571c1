// up_sampling.h - UpSampling1D/2D/3D (keras.layers): each spatial axis of channels_last
// inputs repeated `size` times (nearest); UpSampling2D also resizes with bilinear
// interpolation (ops::image::resize). One class serves the three; the factories fix the
// spatial rank.
//
//   auto u = keras::layers::UpSampling2D({2, 3}, {.interpolation = "bilinear"});
#pragma once
#include "keras/layers/conv.h"

namespace keras::layers {

/// Options of the upsampling layers (keyword arguments of keras.layers.UpSampling*D besides
/// size).
struct UpSamplingOptions {
  /// UpSampling2D: "nearest" (repeats), or "bilinear", "bicubic", "lanczos3", "lanczos5",
  /// "area" (ops::image::resize); case-insensitive, as Keras.
  std::string interpolation = "nearest";
  /// 2D/3D: "channels_last" or "channels_first" (default: config::image_data_format())
  std::string data_format{};
  /// Layer name (default: generated, up_sampling2d, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// Repeats the cells of the spatial axes (Keras's UpSampling1D/2D/3D), made by
/// UpSampling1D/2D/3D.
class UpSamplingLayer : public Layer {
 public:
  /// Throws std::invalid_argument for a rank other than 1-3, sizes below 1 or an unknown
  /// interpolation.
  UpSamplingLayer(int rank, const SpatialArg& size, const UpSamplingOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// UpSampling{Rank}D).
  template <int Rank>
  static LayerPtr from_config(const Config& c);

  /// The repeat factor per spatial axis (Keras `size`).
  const std::vector<int64_t>& size() const { return size_; }

 private:
  bool channels_first() const { return o_.data_format == "channels_first"; }
  int rank_;
  std::vector<int64_t> size_;
  UpSamplingOptions o_;
};

/// keras.layers.UpSampling1D: repeats each step of (batch, steps, channels) `size` times
/// (default 2).
Ref<UpSamplingLayer> UpSampling1D(const SpatialArg& size = 2, const UpSamplingOptions& options = {});
/// keras.layers.UpSampling2D: scales height and width by `size` (default 2), nearest or
/// bilinear.
Ref<UpSamplingLayer> UpSampling2D(const SpatialArg& size = 2, const UpSamplingOptions& options = {});
/// keras.layers.UpSampling3D: repeats the cells of (batch, depth, height, width, channels)
/// `size` times per axis (default 2).
Ref<UpSamplingLayer> UpSampling3D(const SpatialArg& size = 2, const UpSamplingOptions& options = {});

}  // namespace keras::layers
