// global_pooling.h - GlobalMaxPooling1D/2D/3D and GlobalAveragePooling1D/2D/3D
// (keras.layers): the max or the mean over every spatial axis of channels_last inputs,
// (batch, *spatial, channels) -> (batch, channels), or (batch, 1, ..., 1, channels) with
// keepdims. One class, GlobalPoolingLayer (Keras's BaseGlobalPooling), serves the six.
#pragma once
#include "keras/layers/pooling.h"

namespace keras::layers {

struct GlobalPoolingOptions {
  std::string data_format{};  ///< "channels_last" (the default); "channels_first" raises
  bool keepdims = false;
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class GlobalPoolingLayer : public Layer {
 public:
  using Kind = PoolingLayer::Kind;
  GlobalPoolingLayer(Kind kind, int rank, const GlobalPoolingOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  template <Kind K, int Rank>
  static LayerPtr from_config(const Config& c);

 private:
  Kind kind_;
  int rank_;
  GlobalPoolingOptions o_;
};

Ref<GlobalPoolingLayer> GlobalMaxPooling1D(const GlobalPoolingOptions& options = {});
Ref<GlobalPoolingLayer> GlobalMaxPooling2D(const GlobalPoolingOptions& options = {});
Ref<GlobalPoolingLayer> GlobalMaxPooling3D(const GlobalPoolingOptions& options = {});
Ref<GlobalPoolingLayer> GlobalAveragePooling1D(const GlobalPoolingOptions& options = {});
Ref<GlobalPoolingLayer> GlobalAveragePooling2D(const GlobalPoolingOptions& options = {});
Ref<GlobalPoolingLayer> GlobalAveragePooling3D(const GlobalPoolingOptions& options = {});

}  // namespace keras::layers
