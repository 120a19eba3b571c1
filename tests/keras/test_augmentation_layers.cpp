// test_augmentation_layers.cpp - RandomFlip, RandomCrop, RandomContrast, RandomRotation,
// RandomZoom, RandomTranslation: the layer harness; the identity in inference and the
// fixed transformations (one-point factor ranges) against Keras 3's outputs
// (tests/data/spatial/*.npz, written by tests/data/npz/make_spatial_fixtures.py) and config
// keys; the random draws' properties (Keras's draws are not reproduced: a different
// generator); seeding; traced training equal to eager; save and load.
#include <cmath>
#include <set>
#include <stdexcept>

#include "files.h"
#include "layer_harness.h"
#include "test_data_dir.h"

using namespace th;
namespace layers = keras::layers;

TEST_CASE("augmentation layers: the layer harness" * doctest::test_suite("layer_harness")) {
  auto images = [](const Shape& s, DType dt, uint32_t seed) { return make(uniform(s.num_elements(), 0, 1, seed), s, dt); };
  auto with_images = [&](th::LayerCase c) {
    c.make_input = images;
    return c;
  };
  run_layer_test(with_images({"random_flip", [] { return layers::RandomFlip("horizontal_and_vertical", {.seed = 1}); },
                              {Shape{8, 4, 5, 3}}, {}, {8, 4, 5, 3}, 0, 0, true}));
  // RandomCrop: in inference the identity (Keras 3), so the harness's input has the target size
  run_layer_test(with_images({"random_crop", [] { return layers::RandomCrop(4, 5, {.seed = 1}); }, {Shape{2, 4, 5, 3}},
                              {}, {2, 4, 5, 3}}));
  run_layer_test(with_images({"random_contrast",
                              [] { return layers::RandomContrast(0.5, {.value_range = {0, 1}, .seed = 1}); },
                              {Shape{2, 4, 5, 3}}, {}, {2, 4, 5, 3}, 0, 0, true}));
  run_layer_test(with_images({"random_rotation", [] { return layers::RandomRotation(0.2, {.seed = 1}); },
                              {Shape{2, 5, 6, 2}}, {}, {2, 5, 6, 2}, 0, 0, true}));
  run_layer_test(with_images({"random_zoom", [] { return layers::RandomZoom(0.3, {.seed = 1}); }, {Shape{2, 5, 6, 2}},
                              {}, {2, 5, 6, 2}, 0, 0, true}));
  run_layer_test(with_images({"random_translation", [] { return layers::RandomTranslation(0.2, 0.3, {.seed = 1}); },
                              {Shape{2, 5, 6, 2}}, {}, {2, 5, 6, 2}, 0, 0, true}));
}

namespace {

struct KerasCase {
  std::string name;
  std::function<keras::LayerPtr()> make;
  bool training;
};

// The layers of make_spatial_fixtures.py's CASES that this file tests, built the same way.
std::vector<KerasCase> keras_cases() {
  return {
      {"random_flip", [] { return layers::RandomFlip("horizontal_and_vertical", {.seed = 1}); }, false},
      {"random_crop", [] { return layers::RandomCrop(3, 4, {.seed = 1}); }, false},
      {"random_contrast", [] { return layers::RandomContrast(0.5, {.seed = 1}); }, false},
      {"random_rotation", [] { return layers::RandomRotation(0.2, {.seed = 1}); }, false},
      {"random_zoom", [] { return layers::RandomZoom(0.3, {.seed = 1}); }, false},
      {"random_translation", [] { return layers::RandomTranslation(0.2, 0.3, {.seed = 1}); }, false},
      {"random_contrast_fixed", [] { return layers::RandomContrast({-0.5, 0.5}, {.value_range = {0, 1}}); }, true},
      {"random_rotation_fixed",
       [] { return layers::RandomRotation({0.125, 0.125}, {.fill_mode = "constant", .fill_value = 0.5}); }, true},
      {"random_rotation_fixed_reflect", [] { return layers::RandomRotation({-0.1, -0.1}); }, true},
      {"random_zoom_fixed",
       [] { return layers::RandomZoom({-0.3, -0.3}, {.width_factor = layers::FactorArg{0.2, 0.2}, .fill_mode = "wrap"}); },
       true},
      {"random_zoom_fixed_nearest", [] { return layers::RandomZoom({0.4, 0.4}, {.interpolation = "nearest"}); }, true},
      {"random_translation_fixed",
       [] {
         return layers::RandomTranslation({0.2, 0.2}, {-0.3, -0.3}, {.fill_mode = "nearest", .interpolation = "nearest"});
       },
       true},
      {"random_translation_fixed_constant",
       [] { return layers::RandomTranslation({-0.25, -0.25}, {0.1, 0.1}, {.fill_mode = "constant"}); }, true},
  };
}

std::map<std::string, Tensor> fixture(const std::string& name) {
  std::map<std::string, Tensor> a;
  for (auto& [k, v] : core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/spatial/" + name + ".npz")) a[k] = v;
  return a;
}

Tensor images(const Shape& s, uint32_t seed) { return make(uniform(s.num_elements(), 0, 1, seed), s); }

}  // namespace

TEST_CASE("augmentation layers: Keras 3's outputs (inference, and training with fixed factors)") {
  for (const auto& c : keras_cases()) {
    CAPTURE(c.name);
    auto a = fixture(c.name);
    Tensor y = (*c.make())(a.at("x"), c.training);
    REQUIRE(y.shape() == a.at("y").shape());
    check_values(y, values(a.at("y")), 1e-4);
  }
}

TEST_CASE("augmentation layers: Keras 3's class names, config keys and values") {
  keras::Value want_all = keras::Value::from_json(read_bytes(std::string(KERAS_TEST_DATA_DIR) + "/spatial/configs.json"));
  for (const auto& c : keras_cases()) {
    CAPTURE(c.name);
    const keras::Value& want = want_all.at(c.name);
    keras::LayerPtr layer = c.make();
    CHECK(layer->class_name() == want.at("class_name").as_string());
    keras::Config cfg = layer->get_config();
    for (const keras::Value& key : want.at("config_keys").as_list()) CHECK_MESSAGE(cfg.contains(key.as_string()), key.as_string());
  }
  CHECK(layers::RandomContrast(0.2)->get_config().at("factor").to_json() == "[0.0, 0.2]");  // Keras 3's rule
  CHECK(layers::RandomRotation(0.1)->get_config().at("factor").to_json() == "[-0.1, 0.1]");
  CHECK(layers::RandomZoom(0.1)->get_config().at("height_factor").to_json() == "0.1");
  CHECK(layers::RandomZoom(0.1)->get_config().at("width_factor").is_null());
  CHECK(layers::RandomFlip()->get_config().at("mode").as_string() == "horizontal_and_vertical");
  CHECK(layers::RandomTranslation(0.1, 0.2)->get_config().at("fill_mode").as_string() == "reflect");
  CHECK(layers::RandomFlip()->name().rfind("random_flip", 0) == 0);
  CHECK(layers::RandomZoom(0.1)->name().rfind("random_zoom", 0) == 0);
}

TEST_CASE("augmentation layers: bad arguments raise naming expected and received") {
  auto msg = [](auto&& f) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(msg([] { layers::RandomFlip("diagonal"); }).find("diagonal") != std::string::npos);
  CHECK(msg([] { layers::RandomCrop(0, 3); }).find("height=0") != std::string::npos);
  CHECK(msg([] { layers::RandomContrast(1.5); }).find("factor=1.5") != std::string::npos);
  CHECK(msg([] { layers::RandomContrast(0.1, {.value_range = {1, 0}}); }).find("value_range") != std::string::npos);
  CHECK(msg([] { layers::RandomRotation(2.0); }).find("factor=2") != std::string::npos);
  CHECK(msg([] { layers::RandomZoom(-1.0); }).find("height_factor=-1") != std::string::npos);
  CHECK(msg([] { layers::RandomZoom(0.1, {.width_factor = 1.5}); }).find("width_factor=1.5") != std::string::npos);
  CHECK(msg([] { layers::RandomTranslation(0.1, {0.1, 1.2}); }).find("width_factor=(0.1, 1.2)") != std::string::npos);
  CHECK(msg([] { layers::RandomRotation(0.1, {.fill_mode = "mirror"}); }).find("mirror") != std::string::npos);
  CHECK(msg([] { layers::RandomZoom(0.1, {.interpolation = "bicubic"}); }).find("bicubic") != std::string::npos);
  CHECK(msg([] { layers::RandomFlip("horizontal", {.data_format = "NCHW"}); }).find("channels_first") !=
        std::string::npos);
  CHECK(msg([] { (*layers::RandomFlip())(ops::zeros({4, 5}), true); }).find("(4, 5)") != std::string::npos);
}

TEST_CASE("augmentation layers: RandomFlip flips whole images, about half of them, both axes together") {
  Tensor x = images(Shape{64, 3, 4, 2}, 7);
  Tensor flipped = ops::reverse(x, {1, 2});
  auto f = layers::RandomFlip("horizontal_and_vertical", {.seed = 4});
  Tensor y = (*f)(x, true);
  int n = 0;
  for (int64_t b = 0; b < 64; ++b) {
    auto yb = values(ops::slice(y, {b, 0, 0, 0}, {1, -1, -1, -1}));
    bool same = yb == values(ops::slice(x, {b, 0, 0, 0}, {1, -1, -1, -1}));
    bool flip = yb == values(ops::slice(flipped, {b, 0, 0, 0}, {1, -1, -1, -1}));
    CHECK((same || flip));
    n += flip;
  }
  CHECK(n > 16);
  CHECK(n < 48);
  Tensor h = (*layers::RandomFlip("horizontal", {.seed = 4}))(x, true);  // the same draws, one axis
  for (int64_t b = 0; b < 64; ++b) {
    auto hb = values(ops::slice(h, {b, 0, 0, 0}, {1, -1, -1, -1}));
    CHECK((hb == values(ops::slice(x, {b, 0, 0, 0}, {1, -1, -1, -1})) ||
           hb == values(ops::slice(ops::reverse(x, {2}), {b, 0, 0, 0}, {1, -1, -1, -1}))));
  }
  // a single image (rank 3)
  CHECK((*f)(ops::slice(x, {0, 0, 0, 0}, {1, -1, -1, -1}), true).shape() == Shape{1, 3, 4, 2});
  CHECK((*f)(ops::squeeze(ops::slice(x, {0, 0, 0, 0}, {1, -1, -1, -1}), {0}), true).shape() == Shape{3, 4, 2});
}

TEST_CASE("augmentation layers: RandomCrop takes a window at offsets covering every position") {
  Tensor x = images(Shape{2, 6, 7, 1}, 9);
  auto c = layers::RandomCrop(3, 4, {.seed = 2});
  std::set<std::pair<int64_t, int64_t>> offsets;
  for (int call = 0; call < 60; ++call) {
    Tensor y = (*c)(x, true);
    REQUIRE(y.shape() == Shape{2, 3, 4, 1});
    bool found = false;
    for (int64_t i = 0; i <= 3 && !found; ++i)
      for (int64_t j = 0; j <= 3 && !found; ++j)
        if (values(ops::slice(x, {0, i, j, 0}, {-1, 3, 4, -1})) == values(y)) {
          offsets.insert({i, j});
          found = true;
        }
    CHECK(found);
  }
  CHECK(offsets.size() > 10);  // 16 possible offsets
  CHECK((*c)(x, false).shape() == x.shape());  // inference: unchanged, as Keras 3
  // not larger than the target: Keras's centered box and a resize
  Tensor small = (*c)(images(Shape{1, 3, 9, 1}, 3), true);
  CHECK(small.shape() == Shape{1, 3, 4, 1});
}

TEST_CASE("augmentation layers: RandomContrast scales each image about its channel means within the range") {
  Tensor x = images(Shape{32, 4, 5, 3}, 5);
  auto c = layers::RandomContrast({0.3, 0.6}, {.value_range = {-10, 10}, .seed = 3});
  Tensor y = (*c)(x, true);
  Tensor mean = ops::mean(x, {1, 2}, true);
  // f = (y - mean) / (x - mean), the same over each image
  auto f = values(ops::divide(ops::subtract(y, mean), ops::subtract(x, mean)));
  double lo = 10, hi = -10;
  for (int64_t b = 0; b < 32; ++b) {
    const double fb = f[size_t(b * 60)];
    for (int64_t i = 0; i < 60; ++i) CHECK(f[size_t(b * 60 + i)] == doctest::Approx(fb).epsilon(1e-3));
    CHECK(fb >= 0.7 - 1e-5);
    CHECK(fb <= 1.6 + 1e-5);
    lo = std::min(lo, fb);
    hi = std::max(hi, fb);
  }
  CHECK(hi - lo > 0.5);  // the draws spread over [0.7, 1.6]
  // clipped to value_range
  Tensor z = (*layers::RandomContrast(1.0, {.value_range = {0, 1}, .seed = 3}))(ops::multiply(x, ops::scalar_like(x, 3)), true);
  CHECK(values(ops::max(z))[0] <= 1.0);
}

TEST_CASE("augmentation layers: the affine layers rotate, zoom and shift by draws within their ranges") {
  // A rotation by a random angle keeps the centre pixel of an odd-sized image.
  Tensor x = images(Shape{16, 5, 5, 1}, 2);
  Tensor r = (*layers::RandomRotation(0.5, {.seed = 6}))(x, true);
  check_values(ops::slice(r, {0, 2, 2, 0}, {-1, 1, 1, -1}), values(ops::slice(x, {0, 2, 2, 0}, {-1, 1, 1, -1})), 1e-5);
  CHECK(values(r) != values(x));
  // A translation by whole pixels (nearest) moves the image: each output is x shifted.
  Tensor t = (*layers::RandomTranslation(0.4, 0.4, {.fill_mode = "constant", .interpolation = "nearest", .seed = 2}))(x, true);
  CHECK(t.shape() == x.shape());
  // zoom draws differ per image: the images of a batch of equal inputs come out different
  Tensor same = ops::broadcast_to(ops::slice(x, {0, 0, 0, 0}, {1, -1, -1, -1}), Shape{8, 5, 5, 1});
  Tensor z = (*layers::RandomZoom(0.5, {.seed = 8}))(same, true);
  CHECK(values(ops::slice(z, {0, 0, 0, 0}, {1, -1, -1, -1})) != values(ops::slice(z, {1, 0, 0, 0}, {1, -1, -1, -1})));
}

TEST_CASE("augmentation layers: seeded layers repeat their sequence of draws; the identity in inference") {
  Tensor x = images(Shape{4, 6, 7, 3}, 1);
  std::vector<std::function<keras::LayerPtr()>> makers = {
      [] { return layers::RandomFlip("horizontal_and_vertical", {.seed = 5}); },
      [] { return layers::RandomCrop(3, 4, {.seed = 5}); },
      [] { return layers::RandomContrast(0.5, {.value_range = {0, 1}, .seed = 5}); },
      [] { return layers::RandomRotation(0.3, {.seed = 5}); },
      [] { return layers::RandomZoom(0.3, {.seed = 5}); },
      [] { return layers::RandomTranslation(0.3, 0.3, {.seed = 5}); },
  };
  for (auto& m : makers) {
    keras::LayerPtr a = m(), b = m();
    CAPTURE(a->class_name());
    std::vector<double> a1 = values((*a)(x, true)), a2 = values((*a)(x, true));
    CHECK(values((*b)(x, true)) == a1);
    CHECK(values((*b)(x, true)) == a2);
    CHECK(values((*a)(x, false)) == values(x));
    REQUIRE(a->seed_generator());
    CHECK(a->seed_generator()->state() >= 2);
  }
}

TEST_CASE("augmentation layers: a traced fit draws new numbers each step, equal to the eager fit; save and load") {
  auto model = [](bool eager) {
    ops::set_random_seed(3);
    auto m = keras::Sequential({layers::RandomFlip("horizontal", {.seed = 1, .input_shape = {6, 6, 1}}),
                                layers::RandomContrast(0.3, {.value_range = {0, 1}, .seed = 3}),
                                layers::RandomRotation(0.1, {.seed = 4}),
                                layers::RandomZoom(0.2, {.seed = 5}),
                                layers::RandomTranslation(0.1, 0.1, {.seed = 6}),
                                layers::Flatten(), layers::Dense(2)});
    m->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .run_eagerly = eager});
    return m;
  };
  Tensor x = images(Shape{16, 6, 6, 1}, 4);
  Tensor y = ops::mod(ops::range(16), ops::fill({16}, 2, DType::int32));
  auto traced = model(false), eager = model(true);
  keras::FitOptions o{.batch_size = 4, .epochs = 2, .verbose = 0, .seed = 1};
  traced->fit(x, y, o);
  eager->fit(x, y, o);
  CHECK(same_bits(traced->get_weights(), eager->get_weights()));
  CHECK(traced->traced_steps());
  CHECK(traced->train_function()->tracing_count() == 1);
  // 8 steps: the counter advances once a call (a call's draws are keyed by it)
  for (int i = 0; i < 5; ++i) CHECK(traced->get_layer(i)->seed_generator()->state() == 8u);
  TempDir dir;
  const std::string path = dir.file("augment.kcpp");
  traced->save(path);
  keras::ModelPtr loaded = keras::models::load_model(path);
  CHECK(values(loaded->predict(x)) == values(traced->predict(x)));
  CHECK(loaded->get_layer(2)->get_config().at("factor").to_json() == "[-0.1, 0.1]");
}

TEST_CASE("augmentation layers: RandomCrop in a traced function draws a new window at each run") {
  Tensor x = images(Shape{2, 6, 7, 1}, 9);
  auto traced_layer = layers::RandomCrop(3, 4, {.seed = 8}), eager_layer = layers::RandomCrop(3, 4, {.seed = 8});
  auto f = core::function([&](const Tensor& in) { return Tensor((*traced_layer)(in, true)); });
  std::set<std::vector<double>> seen;
  for (int i = 0; i < 8; ++i) {
    std::vector<double> t = values(f(x));
    CHECK(t == values((*eager_layer)(x, true)));
    seen.insert(t);
  }
  CHECK(f.tracing_count() == 1);
  CHECK(seen.size() > 3);
}
