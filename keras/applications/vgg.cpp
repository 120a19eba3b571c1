// vgg.cpp - keras.applications.VGG16 and VGG19: five blocks of 3x3 convolutions and max
// pooling, then (with the top) two Dense(4096) and the classifier.
#include "keras/applications/common.h"
#include "keras/layers/all.h"

namespace keras::applications {
namespace {

Ref<FunctionalModel> build_vgg(const std::string& fn, const std::string& key, const std::vector<int>& convs, const ApplicationOptions& o) {
  detail::Start s = detail::begin(fn, o, 224, 32);
  KerasTensor x = s.img_input;
  const int64_t filters[] = {64, 128, 256, 512, 512};
  for (size_t b = 0; b < 5; ++b) {
    const std::string block = "block" + std::to_string(b + 1);
    for (int c = 1; c <= convs[b]; ++c)
      x = layers::Conv2D(filters[b], 3, {.padding = "same", .activation = "relu", .name = block + "_conv" + std::to_string(c)})(x);
    x = layers::MaxPooling2D(2, {.strides = 2, .name = block + "_pool"})(x);
  }
  if (o.include_top) {
    x = layers::Flatten({.name = "flatten"})(x);
    x = layers::Dense(4096, {.activation = "relu", .name = "fc1"})(x);
    x = layers::Dense(4096, {.activation = "relu", .name = "fc2"})(x);
    detail::validate_activation(o);
    x = layers::Dense(o.classes, {.activation = o.classifier_activation, .name = "predictions"})(x);
  } else {
    x = detail::pool(x, o);
  }
  return detail::finish(s, x, o, key, detail::tf_dim_ordering_files(key, key));
}

}  // namespace

Ref<FunctionalModel> VGG16(const ApplicationOptions& o) { return build_vgg("VGG16", "vgg16", {2, 2, 3, 3, 3}, o); }
Ref<FunctionalModel> VGG19(const ApplicationOptions& o) { return build_vgg("VGG19", "vgg19", {2, 2, 4, 4, 4}, o); }

}  // namespace keras::applications
