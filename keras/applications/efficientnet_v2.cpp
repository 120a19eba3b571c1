// efficientnet_v2.cpp - keras.applications.EfficientNetV2B0 ... B3, S, M, L: fused and
// plain mobile inverted bottleneck blocks (Keras's efficientnet_v2.py).
#include <cmath>
#include <vector>

#include "keras/applications/common.h"
#include "keras/applications/efficientnet_blocks.h"
#include "keras/layers/all.h"

namespace keras::applications {
namespace {

using detail::Start;

struct BlockArgs {
  int64_t kernel_size, repeats, filters_in, filters_out, expand_ratio;
  double se_ratio;
  int64_t strides;
  bool fused;  // Keras's conv_type 1
};
// Keras's DEFAULT_BLOCKS_ARGS (the B variants share one list).
const std::vector<BlockArgs> kB = {{3, 1, 32, 16, 1, 0, 1, true},      {3, 2, 16, 32, 4, 0, 2, true},
                                   {3, 2, 32, 48, 4, 0, 2, true},      {3, 3, 48, 96, 4, 0.25, 2, false},
                                   {3, 5, 96, 112, 6, 0.25, 1, false}, {3, 8, 112, 192, 6, 0.25, 2, false}};
const std::vector<BlockArgs> kS = {{3, 2, 24, 24, 1, 0, 1, true},       {3, 4, 24, 48, 4, 0, 2, true},
                                   {3, 4, 48, 64, 4, 0, 2, true},       {3, 6, 64, 128, 4, 0.25, 2, false},
                                   {3, 9, 128, 160, 6, 0.25, 1, false}, {3, 15, 160, 256, 6, 0.25, 2, false}};
const std::vector<BlockArgs> kM = {{3, 3, 24, 24, 1, 0, 1, true},        {3, 5, 24, 48, 4, 0, 2, true},
                                   {3, 5, 48, 80, 4, 0, 2, true},        {3, 7, 80, 160, 4, 0.25, 2, false},
                                   {3, 14, 160, 176, 6, 0.25, 1, false}, {3, 18, 176, 304, 6, 0.25, 2, false},
                                   {3, 5, 304, 512, 6, 0.25, 1, false}};
const std::vector<BlockArgs> kL = {{3, 4, 32, 32, 1, 0, 1, true},        {3, 7, 32, 64, 4, 0, 2, true},
                                   {3, 7, 64, 96, 4, 0, 2, true},        {3, 10, 96, 192, 4, 0.25, 2, false},
                                   {3, 19, 192, 224, 6, 0.25, 1, false}, {3, 25, 224, 384, 6, 0.25, 2, false},
                                   {3, 7, 384, 640, 6, 0.25, 1, false}};

constexpr double kMomentum = 0.9;

KerasTensor bn(const Start& s, const KerasTensor& x, const std::string& name) {
  return layers::BatchNormalization({.axis = s.bn_axis, .momentum = kMomentum, .name = name})(x);
}
KerasTensor swish(const KerasTensor& x, const std::string& name) { return layers::Activation("swish", {.name = name})(x); }
KerasTensor conv(const KerasTensor& x, int64_t filters, int64_t kernel, int64_t strides, const std::string& name) {
  return layers::Conv2D(filters, kernel, {.strides = strides, .padding = "same", .use_bias = false,
                                          .kernel_initializer = detail::conv_init(), .name = name})(x);
}

// MBConvBlock (fused = false) and FusedMBConvBlock (fused = true).
KerasTensor block(const Start& s, const KerasTensor& in, const BlockArgs& a, double survival, const std::string& name) {
  const int64_t filters = a.filters_in * a.expand_ratio;
  KerasTensor x = in;
  if (a.expand_ratio != 1) {
    x = conv(x, filters, a.fused ? a.kernel_size : 1, a.fused ? a.strides : 1, name + "expand_conv");
    x = swish(bn(s, x, name + "expand_bn"), name + "expand_activation");
  }
  if (!a.fused) {
    x = layers::DepthwiseConv2D(a.kernel_size, {.strides = a.strides, .padding = "same", .use_bias = false,
                                                .depthwise_initializer = detail::conv_init(), .name = name + "dwconv2"})(x);
    x = swish(bn(s, x, name + "bn"), name + "activation");
  }
  if (a.se_ratio > 0 && a.se_ratio <= 1)
    x = detail::squeeze_excite(s, x, filters, std::max<int64_t>(1, int64_t(double(a.filters_in) * a.se_ratio)), "swish", name);
  const bool project_strided = a.fused && a.expand_ratio == 1;
  x = conv(x, a.filters_out, project_strided ? a.kernel_size : 1, project_strided ? a.strides : 1, name + "project_conv");
  x = bn(s, x, name + "project_bn");
  if (a.fused && a.expand_ratio == 1) x = swish(x, name + "project_activation");
  if (a.strides == 1 && a.filters_in == a.filters_out) {
    // (Keras gives the survival probability as the dropout rate.)
    if (survival > 0) x = layers::Dropout(survival, {.noise_shape = {-1, 1, 1, 1}, .name = name + "drop"})(x);
    x = layers::Add({.name = name + "add"})({x, in});
  }
  return x;
}

Ref<FunctionalModel> build_efficientnet_v2(const std::string& fn, const std::string& key, const std::vector<BlockArgs>& blocks,
                                           double width, double depth, int64_t default_size, const ApplicationOptions& o) {
  Start s = detail::begin(fn, o, default_size, 32, {.include_preprocessing = true});
  auto round_filters = [&](int64_t f) { return std::max<int64_t>(8, int64_t(double(f) * width + 4.0) / 8 * 8); };
  auto round_repeats = [&](int64_t r) { return int64_t(std::ceil(depth * double(r))); };
  KerasTensor x = s.img_input;
  if (o.include_preprocessing.value_or(true)) {
    const int64_t channels = s.input_shape[size_t(s.bn_axis - 1)];
    if (key.back() != 's' && key.back() != 'm' && key.back() != 'l' && channels == 3) {  // the B variants
      x = layers::Rescaling(1.0 / 255)(x);
      x = layers::Normalization({.axis = s.bn_axis, .mean = {0.485, 0.456, 0.406},
                                 .variance = {0.229 * 0.229, 0.224 * 0.224, 0.225 * 0.225}})(x);
    } else {
      x = layers::Rescaling(1.0 / 128.0, -1.0)(x);
    }
  }
  x = conv(x, round_filters(blocks[0].filters_in), 3, 2, "stem_conv");
  x = swish(bn(s, x, "stem_bn"), "stem_activation");
  double total = 0;
  for (const BlockArgs& a : blocks) total += double(a.repeats);
  int64_t b = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    BlockArgs a = blocks[i];
    a.filters_in = round_filters(a.filters_in);
    a.filters_out = round_filters(a.filters_out);
    const int64_t repeats = round_repeats(a.repeats);
    for (int64_t j = 0; j < repeats; ++j) {
      if (j > 0) a.strides = 1, a.filters_in = a.filters_out;
      x = block(s, x, a, 0.2 * double(b) / total, "block" + std::to_string(i + 1) + char('a' + j) + "_");
      ++b;
    }
  }
  x = conv(x, round_filters(1280), 1, 1, "top_conv");
  x = swish(bn(s, x, "top_bn"), "top_activation");
  if (o.include_top) {
    x = layers::GlobalAveragePooling2D({.name = "avg_pool"})(x);
    x = layers::Dropout(0.2, {.name = "top_dropout"})(x);
    detail::validate_activation(o);
    x = layers::Dense(o.classes, {.activation = o.classifier_activation, .kernel_initializer = detail::dense_init(),
                                  .bias_initializer = "zeros", .name = "predictions"})(x);
  } else {
    x = detail::pool(x, o, "avg_pool", "max_pool");
  }
  return detail::finish(s, x, o, key, {key + ".h5", key + "_notop.h5",
                                       "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"});
}

}  // namespace

Ref<FunctionalModel> EfficientNetV2B0(const ApplicationOptions& o) { return build_efficientnet_v2("EfficientNetV2B0", "efficientnetv2-b0", kB, 1.0, 1.0, 224, o); }
Ref<FunctionalModel> EfficientNetV2B1(const ApplicationOptions& o) { return build_efficientnet_v2("EfficientNetV2B1", "efficientnetv2-b1", kB, 1.0, 1.1, 240, o); }
Ref<FunctionalModel> EfficientNetV2B2(const ApplicationOptions& o) { return build_efficientnet_v2("EfficientNetV2B2", "efficientnetv2-b2", kB, 1.1, 1.2, 260, o); }
Ref<FunctionalModel> EfficientNetV2B3(const ApplicationOptions& o) { return build_efficientnet_v2("EfficientNetV2B3", "efficientnetv2-b3", kB, 1.2, 1.4, 300, o); }
Ref<FunctionalModel> EfficientNetV2S(const ApplicationOptions& o) { return build_efficientnet_v2("EfficientNetV2S", "efficientnetv2-s", kS, 1.0, 1.0, 384, o); }
Ref<FunctionalModel> EfficientNetV2M(const ApplicationOptions& o) { return build_efficientnet_v2("EfficientNetV2M", "efficientnetv2-m", kM, 1.0, 1.0, 480, o); }
Ref<FunctionalModel> EfficientNetV2L(const ApplicationOptions& o) { return build_efficientnet_v2("EfficientNetV2L", "efficientnetv2-l", kL, 1.0, 1.0, 480, o); }

}  // namespace keras::applications
