// mobilenet_v3.cpp - keras.applications.MobileNetV3Small and MobileNetV3Large (inverted
// residual blocks with squeeze-and-excite and hard-swish; `alpha`, `minimalistic`), as
// Keras 3's mobilenet_v3.py builds them: its hard_sigmoid is written with keras.ops on
// symbolic tensors (an Add and a Multiply operation around a ReLU(6)).
#include <stdexcept>

#include "keras/applications/common.h"
#include "keras/layers/all.h"
#include "keras/symbolic_ops.h"

namespace keras::applications {
namespace {

using detail::Start;
using Activation = KerasTensor (*)(const KerasTensor&);

KerasTensor bn(const Start& s, const KerasTensor& x, const std::string& name) {
  return layers::BatchNormalization({.axis = s.channels_last ? -1 : 1, .momentum = 0.999, .epsilon = 1e-3, .name = name})(x);
}
KerasTensor relu(const KerasTensor& x) { return layers::ReLU()(x); }
KerasTensor hard_sigmoid(const KerasTensor& x) { return layers::ReLU({.max_value = 6.0})(x + 3.0) * (1.0 / 6.0); }
KerasTensor hard_swish(const KerasTensor& x) { return layers::Activation("hard_swish")(x); }

// Keras's _depth: v rounded to a multiple of 8, not below 90% of v.
int64_t depth(double v) { return detail::make_divisible(v, 8); }

KerasTensor se_block(const KerasTensor& in, int64_t filters, double se_ratio, const std::string& prefix) {
  KerasTensor x = layers::GlobalAveragePooling2D({.keepdims = true, .name = prefix + "squeeze_excite_avg_pool"})(in);
  x = layers::Conv2D(depth(double(filters) * se_ratio), 1, {.padding = "same", .name = prefix + "squeeze_excite_conv"})(x);
  x = layers::ReLU({.name = prefix + "squeeze_excite_relu"})(x);
  x = layers::Conv2D(filters, 1, {.padding = "same", .name = prefix + "squeeze_excite_conv_1"})(x);
  x = hard_sigmoid(x);
  return layers::Multiply({.name = prefix + "squeeze_excite_mul"})({in, x});
}

KerasTensor inverted_res_block(const Start& s, const KerasTensor& in, double expansion, int64_t filters, int64_t kernel,
                               int64_t stride, double se_ratio, Activation activation, int block) {
  const int64_t infilters = detail::channels(s, in);
  std::string prefix = "expanded_conv_";
  KerasTensor x = in;
  if (block) {
    prefix = "expanded_conv_" + std::to_string(block) + "_";
    x = layers::Conv2D(depth(double(infilters) * expansion), 1,
                       {.padding = "same", .use_bias = false, .name = prefix + "expand"})(x);
    x = activation(bn(s, x, prefix + "expand_bn"));
  }
  if (stride == 2) x = layers::ZeroPadding2D(detail::correct_pad(s, x, kernel), {.name = prefix + "depthwise_pad"})(x);
  x = layers::DepthwiseConv2D(kernel, {.strides = stride, .padding = stride == 1 ? "same" : "valid", .use_bias = false,
                                       .name = prefix + "depthwise"})(x);
  x = activation(bn(s, x, prefix + "depthwise_bn"));
  if (se_ratio > 0) x = se_block(x, depth(double(infilters) * expansion), se_ratio, prefix);
  x = layers::Conv2D(filters, 1, {.padding = "same", .use_bias = false, .name = prefix + "project"})(x);
  x = bn(s, x, prefix + "project_bn");
  if (stride == 1 && infilters == filters) x = layers::Add({.name = prefix + "add"})({in, x});
  return x;
}

// One block of a stack: expansion, filters (before alpha), kernel (0: the variant's), stride,
// squeeze-and-excite, and whether it uses the variant's activation (else ReLU).
struct Block {
  double expansion;
  int64_t filters, kernel, stride;
  bool se, own_activation;
};

Ref<FunctionalModel> build_mobilenet_v3(const std::string& fn, const std::vector<Block>& stack, int64_t last_point_ch,
                                  const std::string& model_type, const ApplicationOptions& o) {
  const double alpha = o.alpha.value_or(1.0);
  const bool minimalistic = o.minimalistic.value_or(false);
  const double dropout = o.dropout.value_or(0.2);
  if (alpha <= 0) throw std::invalid_argument(fn + ": expected alpha > 0, but received " + std::to_string(alpha));
  Start s = detail::begin(fn, o, 224, 32,
                          {.alpha = true, .dropout = true, .include_preprocessing = true, .minimalistic = true,
                           .own_input_shape = true});
  const int64_t rows = s.input_shape[s.channels_last ? 0 : 1], cols = s.input_shape[s.channels_last ? 1 : 2];
  if ((rows > 0 && cols > 0) && (rows < 32 || cols < 32))
    throw std::invalid_argument("Input size must be at least 32x32; Received `input_shape=" +
                                detail::shape_text(s.input_shape) + "`");
  const bool imagenet = o.weights && *o.weights == "imagenet";
  if (imagenet && ((!minimalistic && alpha != 0.75 && alpha != 1.0) || (minimalistic && alpha != 1.0)))
    throw std::invalid_argument("If imagenet weights are being loaded, alpha can be one of `0.75`, `1.0` for non minimalistic "
                                "or `1.0` for minimalistic only.");
  const int64_t kernel = minimalistic ? 3 : 5;
  const Activation activation = minimalistic ? relu : hard_swish;
  const double se_ratio = minimalistic ? 0.0 : 0.25;

  KerasTensor x = s.img_input;
  if (o.include_preprocessing.value_or(true)) x = layers::Rescaling(1.0 / 127.5, -1.0)(x);
  x = layers::Conv2D(16, 3, {.strides = 2, .padding = "same", .use_bias = false, .name = "conv"})(x);
  x = activation(bn(s, x, "conv_bn"));
  int id = 0;
  for (const Block& b : stack)
    x = inverted_res_block(s, x, b.expansion, depth(double(b.filters) * alpha), b.kernel ? b.kernel : kernel, b.stride,
                           b.se ? se_ratio : 0.0, b.own_activation ? activation : relu, id++);
  const int64_t last_conv_ch = depth(double(detail::channels(s, x) * 6));
  if (alpha > 1.0) last_point_ch = depth(double(last_point_ch) * alpha);
  x = layers::Conv2D(last_conv_ch, 1, {.padding = "same", .use_bias = false, .name = "conv_1"})(x);
  x = activation(bn(s, x, "conv_1_bn"));
  if (o.include_top) {
    x = layers::GlobalAveragePooling2D({.keepdims = true})(x);
    x = layers::Conv2D(last_point_ch, 1, {.padding = "same", .use_bias = true, .name = "conv_2"})(x);
    x = activation(x);
    if (dropout > 0) x = layers::Dropout(dropout)(x);
    x = layers::Conv2D(o.classes, 1, {.padding = "same", .name = "logits"})(x);
    x = layers::Flatten()(x);
    detail::validate_activation(o);
    x = layers::Activation(o.classifier_activation, {.name = "predictions"})(x);
  } else {
    x = detail::pool(x, o, "avg_pool", "max_pool");
  }
  const std::string alpha_text = alpha == 0.75 ? "0.75" : "1.0";  // (the alphas that have weights)
  const std::string key = model_type + (minimalistic ? "_minimalistic" : "") + "_224_" + alpha_text + "_float";
  const std::string file = "weights_mobilenet_v3_" + key;
  return detail::finish(s, x, o, fn,
                        {file + ".h5", file + "_no_top_v2.h5",
                         "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"});
}

}  // namespace

Ref<FunctionalModel> MobileNetV3Small(const ApplicationOptions& o) {
  // Keras's stack_fn of MobileNetV3Small: (expansion, filters, kernel (0: 5, or 3 when
  // minimalistic), stride, squeeze-and-excite, activation (else ReLU)).
  const std::vector<Block> stack = {
      {1, 16, 3, 2, true, false},      {72.0 / 16, 24, 3, 2, false, false}, {88.0 / 24, 24, 3, 1, false, false},
      {4, 40, 0, 2, true, true},       {6, 40, 0, 1, true, true},           {6, 40, 0, 1, true, true},
      {3, 48, 0, 1, true, true},       {3, 48, 0, 1, true, true},           {6, 96, 0, 2, true, true},
      {6, 96, 0, 1, true, true},       {6, 96, 0, 1, true, true}};
  return build_mobilenet_v3("MobileNetV3Small", stack, 1024, "small", o);
}

Ref<FunctionalModel> MobileNetV3Large(const ApplicationOptions& o) {
  const std::vector<Block> stack = {
      {1, 16, 3, 1, false, false},   {4, 24, 3, 2, false, false},   {3, 24, 3, 1, false, false},
      {3, 40, 0, 2, true, false},    {3, 40, 0, 1, true, false},    {3, 40, 0, 1, true, false},
      {6, 80, 3, 2, false, true},    {2.5, 80, 3, 1, false, true},  {2.3, 80, 3, 1, false, true},
      {2.3, 80, 3, 1, false, true},  {6, 112, 3, 1, true, true},    {6, 112, 3, 1, true, true},
      {6, 160, 0, 2, true, true},    {6, 160, 0, 1, true, true},    {6, 160, 0, 1, true, true}};
  return build_mobilenet_v3("MobileNetV3Large", stack, 1280, "large", o);
}

}  // namespace keras::applications
