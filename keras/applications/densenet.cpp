// densenet.cpp - keras.applications.DenseNet121/169/201: dense blocks (each layer's output
// concatenated to its input) joined by transition blocks, Keras's densenet.py.
#include <stdexcept>

#include "keras/applications/common.h"
#include "keras/layers/all.h"
#include "keras/settings.h"

namespace keras::applications {
namespace {

using detail::Start;

KerasTensor bn_relu(const Start& s, const KerasTensor& x, const std::string& name) {
  KerasTensor y = layers::BatchNormalization({.axis = s.bn_axis, .epsilon = 1.001e-5, .name = name + "_bn"})(x);
  return layers::Activation("relu", {.name = name + "_relu"})(y);
}

KerasTensor conv_block(const Start& s, const KerasTensor& x, int64_t growth, const std::string& name) {
  KerasTensor y = bn_relu(s, x, name + "_0");
  y = layers::Conv2D(4 * growth, 1, {.use_bias = false, .name = name + "_1_conv"})(y);
  y = bn_relu(s, y, name + "_1");
  y = layers::Conv2D(growth, 3, {.padding = "same", .use_bias = false, .name = name + "_2_conv"})(y);
  return layers::Concatenate(s.bn_axis, {.name = name + "_concat"})({x, y});
}

KerasTensor transition_block(const Start& s, const KerasTensor& in, double reduction, const std::string& name) {
  KerasTensor x = bn_relu(s, in, name);
  x = layers::Conv2D(int64_t(double(detail::channels(s, x)) * reduction), 1, {.use_bias = false, .name = name + "_conv"})(x);
  return layers::AveragePooling2D(2, {.strides = 2, .name = name + "_pool"})(x);
}

Ref<FunctionalModel> build_densenet(const std::string& fn, const std::string& key, const std::array<int, 4>& blocks, const ApplicationOptions& o) {
  if (config::image_data_format() == "channels_first")
    throw std::invalid_argument(fn + ": DenseNet does not support the `channels_first` image data format. Switch to "
                                "`channels_last` (keras::config::set_image_data_format)");
  Start s = detail::begin(fn, o, 224, 32);
  KerasTensor x = layers::ZeroPadding2D({{3, 3}, {3, 3}})(s.img_input);
  x = layers::Conv2D(64, 7, {.strides = 2, .use_bias = false, .name = "conv1_conv"})(x);
  x = layers::BatchNormalization({.axis = s.bn_axis, .epsilon = 1.001e-5, .name = "conv1_bn"})(x);
  x = layers::Activation("relu", {.name = "conv1_relu"})(x);
  x = layers::ZeroPadding2D({{1, 1}, {1, 1}})(x);
  x = layers::MaxPooling2D(3, {.strides = 2, .name = "pool1"})(x);
  for (size_t b = 0; b < 4; ++b) {
    for (int i = 1; i <= blocks[b]; ++i)
      x = conv_block(s, x, 32, "conv" + std::to_string(b + 2) + "_block" + std::to_string(i));
    if (b < 3) x = transition_block(s, x, 0.5, "pool" + std::to_string(b + 2));
  }
  x = layers::BatchNormalization({.axis = s.bn_axis, .epsilon = 1.001e-5, .name = "bn"})(x);
  x = layers::Activation("relu", {.name = "relu"})(x);
  x = detail::classifier_top(x, o, "avg_pool", "max_pool");
  return detail::finish(s, x, o, key, detail::tf_dim_ordering_files(key, "densenet"));
}

}  // namespace

Ref<FunctionalModel> DenseNet121(const ApplicationOptions& o) { return build_densenet("DenseNet121", "densenet121", {6, 12, 24, 16}, o); }
Ref<FunctionalModel> DenseNet169(const ApplicationOptions& o) { return build_densenet("DenseNet169", "densenet169", {6, 12, 32, 32}, o); }
Ref<FunctionalModel> DenseNet201(const ApplicationOptions& o) { return build_densenet("DenseNet201", "densenet201", {6, 12, 48, 32}, o); }

}  // namespace keras::applications
