// test_conv_variant_layers.cpp - Conv1D/2D/3DTranspose, DepthwiseConv1D/2D,
// SeparableConv1D/2D: the layer harness, Keras 3's outputs and gradients on fixed inputs
// and weights (tests/data/conv_variants/*.npz, written by
// tests/data/npz/make_conv_variant_fixtures.py), its class names, config keys, weight
// names and default names, Keras's errors, and a model saved and loaded.
#include <stdexcept>

#include "files.h"
#include "layer_fixtures.h"
#include "layer_harness.h"
#include "test_data_dir.h"

using namespace th;
namespace layers = keras::layers;

TEST_CASE("transposed, depthwise and separable convolutions: the layer harness" *
          doctest::test_suite("layer_harness")) {
  run_layer_test({"conv1d_transpose", [] { return layers::Conv1DTranspose(4, 3, {.strides = 2}); },
                  {Shape{2, 5, 3}}, {}, {2, 11, 4}, 2, 2});
  run_layer_test({"conv2d_transpose", [] {
                    return layers::Conv2DTranspose(3, 3, {.strides = {2, 1}, .padding = "same",
                                                               .output_padding = ops::SpatialArg{1, 0}});
                  },
                  {Shape{2, 4, 3, 2}}, {}, {2, 8, 3, 3}, 2, 2});
  run_layer_test({"conv3d_transpose, no bias", [] { return layers::Conv3DTranspose(2, 2, {.use_bias = false}); },
                  {Shape{1, 2, 3, 2, 2}}, {}, {1, 3, 4, 3, 2}, 1, 1});
  run_layer_test({"depthwise_conv1d", [] { return layers::DepthwiseConv1D(3, {.depth_multiplier = 2}); },
                  {Shape{2, 7, 3}}, {}, {2, 5, 6}, 2, 2});
  run_layer_test({"depthwise_conv2d", [] {
                    return layers::DepthwiseConv2D(3, {.strides = 2, .padding = "same", .dilation_rate = 2});
                  },
                  {Shape{2, 7, 6, 3}}, {}, {2, 4, 3, 3}, 2, 2});
  run_layer_test({"separable_conv1d", [] { return layers::SeparableConv1D(4, 3, {.padding = "same"}); },
                  {Shape{2, 7, 3}}, {}, {2, 7, 4}, 3, 3});
  run_layer_test({"separable_conv2d", [] {
                    return layers::SeparableConv2D(5, {3, 2}, {.strides = 2, .depth_multiplier = 2, .use_bias = false});
                  },
                  {Shape{2, 7, 6, 3}}, {}, {2, 3, 3, 5}, 2, 2});
}

namespace {

// The layers of make_conv_variant_fixtures.py's CASES, built the same way.
std::vector<std::pair<std::string, std::function<keras::LayerPtr()>>> keras_cases() {
  using ops::SpatialArg;
  return {
      {"conv1d_transpose_valid_strides", [] { return layers::Conv1DTranspose(4, 3, {.strides = 2}); }},
      {"conv1d_transpose_same_output_padding",
       [] { return layers::Conv1DTranspose(3, 4, {.strides = 3, .padding = "same", .output_padding = SpatialArg{1}}); }},
      {"conv1d_transpose_dilated",
       [] { return layers::Conv1DTranspose(2, 3, {.padding = "same", .dilation_rate = 2}); }},
      {"conv2d_transpose_same_strides_relu",
       [] {
         return layers::Conv2DTranspose(4, {3, 2}, {.strides = {2, 1}, .padding = "same", .activation = "relu"});
       }},
      {"conv2d_transpose_same_even_kernel",
       [] { return layers::Conv2DTranspose(2, 4, {.strides = 2, .padding = "same"}); }},
      {"conv2d_transpose_valid_output_padding",
       [] { return layers::Conv2DTranspose(3, 3, {.strides = {3, 2}, .output_padding = SpatialArg{2, 1}}); }},
      {"conv2d_transpose_dilated_no_bias",
       [] { return layers::Conv2DTranspose(2, 2, {.dilation_rate = {2, 1}, .use_bias = false}); }},
      {"conv3d_transpose_same", [] { return layers::Conv3DTranspose(2, 2, {.strides = 2, .padding = "same"}); }},
      {"conv3d_transpose_valid_output_padding",
       [] {
         return layers::Conv3DTranspose(3, {2, 3, 1}, {.strides = {1, 2, 2}, .output_padding = SpatialArg{0, 1, 1}});
       }},
      {"depthwise_conv1d_same_strides_multiplier",
       [] { return layers::DepthwiseConv1D(3, {.strides = 2, .padding = "same", .depth_multiplier = 2}); }},
      {"depthwise_conv1d_dilated", [] { return layers::DepthwiseConv1D(3, {.dilation_rate = 2}); }},
      {"depthwise_conv2d_valid_relu",
       [] { return layers::DepthwiseConv2D({3, 2}, {.depth_multiplier = 3, .activation = "relu"}); }},
      {"depthwise_conv2d_strided_dilated",
       [] {
         return layers::DepthwiseConv2D(3, {.strides = 2, .padding = "same", .dilation_rate = 2, .use_bias = false});
       }},
      {"separable_conv1d_same_multiplier",
       [] { return layers::SeparableConv1D(4, 3, {.padding = "same", .depth_multiplier = 2}); }},
      {"separable_conv2d_strides_relu",
       [] { return layers::SeparableConv2D(5, 3, {.strides = {2, 1}, .activation = "relu"}); }},
      {"separable_conv2d_dilated_no_bias",
       [] {
         return layers::SeparableConv2D(3, 2, {.padding = "same", .dilation_rate = 2, .depth_multiplier = 2,
                                               .use_bias = false});
       }},
  };
}

// "w0", "g1", ... (appended, not inserted: no g++ 12 -Wrestrict false positive).
std::string key(char prefix, size_t i) {
  std::string k(1, prefix);
  k += std::to_string(i);
  return k;
}

std::string fixture(const std::string& name) { return fixture_path("conv_variants", name); }

}  // namespace

TEST_CASE("transposed, depthwise and separable convolutions: Keras 3's outputs and gradients") {
  for (const auto& [name, make_layer] : keras_cases()) {
    CAPTURE(name);
    const std::map<std::string, Tensor> a = load_fixture("conv_variants", name);
    keras::LayerPtr layer = make_layer();
    set_fixture_weights(*layer, a);
    Tensor x = a.at("x");
    keras::GradientTape tape;
    tape.watch(x);
    Tensor y = (*layer)(std::vector<Tensor>{x}, true)[0];
    REQUIRE(y.shape() == a.at("y").shape());
    check_values(y, values(a.at("y")), 1e-5);
    // The symbolic output shape agrees with the eager one.
    const auto dims = x.shape().dims();
    auto sdims = layer->compute_output_shape({keras::ShapeSpec(dims.begin(), dims.end())})[0];
    CHECK(sdims == keras::ShapeSpec(y.shape().dims().begin(), y.shape().dims().end()));
    std::vector<Tensor> sources{x};
    for (const auto& v : layer->trainable_weights()) sources.push_back(v);
    auto grads = tape.gradient(ops::sum(ops::multiply(y, a.at("r"))), sources);
    check_values(grads[0], values(a.at("gx")), 1e-4);
    for (size_t i = 1; i < grads.size(); ++i) {
      CAPTURE(i);
      check_values(grads[i], values(a.at(key('g', i - 1))), 1e-4);
    }
  }
}

TEST_CASE("transposed, depthwise and separable convolutions: Keras 3's names, config keys and weights") {
  keras::Value keras_configs = keras::Value::from_json(read_bytes(fixture("configs.json")));
  for (const auto& [name, make_layer] : keras_cases()) {
    CAPTURE(name);
    const keras::Value& want = keras_configs.at(name);
    keras::LayerPtr layer = make_layer();
    CHECK(layer->class_name() == want.at("class_name").as_string());
    CHECK(layer->name().rfind(want.at("default_name").as_string(), 0) == 0);
    keras::Config c = layer->get_config();
    for (const keras::Value& key : want.at("config_keys").as_list())
      CHECK_MESSAGE(c.contains(key.as_string()), key.as_string());
    std::map<std::string, Tensor> a;
    for (auto& [k, v] : core::load_npz(fixture(name + ".npz"))) a[k] = v;
    auto dims = a.at("x").shape().dims();
    layer->build(keras::ShapeSpec(dims.begin(), dims.end()));
    const auto& names = want.at("weights").as_list();
    REQUIRE(layer->weights().size() == names.size());
    for (size_t i = 0; i < names.size(); ++i) {
      const std::string& n = layer->weights()[i].name();
      CHECK_MESSAGE(n.find(names[i].as_string()) != std::string::npos, n << " vs " << names[i].as_string());
    }
  }
}

TEST_CASE("transposed, depthwise and separable convolutions: bad arguments and inputs raise Keras's errors") {
  auto msg = [](auto&& f) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(msg([] { layers::Conv2DTranspose(4, 3, {.strides = 2, .output_padding = ops::SpatialArg{2}}); })
            .find("strictly less than `strides`") != std::string::npos);
  CHECK(msg([] { layers::Conv2DTranspose(4, 3, {.strides = 2, .dilation_rate = 2}); }).find("dilation_rate > 1") !=
        std::string::npos);
  CHECK(msg([] { layers::Conv1DTranspose(4, 3, {.padding = "causal"}); }).find("padding") != std::string::npos);
  CHECK(msg([] { layers::Conv3DTranspose(0, 3); }).find("filters") != std::string::npos);
  CHECK(msg([] { layers::Conv2DTranspose(4, 3, {.output_padding = ops::SpatialArg{0, 0, 0}}); })
            .find("output_padding") != std::string::npos);
  CHECK(msg([] { layers::Conv2DTranspose(4, 3, {.data_format = "NCHW"}); }).find("channels_first") !=
        std::string::npos);
  CHECK(msg([] { layers::DepthwiseConv2D(3, {.depth_multiplier = 0}); }).find("depth_multiplier") != std::string::npos);
  CHECK(msg([] { layers::DepthwiseConv1D(3, {.padding = "causal"}); }).find("padding") != std::string::npos);
  CHECK(msg([] { layers::SeparableConv2D(0, 3); }).find("filters") != std::string::npos);
  CHECK(msg([] { layers::SeparableConv1D(4, {3, 3}); }).find("kernel_size") != std::string::npos);
  CHECK(msg([] { (*layers::DepthwiseConv2D(3))(ops::zeros({5, 5, 3})); }).find("rank 4") != std::string::npos);
  CHECK(msg([] { (*layers::SeparableConv2D(2, 7))(ops::zeros({1, 5, 5, 3})); }).find("does not fit") !=
        std::string::npos);
  auto t = layers::Conv2DTranspose(4, 3);
  (*t)(ops::zeros({1, 5, 5, 3}));
  CHECK(msg([&] { (*t)(ops::zeros({1, 5, 5, 2})); }).find("value 3") != std::string::npos);
}

TEST_CASE("transposed, depthwise and separable convolutions: a model trains, saves and loads") {
  TempDir dir;
  auto model = keras::Sequential(
      {layers::SeparableConv2D(4, 3, {.padding = "same", .activation = "relu", .input_shape = {8, 8, 2}}),
       layers::DepthwiseConv2D(3, {.strides = 2, .padding = "same", .depth_multiplier = 2}),
       layers::Conv2DTranspose(3, 3, {.strides = 2, .padding = "same", .output_padding = ops::SpatialArg{1}}),
       layers::Reshape({64, 3}), layers::DepthwiseConv1D(2), layers::SeparableConv1D(2, 3, {.strides = 2}),
       layers::Conv1DTranspose(2, 2, {.strides = 2}), layers::GlobalMaxPooling1D(), layers::Dense(3)});
  Tensor x = make(uniform(16 * 8 * 8 * 2, -1, 1, 5), Shape{16, 8, 8, 2});
  Tensor y = ops::mod(ops::range(16), ops::fill({16}, 3, DType::int32));
  model->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  model->fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0});
  const std::string path = dir.file("convx.kcpp");
  model->save(path);
  keras::ModelPtr loaded = keras::models::load_model(path);
  CHECK(values(loaded->predict(x)) == values(model->predict(x)));
  CHECK(loaded->get_layer(0)->class_name() == "SeparableConv2D");
  CHECK(loaded->get_layer(2)->get_config().at("output_padding").as_ints() == std::vector<int64_t>{1, 1});
  CHECK(loaded->get_layer(1)->get_config().at("depth_multiplier").as_int() == 2);
  // A Conv3DTranspose too.
  auto m3 = keras::Sequential({layers::Conv3DTranspose(2, 2, {.strides = 2, .input_shape = {2, 2, 2, 1}}),
                               layers::Flatten(), layers::Dense(1)});
  Tensor x3 = make(uniform(4 * 8, -1, 1, 6), Shape{4, 2, 2, 2, 1});
  m3->save(dir.file("t3.kcpp"));
  CHECK(values(keras::models::load_model(dir.file("t3.kcpp"))->predict(x3)) == values(m3->predict(x3)));
}
