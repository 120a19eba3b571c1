// test_color_layers.cpp - RandomBrightness, RandomInvert, RandomGrayscale, Solarization,
// RandomPosterization, AutoContrast, RandomSaturation, RandomHue, RandomColorDegeneration
// and RandomSharpness: the layer harness, Keras 3's outputs where they
// are deterministic (numbers from Keras 3.15), the structure of the random ones, configs
// and errors.
#include <cmath>
#include <stdexcept>

#include "layer_harness.h"

using namespace th;
namespace layers = keras::layers;

namespace {
Tensor pixels(const Shape& s, DType dt, uint32_t seed) { return make(uniform(s.num_elements(), 0, 255, seed), s, dt); }

// Keras's 1 x 2 x 2 x 3 test image.
Tensor keras_image(double scale = 1.0) {
  std::vector<double> v{10, 200, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120};
  for (double& x : v) x *= scale;
  return make(v, Shape{1, 2, 2, 3}, DType::float32);
}
}  // namespace

TEST_CASE("color layers: the layer harness" * doctest::test_suite("layer_harness")) {
  auto with_pixels = [](th::LayerCase c) {
    c.make_input = pixels;
    return c;
  };
  run_layer_test(with_pixels({"random_brightness", [] { return layers::RandomBrightness(0.3, {.seed = 1}); },
                              {Shape{4, 3, 5, 3}}, {}, {4, 3, 5, 3}, 0, 0, true}));
  run_layer_test(with_pixels({"random_invert", [] { return layers::RandomInvert(1.0, {.seed = 1}); },
                              {Shape{8, 3, 5, 3}}, {}, {8, 3, 5, 3}, 0, 0, true}));
  run_layer_test(with_pixels({"random_grayscale", [] { return layers::RandomGrayscale(1.0, {.seed = 1}); },
                              {Shape{2, 3, 5, 3}}, {}, {2, 3, 5, 3}, 0, 0, true}));
  run_layer_test(with_pixels({"solarization", [] { return layers::Solarization({.threshold_factor = 0.5, .seed = 1}); },
                              {Shape{2, 3, 5, 3}}, {}, {2, 3, 5, 3}, 0, 0, true}));
  run_layer_test(with_pixels({"random_posterization", [] { return layers::RandomPosterization(4, {.seed = 1}); },
                              {Shape{2, 3, 5, 3}}, {}, {2, 3, 5, 3}, 0, 0, true}));
  run_layer_test(with_pixels({"auto_contrast", [] { return layers::AutoContrast(); }, {Shape{2, 3, 5, 3}}, {},
                              {2, 3, 5, 3}}));
  run_layer_test(with_pixels({"random_saturation", [] { return layers::RandomSaturation(0.5, {.seed = 1}); },
                              {Shape{2, 3, 5, 3}}, {}, {2, 3, 5, 3}, 0, 0, true}));
  run_layer_test(with_pixels({"random_hue", [] { return layers::RandomHue(0.5, {.seed = 1}); }, {Shape{2, 3, 5, 3}},
                              {}, {2, 3, 5, 3}, 0, 0, true}));
  run_layer_test(with_pixels({"random_color_degeneration", [] { return layers::RandomColorDegeneration(0.5, {.seed = 1}); },
                              {Shape{2, 3, 5, 3}}, {}, {2, 3, 5, 3}, 0, 0, true}));
  run_layer_test(with_pixels({"random_sharpness", [] { return layers::RandomSharpness(0.5, {.seed = 1}); },
                              {Shape{2, 3, 5, 3}}, {}, {2, 3, 5, 3}, 0, 0, true}));
}

TEST_CASE("AutoContrast: Keras 3's outputs in both value ranges, constant channels kept, in inference too") {
  const std::vector<double> want{0, 255, 0, 85, 0, 85, 170, 51, 170, 255, 102, 255};
  check_values((*layers::AutoContrast())(keras_image(), false), want, 1e-4);
  std::vector<double> unit = want;
  for (double& v : unit) v /= 255.0;
  check_values((*layers::AutoContrast({.value_range = {0, 1}}))(keras_image(1.0 / 255), true), unit, 1e-6);
  check_values((*layers::AutoContrast())(ops::full_like(ops::zeros({1, 2, 2, 3}), 5.0)), std::vector<double>(12, 5.0));
  // one image (rank 3) and integer pixels (float32 out)
  Tensor one = (*layers::AutoContrast())(ops::cast(ops::squeeze(keras_image(), {0}), DType::int32));
  CHECK(one.dtype() == DType::float32);
  check_values(one, want, 1e-4);
  keras::Config c = layers::AutoContrast()->get_config();
  CHECK_FALSE(c.contains("seed"));  // as Keras
  CHECK(c.at("value_range").to_json() == "[0.0, 255.0]");
}

TEST_CASE("RandomPosterization and RandomGrayscale: Keras 3's outputs where the draw is fixed") {
  auto post = layers::RandomPosterization({3, 4}, {.seed = 2});  // bits in [3, 4): 3
  const std::vector<double> want{0, 192, 0, 32, 32, 32, 64, 64, 64, 96, 96, 96};
  CHECK(values((*post)(keras_image(), false)) == values(keras_image()));
  check_values((*post)(keras_image(), true), want);
  std::vector<double> unit = want;
  for (double& v : unit) v /= 255.0;
  check_values((*layers::RandomPosterization({3, 4}, {.value_range = {0, 1}}))(keras_image(1.0 / 255), true), unit,
               1e-6);
  // bits drawn in [1, 8): every value a multiple of 2^(8 - bits) >= 2
  std::vector<double> p = values((*layers::RandomPosterization(8, {.seed = 3}))(pixels({16, 4, 4, 3}, DType::float32, 5), true));
  for (double v : p) CHECK(std::fmod(v, 2.0) == 0.0);

  check_values((*layers::RandomGrayscale(1.0))(keras_image(), true),
               std::vector<double>{123.809, 123.809, 123.809, 48.146, 48.146, 48.146, 78.143, 78.143, 78.143,
                                   108.14, 108.14, 108.14},
               1e-4);
  CHECK(values((*layers::RandomGrayscale(0.0))(keras_image(), true)) == values(keras_image()));
  // about factor of the images turn gray
  Tensor many = pixels({400, 2, 2, 3}, DType::float32, 8);
  std::vector<double> g = values((*layers::RandomGrayscale(0.3, {.seed = 4}))(many, true));
  int gray = 0;
  for (size_t i = 0; i < 400; ++i) gray += g[i * 12] == g[i * 12 + 1] && g[i * 12] == g[i * 12 + 2];
  CHECK(gray > 90);
  CHECK(gray < 150);
  CHECK_THROWS_WITH_AS((*layers::RandomGrayscale(1.0))(ops::ones({1, 2, 2, 4}), true), doctest::Contains("3 channels"),
                       std::invalid_argument);
}

TEST_CASE("Solarization: inverts at or above a per-image threshold after a per-image addition") {
  // Keras's defaults: no addition, threshold 0, so every value is inverted
  std::vector<double> want;
  for (double v : values(keras_image())) want.push_back(255 - v);
  check_values((*layers::Solarization())(keras_image(), true), want);
  CHECK(values((*layers::Solarization())(keras_image(), false)) == values(keras_image()));
  // threshold in [0.5, 127.5]: values below it kept, the others inverted, one threshold per image
  Tensor x = pixels({30, 4, 4, 3}, DType::float32, 6);
  std::vector<double> in = values(x), out = values((*layers::Solarization({.threshold_factor = {0.5, 0.5}, .seed = 9}))(x, true));
  for (size_t i = 0; i < 30; ++i) {
    double max_kept = -1, min_inverted = 256;
    for (size_t j = i * 48; j < (i + 1) * 48; ++j) {
      const bool kept = std::fabs(out[j] - in[j]) < 1e-3, inverted = std::fabs(out[j] - (255 - in[j])) < 1e-3;
      REQUIRE((kept || inverted));
      if (kept && !inverted) max_kept = std::max(max_kept, in[j]);
      if (inverted && !kept) min_inverted = std::min(min_inverted, in[j]);
    }
    CHECK(max_kept < min_inverted);
    CHECK(max_kept < 127.5);
  }
  // an addition (in [0.2, 51]) before clipping to 255, then the inversion of everything
  std::vector<double> added = values((*layers::Solarization({.addition_factor = {0.2, 0.2}, .seed = 3}))(keras_image(), true));
  const double delta = (255 - added[0]) - 10;
  CHECK(delta >= 0.2);
  CHECK(delta <= 51);
  for (size_t j = 0; j < 12; ++j) CHECK(added[j] == doctest::Approx(255 - std::min(values(keras_image())[j] + delta, 255.0)).epsilon(1e-5));
  keras::Config c = layers::Solarization()->get_config();
  CHECK(c.at("addition_factor").to_json() == "[0.0, 0.0]");
  CHECK(c.at("threshold_factor").to_json() == "[0.0, 0.0]");
  CHECK(c.at("value_range").to_json() == "[0.0, 255.0]");
  CHECK(c.at("seed").is_null());
  CHECK_THROWS_WITH_AS(layers::Solarization({.addition_factor = 2.0}), doctest::Contains("input_number=2"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::Solarization({.value_range = {1, 1}}), doctest::Contains("value_range"),
                       std::invalid_argument);
}

TEST_CASE("RandomBrightness and RandomInvert: one change per image, Keras's factors, configs and errors") {
  Tensor x = pixels({20, 3, 3, 3}, DType::float32, 2);
  std::vector<double> in = values(x), out = values((*layers::RandomBrightness(0.2, {.seed = 5}))(x, true));
  for (size_t i = 0; i < 20; ++i) {  // one delta in [-51, 51] per image, the sum clipped to [0, 255]
    double delta = NAN;
    for (size_t j = i * 27; j < (i + 1) * 27; ++j) {
      if (out[j] == 0.0 || out[j] == 255.0) continue;
      if (std::isnan(delta)) delta = out[j] - in[j];
      CHECK(out[j] - in[j] == doctest::Approx(delta).epsilon(1e-4));
    }
    if (!std::isnan(delta)) CHECK(std::fabs(delta) <= 51.0 + 1e-3);
  }
  CHECK(values((*layers::RandomBrightness(0.2))(x, false)) == in);
  CHECK(layers::RandomBrightness(0.2)->factor() == std::pair<double, double>{-0.2, 0.2});
  CHECK(layers::RandomBrightness({0.3, -0.2})->factor() == std::pair<double, double>{-0.2, 0.3});
  CHECK(layers::RandomBrightness(0.2)->get_config().at("value_range").to_json() == "[0.0, 255.0]");

  std::vector<double> inv = values((*layers::RandomInvert(1.0, {.seed = 6}))(x, true));
  int inverted = 0;
  for (size_t i = 0; i < 20; ++i) {
    const bool first = std::fabs(inv[i * 27] - (255 - in[i * 27])) < 1e-3;
    inverted += first;
    for (size_t j = i * 27; j < (i + 1) * 27; ++j) CHECK(inv[j] == doctest::Approx(first ? 255 - in[j] : in[j]));
  }
  CHECK(inverted > 0);
  CHECK(inverted < 20);
  CHECK(values((*layers::RandomInvert({1.0, 1.0}))(x, true)) == values(ops::subtract(ops::full_like(x, 255.0), x)));
  CHECK(values((*layers::RandomInvert(0.0))(x, true)) == in);
  CHECK(layers::RandomInvert(0.4)->factor() == std::pair<double, double>{0.0, 0.4});

  CHECK_THROWS_WITH_AS(layers::RandomBrightness(1.5), doctest::Contains("range [-1, 1]. Received: factor=1.5"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::RandomInvert(2.0), doctest::Contains("range [0, 1]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::RandomPosterization(9), doctest::Contains("range [1, 8]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::RandomGrayscale(2.0), doctest::Contains("between 0 and 1"), std::invalid_argument);
  CHECK_THROWS_AS(layers::RandomBrightness(0.1, {.data_format = "NHWC"}), std::invalid_argument);
  CHECK(layers::RandomPosterization(3)->get_config().at("factor").to_json() == "[1, 3]");
}

namespace {
// Keras's 1 x 3 x 3 x 3 test image of the color adjustments.
Tensor adjust_image(double scale = 1.0) {
  std::vector<double> v{10, 200, 30, 40, 50, 60, 90, 20, 250, 70, 80, 90, 100, 110, 120, 0, 0, 0, 255, 128, 3, 33, 66, 99, 5, 5, 5};
  for (double& x : v) x *= scale;
  return make(v, Shape{1, 3, 3, 3}, DType::float32);
}
}  // namespace

TEST_CASE("RandomSaturation, RandomColorDegeneration, RandomSharpness: Keras 3's outputs where the draw is fixed") {
  check_values((*layers::RandomSaturation({0.25, 0.25}))(adjust_image(), true),
               std::vector<double>{136.666687, 200, 143.333359, 53.333332, 56.666664, 60, 196.666687, 173.333344, 250,
                                   83.333328, 86.666664, 90, 113.333336, 116.666664, 120, 0, 0, 0, 255, 212.666672, 171,
                                   77, 88, 99, 5, 5, 5},
               2e-4);
  check_values((*layers::RandomColorDegeneration({0.5, 0.5}))(adjust_image(), true),
               std::vector<double>{66.904495, 161.904495, 76.904495, 44.072998, 49.072998, 54.072998, 78.570496,
                                   43.5705, 158.570496, 74.071503, 79.071503, 84.071503, 104.07, 109.07, 114.07, 0, 0, 0,
                                   203.348755, 139.848755, 77.348747, 46.44585, 62.94585, 79.445847, 4.99975, 4.99975,
                                   4.99975},
               2e-4);
  // factor 0.5: 1 - 2 f = 0, the image unchanged
  check_values((*layers::RandomSharpness({0.5, 0.5}))(adjust_image(), true), values(adjust_image()), 1e-5);
  check_values((*layers::RandomSharpness({0.2, 0.2}, {.value_range = {0, 1}}))(adjust_image(1.0 / 255), true),
               std::vector<double>{0.062745, 0.53816, 0.123077, 0.147813, 0.197888, 0.237104, 0.247964, 0.078431,
                                   0.65098, 0.252428, 0.29816, 0.279095, 0.338401, 0.371463, 0.394027, 0.048507,
                                   0.04543, 0.096652, 0.667511, 0.362956, 0.063348, 0.159457, 0.221719, 0.284344,
                                   0.03644, 0.044223, 0.052006},
               2e-5);
  for (auto make_layer : {+[] { return layers::RandomSaturation(0.5); }, +[] { return layers::RandomHue(0.5); },
                          +[] { return layers::RandomColorDegeneration(0.5); },
                          +[] { return layers::RandomSharpness(0.5); }})
    CHECK(values((*make_layer())(adjust_image(), false)) == values(adjust_image()));
}

TEST_CASE("RandomHue: a hue rotation of +-f / 2 per image; Keras's factor rules, configs and errors") {
  check_values((*layers::RandomHue({0.0, 0.0}))(adjust_image(), true), values(adjust_image()), 1e-3);
  // Rotating the hue keeps each pixel's maximum and minimum channel values (V and the chroma).
  Tensor x = make(uniform(16 * 2 * 2 * 3, 0, 255, 9), Shape{16, 2, 2, 3}, DType::float32);
  std::vector<double> in = values(x), out = values((*layers::RandomHue(0.6, {.seed = 2}))(x, true));
  for (size_t p = 0; p < in.size(); p += 3) {
    CHECK(std::max({out[p], out[p + 1], out[p + 2]}) == doctest::Approx(std::max({in[p], in[p + 1], in[p + 2]})).epsilon(1e-3));
    CHECK(std::min({out[p], out[p + 1], out[p + 2]}) == doctest::Approx(std::min({in[p], in[p + 1], in[p + 2]})).epsilon(1e-3));
  }
  CHECK(out != in);
  CHECK(layers::RandomSaturation(0.5)->factor() == std::pair<double, double>{-0.5, 0.5});
  CHECK(layers::RandomHue(0.5)->factor() == std::pair<double, double>{0.0, 0.5});
  CHECK(layers::RandomColorDegeneration(0.5)->factor() == std::pair<double, double>{-0.5, 0.5});
  CHECK(layers::RandomSharpness(0.5)->factor() == std::pair<double, double>{0.0, 0.5});
  CHECK(layers::RandomHue(0.5)->get_config().at("factor").to_json() == "[0.0, 0.5]");
  CHECK_THROWS_WITH_AS(layers::RandomSaturation(1.5), doctest::Contains("range [-1, 1]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::RandomHue(-0.5), doctest::Contains("range [0, 1]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::RandomSharpness(2.0), doctest::Contains("factor=2"), std::invalid_argument);
}
