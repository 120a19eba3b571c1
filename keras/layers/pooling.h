// pooling.h - MaxPooling1D/2D/3D and AveragePooling1D/2D/3D (keras.layers): ops::max_pool
// or ops::average_pool over windows of channels_last inputs. One class, PoolingLayer
// (Keras's BasePooling), serves the six; the factories fix the kind and the spatial rank.
// strides default to pool_size; average pooling with "same" padding leaves the padded
// cells out of each average, as Keras.
#pragma once
#include <optional>

#include "keras/layers/conv.h"

namespace keras::layers {

/// Options of the pooling layers (keyword arguments of keras.layers.MaxPooling*D,
/// AveragePooling*D).
struct PoolingOptions {
  std::optional<SpatialArg> strides{};  ///< default: pool_size
  std::string padding = "valid";        ///< "valid" or "same"
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, max_pooling2d, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// Max or average pooling over 1, 2 or 3 spatial axes (Keras's BasePooling); made by
/// MaxPooling*D and AveragePooling*D.
class PoolingLayer : public Layer {
 public:
  /// Which reduction a pooling layer applies over each window.
  enum class Kind { max, average };
  /// Throws std::invalid_argument for a rank other than 1-3 or an unknown padding.
  PoolingLayer(Kind kind, int rank, const SpatialArg& pool_size, const PoolingOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for each of the
  /// six classes).
  template <Kind K, int Rank>
  static LayerPtr from_config(const Config& c);

  /// Max or average.
  Kind kind() const { return kind_; }
  /// Window size per spatial axis (Keras `pool_size`).
  const std::vector<int64_t>& pool_size() const { return pool_size_; }
  /// Step per spatial axis (Keras `strides`; pool_size when not given).
  const std::vector<int64_t>& strides() const { return strides_; }

 private:
  bool channels_first() const { return o_.data_format == "channels_first"; }
  Kind kind_;
  int rank_;
  std::vector<int64_t> pool_size_, strides_;
  PoolingOptions o_;
};

/// keras.layers.MaxPooling1D over (batch, steps, channels); pool_size default 2.
Ref<PoolingLayer> MaxPooling1D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {});
/// keras.layers.MaxPooling2D over (batch, height, width, channels); pool_size default 2.
Ref<PoolingLayer> MaxPooling2D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {});
/// keras.layers.MaxPooling3D over (batch, depth, height, width, channels); pool_size
/// default 2.
Ref<PoolingLayer> MaxPooling3D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {});
/// keras.layers.AveragePooling1D over (batch, steps, channels); pool_size default 2.
Ref<PoolingLayer> AveragePooling1D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {});
/// keras.layers.AveragePooling2D over (batch, height, width, channels); pool_size default
/// 2.
Ref<PoolingLayer> AveragePooling2D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {});
/// keras.layers.AveragePooling3D over (batch, depth, height, width, channels); pool_size
/// default 2.
Ref<PoolingLayer> AveragePooling3D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {});

}  // namespace keras::layers
