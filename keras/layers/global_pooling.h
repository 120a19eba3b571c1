// global_pooling.h - GlobalMaxPooling1D/2D/3D and GlobalAveragePooling1D/2D/3D
// (keras.layers): the max or the mean over every spatial axis of channels_last inputs,
// (batch, *spatial, channels) -> (batch, channels), or (batch, 1, ..., 1, channels) with
// keepdims. One class, GlobalPoolingLayer (Keras's BaseGlobalPooling), serves the six.
// The 1-d poolings also take a RaggedTensor (as_tensor() handle) of shape (batch, None,
// channels) and reduce over the ragged dimension; GlobalAveragePooling1D takes a mask.
#pragma once
#include "keras/layers/pooling.h"

namespace keras::layers {

/// Options of the global pooling layers (keyword arguments of
/// keras.layers.Global*Pooling*D).
struct GlobalPoolingOptions {
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Keep the spatial axes as size 1 (Keras `keepdims`, default false).
  bool keepdims = false;
  /// Layer name (default: generated, global_average_pooling2d, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// Global max or average pooling over 1, 2 or 3 spatial axes (Keras's BaseGlobalPooling);
/// made by GlobalMaxPooling*D and GlobalAveragePooling*D.
class GlobalPoolingLayer : public Layer {
 public:
  /// Max or average (PoolingLayer::Kind).
  using Kind = PoolingLayer::Kind;
  /// Throws std::invalid_argument for a rank other than 1-3.
  GlobalPoolingLayer(Kind kind, int rank, const GlobalPoolingOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  /// A ragged input (RaggedTensor::as_tensor(), 1-d pooling only) is reduced over its
  /// ragged dimension to a dense (batch, channels); GlobalAveragePooling1D with a mask
  /// takes the mean of the unmasked steps (Keras).
  std::vector<Tensor> call(const std::vector<Tensor>& xs, const CallContext& ctx) override;
  /// No output mask (the steps are reduced away).
  std::vector<Tensor> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for each of the
  /// six classes).
  template <Kind K, int Rank>
  static LayerPtr from_config(const Config& c);

 private:
  bool channels_first() const { return o_.data_format == "channels_first"; }
  Kind kind_;
  int rank_;
  GlobalPoolingOptions o_;
};

/// keras.layers.GlobalMaxPooling1D: (batch, steps, channels) to (batch, channels).
Ref<GlobalPoolingLayer> GlobalMaxPooling1D(const GlobalPoolingOptions& options = {});
/// keras.layers.GlobalMaxPooling2D: (batch, height, width, channels) to (batch, channels).
Ref<GlobalPoolingLayer> GlobalMaxPooling2D(const GlobalPoolingOptions& options = {});
/// keras.layers.GlobalMaxPooling3D: (batch, depth, height, width, channels) to (batch,
/// channels).
Ref<GlobalPoolingLayer> GlobalMaxPooling3D(const GlobalPoolingOptions& options = {});
/// keras.layers.GlobalAveragePooling1D: (batch, steps, channels) to (batch, channels).
Ref<GlobalPoolingLayer> GlobalAveragePooling1D(const GlobalPoolingOptions& options = {});
/// keras.layers.GlobalAveragePooling2D: (batch, height, width, channels) to (batch,
/// channels).
Ref<GlobalPoolingLayer> GlobalAveragePooling2D(const GlobalPoolingOptions& options = {});
/// keras.layers.GlobalAveragePooling3D: (batch, depth, height, width, channels) to (batch,
/// channels).
Ref<GlobalPoolingLayer> GlobalAveragePooling3D(const GlobalPoolingOptions& options = {});

}  // namespace keras::layers
