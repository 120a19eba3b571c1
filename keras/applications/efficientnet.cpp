// efficientnet.cpp - keras.applications.EfficientNetB0 ... B7: mobile inverted bottleneck
// blocks with squeeze-and-excitation, scaled in width, depth and input size, with the input
// scaling and normalization inside the model (Keras's efficientnet.py).
#include <cmath>

#include "keras/applications/common.h"
#include "keras/applications/efficientnet_blocks.h"
#include "keras/initializers.h"
#include "keras/layers/all.h"

namespace keras::applications {
namespace {

using detail::Start;

struct BlockArgs {
  int64_t kernel_size, repeats, filters_in, filters_out, expand_ratio, strides;
};
constexpr BlockArgs kBlocks[] = {{3, 1, 32, 16, 1, 1},  {3, 2, 16, 24, 6, 2},   {5, 2, 24, 40, 6, 2},  {3, 3, 40, 80, 6, 2},
                                 {5, 3, 80, 112, 6, 1}, {5, 4, 112, 192, 6, 2}, {3, 1, 192, 320, 6, 1}};
constexpr double kSeRatio = 0.25;

KerasTensor bn(const Start& s, const KerasTensor& x, const std::string& name) {
  return layers::BatchNormalization({.axis = s.bn_axis, .name = name})(x);
}
KerasTensor swish(const KerasTensor& x, const std::string& name) { return layers::Activation("swish", {.name = name})(x); }

KerasTensor block(const Start& s, const KerasTensor& in, double drop_rate, const std::string& name, const BlockArgs& a) {
  const int64_t filters = a.filters_in * a.expand_ratio;
  KerasTensor x = in;
  if (a.expand_ratio != 1) {
    x = layers::Conv2D(filters, 1, {.padding = "same", .use_bias = false, .kernel_initializer = detail::conv_init(), .name = name + "expand_conv"})(x);
    x = swish(bn(s, x, name + "expand_bn"), name + "expand_activation");
  }
  if (a.strides == 2) x = layers::ZeroPadding2D(detail::correct_pad(s, x, a.kernel_size), {.name = name + "dwconv_pad"})(x);
  x = layers::DepthwiseConv2D(a.kernel_size, {.strides = a.strides, .padding = a.strides == 2 ? "valid" : "same", .use_bias = false,
                                              .depthwise_initializer = detail::conv_init(), .name = name + "dwconv"})(x);
  x = swish(bn(s, x, name + "bn"), name + "activation");
  x = detail::squeeze_excite(s, x, filters, std::max<int64_t>(1, int64_t(double(a.filters_in) * kSeRatio)), "swish", name);
  x = layers::Conv2D(a.filters_out, 1, {.padding = "same", .use_bias = false, .kernel_initializer = detail::conv_init(), .name = name + "project_conv"})(x);
  x = bn(s, x, name + "project_bn");
  if (a.strides == 1 && a.filters_in == a.filters_out) {
    if (drop_rate > 0) x = layers::Dropout(drop_rate, {.noise_shape = {-1, 1, 1, 1}, .name = name + "drop"})(x);
    x = layers::Add({.name = name + "add"})({x, in});
  }
  return x;
}

Ref<FunctionalModel> build_efficientnet(const std::string& fn, const std::string& key, double width, double depth, int64_t default_size,
                                  double dropout_rate, const ApplicationOptions& o) {
  Start s = detail::begin(fn, o, default_size, 32);
  const bool imagenet = o.weights && *o.weights == "imagenet";
  auto round_filters = [&](int64_t f) {
    const double filters = double(f) * width;
    int64_t nf = std::max<int64_t>(8, int64_t(filters + 4.0) / 8 * 8);
    if (double(nf) < 0.9 * filters) nf += 8;
    return nf;
  };
  auto round_repeats = [&](int64_t r) { return int64_t(std::ceil(depth * double(r))); };
  KerasTensor x = layers::Rescaling(1.0 / 255.0)(s.img_input);
  x = layers::Normalization({.axis = s.bn_axis})(x);
  if (imagenet) {  // the ImageNet weights' normalization divides by the variance, not the deviation
    x = layers::Rescaling({1.0 / std::sqrt(0.229), 1.0 / std::sqrt(0.224), 1.0 / std::sqrt(0.225)}, {0.0})(x);
  }
  x = layers::ZeroPadding2D(detail::correct_pad(s, x, 3), {.name = "stem_conv_pad"})(x);
  x = layers::Conv2D(round_filters(32), 3, {.strides = 2, .padding = "valid", .use_bias = false, .kernel_initializer = detail::conv_init(),
                                            .name = "stem_conv"})(x);
  x = swish(bn(s, x, "stem_bn"), "stem_activation");
  double total = 0;
  for (const BlockArgs& a : kBlocks) total += double(round_repeats(a.repeats));
  int64_t b = 0;
  for (size_t i = 0; i < std::size(kBlocks); ++i) {
    BlockArgs a = kBlocks[i];
    a.filters_in = round_filters(a.filters_in);
    a.filters_out = round_filters(a.filters_out);
    const int64_t repeats = round_repeats(a.repeats);
    for (int64_t j = 0; j < repeats; ++j) {
      if (j > 0) a.strides = 1, a.filters_in = a.filters_out;
      const std::string name = "block" + std::to_string(i + 1) + char('a' + j) + "_";
      x = block(s, x, 0.2 * double(b) / total, name, a);
      ++b;
    }
  }
  x = layers::Conv2D(round_filters(1280), 1, {.padding = "same", .use_bias = false, .kernel_initializer = detail::conv_init(), .name = "top_conv"})(x);
  x = swish(bn(s, x, "top_bn"), "top_activation");
  if (o.include_top) {
    x = layers::GlobalAveragePooling2D({.name = "avg_pool"})(x);
    if (dropout_rate > 0) x = layers::Dropout(dropout_rate, {.name = "top_dropout"})(x);
    detail::validate_activation(o);
    x = layers::Dense(o.classes, {.activation = o.classifier_activation, .kernel_initializer = detail::dense_init(), .name = "predictions"})(x);
  } else {
    x = detail::pool(x, o, "avg_pool", "max_pool");
  }
  return detail::finish(s, x, o, key, {key + ".h5", key + "_notop.h5", "https://storage.googleapis.com/keras-applications/"});
}

}  // namespace

namespace detail {
layers::InitializerArg conv_init() {
  return initializers::VarianceScaling({.scale = 2.0, .mode = "fan_out", .distribution = "truncated_normal"});
}
layers::InitializerArg dense_init() {
  return initializers::VarianceScaling({.scale = 1.0 / 3.0, .mode = "fan_out", .distribution = "uniform"});
}
KerasTensor squeeze_excite(const Start& s, const KerasTensor& x, int64_t filters, int64_t filters_se,
                           const layers::ActivationArg& activation, const std::string& name) {
  KerasTensor se = layers::GlobalAveragePooling2D({.name = name + "se_squeeze"})(x);
  se = layers::Reshape(s.channels_last ? ShapeSpec{1, 1, filters} : ShapeSpec{filters, 1, 1}, {.name = name + "se_reshape"})(se);
  se = layers::Conv2D(filters_se, 1, {.padding = "same", .activation = activation, .kernel_initializer = detail::conv_init(),
                                      .name = name + "se_reduce"})(se);
  se = layers::Conv2D(filters, 1, {.padding = "same", .activation = "sigmoid", .kernel_initializer = detail::conv_init(),
                                   .name = name + "se_expand"})(se);
  return layers::Multiply({.name = name + "se_excite"})({x, se});
}
}  // namespace detail

Ref<FunctionalModel> EfficientNetB0(const ApplicationOptions& o) { return build_efficientnet("EfficientNetB0", "efficientnetb0", 1.0, 1.0, 224, 0.2, o); }
Ref<FunctionalModel> EfficientNetB1(const ApplicationOptions& o) { return build_efficientnet("EfficientNetB1", "efficientnetb1", 1.0, 1.1, 240, 0.2, o); }
Ref<FunctionalModel> EfficientNetB2(const ApplicationOptions& o) { return build_efficientnet("EfficientNetB2", "efficientnetb2", 1.1, 1.2, 260, 0.3, o); }
Ref<FunctionalModel> EfficientNetB3(const ApplicationOptions& o) { return build_efficientnet("EfficientNetB3", "efficientnetb3", 1.2, 1.4, 300, 0.3, o); }
Ref<FunctionalModel> EfficientNetB4(const ApplicationOptions& o) { return build_efficientnet("EfficientNetB4", "efficientnetb4", 1.4, 1.8, 380, 0.4, o); }
Ref<FunctionalModel> EfficientNetB5(const ApplicationOptions& o) { return build_efficientnet("EfficientNetB5", "efficientnetb5", 1.6, 2.2, 456, 0.4, o); }
Ref<FunctionalModel> EfficientNetB6(const ApplicationOptions& o) { return build_efficientnet("EfficientNetB6", "efficientnetb6", 1.8, 2.6, 528, 0.5, o); }
Ref<FunctionalModel> EfficientNetB7(const ApplicationOptions& o) { return build_efficientnet("EfficientNetB7", "efficientnetb7", 2.0, 3.1, 600, 0.5, o); }

}  // namespace keras::applications
