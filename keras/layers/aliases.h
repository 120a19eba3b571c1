// aliases.h - Keras's other names of layers (keras.layers.MaxPool2D is MaxPooling2D, ...):
// the same factories under those names. Configs and files use the canonical class names,
// as Keras writes them.
//
//   auto pool = keras::layers::MaxPool2D(2);     // keras.layers.MaxPool2D(2)
#pragma once
#include "keras/layers/conv.h"
#include "keras/layers/conv_transpose.h"
#include "keras/layers/global_pooling.h"
#include "keras/layers/pooling.h"
#include "keras/layers/separable_conv.h"

namespace keras::layers {

/// keras.layers.MaxPool1D: MaxPooling1D.
inline Ref<PoolingLayer> MaxPool1D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {}) {
  return MaxPooling1D(pool_size, options);
}
/// keras.layers.AvgPool1D: AveragePooling1D.
inline Ref<PoolingLayer> AvgPool1D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {}) {
  return AveragePooling1D(pool_size, options);
}
/// keras.layers.GlobalMaxPool1D: GlobalMaxPooling1D.
inline Ref<GlobalPoolingLayer> GlobalMaxPool1D(const GlobalPoolingOptions& options = {}) {
  return GlobalMaxPooling1D(options);
}
/// keras.layers.GlobalAvgPool1D: GlobalAveragePooling1D.
inline Ref<GlobalPoolingLayer> GlobalAvgPool1D(const GlobalPoolingOptions& options = {}) {
  return GlobalAveragePooling1D(options);
}
/// keras.layers.Convolution1D: Conv1D.
inline Ref<ConvLayer> Convolution1D(int64_t filters, const SpatialArg& kernel_size, const ConvOptions& options = {}) {
  return Conv1D(filters, kernel_size, options);
}
/// keras.layers.Convolution1DTranspose: Conv1DTranspose.
inline Ref<ConvTransposeLayer> Convolution1DTranspose(int64_t filters, const SpatialArg& kernel_size,
                                                        const ConvTransposeOptions& options = {}) {
  return Conv1DTranspose(filters, kernel_size, options);
}
/// keras.layers.MaxPool2D: MaxPooling2D.
inline Ref<PoolingLayer> MaxPool2D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {}) {
  return MaxPooling2D(pool_size, options);
}
/// keras.layers.AvgPool2D: AveragePooling2D.
inline Ref<PoolingLayer> AvgPool2D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {}) {
  return AveragePooling2D(pool_size, options);
}
/// keras.layers.GlobalMaxPool2D: GlobalMaxPooling2D.
inline Ref<GlobalPoolingLayer> GlobalMaxPool2D(const GlobalPoolingOptions& options = {}) {
  return GlobalMaxPooling2D(options);
}
/// keras.layers.GlobalAvgPool2D: GlobalAveragePooling2D.
inline Ref<GlobalPoolingLayer> GlobalAvgPool2D(const GlobalPoolingOptions& options = {}) {
  return GlobalAveragePooling2D(options);
}
/// keras.layers.Convolution2D: Conv2D.
inline Ref<ConvLayer> Convolution2D(int64_t filters, const SpatialArg& kernel_size, const ConvOptions& options = {}) {
  return Conv2D(filters, kernel_size, options);
}
/// keras.layers.Convolution2DTranspose: Conv2DTranspose.
inline Ref<ConvTransposeLayer> Convolution2DTranspose(int64_t filters, const SpatialArg& kernel_size,
                                                        const ConvTransposeOptions& options = {}) {
  return Conv2DTranspose(filters, kernel_size, options);
}
/// keras.layers.MaxPool3D: MaxPooling3D.
inline Ref<PoolingLayer> MaxPool3D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {}) {
  return MaxPooling3D(pool_size, options);
}
/// keras.layers.AvgPool3D: AveragePooling3D.
inline Ref<PoolingLayer> AvgPool3D(const SpatialArg& pool_size = 2, const PoolingOptions& options = {}) {
  return AveragePooling3D(pool_size, options);
}
/// keras.layers.GlobalMaxPool3D: GlobalMaxPooling3D.
inline Ref<GlobalPoolingLayer> GlobalMaxPool3D(const GlobalPoolingOptions& options = {}) {
  return GlobalMaxPooling3D(options);
}
/// keras.layers.GlobalAvgPool3D: GlobalAveragePooling3D.
inline Ref<GlobalPoolingLayer> GlobalAvgPool3D(const GlobalPoolingOptions& options = {}) {
  return GlobalAveragePooling3D(options);
}
/// keras.layers.Convolution3D: Conv3D.
inline Ref<ConvLayer> Convolution3D(int64_t filters, const SpatialArg& kernel_size, const ConvOptions& options = {}) {
  return Conv3D(filters, kernel_size, options);
}
/// keras.layers.Convolution3DTranspose: Conv3DTranspose.
inline Ref<ConvTransposeLayer> Convolution3DTranspose(int64_t filters, const SpatialArg& kernel_size,
                                                        const ConvTransposeOptions& options = {}) {
  return Conv3DTranspose(filters, kernel_size, options);
}
/// keras.layers.SeparableConvolution1D: SeparableConv1D.
inline Ref<SeparableConvLayer> SeparableConvolution1D(int64_t filters, const SpatialArg& kernel_size,
                                                        const SeparableConvOptions& options = {}) {
  return SeparableConv1D(filters, kernel_size, options);
}
/// keras.layers.SeparableConvolution2D: SeparableConv2D.
inline Ref<SeparableConvLayer> SeparableConvolution2D(int64_t filters, const SpatialArg& kernel_size,
                                                        const SeparableConvOptions& options = {}) {
  return SeparableConv2D(filters, kernel_size, options);
}

}  // namespace keras::layers
