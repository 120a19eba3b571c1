// test_applications.cpp - keras::applications against Keras 3's keras.applications: each
// model's layers (names, classes, weight shapes), its parameter count and name, and its
// outputs on a fixed input once every weight is filled by one formula in both
// (tests/data/applications/make_fixtures.py writes structure.txt and applications.npz);
// preprocess_input in its three modes; the arguments Keras refuses; and the weights
// files: Keras's "imagenet" files from its cache directory and Keras 2's .h5 layout.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "error_of.h"
#include "files.h"
#include "helpers.h"
#include "keras/applications/application_layers.h"
#include "keras/keras.h"
#include "layer_harness.h"
#include "keras/saving/format.h"
#include "keras/saving/h5_file.h"
#include "npz_fixtures.h"

using namespace th;
namespace apps = keras::applications;
namespace ops = keras::core::ops;
using keras::DType;
using keras::layers::ShapeSpec;

namespace {

struct LayerRow {
  std::string name, class_name, shapes;
};
struct ModelRow {
  std::string name;
  int64_t params = 0;
  std::vector<LayerRow> layers;
};

const std::map<std::string, ModelRow>& structures() {
  static const std::map<std::string, ModelRow> rows = [] {
    std::map<std::string, ModelRow> out;
    std::ifstream f(std::string(KERAS_TEST_DATA_DIR) + "/applications/structure.txt");
    REQUIRE_MESSAGE(f.good(), "cannot read tests/data/applications/structure.txt");
    ModelRow* current = nullptr;
    for (std::string line; std::getline(f, line);) {
      std::istringstream in(line);
      std::string kind;
      in >> kind;
      if (kind == "model") {
        std::string key;
        size_t n = 0;
        ModelRow m;
        in >> key >> m.name >> m.params >> n;
        current = &(out[key] = m);
      } else if (kind == "layer" && current) {
        LayerRow r;
        in >> r.name >> r.class_name >> r.shapes;
        current->layers.push_back(r);
      }
    }
    return out;
  }();
  return rows;
}

std::string shapes_of(const keras::layers::Layer& layer) {
  std::string out;
  for (const auto& w : layer.weights()) {
    if (!out.empty()) out += ";";
    const auto& dims = w.value().shape().dims();
    for (size_t i = 0; i < dims.size(); ++i) {
      if (i) out += 'x';
      out += std::to_string(dims[i]);
    }
  }
  return out.empty() ? "-" : out;
}

// Every weight from the formula of make_fixtures.py's fill(), layer by layer in Keras's
// order of model.layers (the order of structure.txt).
void fill_weights(keras::Model& model, const std::vector<LayerRow>& order) {
  int64_t k = 0;
  for (const LayerRow& row : order) {
    const auto layer = model.get_layer(row.name);
    std::vector<Tensor> values;
    for (const auto& w : layer->weights()) {
      if (!keras::core::is_floating(w.value().dtype())) {  // (Normalization's count)
        values.push_back(w.value());
        ++k;
        continue;
      }
      const auto& dims = w.value().shape().dims();
      const int64_t n = w.value().size();
      std::string name = w.name();
      if (auto slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
      double scale = 0.1, offset = 0.0;
      bool square = false;
      if (dims.size() >= 2) {
        int64_t fan_in = n / dims.back();
        if (layer->class_name() == "DepthwiseConv2D") fan_in = dims[0] * dims[1];
        scale = std::sqrt(3.0 / double(fan_in));
      } else if (name == "gamma") {
        offset = 1.0;
      } else if (name == "moving_variance" || name == "variance") {
        offset = 1.0, scale = 0.5, square = true;
      }
      std::vector<float> v(static_cast<size_t>(n));
      for (int64_t j = 0; j < n; ++j) {
        const double u = double((j * 7919 + k * 104729) % 2001) / 1000.0 - 1.0;
        v[size_t(j)] = float(offset + scale * (square ? u * u : u));
      }
      values.push_back(keras::core::constant(v, w.value().shape()));
      ++k;
    }
    if (!values.empty()) layer->set_weights(values);
  }
}

Tensor pixels(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) v[size_t(j)] = float(double((j * 37) % 255) / 127.5 - 1.0);
  return keras::core::constant(v, keras::core::Shape(shape));
}

// The model's layers are Keras's: the same names (Keras's order of model.layers is not
// keras-cpp's, so each is found by name), classes and weight shapes, and no other.
const ModelRow& check_structure(const std::string& key, keras::Model& model) {
  const auto it = structures().find(key);
  REQUIRE_MESSAGE(it != structures().end(), key);
  const ModelRow& want = it->second;
  CHECK(model.name() == want.name);
  CHECK(model.count_params() == want.params);
  CHECK(model.layers().size() == want.layers.size());
  for (const LayerRow& row : want.layers) {
    CAPTURE(row.name);
    const auto layer = model.get_layer(row.name);
    CHECK(layer->class_name() == row.class_name);
    CHECK(shapes_of(*layer) == row.shapes);
  }
  return want;
}

// The model as Keras builds it, and Keras's outputs once filled.
void check_against_keras(const std::string& key, const std::function<keras::Ref<keras::FunctionalModel>()>& make) {
  CAPTURE(key);
  keras::layers::reset_uids();
  keras::Ref<keras::FunctionalModel> model = make();
  const ModelRow& want_structure = check_structure(key, *model);
  fill_weights(*model, want_structure.layers);
  const Tensor& want = npz_array("applications/applications.npz", key);
  ShapeSpec in = model->inputs()[0].shape();
  in[0] = 2;
  const Tensor got = model->predict(pixels(in), {.verbose = 0});
  REQUIRE(got.shape() == want.shape());
  const double scale = ops::max(ops::abs(want)).item<float>();
  const double diff = ops::max(ops::abs(got - want)).item<float>();
  CHECK_MESSAGE(diff <= 2e-4 * std::max(scale, 1e-3), key << ": max |keras-cpp - Keras| = " << diff << " (outputs up to " << scale
                                                       << ")");
}

const std::optional<std::string> kNone = std::nullopt;

}  // namespace

TEST_CASE("keras::applications VGG16 and VGG19 are Keras's: layers, names, parameters, outputs") {
  check_against_keras("vgg16", [] {
    return apps::VGG16({.weights = kNone, .input_shape = {32, 32, 3}, .classes = 10, .classifier_activation = nullptr});
  });
  check_against_keras("vgg19", [] {
    return apps::VGG19({.include_top = false, .weights = kNone, .input_shape = {40, 36, 3}, .pooling = "max"});
  });
}

TEST_CASE("keras::applications ResNet50/101/152 are Keras's") {
  check_against_keras("resnet50", [] {
    return apps::ResNet50({.weights = kNone, .input_shape = {32, 32, 3}, .classes = 7, .classifier_activation = nullptr});
  });
  check_against_keras("resnet101", [] {
    return apps::ResNet101({.include_top = false, .weights = kNone, .input_shape = {32, 32, 3}, .pooling = "avg"});
  });
  check_against_keras("resnet152", [] {
    return apps::ResNet152({.include_top = false, .weights = kNone, .input_shape = {33, 35, 3}});
  });
}

TEST_CASE("keras::applications ResNet50V2/101V2/152V2 are Keras's") {
  check_against_keras("resnet50v2", [] {
    return apps::ResNet50V2({.weights = kNone, .input_shape = {32, 32, 3}, .classes = 6});
  });
  check_against_keras("resnet101v2", [] {
    return apps::ResNet101V2({.include_top = false, .weights = kNone, .input_shape = {32, 32, 3}, .pooling = "max"});
  });
  check_against_keras("resnet152v2", [] {
    return apps::ResNet152V2({.include_top = false, .weights = kNone, .input_shape = {32, 32, 3}, .pooling = "avg"});
  });
}

TEST_CASE("keras::applications MobileNet and MobileNetV2 are Keras's (alpha, depth_multiplier, odd sizes)") {
  check_against_keras("mobilenet", [] {
    return apps::MobileNet({.weights = kNone, .input_shape = {32, 32, 3}, .classes = 10, .classifier_activation = nullptr,
                            .alpha = 0.25});
  });
  check_against_keras("mobilenet_dm2", [] {
    return apps::MobileNet({.include_top = false, .weights = kNone, .input_shape = {35, 32, 3}, .pooling = "avg",
                            .alpha = 0.5, .depth_multiplier = 2});
  });
  check_against_keras("mobilenetv2", [] {
    return apps::MobileNetV2({.include_top = false, .weights = kNone, .input_shape = {33, 40, 3}, .pooling = "avg",
                              .alpha = 0.35});
  });
  check_against_keras("mobilenetv2_a13", [] {
    return apps::MobileNetV2({.weights = kNone, .input_shape = {32, 32, 3}, .classes = 4, .classifier_activation = nullptr,
                              .alpha = 1.3});
  });
}

TEST_CASE("keras::applications DenseNet121/169/201 are Keras's") {
  check_against_keras("densenet121", [] {
    return apps::DenseNet121({.weights = kNone, .input_shape = {32, 32, 3}, .classes = 5, .classifier_activation = nullptr});
  });
  check_against_keras("densenet169", [] {
    return apps::DenseNet169({.include_top = false, .weights = kNone, .input_shape = {32, 32, 3}, .pooling = "avg"});
  });
  check_against_keras("densenet201", [] {
    return apps::DenseNet201({.include_top = false, .weights = kNone, .input_shape = {32, 32, 3}, .pooling = "max"});
  });
}

TEST_CASE("keras::applications Xception, InceptionV3, EfficientNetB0 and B3 are Keras's") {
  check_against_keras("xception", [] {
    return apps::Xception({.include_top = false, .weights = kNone, .input_shape = {75, 80, 3}, .pooling = "avg"});
  });
  check_against_keras("inception_v3", [] {
    return apps::InceptionV3({.weights = kNone, .input_shape = {75, 75, 3}, .classes = 3, .classifier_activation = nullptr});
  });
  check_against_keras("efficientnetb0", [] {
    return apps::EfficientNetB0({.weights = kNone, .input_shape = {32, 32, 3}, .classes = 5, .classifier_activation = nullptr});
  });
  check_against_keras("efficientnetb3", [] {
    return apps::EfficientNetB3({.include_top = false, .weights = kNone, .input_shape = {40, 36, 3}, .pooling = "max"});
  });
}

TEST_CASE("keras::applications EfficientNetV2 (B0, B2, S without preprocessing) is Keras's") {
  check_against_keras("efficientnetv2b0", [] {
    return apps::EfficientNetV2B0({.weights = kNone, .input_shape = {32, 32, 3}, .classes = 4, .classifier_activation = nullptr});
  });
  check_against_keras("efficientnetv2b2", [] {
    return apps::EfficientNetV2B2({.include_top = false, .weights = kNone, .input_shape = {34, 34, 3}, .pooling = "avg"});
  });
  check_against_keras("efficientnetv2s", [] {
    return apps::EfficientNetV2S({.include_top = false, .weights = kNone, .input_shape = {32, 32, 3}, .pooling = "max",
                                  .include_preprocessing = false});
  });
  CHECK(error_of([] { apps::ResNet50({.weights = kNone, .include_preprocessing = true}); }) ==
        "ResNet50 takes no `include_preprocessing` argument");
}

TEST_CASE("keras::applications InceptionResNetV2 is Keras's, and saves with its CustomScaleLayer") {
  check_against_keras("inception_resnet_v2", [] {
    return apps::InceptionResNetV2({.weights = kNone, .input_shape = {75, 75, 3}, .classes = 3,
                                    .classifier_activation = nullptr});
  });
  check_against_keras("inception_resnet_v2_avg", [] {
    return apps::InceptionResNetV2({.include_top = false, .weights = kNone, .input_shape = {80, 90, 3}, .pooling = "avg"});
  });
  auto m = apps::InceptionResNetV2({.include_top = false, .weights = kNone, .input_shape = {75, 75, 3}});
  const Tensor x = pixels({1, 75, 75, 3});
  const Tensor want = m->predict(x, {.verbose = 0});
  th::TempDir dir;
  for (const char* file : {"i.kcpp", "i.keras"}) {
    m->save(dir.file(file));
    CHECK(same_bits({keras::models::load_model(dir.file(file))->predict(x, {.verbose = 0})}, {want}));
  }
}

TEST_CASE("keras::applications MobileNetV3Small and Large are Keras's (minimalistic, alpha, no preprocessing)") {
  check_against_keras("mobilenetv3small", [] {
    return apps::MobileNetV3Small({.weights = kNone, .input_shape = {32, 32, 3}, .classes = 5, .classifier_activation = nullptr});
  });
  check_against_keras("mobilenetv3small_min", [] {
    return apps::MobileNetV3Small({.include_top = false, .weights = kNone, .input_shape = {40, 36, 3}, .pooling = "avg",
                                   .alpha = 0.75, .minimalistic = true});
  });
  check_against_keras("mobilenetv3large", [] {
    return apps::MobileNetV3Large({.include_top = false, .weights = kNone, .input_shape = {33, 35, 3}, .alpha = 1.25,
                                   .include_preprocessing = false});
  });
  check_against_keras("mobilenetv3large_top", [] {
    return apps::MobileNetV3Large({.weights = kNone, .input_shape = {32, 32, 3}, .classes = 3, .dropout = 0.0});
  });
  // Its hard_sigmoid is keras.ops on symbolic tensors: Add and Multiply operations, as Keras.
  keras::layers::reset_uids();
  auto m = apps::MobileNetV3Small({.weights = kNone, .input_shape = {32, 32, 3}});
  int adds = 0;
  for (const auto& op : m->operations())
    if (auto* o = dynamic_cast<keras::layers::OperationLayer*>(op.get())) adds += o->keras_class() == "Add";
  CHECK(adds == 9);  // one per squeeze-and-excite block
  // Open sizes with the top (no obtain_input_shape in Keras's MobileNetV3), and its checks.
  CHECK(apps::MobileNetV3Large({.weights = kNone})->inputs()[0].shape() == ShapeSpec{-1, -1, -1, 3});
  CHECK(error_of([] { apps::MobileNetV3Small({.weights = kNone, .input_shape = {31, 40, 3}}); }) ==
        "Input size must be at least 32x32; Received `input_shape=(31, 40, 3)`");
  CHECK(error_of([] { apps::MobileNetV3Small({.alpha = 0.5}); }).find("alpha can be one of `0.75`, `1.0`") != std::string::npos);
  CHECK(error_of([] { apps::MobileNet({.weights = kNone, .minimalistic = true}); }) ==
        "MobileNet takes no `minimalistic` argument");
}

TEST_CASE("keras::applications ConvNeXt (Tiny, Small, Base) is Keras's, and saves with its LayerScale and operations") {
  check_against_keras("convnext_tiny", [] {
    return apps::ConvNeXtTiny({.weights = kNone, .input_shape = {32, 32, 3}, .classes = 5, .classifier_activation = nullptr});
  });
  check_against_keras("convnext_small", [] {
    return apps::ConvNeXtSmall({.include_top = false, .weights = kNone, .input_shape = {36, 40, 3}, .pooling = "avg"});
  });
  check_against_keras("convnext_base", [] {
    return apps::ConvNeXtBase({.include_top = false, .weights = kNone, .input_shape = {32, 32, 3},
                               .include_preprocessing = false});
  });
  auto m = apps::ConvNeXtTiny({.weights = kNone, .input_shape = {32, 32, 3}, .classes = 3});
  const Tensor x = pixels({1, 32, 32, 3});
  const Tensor want = m->predict(x, {.verbose = 0});
  th::TempDir dir;
  for (const char* file : {"c.kcpp", "c.keras"}) {
    m->save(dir.file(file));
    const Tensor got = keras::models::load_model(dir.file(file))->predict(x, {.verbose = 0});
    CHECK(same_bits({got}, {want}));
  }
  CHECK(error_of([] { apps::ConvNeXtTiny({.name = "mine"}); }).find("does not match weights variant \"convnext_tiny\"") !=
        std::string::npos);
  CHECK(error_of([] { apps::ConvNeXtLarge({.weights = kNone, .minimalistic = false}); }) ==
        "ConvNeXtLarge takes no `minimalistic` argument");
}

TEST_CASE("keras::applications NASNetMobile and NASNetLarge are Keras's (cells, adjust blocks, skip_reduction)") {
  check_against_keras("nasnetmobile", [] {
    return apps::NASNetMobile({.weights = kNone, .input_shape = {32, 32, 3}, .classes = 5, .classifier_activation = nullptr});
  });
  check_against_keras("nasnetlarge", [] {
    return apps::NASNetLarge({.include_top = false, .weights = kNone, .input_shape = {35, 33, 3}, .pooling = "avg"});
  });
  // Keras's defaults and checks.
  CHECK(apps::NASNetMobile({.include_top = false, .weights = kNone})->inputs()[0].shape() == ShapeSpec{-1, 224, 224, 3});
  CHECK(apps::NASNetLarge({.weights = kNone})->inputs()[0].shape() == ShapeSpec{-1, 331, 331, 3});
  CHECK(error_of([] { apps::NASNetLarge({.include_top = false, .input_shape = {-1, -1, 3}}); }) ==
        "When specifying the input shape of a NASNet and loading `ImageNet` weights, the input_shape argument must be "
        "static (no None entries). Got: `input_shape=(None, None, 3)`.");
  keras::config::set_image_data_format("channels_first");
  const std::string cf = error_of([] { apps::NASNetMobile({.weights = kNone}); });
  keras::config::set_image_data_format("channels_last");
  CHECK(cf.find("NASNet does not support the `channels_first` image data format") == 0);
  const std::string missing = [] {
    try {
      apps::NASNetMobile({.include_top = false});
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("(no exception)");
  }();
  if (missing != "(no exception)")  // (unless Keras's file is in the cache)
    CHECK(missing.find("fetch https://storage.googleapis.com/tensorflow/keras-applications/nasnet/NASNet-mobile-no-top.h5 "
                       "as nasnet_mobile_no_top.h5") != std::string::npos);
  const Tensor pre =
      apps::nasnet::preprocess_input(keras::core::constant(std::vector<float>{0, 127.5f, 255}, keras::Shape{1, 1, 1, 3}));
  CHECK(values(pre) == std::vector<double>{-1, 0, 1});  // "tf": x / 127.5 - 1
}

TEST_CASE("keras::applications preprocess_input: caffe, tf and torch as Keras, both data formats") {
  const Tensor& raw = npz_array("applications/applications.npz", "pre_input");
  const Tensor raw_cf = ops::transpose(raw, {0, 3, 1, 2});
  for (const std::string mode : {"caffe", "tf", "torch"}) {
    CAPTURE(mode);
    const Tensor& want = npz_array("applications/applications.npz", "pre_" + mode);
    const Tensor& want_cf = npz_array("applications/applications.npz", "pre_" + mode + "_cf");
    const Tensor got = apps::imagenet_utils::preprocess_input(raw, mode);
    CHECK(got.dtype() == DType::float32);
    CHECK(ops::max(ops::abs(got - want)).item<float>() <= 1e-5f);
    const Tensor got_cf = apps::imagenet_utils::preprocess_input(raw_cf, mode, "channels_first");
    CHECK(ops::max(ops::abs(got_cf - want_cf)).item<float>() <= 1e-5f);
    // one image (3 axes) as one row of the batch
    const Tensor one = apps::imagenet_utils::preprocess_input(ops::squeeze(ops::slice(raw, {0, 0, 0, 0}, {1, 4, 5, 3}), {0}), mode);
    CHECK(ops::max(ops::abs(one - ops::squeeze(ops::slice(want, {0, 0, 0, 0}, {1, 4, 5, 3}), {0}))).item<float>() <= 1e-5f);
  }
  // The family shortcuts use their mode; integer images are made float32.
  CHECK(ops::max(ops::abs(apps::resnet50::preprocess_input(raw) -
                          npz_array("applications/applications.npz", "pre_caffe"))).item<float>() <= 1e-5f);
  CHECK(ops::max(ops::abs(apps::mobilenet_v2::preprocess_input(raw) -
                          npz_array("applications/applications.npz", "pre_tf"))).item<float>() <= 1e-6f);
  CHECK(ops::max(ops::abs(apps::densenet::preprocess_input(raw) -
                          npz_array("applications/applications.npz", "pre_torch"))).item<float>() <= 1e-5f);
  const Tensor u8 = apps::imagenet_utils::preprocess_input(ops::cast(ops::reshape(keras::core::constant({0.0f, 51.0f, 255.0f}), {1, 1, 1, 3}), DType::uint8), "tf");
  CHECK(u8.dtype() == DType::float32);
  CHECK(ops::max(ops::abs(u8 - keras::core::constant({-1.0f, -0.6f, 1.0f}))).item<float>() <= 1e-6f);
  CHECK(error_of([&] { apps::imagenet_utils::preprocess_input(raw, "pytorch"); }) ==
        "Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode=pytorch");
  CHECK(error_of([&] { apps::imagenet_utils::preprocess_input(raw, "tf", "nhwc"); }) ==
        "Expected data_format to be one of `channels_first` or `channels_last`. Received: data_format=nhwc");
  CHECK(error_of([&] { apps::imagenet_utils::preprocess_input(ops::zeros({2, 4, 4, 4}), "caffe"); })
            .find("expected 3 color channels on axis 3") != std::string::npos);
}

namespace {
// The small model of make_fixtures.py's legacy(), with keras-cpp's default names.
keras::Ref<keras::FunctionalModel> small_model() {
  namespace layers = keras::layers;
  auto in = keras::Input({6, 6, 3});
  keras::KerasTensor x = layers::Conv2D(4, 3)(in);
  x = layers::BatchNormalization()(x);
  x = layers::DepthwiseConv2D(3)(x);
  x = layers::GlobalAveragePooling2D()(x);
  return keras::Functional({in}, {layers::Dense(2)(x)});
}

// Sets KERAS_HOME for the scope.
struct KerasHome {
  std::optional<std::string> before;
  explicit KerasHome(const std::string& dir) {
    if (const char* v = std::getenv("KERAS_HOME")) before = v;
    ::setenv("KERAS_HOME", dir.c_str(), 1);
  }
  ~KerasHome() {
    if (before) ::setenv("KERAS_HOME", before->c_str(), 1);
    else ::unsetenv("KERAS_HOME");
  }
};
}  // namespace

TEST_CASE("load_weights reads Keras 2's HDF5 layout: by position, fixed- and variable-length names, model files") {
  const Tensor& want = npz_array("applications/applications.npz", "legacy_output");
  for (const std::string file : {"legacy_keras3.h5", "legacy_keras2.h5", "legacy_model.h5"}) {
    CAPTURE(file);
    keras::ModelPtr m = small_model();
    m->load_weights(std::string(KERAS_TEST_DATA_DIR) + "/applications/" + file);
    const Tensor got = m->predict(pixels({2, 6, 6, 3}), {.verbose = 0});
    CHECK(ops::max(ops::abs(got - want)).item<float>() <= 1e-5f);
  }
  // Another architecture: nothing is assigned, the error names the layers.
  namespace layers = keras::layers;
  auto in = keras::Input({6, 6, 3});
  auto other = keras::Functional({in}, {layers::Dense(2)(layers::Conv2D(4, 3)(in))});
  const Tensor before = other->weights()[0].value();
  throws_with<std::invalid_argument>([&] { other->load_weights(std::string(KERAS_TEST_DATA_DIR) + "/applications/legacy_keras2.h5"); },
                                     "Layer count mismatch when loading weights from file. Model expected 2 layers, found 4 saved layers");
  CHECK(ops::all(ops::equal(other->weights()[0].value(), before)).item<bool>());
  auto in2 = keras::Input({6, 6, 3});
  keras::KerasTensor y = layers::Conv2D(5, 3)(in2);
  y = layers::BatchNormalization()(y);
  y = layers::DepthwiseConv2D(3)(y);
  auto wrong = keras::Functional({in2}, {layers::Dense(2)(layers::GlobalAveragePooling2D()(y))});
  throws_with<std::invalid_argument>([&] { wrong->load_weights(std::string(KERAS_TEST_DATA_DIR) + "/applications/legacy_keras2.h5"); },
                                     "expected shape (3, 3, 3, 5) float32, but the file's 'conv2d/conv2d/kernel:0' has "
                                     "shape (3, 3, 3, 4) float32");
}

TEST_CASE("the HDF5 reader keeps the groups' string attributes, fixed- and variable-length, within its limits") {
  namespace d = keras::saving::detail;
  const std::string k2 = read_bytes(std::string(KERAS_TEST_DATA_DIR) + "/applications/legacy_keras2.h5");
  const d::H5Contents c2 = d::read_h5(k2, "legacy_keras2.h5");
  CHECK(c2.string_attributes.at("").at("layer_names0") == std::vector<std::string>{"input_1", "conv2d", "batch_normalization"});
  CHECK(c2.string_attributes.at("").at("keras_version") == std::vector<std::string>{"2.15.0"});
  CHECK(c2.string_attributes.at("dense").at("weight_names") == std::vector<std::string>{"dense/kernel:0", "dense/bias:0"});
  CHECK(c2.string_attributes.at("input_1").at("weight_names").empty());  // an empty float64 list
  const std::string k3 = read_bytes(std::string(KERAS_TEST_DATA_DIR) + "/applications/legacy_keras3.h5");
  const d::H5Contents c3 = d::read_h5(k3, "legacy_keras3.h5");
  CHECK(c3.string_attributes.at("bn").at("weight_names") ==
        std::vector<std::string>{"bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"});
  throws_with<keras::saving::format::FormatError>([&] { d::read_h5(k2, "legacy_keras2.h5", {.max_attribute_bytes = 64}); },
                                                  "the string attributes exceed 64 bytes");
}

TEST_CASE("keras::applications weights: Keras's ImageNet file from its cache, a path, or none") {
  TempDir dir;
  KerasHome home(dir.path.string());
  CHECK(apps::imagenet_utils::cache_dir() == dir.path.string() + "/models");
  // Not in the cache: the error names the file and where it comes from.
  throws_with<std::runtime_error>([] { apps::MobileNet({.include_top = false, .input_shape = {128, 128, 3}, .alpha = 0.25}); },
                                  "the ImageNet weights file " + dir.path.string() +
                                      "/models/mobilenet_2_5_128_tf_no_top.h5 is not there (keras-cpp downloads nothing): fetch "
                                      "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
                                      "mobilenet_2_5_128_tf_no_top.h5");
  // In the cache: loaded (a file keras-cpp wrote, under the name Keras gives it).
  auto src = apps::MobileNet({.include_top = false, .weights = kNone, .input_shape = {128, 128, 3}, .alpha = 0.25});
  std::filesystem::create_directories(dir.path / "models");
  src->save_weights(dir.file("w.weights.h5"));
  std::filesystem::rename(dir.file("w.weights.h5"), dir.path / "models" / "mobilenet_2_5_128_tf_no_top.h5");
  auto loaded = apps::MobileNet({.include_top = false, .input_shape = {128, 128, 3}, .alpha = 0.25});
  CHECK(loaded->name() == "mobilenet_0.25_128");
  const Tensor x = pixels({1, 128, 128, 3});
  CHECK(ops::max(ops::abs(loaded->predict(x, {.verbose = 0}) - src->predict(x, {.verbose = 0}))).item<float>() == 0.0f);
  // A path.
  auto from_path = apps::MobileNet({.include_top = false, .weights = (dir.path / "models" / "mobilenet_2_5_128_tf_no_top.h5").string(),
                                    .input_shape = {128, 128, 3}, .alpha = 0.25});
  CHECK(ops::max(ops::abs(from_path->predict(x, {.verbose = 0}) - src->predict(x, {.verbose = 0}))).item<float>() == 0.0f);
  // ResNet's file names.
  throws_with<std::runtime_error>([] { apps::ResNet50(); }, "/models/resnet50_weights_tf_dim_ordering_tf_kernels.h5 is not there");
  throws_with<std::runtime_error>([] { apps::DenseNet121({.include_top = false}); },
                                  "/models/densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5 is not there");
}

TEST_CASE("keras::applications refuses what Keras refuses, with Keras's messages") {
  CHECK(error_of([] { apps::ResNet50({.weights = "no/such/file.h5"}); }) ==
        "The `weights` argument should be either `None` (std::nullopt: random initialization), 'imagenet' (pre-training on "
        "ImageNet), or the path to the weights file to be loaded.  Received: weights=no/such/file.h5");
  CHECK(error_of([] { apps::VGG16({.classes = 10}); }) ==
        "If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received classes=10");
  CHECK(error_of([] { apps::VGG16({.input_shape = {64, 64, 3}}); }) ==
        "When setting `include_top=True` and loading `imagenet` weights, `input_shape` should be (224, 224, 3).  Received: "
        "input_shape=(64, 64, 3)");
  CHECK(error_of([] { apps::ResNet50({.include_top = false, .weights = kNone, .input_shape = {31, 64, 3}}); }) ==
        "Input size must be at least 32x32; Received: input_shape=(31, 64, 3)");
  CHECK(error_of([] { apps::ResNet50({.weights = kNone, .input_shape = {-1, -1, 3}}); }) ==
        "If `include_top` is True, you should specify a static `input_shape`. Received: input_shape=(None, None, 3)");
  CHECK(error_of([] { apps::ResNet50({.include_top = false, .input_shape = {64, 64, 1}}); }) ==
        "The input must have 3 channels; Received `input_shape=(64, 64, 1)`");
  CHECK(error_of([] { apps::ResNet50({.weights = kNone, .alpha = 0.5}); }) == "ResNet50 takes no `alpha` argument");
  CHECK(error_of([] { apps::MobileNetV2({.weights = kNone, .depth_multiplier = 2}); }) ==
        "MobileNetV2 takes no `depth_multiplier` argument");
  CHECK(error_of([] { apps::MobileNet({.include_top = false, .depth_multiplier = 2}); }) ==
        "If imagenet weights are being loaded, depth multiplier must be 1.  Received depth_multiplier=2");
  CHECK(error_of([] { apps::MobileNetV2({.alpha = 0.6}); }) ==
        "If imagenet weights are being loaded, alpha must be one of `0.35`, `0.50`, `0.75`, `1.0`, `1.3` or `1.4` only; "
        "Received `alpha=0.6`");
  CHECK(error_of([] { apps::DenseNet121({.classifier_activation = "relu"}); }) ==
        "Only `None` and `softmax` activations are allowed for the `classifier_activation` argument when using pretrained "
        "weights, with `include_top=True`; Received: classifier_activation=relu");
  CHECK(error_of([] { apps::VGG19({.include_top = false, .weights = kNone, .pooling = "mean"}); }) ==
        "VGG19: expected pooling \"\" (None), \"avg\" or \"max\", but received \"mean\"");
}

TEST_CASE("keras::applications defaults, open sizes and input_tensor, as Keras") {
  // Without the top and an input shape: (None, None, 3), any size runs.
  auto base = apps::ResNet50V2({.include_top = false, .weights = kNone, .pooling = "avg"});
  CHECK(base->inputs()[0].shape() == ShapeSpec{-1, -1, -1, 3});
  CHECK(base->predict(pixels({1, 40, 48, 3}), {.verbose = 0}).shape() == keras::core::Shape({1, 2048}));
  CHECK(apps::MobileNetV2({.include_top = false, .weights = kNone})->name() == "mobilenetv2_1.00_None");
  CHECK(apps::MobileNetV2({.weights = kNone})->name() == "mobilenetv2_1.00_224");
  CHECK(apps::VGG16({.include_top = false, .weights = kNone, .name = "features"})->name() == "features");
  // input_tensor: the model starts from an existing symbolic tensor and its source input.
  auto raw = keras::Input({64, 64, 3}, {.name = "raw"});
  keras::KerasTensor scaled = keras::layers::Rescaling(1.0 / 127.5, -1.0)(raw);
  auto model = apps::MobileNet({.include_top = false, .weights = kNone, .input_tensor = scaled, .pooling = "max", .alpha = 0.25});
  REQUIRE(model->inputs().size() == 1);
  CHECK(model->inputs()[0].same_as(raw));
  CHECK(model->layers()[1]->class_name() == "Rescaling");
  CHECK(model->predict(pixels({2, 64, 64, 3}), {.verbose = 0}).shape() == keras::core::Shape({2, 256}));
  // Trainable end to end: one step of fit moves the loss.
  auto clf = apps::MobileNetV2({.weights = kNone, .input_shape = {32, 32, 3}, .classes = 3, .alpha = 0.35});
  clf->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  const Tensor y = keras::core::constant({0, 1, 2, 1}, DType::int32);
  auto history = clf->fit(pixels({4, 32, 32, 3}), y, {.epochs = 2, .verbose = 0});
  CHECK(history.history.at("loss").size() == 2);
}

TEST_CASE("keras::applications decode_predictions: the top classes of Keras's class index, best first") {
  TempDir dir;
  std::string json = "{";
  for (int i = 0; i < 1000; ++i) {
    const std::string n = std::to_string(i);
    if (i) json += ", ";
    json += "\"" + n + "\": [\"n" + std::to_string(10000 + i) + "\", \"class_" + n + "\"]";
  }
  json += "}";
  write_bytes(dir.file("imagenet_class_index.json"), json);
  std::vector<float> p(2000, 0.0f);
  p[7] = 0.5f, p[3] = 0.25f, p[999] = 0.125f;
  p[1000 + 42] = 0.9f;
  const Tensor preds = keras::core::constant(p, keras::core::Shape({2, 1000}));
  auto top = apps::imagenet_utils::decode_predictions(preds, 3, dir.file("imagenet_class_index.json"));
  REQUIRE(top.size() == 2);
  REQUIRE(top[0].size() == 3);
  CHECK(top[0][0].class_name == "n10007");
  CHECK(top[0][0].description == "class_7");
  CHECK(top[0][0].score == 0.5f);
  CHECK(top[0][1].description == "class_3");
  CHECK(top[0][2].description == "class_999");
  CHECK(top[1][0].description == "class_42");
  // From Keras's cache directory, as Keras keeps it.
  KerasHome home(dir.path.string());
  std::filesystem::create_directories(dir.path / "models");
  std::filesystem::rename(dir.file("imagenet_class_index.json"), dir.path / "models" / "imagenet_class_index.json");
  CHECK(apps::resnet50::decode_predictions(preds, 1)[1][0].description == "class_42");
  CHECK(error_of([&] { apps::imagenet_utils::decode_predictions(ops::zeros({2, 10})); }) ==
        "`decode_predictions` expects a batch of predictions (i.e. a 2D array of shape (samples, 1000)). Received array "
        "with shape: (2, 10)");
  std::filesystem::remove(dir.path / "models" / "imagenet_class_index.json");
  throws_with<std::runtime_error>([&] { apps::imagenet_utils::decode_predictions(preds); },
                                  "imagenet_class_index.json is not there (keras-cpp downloads nothing)");
}

TEST_CASE("ConvNeXt's LayerScale: the layer harness" * doctest::test_suite("layer_harness")) {
  run_layer_test({"layer_scale", [] { return keras::layers::make<apps::detail::LayerScaleLayer>(0.5, 4); },
                  {Shape{2, 3, 4}}, {}, {2, 3, 4}, 1, 1});
}

TEST_CASE("InceptionResNetV2's CustomScaleLayer: the layer harness" * doctest::test_suite("layer_harness")) {
  run_layer_test({"custom_scale_layer", [] { return keras::layers::make<apps::detail::CustomScaleLayer>(0.17); },
                  {Shape{2, 3, 4}, Shape{2, 3, 4}}, {}, {2, 3, 4}});
}
