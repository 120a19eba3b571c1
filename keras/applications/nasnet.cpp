// nasnet.cpp - keras.applications.NASNetMobile and NASNetLarge (NASNet-A: normal and
// reduction cells of separable convolutions and poolings found by architecture search),
// Keras's nasnet.py. Layers are made in Keras's order, so the generated names (activation_3,
// add_1, ...) are Keras's too.
#include <stdexcept>
#include <tuple>
#include <utility>

#include "keras/applications/common.h"
#include "keras/layers/all.h"
#include "keras/settings.h"

namespace keras::applications {
namespace {

using detail::Start;

// The NASNet variants (Keras's NASNet(...) arguments).
struct Variant {
  int64_t penultimate_filters, num_blocks, stem_block_filters;
  bool skip_reduction;
  int64_t filter_multiplier, default_size;
};

KerasTensor relu(const KerasTensor& x, const std::string& name = "") {
  return layers::Activation("relu", {.name = name})(x);
}
KerasTensor bn(const KerasTensor& x, const std::string& name) {
  return layers::BatchNormalization({.momentum = 0.9997, .epsilon = 1e-3, .name = name})(x);
}
KerasTensor conv1x1(const KerasTensor& x, int64_t filters, const std::string& name, int64_t strides = 1) {
  return layers::Conv2D(filters, 1, {.strides = strides, .padding = "same", .use_bias = false,
                                     .kernel_initializer = "he_normal", .name = name})(x);
}
KerasTensor avg_pool(const KerasTensor& x, int64_t size, int64_t strides, const std::string& padding,
                     const std::string& name) {
  return layers::AveragePooling2D(size, {.strides = strides, .padding = padding, .name = name})(x);
}
KerasTensor add(const KerasTensor& a, const KerasTensor& b, const std::string& name = "") {
  return layers::Add({.name = name})({a, b});
}

// Keras's _separable_conv_block: ReLU, a separable convolution (zero-padded and valid when
// strided), batch normalization, ReLU, a second separable convolution, batch normalization.
KerasTensor separable_block(const Start& s, const KerasTensor& ip, int64_t filters, int64_t kernel, int64_t strides,
                            const std::string& id) {
  KerasTensor x = relu(ip);
  std::string padding = "same";
  if (strides == 2) {
    x = layers::ZeroPadding2D(detail::correct_pad(s, x, kernel), {.name = "separable_conv_1_pad_" + id})(x);
    padding = "valid";
  }
  x = layers::SeparableConv2D(filters, kernel,
                              {.strides = strides, .padding = padding, .use_bias = false,
                               .name = "separable_conv_1_" + id})(x);
  x = bn(x, "separable_conv_1_bn_" + id);
  x = relu(x);
  x = layers::SeparableConv2D(filters, kernel, {.padding = "same", .use_bias = false, .name = "separable_conv_2_" + id})(x);
  return bn(x, "separable_conv_2_bn_" + id);
}

// Keras's _adjust_block: the previous cell's output brought to this cell's size (two
// offset strided paths concatenated) or width (a 1x1 projection).
KerasTensor adjust_block(const KerasTensor& p_in, const KerasTensor& ip, int64_t filters, const std::string& id) {
  if (!p_in.defined()) return ip;
  KerasTensor p = p_in;
  if (p.shape()[2] != ip.shape()[2]) {
    p = relu(p, "adjust_relu_1_" + id);
    KerasTensor p1 = avg_pool(p, 1, 2, "valid", "adjust_avg_pool_1_" + id);
    p1 = conv1x1(p1, filters / 2, "adjust_conv_1_" + id);
    KerasTensor p2 = layers::ZeroPadding2D({{0, 1}, {0, 1}})(p);
    p2 = layers::Cropping2D({{1, 0}, {1, 0}})(p2);
    p2 = avg_pool(p2, 1, 2, "valid", "adjust_avg_pool_2_" + id);
    p2 = conv1x1(p2, filters / 2, "adjust_conv_2_" + id);
    p = layers::Concatenate(-1)({p1, p2});
    p = bn(p, "adjust_bn_" + id);
  } else if (p.shape()[3] != filters) {
    p = relu(p);
    p = conv1x1(p, filters, "adjust_conv_projection_" + id);
    p = bn(p, "adjust_bn_" + id);
  }
  return p;
}

// The cell's 1x1 convolution of its input (Keras's h), after ReLU.
KerasTensor cell_input(const KerasTensor& ip, int64_t filters, const std::string& kind, const std::string& id) {
  KerasTensor h = relu(ip);
  h = conv1x1(h, filters, kind + "_conv_1_" + id);
  return bn(h, kind + "_bn_1_" + id);
}

// Keras's _normal_a_cell: returns (x, ip).
std::pair<KerasTensor, KerasTensor> normal_cell(const Start& s, const KerasTensor& ip, const KerasTensor& p_in,
                                                int64_t filters, const std::string& id) {
  const KerasTensor p = adjust_block(p_in, ip, filters, id);
  const KerasTensor h = cell_input(ip, filters, "normal", id);
  KerasTensor x1_1 = separable_block(s, h, filters, 5, 1, "normal_left1_" + id);
  KerasTensor x1_2 = separable_block(s, p, filters, 3, 1, "normal_right1_" + id);
  KerasTensor x1 = add(x1_1, x1_2, "normal_add_1_" + id);
  KerasTensor x2_1 = separable_block(s, p, filters, 5, 1, "normal_left2_" + id);
  KerasTensor x2_2 = separable_block(s, p, filters, 3, 1, "normal_right2_" + id);
  KerasTensor x2 = add(x2_1, x2_2, "normal_add_2_" + id);
  KerasTensor x3 = avg_pool(h, 3, 1, "same", "normal_left3_" + id);
  x3 = add(x3, p, "normal_add_3_" + id);
  KerasTensor x4_1 = avg_pool(p, 3, 1, "same", "normal_left4_" + id);
  KerasTensor x4_2 = avg_pool(p, 3, 1, "same", "normal_right4_" + id);
  KerasTensor x4 = add(x4_1, x4_2, "normal_add_4_" + id);
  KerasTensor x5 = separable_block(s, h, filters, 3, 1, "normal_left5_" + id);
  x5 = add(x5, h, "normal_add_5_" + id);
  KerasTensor x = layers::Concatenate(-1, {.name = "normal_concat_" + id})({p, x1, x2, x3, x4, x5});
  return {x, ip};
}

// Keras's _reduction_a_cell: returns (x, ip).
std::pair<KerasTensor, KerasTensor> reduction_cell(const Start& s, const KerasTensor& ip, const KerasTensor& p_in,
                                                   int64_t filters, const std::string& id) {
  const KerasTensor p = adjust_block(p_in, ip, filters, id);
  const KerasTensor h = cell_input(ip, filters, "reduction", id);
  const KerasTensor h3 = layers::ZeroPadding2D(detail::correct_pad(s, h, 3), {.name = "reduction_pad_1_" + id})(h);
  KerasTensor x1_1 = separable_block(s, h, filters, 5, 2, "reduction_left1_" + id);
  KerasTensor x1_2 = separable_block(s, p, filters, 7, 2, "reduction_right1_" + id);
  KerasTensor x1 = add(x1_1, x1_2, "reduction_add_1_" + id);
  KerasTensor x2_1 = layers::MaxPooling2D(3, {.strides = 2, .name = "reduction_left2_" + id})(h3);
  KerasTensor x2_2 = separable_block(s, p, filters, 7, 2, "reduction_right2_" + id);
  KerasTensor x2 = add(x2_1, x2_2, "reduction_add_2_" + id);
  KerasTensor x3_1 = avg_pool(h3, 3, 2, "valid", "reduction_left3_" + id);
  KerasTensor x3_2 = separable_block(s, p, filters, 5, 2, "reduction_right3_" + id);
  KerasTensor x3 = add(x3_1, x3_2, "reduction_add3_" + id);
  KerasTensor x4 = avg_pool(x1, 3, 1, "same", "reduction_left4_" + id);
  x4 = add(x2, x4);
  KerasTensor x5_1 = separable_block(s, x1, filters, 3, 1, "reduction_left4_" + id);
  KerasTensor x5_2 = layers::MaxPooling2D(3, {.strides = 2, .name = "reduction_right5_" + id})(h3);
  KerasTensor x5 = add(x5_1, x5_2, "reduction_add4_" + id);
  KerasTensor x = layers::Concatenate(-1, {.name = "reduction_concat_" + id})({x2, x3, x4, x5});
  return {x, ip};
}

Ref<FunctionalModel> build_nasnet(const std::string& fn, ApplicationOptions o, const Variant& v,
                            const std::string& default_name, const std::string& url_key) {
  if (config::image_data_format() == "channels_first")
    throw std::invalid_argument("NASNet does not support the `channels_first` image data format. Switch to "
                                "`channels_last` by editing your local config file at ~/.keras/keras.json");
  if (o.weights && *o.weights == "imagenet" && !o.input_shape.empty())
    for (int64_t d : o.input_shape)
      if (d < 0)
        throw std::invalid_argument("When specifying the input shape of a NASNet and loading `ImageNet` weights, the "
                                    "input_shape argument must be static (no None entries). Got: `input_shape=" +
                                    detail::shape_text(o.input_shape) + "`.");
  Start s = detail::begin(fn, o, v.default_size, 32);
  const int64_t m = v.filter_multiplier;
  const int64_t filters = v.penultimate_filters / 24;
  KerasTensor x = layers::Conv2D(v.stem_block_filters, 3,
                                 {.strides = 2, .use_bias = false, .kernel_initializer = "he_normal",
                                  .name = "stem_conv1"})(s.img_input);
  x = bn(x, "stem_bn1");
  KerasTensor p;
  std::tie(x, p) = reduction_cell(s, x, p, filters / (m * m), "stem_1");
  std::tie(x, p) = reduction_cell(s, x, p, filters / m, "stem_2");
  int64_t width = filters;
  for (int stage = 0; stage < 3; ++stage) {
    if (stage > 0) {  // a reduction cell between the stages
      KerasTensor p0;
      width *= m;
      std::tie(x, p0) = reduction_cell(s, x, p, width, "reduce_" + std::to_string(stage * v.num_blocks));
      if (!v.skip_reduction) p = p0;
    }
    for (int64_t i = 0; i < v.num_blocks; ++i)  // ids 0 .. N-1, then N+1 .. 2N, then 2N+1 .. 3N
      std::tie(x, p) = normal_cell(s, x, p, width, std::to_string(stage * v.num_blocks + i + (stage > 0 ? 1 : 0)));
  }
  x = relu(x);
  x = detail::classifier_top(x, o, "", "", "");  // (an unnamed pooling on the top, as Keras's)
  const std::string base = "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/";
  return detail::finish(s, x, o, default_name,
                        {.top = default_name + ".h5", .no_top = default_name + "_no_top.h5", .base_url = base,
                         .top_url = base + "NASNet-" + url_key + ".h5",
                         .no_top_url = base + "NASNet-" + url_key + "-no-top.h5"});
}

}  // namespace

Ref<FunctionalModel> NASNetMobile(const ApplicationOptions& options) {
  ApplicationOptions o = options;
  if (!o.include_top && o.input_shape.empty()) o.input_shape = {224, 224, 3};  // (Keras's NASNetMobile)
  return build_nasnet("NASNetMobile", o, {1056, 4, 32, false, 2, 224}, "nasnet_mobile", "mobile");
}

Ref<FunctionalModel> NASNetLarge(const ApplicationOptions& options) {
  return build_nasnet("NASNetLarge", options, {4032, 6, 96, true, 2, 331}, "nasnet_large", "large");
}

}  // namespace keras::applications
