// test_spatial_layers.cpp - ZeroPadding1D/2D/3D, Cropping1D/2D/3D, UpSampling1D/2D/3D,
// SpatialDropout1D/2D/3D, Resizing and CenterCrop: the layer harness, Keras 3's outputs on
// fixed inputs (tests/data/spatial/*.npz, written by tests/data/npz/make_spatial_fixtures.py)
// and its config keys, errors, the seeded SpatialDropout masks, and a model saved and
// loaded.
#include <algorithm>
#include <set>
#include <stdexcept>

#include "files.h"
#include "layer_harness.h"
#include "test_data_dir.h"

using namespace th;
namespace layers = keras::layers;

TEST_CASE("spatial layers: the layer harness" * doctest::test_suite("layer_harness")) {
  run_layer_test({"zero_padding1d", [] { return layers::ZeroPadding1D({1, 2}); }, {Shape{2, 4, 3}}, {}, {2, 7, 3}});
  run_layer_test({"zero_padding2d", [] { return layers::ZeroPadding2D({{1, 0}, {2, 3}}); }, {Shape{2, 3, 4, 2}}, {},
                  {2, 4, 9, 2}});
  run_layer_test({"zero_padding3d", [] { return layers::ZeroPadding3D({1, 0, 2}); }, {Shape{1, 2, 3, 2, 2}}, {},
                  {1, 4, 3, 6, 2}});
  run_layer_test({"cropping1d", [] { return layers::Cropping1D({1, 2}); }, {Shape{2, 6, 3}}, {}, {2, 3, 3}});
  run_layer_test({"cropping2d", [] { return layers::Cropping2D({{1, 0}, {2, 1}}); }, {Shape{2, 5, 6, 2}}, {},
                  {2, 4, 3, 2}});
  run_layer_test({"cropping3d", [] { return layers::Cropping3D(); }, {Shape{1, 4, 4, 5, 2}}, {}, {1, 2, 2, 3, 2}});
  run_layer_test({"up_sampling1d", [] { return layers::UpSampling1D(3); }, {Shape{2, 4, 3}}, {}, {2, 12, 3}});
  run_layer_test({"up_sampling2d bilinear", [] { return layers::UpSampling2D({2, 3}, {.interpolation = "bilinear"}); },
                  {Shape{1, 3, 4, 2}}, {}, {1, 6, 12, 2}});
  run_layer_test({"up_sampling3d", [] { return layers::UpSampling3D({2, 1, 2}); }, {Shape{1, 2, 3, 2, 2}}, {},
                  {1, 4, 3, 4, 2}});
  run_layer_test({"spatial_dropout1d", [] { return layers::SpatialDropout1D(0.5, {.seed = 1}); }, {Shape{4, 5, 8}}, {},
                  {4, 5, 8}, 0, 0, true});
  run_layer_test({"spatial_dropout2d", [] { return layers::SpatialDropout2D(0.5, {.seed = 1}); },
                  {Shape{4, 3, 4, 8}}, {}, {4, 3, 4, 8}, 0, 0, true});
  run_layer_test({"spatial_dropout3d", [] { return layers::SpatialDropout3D(0.5, {.seed = 1}); },
                  {Shape{4, 2, 3, 2, 8}}, {}, {4, 2, 3, 2, 8}, 0, 0, true});
  run_layer_test({"resizing", [] { return layers::Resizing(3, 7); }, {Shape{2, 5, 4, 2}}, {}, {2, 3, 7, 2}});
  run_layer_test({"center_crop", [] { return layers::CenterCrop(3, 4); }, {Shape{2, 6, 7, 2}}, {}, {2, 3, 4, 2}});
}

namespace {

// The layers of make_spatial_fixtures.py's CASES that this file tests, built the same way.
std::vector<std::pair<std::string, std::function<keras::LayerPtr()>>> keras_cases() {
  return {
      {"zero_padding1d", [] { return layers::ZeroPadding1D({1, 2}); }},
      {"zero_padding2d", [] { return layers::ZeroPadding2D({{1, 0}, {2, 3}}); }},
      {"zero_padding3d", [] { return layers::ZeroPadding3D({1, 0, 2}); }},
      {"cropping1d", [] { return layers::Cropping1D({1, 2}); }},
      {"cropping2d", [] { return layers::Cropping2D({{1, 0}, {2, 1}}); }},
      {"cropping3d", [] { return layers::Cropping3D(1); }},
      {"up_sampling1d", [] { return layers::UpSampling1D(3); }},
      {"up_sampling2d", [] { return layers::UpSampling2D({2, 3}); }},
      {"up_sampling2d_bilinear", [] { return layers::UpSampling2D({2, 3}, {.interpolation = "bilinear"}); }},
      {"up_sampling3d", [] { return layers::UpSampling3D({2, 1, 2}); }},
      {"spatial_dropout1d", [] { return layers::SpatialDropout1D(0.5, {.seed = 1}); }},
      {"spatial_dropout2d", [] { return layers::SpatialDropout2D(0.5, {.seed = 1}); }},
      {"spatial_dropout3d", [] { return layers::SpatialDropout3D(0.5, {.seed = 1}); }},
      {"resizing_bilinear", [] { return layers::Resizing(3, 7); }},
      {"resizing_nearest", [] { return layers::Resizing(7, 3, {.interpolation = "nearest"}); }},
      {"resizing_crop", [] { return layers::Resizing(4, 4, {.crop_to_aspect_ratio = true}); }},
      {"resizing_pad_rows", [] { return layers::Resizing(4, 4, {.pad_to_aspect_ratio = true, .fill_value = 0.5}); }},
      {"resizing_pad_columns",
       [] { return layers::Resizing(5, 8, {.interpolation = "nearest", .pad_to_aspect_ratio = true}); }},
      {"resizing_antialias_down", [] { return layers::Resizing(3, 4, {.antialias = true}); }},
      {"resizing_antialias_up", [] { return layers::Resizing(7, 5, {.antialias = true}); }},
      {"resizing_antialias_pad",
       [] { return layers::Resizing(4, 4, {.pad_to_aspect_ratio = true, .antialias = true}); }},
      {"center_crop", [] { return layers::CenterCrop(3, 4); }},
      {"center_crop_upsize", [] { return layers::CenterCrop(8, 5); }},
  };
}

}  // namespace

TEST_CASE("spatial layers: Keras 3's outputs on the same inputs") {
  for (const auto& [name, make_layer] : keras_cases()) {
    CAPTURE(name);
    std::map<std::string, Tensor> a;
    for (auto& [k, v] : core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/spatial/" + name + ".npz")) a[k] = v;
    Tensor y = (*make_layer())(a.at("x"), false);
    REQUIRE(y.shape() == a.at("y").shape());
    check_values(y, values(a.at("y")), 1e-5);
  }
}

TEST_CASE("Resizing keeps integer images' dtype (rounded, as Keras 3.15); CenterCrop gives float32") {
  // x = (arange(120) * 7 % 255) as uint8 (2, 5, 4, 3); channel 0 of the first image after
  // Keras 3.15's Resizing(3, 3) and keras.ops.image.resize.
  const Tensor x = ops::cast(ops::reshape(ops::mod(ops::range(120) * 7, ops::fill({120}, 255, DType::int32)), {2, 5, 4, 3}),
                             DType::uint8);
  auto channel0 = [](const Tensor& y) { return values(ops::slice(y, {0, 0, 0, 0}, {1, 3, 3, 1})); };
  const std::vector<double> bilinear{31, 60, 88, 172, 200, 228, 127, 84, 112}, nearest{0, 42, 63, 168, 210, 231, 81, 123, 144};
  const Tensor y = (*layers::Resizing(3, 3))(x);
  CHECK(y.dtype() == DType::uint8);
  CHECK(channel0(y) == bilinear);
  CHECK(channel0(ops::image::resize(x, {3, 3})) == bilinear);
  CHECK(channel0((*layers::Resizing(3, 3, {.interpolation = "nearest"}))(x)) == nearest);
  CHECK((*layers::Resizing(3, 3, {.antialias = true}))(x).dtype() == DType::uint8);
  CHECK((*layers::Resizing(3, 3, {.pad_to_aspect_ratio = true}))(x).dtype() == DType::uint8);
  CHECK((*layers::Resizing(3, 3))(ops::cast(x, DType::int32)).dtype() == DType::int32);
  CHECK((*layers::CenterCrop(3, 3))(x).dtype() == DType::float32);
  CHECK((*layers::CenterCrop(6, 6))(x).dtype() == DType::float32);
  // Saturation: values past the dtype's range stay at its end.
  const Tensor big = ops::cast(ops::reshape(ops::range(16), {1, 4, 4, 1}) * 17, DType::uint8);
  const std::vector<double> up = values((*layers::Resizing(7, 7))(big));
  CHECK(*std::max_element(up.begin(), up.end()) <= 255);
}

TEST_CASE("spatial layers: Keras 3's class names, config keys and default names") {
  keras::Value want_all = keras::Value::from_json(read_bytes(std::string(KERAS_TEST_DATA_DIR) + "/spatial/configs.json"));
  for (const auto& [name, make_layer] : keras_cases()) {
    CAPTURE(name);
    const keras::Value& want = want_all.at(name);
    keras::LayerPtr layer = make_layer();
    CHECK(layer->class_name() == want.at("class_name").as_string());
    keras::Config c = layer->get_config();
    for (const keras::Value& key : want.at("config_keys").as_list()) CHECK_MESSAGE(c.contains(key.as_string()), key.as_string());
  }
  CHECK(layers::ZeroPadding2D()->name().rfind("zero_padding2d", 0) == 0);
  CHECK(layers::UpSampling1D()->name().rfind("up_sampling1d", 0) == 0);
  CHECK(layers::Cropping3D()->name().rfind("cropping3d", 0) == 0);
  CHECK(layers::SpatialDropout2D(0.1)->name().rfind("spatial_dropout2d", 0) == 0);
  CHECK(layers::CenterCrop(2, 2)->name().rfind("center_crop", 0) == 0);
  // Keras's config values
  CHECK(layers::ZeroPadding2D()->get_config().at("padding").to_json() == "[[1, 1], [1, 1]]");
  CHECK(layers::Cropping1D()->get_config().at("cropping").to_json() == "[1, 1]");
  CHECK(layers::Cropping2D()->get_config().at("cropping").to_json() == "[[0, 0], [0, 0]]");
  CHECK(layers::UpSampling1D()->get_config().at("size").to_json() == "2");
  CHECK(layers::UpSampling3D()->get_config().at("size").to_json() == "[2, 2, 2]");
}

TEST_CASE("spatial layers: bad arguments and inputs raise naming expected and received") {
  auto msg = [](auto&& f) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(msg([] { layers::ZeroPadding2D({1, 2, 3}); }).find("padding") != std::string::npos);
  CHECK(msg([] { layers::ZeroPadding1D(-1); }).find("non-negative") != std::string::npos);
  CHECK(msg([] { layers::Cropping3D({{1, 1}, {1, 1}}); }).find("cropping") != std::string::npos);
  CHECK(msg([] { layers::UpSampling3D(2, {.interpolation = "bilinear"}); }).find("interpolation") != std::string::npos);
  CHECK(msg([] { layers::UpSampling2D(0); }).find("size") != std::string::npos);
  CHECK(msg([] { layers::SpatialDropout1D(1.0); }).find("rate") != std::string::npos);
  CHECK(msg([] { layers::SpatialDropout2D(0.1, {.data_format = "NCHW"}); }).find("channels_first") !=
        std::string::npos);
  CHECK(msg([] { layers::Resizing(0, 3); }).find("height=0") != std::string::npos);
  CHECK(msg([] { layers::Resizing(3, 3, {.interpolation = "mitchellcubic"}); }).find("mitchellcubic") != std::string::npos);
  CHECK(msg([] { layers::Resizing(3, 3, {.crop_to_aspect_ratio = true, .pad_to_aspect_ratio = true}); })
            .find("only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio`") != std::string::npos);
  CHECK(msg([] { layers::Resizing(3, 3, {.pad_to_aspect_ratio = true, .fill_mode = "reflect"}); }).find("reflect") !=
        std::string::npos);
  CHECK(msg([] { (*layers::Cropping2D({{2, 2}, {0, 0}}))(ops::zeros({1, 4, 5, 2})); }).find("(1, 4, 5, 2)") !=
        std::string::npos);
  CHECK(msg([] { (*layers::ZeroPadding2D())(ops::zeros({4, 5, 2})); }).find("expected ndim=4") != std::string::npos);
  CHECK(msg([] { (*layers::Resizing(2, 2))(ops::zeros({4, 5})); }).find("(4, 5)") != std::string::npos);
  CHECK(msg([] { (*layers::CenterCrop(2, 2))(ops::zeros({1, 1, 4, 5, 2})); }).find("rank 3") != std::string::npos);
}

TEST_CASE("spatial layers: SpatialDropout drops whole channels, seeded and reproducible") {
  Tensor x = ops::ones({8, 5, 6, 16});
  auto d = layers::SpatialDropout2D(0.5, {.seed = 11});
  std::vector<double> y = values((*d)(x, true));
  // each (sample, channel) is all 0 or all 2 over the 5 x 6 positions
  int dropped = 0;
  for (int64_t b = 0; b < 8; ++b)
    for (int64_t c = 0; c < 16; ++c) {
      std::set<double> seen;
      for (int64_t i = 0; i < 30; ++i) seen.insert(y[size_t((b * 30 + i) * 16 + c)]);
      REQUIRE(seen.size() == 1);
      CHECK((*seen.begin() == 0.0 || *seen.begin() == 2.0));
      dropped += *seen.begin() == 0.0;
    }
  CHECK(dropped > 32);  // about half of 128
  CHECK(dropped < 96);
  // the same seed gives the same sequence of masks; the next call a new one
  auto again = layers::SpatialDropout2D(0.5, {.seed = 11});
  CHECK(values((*again)(x, true)) == y);
  CHECK(values((*again)(x, true)) != y);
  CHECK(values((*d)(x, false)) == values(x));
}

TEST_CASE("spatial layers: a model with them trains, saves and loads with the same predictions") {
  TempDir dir;
  auto model = keras::Sequential({layers::ZeroPadding2D(1, {.input_shape = {6, 6, 2}}),
                                  layers::Conv2D(4, 3, {.activation = "relu"}),
                                  layers::SpatialDropout2D(0.2, {.seed = 3}),
                                  layers::UpSampling2D(2, {.interpolation = "bilinear"}),
                                  layers::Cropping2D({{1, 1}, {2, 2}}),
                                  layers::Resizing(5, 5),
                                  layers::CenterCrop(4, 4),
                                  layers::Flatten(), layers::Dense(3)});
  Tensor x = make(uniform(16 * 6 * 6 * 2, -1, 1, 5), Shape{16, 6, 6, 2});
  Tensor y = ops::mod(ops::range(16), ops::fill({16}, 3, DType::int32));
  model->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  model->fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0});
  const std::string path = dir.file("spatial.kcpp");
  model->save(path);
  keras::ModelPtr loaded = keras::models::load_model(path);
  CHECK(values(loaded->predict(x)) == values(model->predict(x)));
  CHECK(loaded->get_layer(4)->get_config().at("cropping").to_json() == "[[1, 1], [2, 2]]");
  CHECK(loaded->get_layer(3)->get_config().at("interpolation").as_string() == "bilinear");
}
