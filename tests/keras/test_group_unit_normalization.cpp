// test_group_unit_normalization.cpp - GroupNormalization and UnitNormalization: the layer
// harness, Keras 3's outputs and gradients on fixed inputs and weights
// (tests/data/norm/*.npz, written by tests/data/npz/make_norm_fixtures.py), its config
// keys and values, errors, and a model saved and loaded.
#include <stdexcept>

#include "files.h"
#include "layer_fixtures.h"
#include "layer_harness.h"
#include "test_data_dir.h"

using namespace th;
namespace layers = keras::layers;

TEST_CASE("GroupNormalization, UnitNormalization: the layer harness" * doctest::test_suite("layer_harness")) {
  run_layer_test({"group_normalization", [] { return layers::GroupNormalization({.groups = 2}); },
                  {Shape{3, 5, 4}}, {}, {3, 5, 4}, 2, 2});
  run_layer_test({"group_normalization instance, axis 1", [] {
                    return layers::GroupNormalization({.groups = -1, .axis = 1, .center = false});
                  },
                  {Shape{2, 3, 4}}, {}, {2, 3, 4}, 1, 1});
  run_layer_test({"unit_normalization", [] { return layers::UnitNormalization(); }, {Shape{4, 5}}, {}, {4, 5}});
  run_layer_test({"unit_normalization axes [1, 2]", [] { return layers::UnitNormalization({.axis = {1, 2}}); },
                  {Shape{2, 3, 4}}, {}, {2, 3, 4}});
}

namespace {

// The layers of make_norm_fixtures.py's CASES, built the same way.
std::vector<std::pair<std::string, std::function<keras::LayerPtr()>>> keras_cases() {
  return {
      {"group_norm_default_groups2", [] { return layers::GroupNormalization({.groups = 2}); }},
      {"group_norm_instance", [] { return layers::GroupNormalization({.groups = -1, .epsilon = 1e-5}); }},
      {"group_norm_one_group_no_center", [] { return layers::GroupNormalization({.groups = 1, .center = false}); }},
      {"group_norm_axis1_no_scale", [] { return layers::GroupNormalization({.groups = 3, .axis = 1, .scale = false}); }},
      {"group_norm_axis_minus2", [] { return layers::GroupNormalization({.groups = 2, .axis = -2}); }},
      {"unit_norm_last", [] { return layers::UnitNormalization(); }},
      {"unit_norm_axes_1_2", [] { return layers::UnitNormalization({.axis = {1, 2}}); }},
      {"unit_norm_axis1_zero_row", [] { return layers::UnitNormalization({.axis = 1}); }},
  };
}

std::string fixture(const std::string& name) { return fixture_path("norm", name); }

}  // namespace

TEST_CASE("GroupNormalization, UnitNormalization: Keras 3's outputs and gradients") {
  for (const auto& [name, make_layer] : keras_cases()) {
    CAPTURE(name);
    const std::map<std::string, Tensor> a = load_fixture("norm", name);
    keras::LayerPtr layer = make_layer();
    set_fixture_weights(*layer, a);
    Tensor x = a.at("x");
    keras::GradientTape tape;
    tape.watch(x);
    Tensor y = (*layer)(std::vector<Tensor>{x}, false)[0];
    REQUIRE(y.shape() == a.at("y").shape());
    check_values(y, values(a.at("y")), 1e-5);
    Tensor loss = ops::sum(ops::multiply(y, a.at("c")));
    std::vector<keras::Variable> sources = layer->trainable_weights();
    auto gx = tape.gradient(loss, std::vector<Tensor>{x});
    REQUIRE(gx.size() == 1);
    check_values(gx[0], values(a.at("dx")), 1e-4);
    if (!sources.empty()) {
      keras::GradientTape tape2;
      Tensor y2 = (*layer)(std::vector<Tensor>{x}, false)[0];
      auto gw = tape2.gradient(ops::sum(ops::multiply(y2, a.at("c"))), sources);
      REQUIRE(gw.size() == sources.size());
      for (size_t i = 0; i < gw.size(); ++i) check_values(gw[i], values(a.at("dw" + std::to_string(i))), 1e-4);
    }
  }
}

TEST_CASE("GroupNormalization, UnitNormalization: Keras 3's class names, default names and configs") {
  keras::Value keras_configs = keras::Value::from_json(read_bytes(fixture("configs.json")));
  for (const auto& [name, make_layer] : keras_cases()) {
    CAPTURE(name);
    const keras::Value& want = keras_configs.at(name);
    std::map<std::string, Tensor> a;
    for (auto& [k, v] : core::load_npz(fixture(name + ".npz"))) a[k] = v;
    keras::LayerPtr layer = make_layer();
    auto dims = a.at("x").shape().dims();
    layer->build(keras::ShapeSpec(dims.begin(), dims.end()));
    CHECK(layer->class_name() == want.at("class_name").as_string());
    keras::Config c = layer->get_config();
    for (const auto& [key, value] : want.at("config").items()) {
      CAPTURE(key);
      REQUIRE(c.contains(key));
      if (key == "name") continue;
      if (value.is_object()) CHECK(c.at(key).at("class_name") == value.at("class_name"));
      else CHECK(c.at(key) == value);
    }
  }
  CHECK(layers::GroupNormalization()->name().rfind("group_normalization", 0) == 0);
  CHECK(layers::UnitNormalization()->name().rfind("unit_normalization", 0) == 0);
}

TEST_CASE("GroupNormalization, UnitNormalization: bad arguments and inputs raise clear errors") {
  auto msg = [](auto&& f) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(msg([] { layers::GroupNormalization({.groups = 0}); }).find("groups=0") != std::string::npos);
  CHECK(msg([] { (*layers::GroupNormalization({.groups = 3}))(ops::zeros({2, 4})); }).find("multiple") !=
        std::string::npos);
  CHECK(msg([] { (*layers::GroupNormalization({.groups = 8}))(ops::zeros({2, 4})); }).find("cannot be more") !=
        std::string::npos);
  CHECK(msg([] { (*layers::GroupNormalization({.groups = 2, .axis = 3}))(ops::zeros({2, 4})); }).find("axis") !=
        std::string::npos);
  CHECK(msg([] { (*layers::GroupNormalization({.groups = 2, .axis = 0}))(ops::zeros({2, 4})); }).find("batch axis") !=
        std::string::npos);
  auto gn = layers::GroupNormalization({.groups = 2});
  (*gn)(ops::zeros({2, 4}));
  CHECK(msg([&] { (*gn)(ops::zeros({2, 6})); }).find("value 4") != std::string::npos);
  CHECK(msg([] { layers::UnitNormalization({.axis = nullptr}); }).find("axis") != std::string::npos);
  CHECK(msg([] { (*layers::UnitNormalization({.axis = 2}))(ops::zeros({2, 4})); }).find("out of bounds") !=
        std::string::npos);
}

TEST_CASE("GroupNormalization, UnitNormalization: a model trains, saves and loads with the same predictions") {
  TempDir dir;
  auto model = keras::Sequential({layers::Dense(8, {.input_shape = {5}}), layers::GroupNormalization({.groups = 4}),
                                  layers::UnitNormalization(), layers::Dense(2)});
  Tensor x = make(uniform(16 * 5, -1, 1, 7), Shape{16, 5});
  Tensor y = make(uniform(16 * 2, -1, 1, 8), Shape{16, 2});
  model->compile({.optimizer = "adam", .loss = "mse"});
  model->fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0});
  const std::string path = dir.file("norm.kcpp");
  model->save(path);
  keras::ModelPtr loaded = keras::models::load_model(path);
  CHECK(values(loaded->predict(x)) == values(model->predict(x)));
  CHECK(loaded->get_layer(1)->class_name() == "GroupNormalization");
  CHECK(loaded->get_layer(1)->get_config().at("groups").as_int() == 4);
  CHECK(loaded->get_layer(2)->class_name() == "UnitNormalization");
}
