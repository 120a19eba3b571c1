// convnext.cpp - keras.applications.ConvNeXtTiny / Small / Base / Large / XLarge and the
// LayerScale layer of their blocks (application_layers.h), as Keras 3's convnext.py builds them.
#include <stdexcept>

#include "keras/applications/common.h"
#include "keras/applications/application_layers.h"
#include "keras/initializers.h"
#include "keras/layers/all.h"
#include "keras/layers/options_base.h"
#include "keras/settings.h"
#include "keras/symbolic_ops.h"

namespace keras::applications::detail {

LayerScaleLayer::LayerScaleLayer(double init_values, int64_t projection_dim, const layers::LayerOptions& options)
    : Layer("LayerScale", options), init_values_(init_values), projection_dim_(projection_dim) {
  if (projection_dim <= 0)
    throw std::invalid_argument(name() + ": expected projection_dim > 0, but received " + std::to_string(projection_dim));
}

void LayerScaleLayer::build(const layers::ShapeSpec& input_shape) {
  if (input_shape.empty() || input_shape.back() != projection_dim_)
    throw std::invalid_argument(name() + ": expected inputs whose last axis has projection_dim=" +
                                std::to_string(projection_dim_) + " values, but received shape " +
                                layers::shape_str(input_shape));
  gamma_ = add_weight("variable", Shape{projection_dim_},  // (Keras gives it no name)
                      {.initializer = std::make_shared<initializers::Constant>(init_values_)});
}

Tensor LayerScaleLayer::call(const Tensor& x, bool) { return x * gamma_.value(); }

Config LayerScaleLayer::get_config() const {
  Config c = base_config();
  c["init_values"] = init_values_;
  c["projection_dim"] = static_cast<long long>(projection_dim_);
  return c;
}

layers::LayerPtr LayerScaleLayer::from_config(const Config& c) {
  layers::LayerOptions o;
  layers::detail::read_base_options(c, o);
  if (!c.contains("init_values") || !c.contains("projection_dim"))
    throw std::invalid_argument("LayerScale.from_config: expected init_values and projection_dim, got " + c.to_json());
  return layers::make<LayerScaleLayer>(c.at("init_values").as_double(), c.at("projection_dim").as_int(), o);
}

}  // namespace keras::applications::detail

namespace keras::applications {
namespace {

using detail::Start;

KerasTensor layer_norm(const KerasTensor& x, const std::string& name) {
  return layers::LayerNormalization({.epsilon = 1e-6, .name = name})(x);
}

// Keras's ConvNeXtBlock: a 7x7 depthwise (grouped) convolution, LayerNormalization, an
// inverted bottleneck of two Dense layers with GELU, LayerScale, and the residual (a keras.ops
// Add of the symbolic tensors; with drop_path_rate 0 the branch passes a linear Activation).
KerasTensor convnext_block(const KerasTensor& in, int64_t dim, const std::string& name) {
  KerasTensor x = layers::Conv2D(dim, 7, {.padding = "same", .groups = dim, .name = name + "_depthwise_conv"})(in);
  x = layer_norm(x, name + "_layernorm");
  x = layers::Dense(4 * dim, {.name = name + "_pointwise_conv_1"})(x);
  x = layers::Activation("gelu", {.name = name + "_gelu"})(x);
  x = layers::Dense(dim, {.name = name + "_pointwise_conv_2"})(x);
  x = layers::make<detail::LayerScaleLayer>(1e-6, dim, layers::LayerOptions{.name = name + "_layer_scale"})(x);
  return in + layers::Activation("linear", {.name = name + "_identity"})(x);
}

Ref<FunctionalModel> build_convnext(const std::string& fn, const std::string& variant, const std::vector<int64_t>& depths,
                              const std::vector<int64_t>& dims, const ApplicationOptions& o) {
  if (config::image_data_format() == "channels_first")
    throw std::invalid_argument("ConvNeXt does not support the `channels_first` image data format. Switch to "
                                "`channels_last` (keras::config::set_image_data_format)");
  Start s = detail::begin(fn, o, 224, 32, {.include_preprocessing = true});
  const std::string weights_name = "convnext_" + variant;
  const std::string name = o.name.empty() ? weights_name : o.name;
  if (o.weights && *o.weights == "imagenet" && name.find(weights_name) == std::string::npos)
    throw std::invalid_argument("Model name \"" + name + "\" does not match weights variant \"" + weights_name +
                                "\". When using imagenet weights, model name must contain the weights variant (e.g., \"" +
                                weights_name + "\").");
  KerasTensor x = s.img_input;
  if (o.include_preprocessing.value_or(true) && s.input_shape[2] == 3)
    x = layers::Normalization({.mean = {0.485 * 255, 0.456 * 255, 0.406 * 255},
                               .variance = {(0.229 * 255) * (0.229 * 255), (0.224 * 255) * (0.224 * 255),
                                            (0.225 * 255) * (0.225 * 255)},
                               .name = name + "_prestem_normalization"})(x);
  for (size_t i = 0; i < 4; ++i) {
    // The stem, then a downsampling block before each later stage: Sequential models.
    std::vector<LayerPtr> seq;
    if (i == 0) {
      seq = {layers::Conv2D(dims[0], 4, {.strides = 4, .name = name + "_stem_conv"}),
             layers::LayerNormalization({.epsilon = 1e-6, .name = name + "_stem_layernorm"})};
    } else {
      const std::string k = std::to_string(i - 1);
      seq = {layers::LayerNormalization({.epsilon = 1e-6, .name = name + "_downsampling_layernorm_" + k}),
             layers::Conv2D(dims[i], 2, {.strides = 2, .name = name + "_downsampling_conv_" + k})};
    }
    x = keras::Sequential(seq, {.name = i == 0 ? name + "_stem" : name + "_downsampling_block_" + std::to_string(i - 1)})(x);
    for (int64_t j = 0; j < depths[i]; ++j)
      x = convnext_block(x, dims[i], name + "_stage_" + std::to_string(i) + "_block_" + std::to_string(j));
  }
  if (o.include_top) {
    detail::validate_activation(o);
    x = layers::GlobalAveragePooling2D({.name = name + "_head_gap"})(x);
    x = layer_norm(x, name + "_head_layernorm");
    x = layers::Dense(o.classes, {.activation = o.classifier_activation, .name = name + "_head_dense"})(x);
  } else {
    x = layers::LayerNormalization({.epsilon = 1e-6})(detail::pool(x, o));
  }
  ApplicationOptions named = o;
  named.name = name;
  return detail::finish(s, x, named, name,
                        {name + ".h5", name + "_notop.h5", "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"});
}

}  // namespace

Ref<FunctionalModel> ConvNeXtTiny(const ApplicationOptions& o) {
  return build_convnext("ConvNeXtTiny", "tiny", {3, 3, 9, 3}, {96, 192, 384, 768}, o);
}
Ref<FunctionalModel> ConvNeXtSmall(const ApplicationOptions& o) {
  return build_convnext("ConvNeXtSmall", "small", {3, 3, 27, 3}, {96, 192, 384, 768}, o);
}
Ref<FunctionalModel> ConvNeXtBase(const ApplicationOptions& o) {
  return build_convnext("ConvNeXtBase", "base", {3, 3, 27, 3}, {128, 256, 512, 1024}, o);
}
Ref<FunctionalModel> ConvNeXtLarge(const ApplicationOptions& o) {
  return build_convnext("ConvNeXtLarge", "large", {3, 3, 27, 3}, {192, 384, 768, 1536}, o);
}
Ref<FunctionalModel> ConvNeXtXLarge(const ApplicationOptions& o) {
  return build_convnext("ConvNeXtXLarge", "xlarge", {3, 3, 27, 3}, {256, 512, 1024, 2048}, o);
}

}  // namespace keras::applications
