// inception_resnet_v2.cpp - keras.applications.InceptionResNetV2 (Inception modules with
// scaled residual sums) and its CustomScaleLayer (application_layers.h), as Keras 3's
// inception_resnet_v2.py builds them.
#include <stdexcept>

#include "keras/applications/application_layers.h"
#include "keras/applications/common.h"
#include "keras/layers/all.h"
#include "keras/layers/options_base.h"

namespace keras::applications {

namespace detail {

CustomScaleLayer::CustomScaleLayer(double scale, const layers::LayerOptions& options)
    : Layer("CustomScaleLayer", options), scale_(scale) {}

std::vector<Tensor> CustomScaleLayer::call(const std::vector<Tensor>& xs, bool) {
  if (xs.size() != 2)
    throw std::invalid_argument(name() + ": expected 2 inputs (the shortcut and the residual), but received " +
                                std::to_string(xs.size()));
  return {xs[0] + xs[1] * scale_};
}

std::vector<layers::ShapeSpec> CustomScaleLayer::compute_output_shape(const std::vector<layers::ShapeSpec>& shapes) {
  if (shapes.size() != 2 || shapes[0].size() != shapes[1].size())
    throw std::invalid_argument(name() + ": expected 2 inputs of one rank (the shortcut and the residual)");
  return {shapes[0]};
}

Config CustomScaleLayer::get_config() const {
  Config c = base_config();
  c["scale"] = scale_;
  return c;
}

layers::LayerPtr CustomScaleLayer::from_config(const Config& c) {
  layers::LayerOptions o;
  layers::detail::read_base_options(c, o);
  if (!c.contains("scale")) throw std::invalid_argument("CustomScaleLayer.from_config: expected scale, got " + c.to_json());
  return layers::make<CustomScaleLayer>(c.at("scale").as_double(), o);
}

}  // namespace detail

namespace {

using detail::Start;

// inception_resnet_v2.py's conv2d_bn: a convolution, batch normalization without scale when
// the convolution has no bias, and the activation; names from `name` when given.
KerasTensor conv2d_bn(const Start& s, const KerasTensor& x, int64_t filters, std::vector<int64_t> kernel,
                      int64_t strides = 1, const std::string& padding = "same", const char* activation = "relu",
                      bool use_bias = false, const std::string& name = "") {
  KerasTensor y = layers::Conv2D(filters, kernel, {.strides = strides, .padding = padding, .use_bias = use_bias, .name = name})(x);
  if (!use_bias)
    y = layers::BatchNormalization({.axis = s.bn_axis, .scale = false, .name = name.empty() ? "" : name + "_bn"})(y);
  if (activation) y = layers::Activation(activation, {.name = name.empty() ? "" : name + "_ac"})(y);
  return y;
}
KerasTensor conv2d_bn(const Start& s, const KerasTensor& x, int64_t filters, int64_t kernel, int64_t strides = 1,
                      const std::string& padding = "same") {
  return conv2d_bn(s, x, filters, std::vector<int64_t>{kernel, kernel}, strides, padding);
}

KerasTensor inception_resnet_block(const Start& s, const KerasTensor& x, double scale, const std::string& type, int idx,
                                   bool activation = true) {
  std::vector<KerasTensor> branches;
  if (type == "block35") {
    branches = {conv2d_bn(s, x, 32, 1), conv2d_bn(s, conv2d_bn(s, x, 32, 1), 32, 3),
                conv2d_bn(s, conv2d_bn(s, conv2d_bn(s, x, 32, 1), 48, 3), 64, 3)};
  } else if (type == "block17") {
    branches = {conv2d_bn(s, x, 192, 1),
                conv2d_bn(s, conv2d_bn(s, conv2d_bn(s, x, 128, 1), 160, {1, 7}), 192, {7, 1})};
  } else {
    branches = {conv2d_bn(s, x, 192, 1),
                conv2d_bn(s, conv2d_bn(s, conv2d_bn(s, x, 192, 1), 224, {1, 3}), 256, {3, 1})};
  }
  const std::string block = type + "_" + std::to_string(idx);
  KerasTensor mixed = layers::Concatenate(s.bn_axis, {.name = block + "_mixed"})(branches);
  KerasTensor up = conv2d_bn(s, mixed, detail::channels(s, x), {1, 1}, 1, "same", nullptr, true, block + "_conv");
  KerasTensor y = layers::make<detail::CustomScaleLayer>(scale)(std::vector<KerasTensor>{x, up});
  if (activation) y = layers::Activation("relu", {.name = block + "_ac"})(y);
  return y;
}

}  // namespace

Ref<FunctionalModel> InceptionResNetV2(const ApplicationOptions& o) {
  Start s = detail::begin("InceptionResNetV2", o, 299, 75);
  auto max_pool = [](const KerasTensor& t) { return layers::MaxPooling2D(3, {.strides = 2})(t); };
  // Stem: 35 x 35 x 192.
  KerasTensor x = conv2d_bn(s, s.img_input, 32, 3, 2, "valid");
  x = conv2d_bn(s, x, 32, 3, 1, "valid");
  x = conv2d_bn(s, x, 64, 3);
  x = max_pool(x);
  x = conv2d_bn(s, x, 80, 1, 1, "valid");
  x = conv2d_bn(s, x, 192, 3, 1, "valid");
  x = max_pool(x);
  // Mixed 5b (Inception-A): 35 x 35 x 320.
  {
    KerasTensor b0 = conv2d_bn(s, x, 96, 1);
    KerasTensor b1 = conv2d_bn(s, conv2d_bn(s, x, 48, 1), 64, 5);
    KerasTensor b2 = conv2d_bn(s, conv2d_bn(s, conv2d_bn(s, x, 64, 1), 96, 3), 96, 3);
    KerasTensor bp = conv2d_bn(s, layers::AveragePooling2D(3, {.strides = 1, .padding = "same"})(x), 64, 1);
    x = layers::Concatenate(s.bn_axis, {.name = "mixed_5b"})({b0, b1, b2, bp});
  }
  for (int i = 1; i <= 10; ++i) x = inception_resnet_block(s, x, 0.17, "block35", i);
  // Mixed 6a (Reduction-A): 17 x 17 x 1088.
  {
    KerasTensor b0 = conv2d_bn(s, x, 384, 3, 2, "valid");
    KerasTensor b1 = conv2d_bn(s, conv2d_bn(s, conv2d_bn(s, x, 256, 1), 256, 3), 384, 3, 2, "valid");
    KerasTensor bp = max_pool(x);
    x = layers::Concatenate(s.bn_axis, {.name = "mixed_6a"})({b0, b1, bp});
  }
  for (int i = 1; i <= 20; ++i) x = inception_resnet_block(s, x, 0.1, "block17", i);
  // Mixed 7a (Reduction-B): 8 x 8 x 2080.
  {
    KerasTensor b0 = conv2d_bn(s, conv2d_bn(s, x, 256, 1), 384, 3, 2, "valid");
    KerasTensor b1 = conv2d_bn(s, conv2d_bn(s, x, 256, 1), 288, 3, 2, "valid");
    KerasTensor b2 = conv2d_bn(s, conv2d_bn(s, conv2d_bn(s, x, 256, 1), 288, 3), 320, 3, 2, "valid");
    KerasTensor bp = max_pool(x);
    x = layers::Concatenate(s.bn_axis, {.name = "mixed_7a"})({b0, b1, b2, bp});
  }
  for (int i = 1; i <= 9; ++i) x = inception_resnet_block(s, x, 0.2, "block8", i);
  x = inception_resnet_block(s, x, 1.0, "block8", 10, /*activation=*/false);
  x = conv2d_bn(s, x, 1536, {1, 1}, 1, "same", "relu", false, "conv_7b");
  x = detail::classifier_top(x, o);
  return detail::finish(s, x, o, "inception_resnet_v2",
                        detail::tf_dim_ordering_files("inception_resnet_v2", "inception_resnet_v2"));
}

}  // namespace keras::applications
