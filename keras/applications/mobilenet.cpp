// mobilenet.cpp - keras.applications.MobileNet (depthwise separable convolutions, width
// `alpha`, `depth_multiplier`) and MobileNetV2 (inverted residual blocks with linear
// bottlenecks), Keras's mobilenet.py and mobilenet_v2.py.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "keras/applications/common.h"
#include "keras/layers/all.h"
#include "keras/settings.h"

namespace keras::applications {
namespace {

using detail::make_divisible;
using detail::Start;

KerasTensor bn(const Start& s, const KerasTensor& x, const std::string& name, double epsilon = 1e-3, double momentum = 0.99) {
  return layers::BatchNormalization({.axis = s.channels_last ? -1 : 1, .momentum = momentum, .epsilon = epsilon, .name = name})(x);
}
KerasTensor relu6(const KerasTensor& x, const std::string& name) {
  return layers::ReLU({.max_value = 6.0, .name = name})(x);
}

// The default input size of a family that has weights for some square sizes: the given
// rows when square and one of `sizes`, else 224.
int64_t default_size_of(const ApplicationOptions& o, std::initializer_list<int64_t> sizes) {
  if (o.input_shape.size() != 3) return 224;
  const bool last = config::image_data_format() == "channels_last";
  const int64_t rows = o.input_shape[last ? 0 : 1], cols = o.input_shape[last ? 1 : 2];
  for (int64_t v : sizes)
    if (rows == cols && rows == v) return rows;
  return 224;
}

// The rows of the input, or 224 when the ImageNet weights of that size do not exist (Keras
// then loads the 224 ones, with its warning).
int64_t weight_rows(const Start& s, const ApplicationOptions& o, std::initializer_list<int64_t> sizes) {
  const int64_t rows = s.input_shape[s.channels_last ? 0 : 1], cols = s.input_shape[s.channels_last ? 1 : 2];
  if (!(o.weights && *o.weights == "imagenet")) return rows;
  for (int64_t v : sizes)
    if (rows == cols && rows == v) return rows;
  std::fprintf(stderr, "WARNING: `input_shape` is undefined or non-square, or `rows` is not in the sizes of the ImageNet "
                       "weights. Weights for input shape (224, 224) will be loaded as the default.\n");
  return 224;
}

// A size in a model name: Python's None for an open one.
std::string size_text(int64_t v) { return v < 0 ? "None" : std::to_string(v); }

std::string fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// Python's str(float(alpha)): "1.0", "0.35".
std::string py_float(double v) {
  char buf[32];
  for (int p = 1; p < 17; ++p) {
    std::snprintf(buf, sizeof buf, "%.*f", p, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

KerasTensor depthwise_block(const Start& s, const KerasTensor& in, int64_t pointwise, double alpha, int64_t multiplier,
                            int64_t stride, int block) {
  const std::string id = std::to_string(block);
  KerasTensor x = in;
  if (stride != 1) x = layers::ZeroPadding2D({{0, 1}, {0, 1}}, {.name = "conv_pad_" + id})(x);
  x = layers::DepthwiseConv2D(3, {.strides = stride, .padding = stride == 1 ? "same" : "valid", .depth_multiplier = multiplier,
                                  .use_bias = false, .name = "conv_dw_" + id})(x);
  x = relu6(bn(s, x, "conv_dw_" + id + "_bn"), "conv_dw_" + id + "_relu");
  x = layers::Conv2D(int64_t(double(pointwise) * alpha), 1,
                     {.strides = 1, .padding = "same", .use_bias = false, .name = "conv_pw_" + id})(x);
  return relu6(bn(s, x, "conv_pw_" + id + "_bn"), "conv_pw_" + id + "_relu");
}

KerasTensor inverted_res_block(const Start& s, const KerasTensor& in, int64_t expansion, int64_t stride, double alpha,
                               int64_t filters, int block) {
  const int64_t in_channels = detail::channels(s, in);
  const int64_t pointwise = make_divisible(double(int64_t(double(filters) * alpha)), 8);
  KerasTensor x = in;
  std::string prefix = "block_" + std::to_string(block) + "_";
  auto bn2 = [&](const KerasTensor& t, const std::string& name) { return bn(s, t, name, 1e-3, 0.999); };
  if (block) {
    x = layers::Conv2D(expansion * in_channels, 1, {.padding = "same", .use_bias = false, .name = prefix + "expand"})(x);
    x = relu6(bn2(x, prefix + "expand_BN"), prefix + "expand_relu");
  } else {
    prefix = "expanded_conv_";
  }
  if (stride == 2) x = layers::ZeroPadding2D(detail::correct_pad(s, x, 3), {.name = prefix + "pad"})(x);
  x = layers::DepthwiseConv2D(3, {.strides = stride, .padding = stride == 1 ? "same" : "valid", .use_bias = false,
                                  .name = prefix + "depthwise"})(x);
  x = relu6(bn2(x, prefix + "depthwise_BN"), prefix + "depthwise_relu");
  x = layers::Conv2D(pointwise, 1, {.padding = "same", .use_bias = false, .name = prefix + "project"})(x);
  x = bn2(x, prefix + "project_BN");
  if (in_channels == pointwise && stride == 1) return layers::Add({.name = prefix + "add"})({in, x});
  return x;
}

}  // namespace

Ref<FunctionalModel> MobileNet(const ApplicationOptions& o) {
  const double alpha = o.alpha.value_or(1.0);
  const int64_t multiplier = o.depth_multiplier.value_or(1);
  const double dropout = o.dropout.value_or(1e-3);
  const bool imagenet = o.weights && *o.weights == "imagenet";
  if (alpha <= 0) throw std::invalid_argument("MobileNet: expected alpha > 0, but received " + std::to_string(alpha));
  if (multiplier < 1) throw std::invalid_argument("MobileNet: expected depth_multiplier >= 1, but received " + std::to_string(multiplier));
  Start s = detail::begin("MobileNet", o, default_size_of(o, {128, 160, 192, 224}), 32,
                          {.alpha = true, .depth_multiplier = true, .dropout = true});
  if (imagenet && multiplier != 1)
    throw std::invalid_argument("If imagenet weights are being loaded, depth multiplier must be 1.  Received depth_multiplier=" +
                                std::to_string(multiplier));
  if (imagenet && alpha != 0.25 && alpha != 0.5 && alpha != 0.75 && alpha != 1.0)
    throw std::invalid_argument("If imagenet weights are being loaded, alpha can be one of`0.25`, `0.50`, `0.75` or `1.0` only.  "
                                "Received alpha=" + py_float(alpha));
  const int64_t rows = weight_rows(s, o, {128, 160, 192, 224});
  KerasTensor x = layers::Conv2D(int64_t(32 * alpha), 3, {.strides = 2, .padding = "same", .use_bias = false, .name = "conv1"})(s.img_input);
  x = relu6(bn(s, x, "conv1_bn"), "conv1_relu");
  const struct { int64_t filters, stride; } blocks[] = {{64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2},  {512, 1},
                                                        {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
  int id = 1;
  for (const auto& b : blocks) x = depthwise_block(s, x, b.filters, alpha, multiplier, b.stride, id++);
  if (o.include_top) {
    x = layers::GlobalAveragePooling2D({.keepdims = true})(x);
    x = layers::Dropout(dropout, {.name = "dropout"})(x);
    x = layers::Conv2D(o.classes, 1, {.padding = "same", .name = "conv_preds"})(x);
    x = layers::Reshape({o.classes}, {.name = "reshape_2"})(x);
    detail::validate_activation(o);
    x = layers::Activation(o.classifier_activation, {.name = "predictions"})(x);
  } else {
    x = detail::pool(x, o);
  }
  const std::string alpha_text = alpha == 1.0 ? "1_0" : alpha == 0.75 ? "7_5" : alpha == 0.5 ? "5_0" : "2_5";
  const std::string file = "mobilenet_" + alpha_text + "_" + std::to_string(rows) + "_tf";
  return detail::finish(s, x, o, "mobilenet_" + fixed2(alpha) + "_" + size_text(rows),
                        {file + ".h5", file + "_no_top.h5", "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"});
}

Ref<FunctionalModel> MobileNetV2(const ApplicationOptions& o) {
  const double alpha = o.alpha.value_or(1.0);
  if (alpha <= 0) throw std::invalid_argument("MobileNetV2: expected alpha > 0, but received " + std::to_string(alpha));
  Start s = detail::begin("MobileNetV2", o, default_size_of(o, {96, 128, 160, 192, 224}), 32, {.alpha = true});
  const bool imagenet = o.weights && *o.weights == "imagenet";
  if (imagenet && alpha != 0.35 && alpha != 0.5 && alpha != 0.75 && alpha != 1.0 && alpha != 1.3 && alpha != 1.4)
    throw std::invalid_argument("If imagenet weights are being loaded, alpha must be one of `0.35`, `0.50`, `0.75`, `1.0`, `1.3` "
                                "or `1.4` only; Received `alpha=" + py_float(alpha) + "`");
  const int64_t rows = weight_rows(s, o, {96, 128, 160, 192, 224});
  KerasTensor x = layers::Conv2D(make_divisible(32 * alpha, 8), 3,
                                 {.strides = 2, .padding = "same", .use_bias = false, .name = "Conv1"})(s.img_input);
  x = relu6(bn(s, x, "bn_Conv1", 1e-3, 0.999), "Conv1_relu");
  const struct { int64_t filters, stride, expansion; } blocks[] = {
      {16, 1, 1},  {24, 2, 6},  {24, 1, 6},  {32, 2, 6},  {32, 1, 6},  {32, 1, 6},  {64, 2, 6},  {64, 1, 6},  {64, 1, 6},
      {64, 1, 6},  {96, 1, 6},  {96, 1, 6},  {96, 1, 6},  {160, 2, 6}, {160, 1, 6}, {160, 1, 6}, {320, 1, 6}};
  int id = 0;
  for (const auto& b : blocks) x = inverted_res_block(s, x, b.expansion, b.stride, alpha, b.filters, id++);
  const int64_t last = alpha > 1.0 ? make_divisible(1280 * alpha, 8) : 1280;
  x = layers::Conv2D(last, 1, {.use_bias = false, .name = "Conv_1"})(x);
  x = relu6(bn(s, x, "Conv_1_bn", 1e-3, 0.999), "out_relu");
  x = detail::classifier_top(x, o, "", "", "");  // (an unnamed pooling on the top, as Keras's)
  const std::string file = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_" + py_float(alpha) + "_" + std::to_string(rows);
  return detail::finish(s, x, o, "mobilenetv2_" + fixed2(alpha) + "_" + size_text(rows),
                        {file + ".h5", file + "_no_top.h5", "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"});
}

}  // namespace keras::applications
