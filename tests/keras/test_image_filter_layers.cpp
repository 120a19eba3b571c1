// test_image_filter_layers.cpp - Equalization, RandomGaussianBlur, RandomErasing, RandomColorJitter and
// RandomShear: the layer harness,
// Keras 3's outputs with fixed draws (tests/data/image_layers/image_layers.json, written by
// make_image_layer_fixtures.py), traced, configs, errors; and the layer aliases.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/function.h"
#include "files.h"
#include "json_fixtures.h"
#include "layer_harness.h"

using namespace th;
namespace layers = keras::layers;

namespace {
const keras::Value& fixtures() { return th::json_fixture("image_layers/image_layers.json"); }
Tensor pixels(const Shape& s, DType dt, uint32_t seed) { return make(uniform(s.num_elements(), 0, 255, seed), s, dt); }

// The layer built from Keras's config, called in training on the fixture's input (eagerly
// and through a traced function), against Keras's output; its config against Keras's.
void check_case(const std::string& key, const std::string& cls, double tol) {
  CAPTURE(key);
  const keras::Value& c = fixtures().at(key);
  std::vector<int64_t> dims;
  for (const keras::Value& d : c.at("shape").as_list()) dims.push_back(d.as_int());
  const Tensor x = make(numbers(c.at("input")), Shape(dims), DType::float32);
  keras::Config entry = keras::Config::object();
  entry["class_name"] = cls;
  entry["config"] = c.at("config");
  keras::LayerPtr layer = keras::layers::deserialize(entry);
  check_values((*layer)(x, true), numbers(c.at("output")), tol);
  auto traced = core::function([&](const Tensor& in) { return (*layer)(in, true); });
  check_values(traced(x), numbers(c.at("output")), tol);
  check_values((*layer)(x, false), numbers(c.at("input")), 0);  // the identity in inference
  const keras::Config mine = layer->get_config();
  for (const auto& [k, v] : c.at("config").items()) {
    CAPTURE(k);
    REQUIRE(mine.contains(k));
    if (v.type() == keras::Value::Type::list) CHECK(numbers(mine.at(k)) == numbers(v));
    else CHECK(mine.at(k) == v);
  }
}
}  // namespace

TEST_CASE("image filter layers: the layer harness" * doctest::test_suite("layer_harness")) {
  auto with_pixels = [](th::LayerCase c) {
    c.make_input = pixels;
    return c;
  };
  run_layer_test(with_pixels({"equalization", [] { return layers::Equalization(); }, {Shape{2, 3, 5, 3}}, {},
                              {2, 3, 5, 3}, 0, 0, true}));
  run_layer_test(with_pixels({"random_shear", [] { return layers::RandomShear(0.2, 0.1, {.seed = 1}); },
                              {Shape{2, 3, 5, 3}}, {}, {2, 3, 5, 3}, 0, 0, true}));
  run_layer_test(with_pixels({"random_erasing", [] { return layers::RandomErasing({.seed = 1}); },
                              {Shape{2, 3, 5, 3}}, {}, {2, 3, 5, 3}, 0, 0, true}));
  run_layer_test(with_pixels({"random_color_jitter",
                              [] { return layers::RandomColorJitter({.brightness_factor = 0.2, .contrast_factor = 0.2,
                                                                     .saturation_factor = 0.2, .hue_factor = 0.2,
                                                                     .seed = 1}); },
                              {Shape{2, 3, 5, 3}}, {}, {2, 3, 5, 3}, 0, 0, true}));
  run_layer_test(with_pixels({"random_gaussian_blur",
                              [] { return layers::RandomGaussianBlur({.factor = layers::FactorArg(1, 1), .seed = 1}); },
                              {Shape{2, 3, 5, 3}}, {}, {2, 3, 5, 3}, 0, 0, true}));
}

TEST_CASE("Equalization: Keras 3's outputs (bins, value ranges, a one-bin channel kept), eager and traced") {
  check_case("eq_default", "Equalization", 1e-4);
  check_case("eq_bins16", "Equalization", 1e-4);
  check_case("eq_unit", "Equalization", 1e-6);
  check_case("eq_constant", "Equalization", 1e-4);
  CHECK_THROWS_WITH_AS(layers::Equalization({.bins = 0}), doctest::Contains("expected bins >= 1"), std::invalid_argument);
  CHECK_THROWS_AS(layers::Equalization({.value_range = {1, 1}}), std::invalid_argument);
}

TEST_CASE("RandomGaussianBlur: Keras 3's outputs with fixed draws, eager and traced; random draws blur some images") {
  check_case("blur_fixed", "RandomGaussianBlur", 1e-4);
  check_case("blur_k53", "RandomGaussianBlur", 1e-4);
  check_case("blur_never", "RandomGaussianBlur", 1e-4);
  // Random chances: over a large batch some images are blurred and some are not, and a
  // seeded layer repeats its draws.
  Tensor x = pixels(Shape{32, 6, 6, 1}, DType::float32, 5);
  auto a = layers::RandomGaussianBlur({.factor = 0.8, .sigma = layers::FactorArg(0.5, 0.9), .seed = 4});
  auto b = layers::RandomGaussianBlur({.factor = 0.8, .sigma = layers::FactorArg(0.5, 0.9), .seed = 4});
  Tensor ya = (*a)(x, true), yb = (*b)(x, true);
  CHECK(values(ya) == values(yb));
  Tensor same = ops::all(ops::equal(ya, x), {1, 2, 3});
  const std::vector<double> kept = values(ops::cast(same, DType::float32));
  double n_kept = 0;
  for (double k : kept) n_kept += k;
  CHECK(n_kept > 0);
  CHECK(n_kept < 32);
  CHECK_THROWS_WITH_AS(layers::RandomGaussianBlur({.kernel_size = 4}), doctest::Contains("kernel_size must be an odd number"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::RandomGaussianBlur({.factor = 1.5}), doctest::Contains("`factor` argument"),
                       std::invalid_argument);
}

TEST_CASE("RandomErasing: Keras 3's outputs with fixed draws, eager and traced; random rectangles") {
  check_case("erase_all", "RandomErasing", 0);
  check_case("erase_never", "RandomErasing", 0);
  // Sides of half the image's (scale 0.25): each erased image holds one filled rectangle
  // of 3 or 4 columns and 4 or 5 rows (an 8 x 7 image; corners fall between cells).
  Tensor x = ops::add(pixels(Shape{16, 8, 7, 2}, DType::float32, 9), ops::scalar_like(ops::zeros({}), 1.0));
  auto erase = layers::RandomErasing({.factor = 0.9, .scale = layers::FactorArg(0.25, 0.25), .fill_value = std::vector<double>{0.0},
                                      .seed = 3});
  const std::vector<double> got = values((*erase)(x, true));
  int erased_images = 0;
  for (int i = 0; i < 16; ++i) {
    int top = 99, bottom = -1, left = 99, right = -1, count = 0;
    for (int r = 0; r < 8; ++r)
      for (int col = 0; col < 7; ++col) {
        const bool zero = got[size_t(((i * 8 + r) * 7 + col) * 2)] == 0.0;
        CHECK(zero == (got[size_t(((i * 8 + r) * 7 + col) * 2 + 1)] == 0.0));  // every channel
        if (!zero) continue;
        ++count;
        top = std::min(top, r), bottom = std::max(bottom, r), left = std::min(left, col), right = std::max(right, col);
      }
    if (count == 0) continue;
    ++erased_images;
    CAPTURE(i);
    CHECK(count == (bottom - top + 1) * (right - left + 1));  // a full rectangle
    CHECK(bottom - top + 1 >= 3);
    CHECK(bottom - top + 1 <= 5);
    CHECK(right - left + 1 >= 3);
    CHECK(right - left + 1 <= 4);
  }
  CHECK(erased_images > 0);
  CHECK(erased_images < 16);
  // Noise (fill_value none) stays in the value range; a traced step draws new rectangles.
  auto noisy = layers::RandomErasing({.factor = layers::FactorArg(1, 1), .value_range = {0, 1}, .seed = 4});
  const std::vector<double> n = values((*noisy)(ops::full_like(ops::zeros({4, 6, 6, 3}), 0.5), true));
  for (double v : n) CHECK((v >= 0 && v <= 1));
  auto traced = core::function([&](const Tensor& in) { return (*erase)(in, true); });
  CHECK(values(traced(x)) != values(traced(x)));
  CHECK_THROWS_WITH_AS(layers::RandomErasing({.fill_value = std::vector<double>{1, 2}}),
                       doctest::Contains("`fill_value` argument"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::RandomErasing({.scale = 1.5}), doctest::Contains("`scale` argument"), std::invalid_argument);
}

TEST_CASE("RandomColorJitter: Keras 3's outputs with fixed parts, eager and traced; random parts; config") {
  check_case("jitter_fixed", "RandomColorJitter", 2e-3);
  check_case("jitter_unit", "RandomColorJitter", 1e-5);
  // With random parts: seeded layers repeat their draws; the parts are sublayers; the
  // identity in inference.
  Tensor x = pixels(Shape{4, 5, 6, 3}, DType::float32, 8);
  auto make_jitter = [] {
    return layers::RandomColorJitter({.brightness_factor = 0.2, .contrast_factor = 0.3, .saturation_factor = 0.4,
                                      .hue_factor = 0.1, .seed = 12});
  };
  auto a = make_jitter(), b = make_jitter();
  const std::vector<double> ya = values((*a)(x, true));
  CHECK(ya == values((*b)(x, true)));
  CHECK(ya != values(x));
  CHECK(a->sublayers().size() == 4);
  CHECK(values((*a)(x, false)) == values(x));
  const keras::Config c = a->get_config();
  CHECK(c.at("brightness_factor").as_double() == 0.2);
  CHECK(c.at("hue_factor").as_double() == 0.1);
  CHECK(layers::RandomColorJitter()->get_config().at("contrast_factor").is_null());
  CHECK_THROWS_WITH_AS(layers::RandomColorJitter({.hue_factor = 1.5}), doctest::Contains("factor"),
                       std::invalid_argument);
}

TEST_CASE("RandomShear: each image is one of Keras 3's two maps for one-point factors, eager and traced") {
  const keras::Value& c = fixtures().at("shear");
  std::vector<int64_t> dims;
  for (const keras::Value& d : c.at("shape").as_list()) dims.push_back(d.as_int());
  const Tensor x = make(numbers(c.at("input")), Shape(dims), DType::float32);
  const std::vector<double> plus = numbers(c.at("plus")), minus = numbers(c.at("minus"));
  keras::Config entry = keras::Config::object();
  entry["class_name"] = "RandomShear";
  entry["config"] = c.at("config");
  keras::LayerPtr layer = keras::layers::deserialize(entry);
  auto traced = core::function([&](const Tensor& in) { return (*layer)(in, true); });
  int signs[2] = {0, 0};
  for (int call = 0; call < 8; ++call) {
    const std::vector<double> got = values(call % 2 ? traced(x) : (*layer)(x, true));
    const size_t per = got.size() / size_t(dims[0]);
    for (size_t i = 0; i < size_t(dims[0]); ++i) {
      double dp = 0, dm = 0;
      for (size_t k = i * per; k < (i + 1) * per; ++k) {
        dp = std::max(dp, std::abs(got[k] - plus[k]));
        dm = std::max(dm, std::abs(got[k] - minus[k]));
      }
      CAPTURE(i);
      CHECK(std::min(dp, dm) < 1e-3);
      ++signs[dp < dm ? 0 : 1];
    }
  }
  CHECK(signs[0] > 0);  // both signs are drawn
  CHECK(signs[1] > 0);
  const keras::Config mine = layer->get_config();
  CHECK(numbers(mine.at("x_factor")) == std::vector<double>{0.3, 0.3});
  CHECK(mine.at("fill_mode").as_string() == "reflect");
  CHECK(numbers(layers::RandomShear(0.2)->get_config().at("x_factor")) == std::vector<double>{-0.2, 0.2});
  CHECK_THROWS_WITH_AS(layers::RandomShear(layers::FactorArg(-1.5, 0.2)), doctest::Contains("`x_factor` argument"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::RandomShear(-0.2), doctest::Contains("`x_factor` argument"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::RandomShear(0.1, 1.5), doctest::Contains("`y_factor` argument"), std::invalid_argument);
}

TEST_CASE("layer aliases: MaxPool2D, AvgPool1D, GlobalAvgPool2D, Convolution2D, ... are the same classes") {
  CHECK(layers::MaxPool2D(2)->class_name() == "MaxPooling2D");
  CHECK(layers::AvgPool1D()->class_name() == "AveragePooling1D");
  CHECK(layers::AvgPool3D(2)->class_name() == "AveragePooling3D");
  CHECK(layers::GlobalAvgPool2D()->class_name() == "GlobalAveragePooling2D");
  CHECK(layers::GlobalMaxPool1D()->class_name() == "GlobalMaxPooling1D");
  CHECK(layers::Convolution2D(4, 3)->class_name() == "Conv2D");
  CHECK(layers::Convolution1DTranspose(4, 3)->class_name() == "Conv1DTranspose");
  CHECK(layers::SeparableConvolution2D(4, 3)->class_name() == "SeparableConv2D");
}
