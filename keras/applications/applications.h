// applications.h - keras.applications: the image classification architectures of Keras 3
// (VGG16/19, ResNet50/101/152 and their V2, MobileNet, MobileNetV2, MobileNetV3,
// DenseNet121/169/201, Xception, InceptionV3, InceptionResNetV2, EfficientNetB0-B7,
// EfficientNetV2, ConvNeXt),
// built as functional models with Keras's layer names, so that Keras's weight files load
// into them; and ImageNet's preprocess_input / decode_predictions.
//
//   auto model = keras::applications::ResNet50({.weights = std::nullopt, .input_shape = {64, 64, 3},
//                                               .classes = 10});
//   auto base = keras::applications::MobileNetV2({.include_top = false, .pooling = "avg"});
//   keras::Tensor x = keras::applications::resnet50::preprocess_input(images);  // RGB 0..255
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/args.h"
#include "keras/models/model.h"

namespace keras::applications {

/// The keyword arguments of Keras's application functions (keras.applications.ResNet50(...)).
/// `alpha`, `depth_multiplier` and `dropout` belong to MobileNet (alpha also to
/// MobileNetV2; alpha, dropout and `minimalistic` to MobileNetV3), `include_preprocessing`
/// to EfficientNetV2, MobileNetV3 and ConvNeXt; another model given one raises
/// std::invalid_argument.
struct ApplicationOptions {
  /// Whether to include the classifier on top (Keras `include_top`, default true).
  bool include_top = true;
  /// Keras `weights`: "imagenet" (the default, as Keras: the ImageNet weights file Keras
  /// downloads, read from Keras's cache, `$KERAS_HOME/models` or `~/.keras/models`;
  /// keras-cpp downloads nothing, and a missing file raises naming the file and its
  /// address), std::nullopt for random initialization (Keras's None), or the path of a
  /// weights file to load (Keras 3's `.weights.h5` or `.keras`, Keras 2's `.h5`, or
  /// keras-cpp's own formats).
  std::optional<std::string> weights = "imagenet";
  /// An existing symbolic tensor (keras::Input) to use as the image input (Keras
  /// `input_tensor`); the model's input is then the source input of that tensor.
  std::optional<KerasTensor> input_tensor{};
  /// (rows, cols, channels), or (channels, rows, cols) with channels_first; empty: the
  /// default (224, 224, 3), or (-1, -1, 3) without the top. Rows and cols must be at least
  /// 32 (Keras `input_shape`).
  ShapeSpec input_shape{};
  /// Without the top: "" (the last block's 4-D output), "avg" or "max" (global pooling to
  /// a 2-D output) (Keras `pooling`).
  std::string pooling{};
  /// Number of classes of the top (Keras `classes`; 1000 with the ImageNet weights).
  int64_t classes = 1000;
  /// Activation of the top (Keras `classifier_activation`; unset: the logits). With
  /// pretrained weights only "softmax" or unset are accepted, as Keras.
  layers::ActivationArg classifier_activation = "softmax";
  /// The model's name (empty: Keras's default, such as "resnet50" or "mobilenet_1.00_224").
  std::string name{};
  /// MobileNet, MobileNetV2, MobileNetV3: width multiplier (Keras `alpha`, default 1.0).
  std::optional<double> alpha{};
  /// MobileNet: depthwise multiplier (Keras `depth_multiplier`, default 1).
  std::optional<int64_t> depth_multiplier{};
  /// MobileNet: dropout rate before the top (Keras `dropout`, default 0.001); MobileNetV3:
  /// Keras's `dropout_rate` (default 0.2).
  std::optional<double> dropout{};
  /// EfficientNetV2, MobileNetV3, ConvNeXt: whether the model scales its input (RGB values
  /// in [0, 255]) itself (Keras `include_preprocessing`, default true).
  std::optional<bool> include_preprocessing{};
  /// MobileNetV3: the minimalistic variant (3x3 kernels, ReLU, no squeeze-and-excite;
  /// Keras `minimalistic`, default false).
  std::optional<bool> minimalistic{};
};

///@{
/// keras.applications.VGG16 / VGG19 (preprocessing: vgg16::preprocess_input, "caffe").
Ref<FunctionalModel> VGG16(const ApplicationOptions& options = {});
Ref<FunctionalModel> VGG19(const ApplicationOptions& options = {});
///@}
///@{
/// keras.applications.ResNet50 / 101 / 152 (preprocessing: resnet::preprocess_input, "caffe").
Ref<FunctionalModel> ResNet50(const ApplicationOptions& options = {});
Ref<FunctionalModel> ResNet101(const ApplicationOptions& options = {});
Ref<FunctionalModel> ResNet152(const ApplicationOptions& options = {});
///@}
///@{
/// keras.applications.ResNet50V2 / 101V2 / 152V2 (preprocessing: resnet_v2::preprocess_input, "tf").
Ref<FunctionalModel> ResNet50V2(const ApplicationOptions& options = {});
Ref<FunctionalModel> ResNet101V2(const ApplicationOptions& options = {});
Ref<FunctionalModel> ResNet152V2(const ApplicationOptions& options = {});
///@}
/// keras.applications.MobileNet (alpha, depth_multiplier, dropout; preprocessing "tf").
Ref<FunctionalModel> MobileNet(const ApplicationOptions& options = {});
/// keras.applications.MobileNetV2 (alpha; preprocessing "tf").
Ref<FunctionalModel> MobileNetV2(const ApplicationOptions& options = {});
///@{
/// keras.applications.MobileNetV3Small / MobileNetV3Large (alpha, minimalistic, dropout
/// (Keras's dropout_rate), include_preprocessing; at least 32x32). With
/// `include_preprocessing` (the default) they take RGB values in [0, 255].
Ref<FunctionalModel> MobileNetV3Small(const ApplicationOptions& options = {});
Ref<FunctionalModel> MobileNetV3Large(const ApplicationOptions& options = {});
///@}
///@{
/// keras.applications.DenseNet121 / 169 / 201 (preprocessing: densenet::preprocess_input,
/// "torch"); channels_first raises, as Keras.
Ref<FunctionalModel> DenseNet121(const ApplicationOptions& options = {});
Ref<FunctionalModel> DenseNet169(const ApplicationOptions& options = {});
Ref<FunctionalModel> DenseNet201(const ApplicationOptions& options = {});
///@}
/// keras.applications.Xception (default input 299x299, at least 71; preprocessing "tf").
Ref<FunctionalModel> Xception(const ApplicationOptions& options = {});
/// keras.applications.InceptionV3 (default input 299x299, at least 75; preprocessing "tf").
Ref<FunctionalModel> InceptionV3(const ApplicationOptions& options = {});
/// keras.applications.InceptionResNetV2 (default input 299x299, at least 75; preprocessing
/// "tf").
Ref<FunctionalModel> InceptionResNetV2(const ApplicationOptions& options = {});
///@{
/// keras.applications.EfficientNetB0 ... B7 (default inputs 224, 240, 260, 300, 380, 456,
/// 528, 600). The model scales its input itself: it takes RGB values in [0, 255]
/// (efficientnet::preprocess_input returns its input, as Keras's).
Ref<FunctionalModel> EfficientNetB0(const ApplicationOptions& options = {});
Ref<FunctionalModel> EfficientNetB1(const ApplicationOptions& options = {});
Ref<FunctionalModel> EfficientNetB2(const ApplicationOptions& options = {});
Ref<FunctionalModel> EfficientNetB3(const ApplicationOptions& options = {});
Ref<FunctionalModel> EfficientNetB4(const ApplicationOptions& options = {});
Ref<FunctionalModel> EfficientNetB5(const ApplicationOptions& options = {});
Ref<FunctionalModel> EfficientNetB6(const ApplicationOptions& options = {});
Ref<FunctionalModel> EfficientNetB7(const ApplicationOptions& options = {});
///@}
///@{
/// keras.applications.EfficientNetV2B0 ... B3, S, M, L (default inputs 224, 240, 260, 300,
/// 384, 480, 480); with `include_preprocessing` (the default) they take RGB values in
/// [0, 255] (efficientnet_v2::preprocess_input returns its input, as Keras's).
Ref<FunctionalModel> EfficientNetV2B0(const ApplicationOptions& options = {});
Ref<FunctionalModel> EfficientNetV2B1(const ApplicationOptions& options = {});
Ref<FunctionalModel> EfficientNetV2B2(const ApplicationOptions& options = {});
Ref<FunctionalModel> EfficientNetV2B3(const ApplicationOptions& options = {});
Ref<FunctionalModel> EfficientNetV2S(const ApplicationOptions& options = {});
Ref<FunctionalModel> EfficientNetV2M(const ApplicationOptions& options = {});
Ref<FunctionalModel> EfficientNetV2L(const ApplicationOptions& options = {});
///@}
///@{
/// keras.applications.ConvNeXtTiny / Small / Base / Large / XLarge (default input 224, at
/// least 32; include_preprocessing); with `include_preprocessing` (the default) they take
/// RGB values in [0, 255].
Ref<FunctionalModel> ConvNeXtTiny(const ApplicationOptions& options = {});
Ref<FunctionalModel> ConvNeXtSmall(const ApplicationOptions& options = {});
Ref<FunctionalModel> ConvNeXtBase(const ApplicationOptions& options = {});
Ref<FunctionalModel> ConvNeXtLarge(const ApplicationOptions& options = {});
Ref<FunctionalModel> ConvNeXtXLarge(const ApplicationOptions& options = {});
///@}

///@{
/// keras.applications.NASNetMobile / NASNetLarge (NASNet-A 4 @ 1056 and 6 @ 4032; default
/// input 224 and 331, at least 32; channels_last only; preprocessing:
/// nasnet::preprocess_input, "tf"). NASNetMobile without the top takes (224, 224, 3) by
/// default, as Keras.
Ref<FunctionalModel> NASNetMobile(const ApplicationOptions& options = {});
Ref<FunctionalModel> NASNetLarge(const ApplicationOptions& options = {});
///@}

/// One guess of decode_predictions: WordNet id, description and score.
struct Prediction {
  std::string class_name;   ///< e.g. "n02504458"
  std::string description;  ///< e.g. "African_elephant"
  float score = 0;          ///< the prediction's value for that class
};

namespace imagenet_utils {
/// keras.applications.imagenet_utils.preprocess_input: a batch (or one image) of RGB
/// values in [0, 255], 3 or 4 axes with 3 channels, made float32 (other dtypes are cast).
/// mode "caffe": RGB to BGR, then minus ImageNet's mean per channel (103.939, 116.779,
/// 123.68); "tf": x / 127.5 - 1; "torch": x / 255, then per channel minus (0.485, 0.456,
/// 0.406) and divided by (0.229, 0.224, 0.225). data_format "" is
/// config::image_data_format(). A bad mode, data format or channel count raises
/// std::invalid_argument.
Tensor preprocess_input(const Tensor& x, const std::string& mode = "caffe", const std::string& data_format = "");
/// keras.applications.imagenet_utils.decode_predictions: the `top` classes of each row of
/// a (samples, 1000) batch, best first. The class index is Keras's
/// imagenet_class_index.json, read from `class_index_path`, or (empty) from Keras's cache
/// (`$KERAS_HOME/models` or `~/.keras/models`, where Keras keeps it); a missing file
/// raises std::runtime_error naming it and its address, another shape std::invalid_argument.
std::vector<std::vector<Prediction>> decode_predictions(const Tensor& preds, int top = 5,
                                                        const std::string& class_index_path = "");
/// Keras's cache directory of downloaded models: $KERAS_HOME/models, else ~/.keras/models
/// (where keras.utils.get_file puts them).
std::string cache_dir();
}  // namespace imagenet_utils

/// The preprocess_input of each model family, as keras.applications.<module>.preprocess_input.
#define KERAS_APPLICATION_PREPROCESS(module, mode_name)                                      \
  namespace module {                                                                         \
  inline Tensor preprocess_input(const Tensor& x, const std::string& data_format = "") {     \
    return imagenet_utils::preprocess_input(x, mode_name, data_format);                       \
  }                                                                                          \
  inline std::vector<std::vector<Prediction>> decode_predictions(const Tensor& preds, int top = 5, \
                                                                 const std::string& path = "") { \
    return imagenet_utils::decode_predictions(preds, top, path);                              \
  }                                                                                          \
  }
KERAS_APPLICATION_PREPROCESS(vgg16, "caffe")
KERAS_APPLICATION_PREPROCESS(vgg19, "caffe")
KERAS_APPLICATION_PREPROCESS(resnet, "caffe")
KERAS_APPLICATION_PREPROCESS(resnet50, "caffe")
KERAS_APPLICATION_PREPROCESS(resnet_v2, "tf")
KERAS_APPLICATION_PREPROCESS(mobilenet, "tf")
KERAS_APPLICATION_PREPROCESS(mobilenet_v2, "tf")
KERAS_APPLICATION_PREPROCESS(densenet, "torch")
KERAS_APPLICATION_PREPROCESS(xception, "tf")
KERAS_APPLICATION_PREPROCESS(inception_v3, "tf")
KERAS_APPLICATION_PREPROCESS(inception_resnet_v2, "tf")
KERAS_APPLICATION_PREPROCESS(nasnet, "tf")
#undef KERAS_APPLICATION_PREPROCESS

/// The preprocess_input of the families whose models scale their input themselves
/// (keras.applications.efficientnet, efficientnet_v2, mobilenet_v3, convnext): the input
/// itself.
#define KERAS_APPLICATION_IDENTITY_PREPROCESS(module)                                        \
  namespace module {                                                                         \
  inline Tensor preprocess_input(const Tensor& x, const std::string& data_format = "") {     \
    (void)data_format;                                                                       \
    return x;                                                                                \
  }                                                                                          \
  inline std::vector<std::vector<Prediction>> decode_predictions(const Tensor& preds, int top = 5, \
                                                                 const std::string& path = "") { \
    return imagenet_utils::decode_predictions(preds, top, path);                              \
  }                                                                                          \
  }
KERAS_APPLICATION_IDENTITY_PREPROCESS(efficientnet)
KERAS_APPLICATION_IDENTITY_PREPROCESS(efficientnet_v2)
KERAS_APPLICATION_IDENTITY_PREPROCESS(mobilenet_v3)
KERAS_APPLICATION_IDENTITY_PREPROCESS(convnext)
#undef KERAS_APPLICATION_IDENTITY_PREPROCESS

}  // namespace keras::applications
