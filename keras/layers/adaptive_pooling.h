// adaptive_pooling.h - AdaptiveAveragePooling1D/2D/3D and AdaptiveMaxPooling1D/2D/3D
// (keras.layers): pooling to a fixed output size whatever the input's, with PyTorch's
// rule as Keras 3 (output cell i of an axis of length n covers [floor(i n / out),
// ceil((i + 1) n / out)); ops::adaptive_average_pool / adaptive_max_pool).
//
//   auto pool = keras::layers::AdaptiveAveragePooling2D({7, 7});   // (batch, 7, 7, channels)
#pragma once
#include "keras/layers/conv.h"
#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of the adaptive pooling layers (their keyword arguments besides output_size).
struct AdaptivePoolingOptions {
  /// "channels_last" (the default: (batch, *spatial, channels)) or "channels_first".
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, adaptive_average_pooling2d, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layers have no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// One class for the six adaptive pooling layers (Keras's BaseAdaptivePooling).
class AdaptivePoolingLayer : public Layer {
 public:
  /// rank: 1, 2 or 3 spatial axes; max: max pooling, else average. Throws
  /// std::invalid_argument for output sizes < 1 or another count than rank, and an
  /// unknown data_format.
  AdaptivePoolingLayer(int rank, bool max, const SpatialArg& output_size, const AdaptivePoolingOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loaders).
  template <int Rank, bool Max>
  static LayerPtr from_config(const Config& c) {
    return from_config_of(Rank, Max, c);
  }
  /// The output's spatial sizes (Keras `output_size`).
  const std::vector<int64_t>& output_size() const { return output_size_; }

 private:
  static LayerPtr from_config_of(int rank, bool max, const Config& c);
  int rank_;
  bool max_;
  std::vector<int64_t> output_size_;
  AdaptivePoolingOptions o_;
};

///@{
/// keras.layers.AdaptiveAveragePooling1D/2D/3D and AdaptiveMaxPooling1D/2D/3D.
Ref<AdaptivePoolingLayer> AdaptiveAveragePooling1D(const SpatialArg& output_size, const AdaptivePoolingOptions& options = {});
Ref<AdaptivePoolingLayer> AdaptiveAveragePooling2D(const SpatialArg& output_size, const AdaptivePoolingOptions& options = {});
Ref<AdaptivePoolingLayer> AdaptiveAveragePooling3D(const SpatialArg& output_size, const AdaptivePoolingOptions& options = {});
Ref<AdaptivePoolingLayer> AdaptiveMaxPooling1D(const SpatialArg& output_size, const AdaptivePoolingOptions& options = {});
Ref<AdaptivePoolingLayer> AdaptiveMaxPooling2D(const SpatialArg& output_size, const AdaptivePoolingOptions& options = {});
Ref<AdaptivePoolingLayer> AdaptiveMaxPooling3D(const SpatialArg& output_size, const AdaptivePoolingOptions& options = {});
///@}

}  // namespace keras::layers
