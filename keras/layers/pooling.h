// pooling.h - MaxPooling1D/2D/3D and AveragePooling1D/2D/3D (keras.layers): ops::max_pool
// or ops::average_pool over windows of channels_last inputs. One class, PoolingLayer
// (Keras's BasePooling), serves the six; the factories fix the kind and the spatial rank.
// strides default to pool_size; average pooling with "same" padding leaves the padded
// cells out of each average, as Keras.
#pragma once
#include <optional>

#include "keras/layers/conv.h"

namespace keras::layers {

struct PoolingOptions {
  std::optional<SpatialArg> strides{};  ///< default: pool_size
  std::string padding = "valid";        ///< "valid" or "same"
  std::string data_format{};            ///< "channels_last" (the default); "channels_first" raises
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class PoolingLayer : public Layer {
 public:
  enum class Kind { max, average };
  PoolingLayer(Kind kind, int rank, const SpatialArg& pool_size, const PoolingOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  template <Kind K, int Rank>
  static LayerPtr from_config(const Config& c);

  Kind kind() const { return kind_; }
  const std::vector<int64_t>& pool_size() const { return pool_size_; }
  const std::vector<int64_t>& strides() const { return strides_; }

 private:
  Kind kind_;
  int rank_;
  std::vector<int64_t> pool_size_, strides_;
  PoolingOptions o_;
};

Ref<PoolingLayer> MaxPooling1D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {});
Ref<PoolingLayer> MaxPooling2D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {});
Ref<PoolingLayer> MaxPooling3D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {});
Ref<PoolingLayer> AveragePooling1D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {});
Ref<PoolingLayer> AveragePooling2D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {});
Ref<PoolingLayer> AveragePooling3D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {});

}  // namespace keras::layers
