// flatten.h - Flatten (keras.layers.Flatten): (batch, d1, ..., dn) -> (batch, d1*...*dn);
// (batch,) -> (batch, 1). With data_format "channels_first" the channel axis 1 is moved
// last first, so the result matches a channels_last model's.
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of Flatten (the keyword arguments of keras.layers.Flatten).
struct FlattenOptions {
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, flatten, flatten_1, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
};

/// Flattens each sample to one axis (keras.layers.Flatten), made by Flatten().
class FlattenLayer : public Layer {
 public:
  /// Throws std::invalid_argument for a data_format other than "channels_last" or
  /// "channels_first".
  explicit FlattenLayer(const FlattenOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "Flatten").
  static LayerPtr from_config(const Config& c);

 private:
  std::string data_format_;
};

/// keras.layers.Flatten: (batch, ...) to (batch, product of the other axes); with
/// channels_first, the channel axis is moved last before flattening, as Keras.
Ref<FlattenLayer> Flatten(const FlattenOptions& options = {});

}  // namespace keras::layers
