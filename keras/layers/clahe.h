// clahe.h - keras.layers.ContrastLimitedAdaptiveHistogramEqualization (Keras 3): contrast
// limited adaptive histogram equalization, in training and inference. Each image is cut
// into a grid of tiles; each tile's histogram (per channel, in [0, 255] units of
// value_range) is clipped, its excess spread over every bin, and its cumulative histogram
// maps the tile's values; the maps of neighboring tiles are blended bilinearly.
//
//   auto clahe = keras::layers::ContrastLimitedAdaptiveHistogramEqualization(
//       {.clip_limit = 2.0, .tile_grid_size = {4, 4}});
//   Tensor y = (*clahe)(images);  // (batch, height, width, channels), or one image
#pragma once
#include <utility>

#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

/// Options of ContrastLimitedAdaptiveHistogramEqualization (its Keras keyword arguments).
struct ContrastLimitedAdaptiveHistogramEqualizationOptions {
  /// The range of the images' values (Keras `value_range`, default (0, 255)).
  std::pair<double, double> value_range{0, 255};
  /// A histogram bin keeps at most clip_limit * tile_pixels / 256 counts; <= 0: no clipping
  /// (Keras `clip_limit`, default 4).
  double clip_limit = 4.0;
  /// The number of tiles (rows, columns), each >= 1 (Keras `tile_grid_size`, default
  /// (8, 8)). An image whose size the grid does not divide is padded symmetrically at the
  /// bottom and right (by less than a tile, at most its own size).
  std::pair<int64_t, int64_t> tile_grid_size{8, 8};
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, contrast_limited_adaptive_histogram_equalization, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// keras.layers.ContrastLimitedAdaptiveHistogramEqualization, made by
/// ContrastLimitedAdaptiveHistogramEqualization(): Keras's algorithm and float32 arithmetic
/// (values truncated to integer bins, the tile maps' centers at half a tile). Applied in
/// training and in inference; the output has the input's dtype (a uint8 image stays uint8,
/// truncated), computed in float32.
class ContrastLimitedAdaptiveHistogramEqualizationLayer : public ImagePreprocessingLayer {
 public:
  /// tile_grid_size entries < 1, a non-finite clip_limit and an empty value_range throw
  /// std::invalid_argument.
  explicit ContrastLimitedAdaptiveHistogramEqualizationLayer(
      const ContrastLimitedAdaptiveHistogramEqualizationOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's
  /// "ContrastLimitedAdaptiveHistogramEqualization").
  static LayerPtr from_config(const Config& c);

 protected:
  /// The equalization, whatever `training`; the input's dtype.
  Tensor images_call(const Tensor& x, const std::optional<Tensor>& base) override;
  Tensor transform(const Tensor& images) override;

 private:
  std::pair<double, double> value_range_;
  double clip_limit_;
  std::pair<int64_t, int64_t> grid_;
};

/// keras.layers.ContrastLimitedAdaptiveHistogramEqualization (see its options).
Ref<ContrastLimitedAdaptiveHistogramEqualizationLayer> ContrastLimitedAdaptiveHistogramEqualization(
    const ContrastLimitedAdaptiveHistogramEqualizationOptions& options = {});

}  // namespace keras::layers
