// test_conv_layers.cpp - Conv1D/2D/3D, MaxPooling*, AveragePooling*, GlobalMaxPooling*,
// GlobalAveragePooling*: the layer harness, Keras 3's outputs on fixed inputs and weights
// (tests/data/conv/*.npz, written by tests/data/npz/make_conv_fixtures.py) and its config
// keys, Keras's error messages, and a CNN saved and loaded.
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "files.h"
#include "layer_fixtures.h"
#include "layer_harness.h"
#include "test_data_dir.h"

using namespace th;
namespace layers = keras::layers;

TEST_CASE("convolution and pooling layers: the layer harness" * doctest::test_suite("layer_harness")) {
  run_layer_test({"conv1d", [] { return layers::Conv1D(4, 3); }, {Shape{2, 9, 3}}, {}, {2, 7, 4}, 2, 2});
  run_layer_test({"conv1d causal", [] { return layers::Conv1D(4, 3, {.padding = "causal", .dilation_rate = 2}); },
                  {Shape{2, 9, 3}}, {}, {2, 9, 4}, 2, 2});
  run_layer_test({"conv2d", [] { return layers::Conv2D(5, {3, 2}, {.strides = 2, .padding = "same", .activation = "relu"}); },
                  {Shape{2, 7, 6, 3}}, {}, {2, 4, 3, 5}, 2, 2});
  run_layer_test({"conv2d groups, no bias", [] { return layers::Conv2D(4, 3, {.groups = 2, .use_bias = false}); },
                  {Shape{2, 6, 6, 4}}, {}, {2, 4, 4, 4}, 1, 1});
  run_layer_test({"conv3d", [] { return layers::Conv3D(2, 2, {.padding = "same"}); }, {Shape{1, 4, 3, 3, 2}}, {},
                  {1, 4, 3, 3, 2}, 2, 2});
  run_layer_test({"max_pooling1d", [] { return layers::MaxPooling1D(3, {.strides = 2, .padding = "same"}); },
                  {Shape{2, 9, 3}}, {}, {2, 5, 3}});
  run_layer_test({"max_pooling2d", [] { return layers::MaxPooling2D(); }, {Shape{2, 7, 6, 3}}, {}, {2, 3, 3, 3}});
  run_layer_test({"max_pooling3d", [] { return layers::MaxPooling3D({2, 2, 1}); }, {Shape{1, 4, 5, 3, 2}}, {},
                  {1, 2, 2, 3, 2}});
  run_layer_test({"average_pooling1d", [] { return layers::AveragePooling1D(); }, {Shape{2, 9, 3}}, {}, {2, 4, 3}});
  run_layer_test({"average_pooling2d", [] { return layers::AveragePooling2D(3, {.strides = 1, .padding = "same"}); },
                  {Shape{2, 5, 4, 3}}, {}, {2, 5, 4, 3}});
  run_layer_test({"average_pooling3d", [] { return layers::AveragePooling3D(); }, {Shape{1, 4, 5, 3, 2}}, {},
                  {1, 2, 2, 1, 2}});
  run_layer_test({"global_max_pooling1d", [] { return layers::GlobalMaxPooling1D(); }, {Shape{2, 6, 3}}, {}, {2, 3}});
  run_layer_test({"global_max_pooling2d", [] { return layers::GlobalMaxPooling2D({.keepdims = true}); },
                  {Shape{2, 5, 4, 3}}, {}, {2, 1, 1, 3}});
  run_layer_test({"global_max_pooling3d", [] { return layers::GlobalMaxPooling3D(); }, {Shape{2, 3, 4, 2, 3}}, {},
                  {2, 3}});
  run_layer_test({"global_average_pooling1d", [] { return layers::GlobalAveragePooling1D({.keepdims = true}); },
                  {Shape{2, 6, 3}}, {}, {2, 1, 3}});
  run_layer_test({"global_average_pooling2d", [] { return layers::GlobalAveragePooling2D(); }, {Shape{2, 5, 4, 3}}, {},
                  {2, 3}});
  run_layer_test({"global_average_pooling3d", [] { return layers::GlobalAveragePooling3D(); },
                  {Shape{2, 3, 4, 2, 3}}, {}, {2, 3}});
}

namespace {

// The layers of make_conv_fixtures.py's CASES, built the same way.
std::vector<std::pair<std::string, std::function<keras::LayerPtr()>>> keras_cases() {
  return {
      {"conv1d_causal_dilated", [] { return layers::Conv1D(4, 3, {.padding = "causal", .dilation_rate = 2}); }},
      {"conv1d_same_strides", [] { return layers::Conv1D(3, 4, {.strides = 2, .padding = "same"}); }},
      {"conv2d_same_strides_relu",
       [] { return layers::Conv2D(4, {3, 2}, {.strides = {2, 1}, .padding = "same", .activation = "relu"}); }},
      {"conv2d_groups_dilated", [] { return layers::Conv2D(6, 3, {.dilation_rate = {2, 1}, .groups = 3}); }},
      {"conv3d_same_no_bias", [] { return layers::Conv3D(2, 2, {.padding = "same", .use_bias = false}); }},
      {"max_pooling1d_same", [] { return layers::MaxPooling1D(3, {.strides = 2, .padding = "same"}); }},
      {"max_pooling2d_valid", [] { return layers::MaxPooling2D({2, 3}, {.strides = ops::SpatialArg{2, 1}}); }},
      {"max_pooling3d_same", [] { return layers::MaxPooling3D(2, {.padding = "same"}); }},
      {"average_pooling1d_same", [] { return layers::AveragePooling1D(4, {.strides = 1, .padding = "same"}); }},
      {"average_pooling2d_same", [] { return layers::AveragePooling2D(3, {.strides = 2, .padding = "same"}); }},
      {"average_pooling3d_valid", [] { return layers::AveragePooling3D({2, 2, 1}); }},
      {"global_average_pooling2d_keepdims", [] { return layers::GlobalAveragePooling2D({.keepdims = true}); }},
      {"global_max_pooling1d", [] { return layers::GlobalMaxPooling1D(); }},
      {"global_max_pooling3d", [] { return layers::GlobalMaxPooling3D(); }},
  };
}

std::string fixture(const std::string& name) { return fixture_path("conv", name); }

}  // namespace

TEST_CASE("convolution and pooling layers: Keras 3's outputs on the same inputs and weights") {
  for (const auto& [name, make_layer] : keras_cases()) {
    CAPTURE(name);
    const std::map<std::string, Tensor> a = load_fixture("conv", name);
    keras::LayerPtr layer = make_layer();
    set_fixture_weights(*layer, a);
    Tensor y = (*layer)(std::vector<Tensor>{a.at("x")}, false)[0];
    REQUIRE(y.shape() == a.at("y").shape());
    check_values(y, values(a.at("y")), 1e-5);
  }
}

TEST_CASE("convolution and pooling layers: Keras 3's class names and config keys") {
  keras::Value keras_configs = keras::Value::from_json(read_bytes(fixture("configs.json")));
  for (const auto& [name, make_layer] : keras_cases()) {
    CAPTURE(name);
    const keras::Value& want = keras_configs.at(name);
    keras::LayerPtr layer = make_layer();
    CHECK(layer->class_name() == want.at("class_name").as_string());
    keras::Config c = layer->get_config();
    for (const keras::Value& key : want.at("config_keys").as_list()) CHECK_MESSAGE(c.contains(key.as_string()), key.as_string());
  }
}

TEST_CASE("convolution and pooling layers: bad arguments and inputs raise Keras's errors") {
  auto msg = [](auto&& f) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(msg([] { layers::Conv2D(32, 3, {.data_format = "NHWC"}); }).find("channels_first") != std::string::npos);
  CHECK(msg([] { layers::Conv2D(5, 3, {.groups = 2}); }).find("evenly divisible by the number of groups") !=
        std::string::npos);
  CHECK(msg([] { layers::Conv2D(4, 3, {.padding = "causal"}); }).find("padding") != std::string::npos);
  CHECK(msg([] { layers::Conv2D(4, {3, 3, 3}); }).find("kernel_size") != std::string::npos);
  CHECK(msg([] { layers::Conv2D(4, 3, {.strides = 2, .dilation_rate = 2}); }).find("dilation_rate > 1") !=
        std::string::npos);
  CHECK(msg([] { layers::Conv1D(0, 3); }).find("filters") != std::string::npos);
  CHECK(msg([] { layers::MaxPooling2D(2, {.padding = "full"}); }).find("padding") != std::string::npos);
  CHECK(msg([] { (*layers::Conv2D(4, 3, {.groups = 2}))(ops::zeros({1, 5, 5, 3})); }).find("input channels") !=
        std::string::npos);
  CHECK(msg([] { (*layers::Conv2D(4, 3))(ops::zeros({5, 5, 3})); }).find("rank 4") != std::string::npos);
  auto conv = layers::Conv2D(4, 3);
  CHECK(conv->name().rfind("conv2d", 0) == 0);  // Keras's default names
  CHECK(layers::MaxPooling2D()->name().rfind("max_pooling2d", 0) == 0);
  CHECK(layers::GlobalAveragePooling1D()->name().rfind("global_average_pooling1d", 0) == 0);
  (*conv)(ops::zeros({1, 5, 5, 3}));
  CHECK(msg([&] { (*conv)(ops::zeros({1, 5, 5, 2})); }).find("value 3") != std::string::npos);
  CHECK(msg([] { (*layers::MaxPooling2D(3))(ops::zeros({1, 2, 5, 3})); }).find("does not fit") != std::string::npos);
}

TEST_CASE("convolution and pooling layers: a CNN trains, saves and loads with the same predictions") {
  TempDir dir;
  auto model = keras::Sequential({layers::Conv2D(4, 3, {.padding = "same", .activation = "relu", .input_shape = {8, 8, 2}}),
                                  layers::MaxPooling2D(),
                                  layers::Conv2D(6, 2, {.groups = 2}),
                                  layers::AveragePooling2D(2, {.padding = "same"}),
                                  layers::GlobalMaxPooling2D(), layers::Dense(3)});
  Tensor x = make(uniform(16 * 8 * 8 * 2, -1, 1, 5), Shape{16, 8, 8, 2});
  Tensor y = ops::mod(ops::range(16), ops::fill({16}, 3, DType::int32));
  model->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  model->fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0});
  const std::string path = dir.file("cnn.kcpp");
  model->save(path);
  keras::ModelPtr loaded = keras::models::load_model(path);
  CHECK(values(loaded->predict(x)) == values(model->predict(x)));
  CHECK(loaded->get_layer(2)->class_name() == "Conv2D");
  CHECK(loaded->get_layer(3)->get_config().at("padding").as_string() == "same");
}
