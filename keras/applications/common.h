// common.h - (private to keras/applications) what every application function shares, as
// Keras's applications/imagenet_utils.py: the checks of the arguments, the input shape,
// the input tensor, the pooling or top, and the weights.
#pragma once
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "keras/applications/applications.h"

namespace keras::applications::detail {

/// What a family takes beyond the common arguments.
struct Extras {
  bool alpha = false, depth_multiplier = false, dropout = false, include_preprocessing = false, minimalistic = false;
  /// The family checks the input shape itself (MobileNetV3): no obtain_input_shape; the
  /// given shape, else (None, None, 3).
  bool own_input_shape = false;
};

/// The start of a model: the checked options and its image input.
struct Start {
  KerasTensor img_input;               // the tensor the layers start from
  std::vector<KerasTensor> inputs;     // the model's inputs (the sources of input_tensor)
  ShapeSpec input_shape;               // after obtain_input_shape
  bool channels_last = true;
  int64_t bn_axis = 3;                 // the channel axis of a 4-D batch
  std::string fn;                      // "ResNet50", for messages
};

/// Keras's checks (weights, classes, the family's extra options) and obtain_input_shape
/// with the given default and minimum sizes, then the input (Keras's `img_input`).
Start begin(const std::string& fn, const ApplicationOptions& o, int64_t default_size, int64_t min_size,
            Extras extras = {});
/// imagenet_utils.validate_activation: pretrained weights take only softmax or no activation.
void validate_activation(const ApplicationOptions& o);
/// Without the top: global average ("avg") or max ("max") pooling, named as given (an
/// empty name: the layer's default).
KerasTensor pool(const KerasTensor& x, const ApplicationOptions& o, const std::string& avg_name = "",
                 const std::string& max_name = "");
/// The top most families share: global average pooling (`top_pool_name`, "avg_pool" by
/// default; empty: the generated name) and the Dense classifier ("predictions"); without
/// it, pool() with the given names.
KerasTensor classifier_top(const KerasTensor& x, const ApplicationOptions& o, const std::string& avg_name = "",
                           const std::string& max_name = "", const std::string& top_pool_name = "avg_pool");
/// The weight files Keras downloads for "imagenet" (with and without the top) and the
/// address they come from.
struct ImagenetFiles {
  std::string top, no_top, base_url;
  /// Where each file comes from when its name there differs (NASNet: Keras keeps
  /// NASNet-mobile.h5 as nasnet_mobile.h5); empty: base_url + the file's name.
  std::string top_url{}, no_top_url{};
};
/// The files of the families Keras keeps as
/// keras-applications/<folder>/<key>_weights_tf_dim_ordering_tf_kernels[_notop].h5.
ImagenetFiles tf_dim_ordering_files(const std::string& key, const std::string& folder);
/// The model (Keras's Functional(inputs, x, name)), with its weights loaded as `o.weights` says.
Ref<FunctionalModel> finish(const Start& s, const KerasTensor& out, const ApplicationOptions& o, const std::string& default_name,
                const ImagenetFiles& files);
/// imagenet_utils.correct_pad: the zero padding ((top, bottom), (left, right)) before a
/// strided convolution of `kernel` over x.
std::vector<std::pair<int64_t, int64_t>> correct_pad(const Start& s, const KerasTensor& x, int64_t kernel);
/// The size of x's channel axis.
int64_t channels(const Start& s, const KerasTensor& x);
/// Keras's _make_divisible (MobileNetV2) and _depth (MobileNetV3): v rounded to a multiple
/// of divisor, at least divisor, and not below 90% of v.
int64_t make_divisible(double v, int64_t divisor = 8);
/// A shape as Python prints the tuple: "(None, 224, 3)", "(3,)".
std::string shape_text(const ShapeSpec& s);

}  // namespace keras::applications::detail
