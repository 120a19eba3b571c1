// xception.cpp - keras.applications.Xception (depthwise separable convolutions with
// residual connections) and InceptionV3 (factorized inception modules), Keras's
// xception.py and inception_v3.py.
#include "keras/applications/common.h"
#include "keras/layers/all.h"

namespace keras::applications {
namespace {

using detail::Start;

KerasTensor bn(const Start& s, const KerasTensor& x, const std::string& name = "") {
  return layers::BatchNormalization({.axis = s.channels_last ? -1 : 1, .name = name})(x);
}
KerasTensor relu(const KerasTensor& x, const std::string& name = "") { return layers::Activation("relu", {.name = name})(x); }
KerasTensor sepconv(const KerasTensor& x, int64_t filters, const std::string& name) {
  return layers::SeparableConv2D(filters, 3, {.padding = "same", .use_bias = false, .name = name})(x);
}
KerasTensor add(const KerasTensor& a, const KerasTensor& b) { return layers::Add()({a, b}); }

// A strided 1x1 convolution and its batch normalization (the residual of Xception's blocks).
KerasTensor residual(const Start& s, const KerasTensor& x, int64_t filters) {
  return bn(s, layers::Conv2D(filters, 1, {.strides = 2, .padding = "same", .use_bias = false})(x));
}

// conv2d_bn of inception_v3.py: convolution without bias, batch normalization without
// scale, ReLU (named when `name` is given).
KerasTensor conv_bn(const Start& s, const KerasTensor& x, int64_t filters, int64_t rows, int64_t cols,
                    const std::string& padding = "same", int64_t strides = 1, const std::string& name = "") {
  KerasTensor y = layers::Conv2D(filters, {rows, cols}, {.strides = strides, .padding = padding, .use_bias = false,
                                                         .name = name.empty() ? "" : name + "_conv"})(x);
  y = layers::BatchNormalization({.axis = s.bn_axis, .scale = false, .name = name.empty() ? "" : name + "_bn"})(y);
  return layers::Activation("relu", {.name = name})(y);
}
KerasTensor concat(const Start& s, const std::vector<KerasTensor>& xs, const std::string& name = "") {
  return layers::Concatenate(s.bn_axis, {.name = name})(xs);
}
KerasTensor avg_pool_same(const KerasTensor& x) { return layers::AveragePooling2D(3, {.strides = 1, .padding = "same"})(x); }
KerasTensor max_pool_valid(const KerasTensor& x) { return layers::MaxPooling2D(3, {.strides = 2})(x); }

}  // namespace

Ref<FunctionalModel> Xception(const ApplicationOptions& o) {
  Start s = detail::begin("Xception", o, 299, 71);
  KerasTensor x = layers::Conv2D(32, 3, {.strides = 2, .use_bias = false, .name = "block1_conv1"})(s.img_input);
  x = relu(bn(s, x, "block1_conv1_bn"), "block1_conv1_act");
  x = layers::Conv2D(64, 3, {.use_bias = false, .name = "block1_conv2"})(x);
  x = relu(bn(s, x, "block1_conv2_bn"), "block1_conv2_act");
  // Entry flow: blocks 2-4, each halving the size, with a strided 1x1 residual.
  const int64_t entry[] = {128, 256, 728};
  for (int b = 2; b <= 4; ++b) {
    const std::string p = "block" + std::to_string(b);
    const int64_t f = entry[b - 2];
    KerasTensor res = residual(s, x, f);
    if (b > 2) x = relu(x, p + "_sepconv1_act");
    x = bn(s, sepconv(x, f, p + "_sepconv1"), p + "_sepconv1_bn");
    x = relu(x, p + "_sepconv2_act");
    x = bn(s, sepconv(x, f, p + "_sepconv2"), p + "_sepconv2_bn");
    x = layers::MaxPooling2D(3, {.strides = 2, .padding = "same", .name = p + "_pool"})(x);
    x = add(x, res);
  }
  // Middle flow: blocks 5-12.
  for (int i = 0; i < 8; ++i) {
    const std::string p = "block" + std::to_string(i + 5);
    KerasTensor res = x;
    for (int c = 1; c <= 3; ++c) {
      const std::string n = p + "_sepconv" + std::to_string(c);
      x = bn(s, sepconv(relu(x, n + "_act"), 728, n), n + "_bn");
    }
    x = add(x, res);
  }
  // Exit flow.
  KerasTensor res = residual(s, x, 1024);
  x = bn(s, sepconv(relu(x, "block13_sepconv1_act"), 728, "block13_sepconv1"), "block13_sepconv1_bn");
  x = bn(s, sepconv(relu(x, "block13_sepconv2_act"), 1024, "block13_sepconv2"), "block13_sepconv2_bn");
  x = layers::MaxPooling2D(3, {.strides = 2, .padding = "same", .name = "block13_pool"})(x);
  x = add(x, res);
  x = relu(bn(s, sepconv(x, 1536, "block14_sepconv1"), "block14_sepconv1_bn"), "block14_sepconv1_act");
  x = relu(bn(s, sepconv(x, 2048, "block14_sepconv2"), "block14_sepconv2_bn"), "block14_sepconv2_act");
  x = detail::classifier_top(x, o);
  return detail::finish(s, x, o, "xception", detail::tf_dim_ordering_files("xception", "xception"));
}

Ref<FunctionalModel> InceptionV3(const ApplicationOptions& o) {
  Start s = detail::begin("InceptionV3", o, 299, 75);
  KerasTensor x = conv_bn(s, s.img_input, 32, 3, 3, "valid", 2);
  x = conv_bn(s, x, 32, 3, 3, "valid");
  x = conv_bn(s, x, 64, 3, 3);
  x = max_pool_valid(x);
  x = conv_bn(s, x, 80, 1, 1, "valid");
  x = conv_bn(s, x, 192, 3, 3, "valid");
  x = max_pool_valid(x);
  // mixed 0, 1, 2: 35 x 35 x 256, 288, 288.
  for (int i = 0; i < 3; ++i) {
    KerasTensor b1 = conv_bn(s, x, 64, 1, 1);
    KerasTensor b5 = conv_bn(s, conv_bn(s, x, 48, 1, 1), 64, 5, 5);
    KerasTensor b3 = conv_bn(s, conv_bn(s, conv_bn(s, x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
    KerasTensor bp = conv_bn(s, avg_pool_same(x), i == 0 ? 32 : 64, 1, 1);
    x = concat(s, {b1, b5, b3, bp}, "mixed" + std::to_string(i));
  }
  // mixed 3: 17 x 17 x 768.
  {
    KerasTensor b3 = conv_bn(s, x, 384, 3, 3, "valid", 2);
    KerasTensor bd = conv_bn(s, conv_bn(s, conv_bn(s, x, 64, 1, 1), 96, 3, 3), 96, 3, 3, "valid", 2);
    x = concat(s, {b3, bd, max_pool_valid(x)}, "mixed3");
  }
  // mixed 4, 5, 6, 7: 17 x 17 x 768, the 7x7 convolutions factorized.
  const int64_t widths[] = {128, 160, 160, 192};
  for (int i = 0; i < 4; ++i) {
    const int64_t w = widths[i];
    KerasTensor b1 = conv_bn(s, x, 192, 1, 1);
    KerasTensor b7 = conv_bn(s, conv_bn(s, conv_bn(s, x, w, 1, 1), w, 1, 7), 192, 7, 1);
    KerasTensor bd = conv_bn(s, x, w, 1, 1);
    bd = conv_bn(s, conv_bn(s, bd, w, 7, 1), w, 1, 7);
    bd = conv_bn(s, conv_bn(s, bd, w, 7, 1), 192, 1, 7);
    KerasTensor bp = conv_bn(s, avg_pool_same(x), 192, 1, 1);
    x = concat(s, {b1, b7, bd, bp}, "mixed" + std::to_string(4 + i));
  }
  // mixed 8: 8 x 8 x 1280.
  {
    KerasTensor b3 = conv_bn(s, conv_bn(s, x, 192, 1, 1), 320, 3, 3, "valid", 2);
    KerasTensor b7 = conv_bn(s, conv_bn(s, conv_bn(s, x, 192, 1, 1), 192, 1, 7), 192, 7, 1);
    b7 = conv_bn(s, b7, 192, 3, 3, "valid", 2);
    x = concat(s, {b3, b7, max_pool_valid(x)}, "mixed8");
  }
  // mixed 9, 10: 8 x 8 x 2048.
  for (int i = 0; i < 2; ++i) {
    KerasTensor b1 = conv_bn(s, x, 320, 1, 1);
    KerasTensor b3 = conv_bn(s, x, 384, 1, 1);
    b3 = concat(s, {conv_bn(s, b3, 384, 1, 3), conv_bn(s, b3, 384, 3, 1)}, "mixed9_" + std::to_string(i));
    KerasTensor bd = conv_bn(s, conv_bn(s, x, 448, 1, 1), 384, 3, 3);
    bd = concat(s, {conv_bn(s, bd, 384, 1, 3), conv_bn(s, bd, 384, 3, 1)});
    KerasTensor bp = conv_bn(s, avg_pool_same(x), 192, 1, 1);
    x = concat(s, {b1, b3, bd, bp}, "mixed" + std::to_string(9 + i));
  }
  x = detail::classifier_top(x, o);
  return detail::finish(s, x, o, "inception_v3", detail::tf_dim_ordering_files("inception_v3", "inception_v3"));
}

}  // namespace keras::applications
