// resnet.cpp - keras.applications.ResNet50/101/152 (residual blocks v1: bottleneck with
// batch normalization after each convolution) and ResNet50V2/101V2/152V2 (v2: batch
// normalization and ReLU before each convolution), Keras's resnet.py and resnet_v2.py.
#include "keras/applications/common.h"
#include "keras/layers/all.h"

namespace keras::applications {
namespace {

using detail::Start;

KerasTensor bn(const Start& s, const KerasTensor& x, const std::string& name) {
  return layers::BatchNormalization({.axis = s.bn_axis, .epsilon = 1.001e-5, .name = name})(x);
}
KerasTensor relu(const KerasTensor& x, const std::string& name) { return layers::Activation("relu", {.name = name})(x); }

KerasTensor block_v1(const Start& s, const KerasTensor& in, int64_t filters, int64_t stride, bool conv_shortcut,
                     const std::string& name) {
  KerasTensor shortcut = in;
  if (conv_shortcut) {
    shortcut = layers::Conv2D(4 * filters, 1, {.strides = stride, .name = name + "_0_conv"})(in);
    shortcut = bn(s, shortcut, name + "_0_bn");
  }
  KerasTensor x = layers::Conv2D(filters, 1, {.strides = stride, .name = name + "_1_conv"})(in);
  x = relu(bn(s, x, name + "_1_bn"), name + "_1_relu");
  x = layers::Conv2D(filters, 3, {.padding = "same", .name = name + "_2_conv"})(x);
  x = relu(bn(s, x, name + "_2_bn"), name + "_2_relu");
  x = layers::Conv2D(4 * filters, 1, {.name = name + "_3_conv"})(x);
  x = bn(s, x, name + "_3_bn");
  x = layers::Add({.name = name + "_add"})({shortcut, x});
  return relu(x, name + "_out");
}

KerasTensor stack_v1(const Start& s, KerasTensor x, int64_t filters, int blocks, int64_t stride1, const std::string& name) {
  x = block_v1(s, x, filters, stride1, true, name + "_block1");
  for (int i = 2; i <= blocks; ++i) x = block_v1(s, x, filters, 1, false, name + "_block" + std::to_string(i));
  return x;
}

KerasTensor block_v2(const Start& s, const KerasTensor& in, int64_t filters, int64_t stride, bool conv_shortcut,
                     const std::string& name) {
  KerasTensor preact = relu(bn(s, in, name + "_preact_bn"), name + "_preact_relu");
  KerasTensor shortcut = in;
  if (conv_shortcut)
    shortcut = layers::Conv2D(4 * filters, 1, {.strides = stride, .name = name + "_0_conv"})(preact);
  else if (stride > 1)
    shortcut = layers::MaxPooling2D(1, {.strides = stride})(in);
  KerasTensor x = layers::Conv2D(filters, 1, {.strides = 1, .use_bias = false, .name = name + "_1_conv"})(preact);
  x = relu(bn(s, x, name + "_1_bn"), name + "_1_relu");
  x = layers::ZeroPadding2D({{1, 1}, {1, 1}}, {.name = name + "_2_pad"})(x);
  x = layers::Conv2D(filters, 3, {.strides = stride, .use_bias = false, .name = name + "_2_conv"})(x);
  x = relu(bn(s, x, name + "_2_bn"), name + "_2_relu");
  x = layers::Conv2D(4 * filters, 1, {.name = name + "_3_conv"})(x);
  return layers::Add({.name = name + "_out"})({shortcut, x});
}

KerasTensor stack_v2(const Start& s, KerasTensor x, int64_t filters, int blocks, int64_t stride1, const std::string& name) {
  x = block_v2(s, x, filters, 1, true, name + "_block1");
  for (int i = 2; i < blocks; ++i) x = block_v2(s, x, filters, 1, false, name + "_block" + std::to_string(i));
  return block_v2(s, x, filters, stride1, false, name + "_block" + std::to_string(blocks));
}

// Keras's ResNet(stack_fn, preact, use_bias, ...): blocks per stage, v2 when preact.
Ref<FunctionalModel> build_resnet(const std::string& fn, const std::string& key, const std::array<int, 4>& blocks, bool preact,
                const ApplicationOptions& o) {
  Start s = detail::begin(fn, o, 224, 32);
  KerasTensor x = layers::ZeroPadding2D({{3, 3}, {3, 3}}, {.name = "conv1_pad"})(s.img_input);
  x = layers::Conv2D(64, 7, {.strides = 2, .use_bias = true, .name = "conv1_conv"})(x);
  if (!preact) x = relu(bn(s, x, "conv1_bn"), "conv1_relu");
  x = layers::ZeroPadding2D({{1, 1}, {1, 1}}, {.name = "pool1_pad"})(x);
  x = layers::MaxPooling2D(3, {.strides = 2, .name = "pool1_pool"})(x);
  const int64_t filters[] = {64, 128, 256, 512};
  for (size_t i = 0; i < 4; ++i) {
    const std::string name = "conv" + std::to_string(i + 2);
    if (preact) x = stack_v2(s, x, filters[i], blocks[i], i == 3 ? 1 : 2, name);
    else x = stack_v1(s, x, filters[i], blocks[i], i == 0 ? 1 : 2, name);
  }
  if (preact) x = relu(bn(s, x, "post_bn"), "post_relu");
  x = detail::classifier_top(x, o, "avg_pool", "max_pool");
  return detail::finish(s, x, o, key, detail::tf_dim_ordering_files(key, "resnet"));
}

}  // namespace

Ref<FunctionalModel> ResNet50(const ApplicationOptions& o) { return build_resnet("ResNet50", "resnet50", {3, 4, 6, 3}, false, o); }
Ref<FunctionalModel> ResNet101(const ApplicationOptions& o) { return build_resnet("ResNet101", "resnet101", {3, 4, 23, 3}, false, o); }
Ref<FunctionalModel> ResNet152(const ApplicationOptions& o) { return build_resnet("ResNet152", "resnet152", {3, 8, 36, 3}, false, o); }
Ref<FunctionalModel> ResNet50V2(const ApplicationOptions& o) { return build_resnet("ResNet50V2", "resnet50v2", {3, 4, 6, 3}, true, o); }
Ref<FunctionalModel> ResNet101V2(const ApplicationOptions& o) { return build_resnet("ResNet101V2", "resnet101v2", {3, 4, 23, 3}, true, o); }
Ref<FunctionalModel> ResNet152V2(const ApplicationOptions& o) { return build_resnet("ResNet152V2", "resnet152v2", {3, 8, 36, 3}, true, o); }

}  // namespace keras::applications
