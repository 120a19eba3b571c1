// test_augment_layers.cpp - ContrastLimitedAdaptiveHistogramEqualization,
// RandomElasticTransform (and keras.ops.image.elastic_transform's deterministic part),
// RandAugment and AugMix: the layer harness, Keras 3's outputs
// (tests/data/augment_layers/augment_layers.json, written by make_augment_fixtures.py:
// CLAHE's outputs, the elastic transforms for given random fields, each augmentation
// operation at factor 0), traced, configs and errors.
#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <string>

#include "core/function.h"
#include "core/image_ops_more.h"
#include "files.h"
#include "json_fixtures.h"
#include "layer_harness.h"

using namespace th;
namespace layers = keras::layers;

namespace {
const keras::Value& fixtures() { return th::json_fixture("augment_layers/augment_layers.json"); }
Shape shape_of(const keras::Value& c) {
  std::vector<int64_t> dims;
  for (const keras::Value& d : c.at("shape").as_list()) dims.push_back(d.as_int());
  return Shape(dims);
}
Tensor input_of(const keras::Value& c, DType dt = DType::float32) { return make(numbers(c.at("input")), shape_of(c), dt); }
keras::LayerPtr from_keras(const std::string& cls, const keras::Value& config) {
  keras::Config entry = keras::Config::object();
  entry["class_name"] = cls;
  entry["config"] = config;
  return keras::layers::deserialize(entry);
}
// Every key of Keras's config is in ours, with the same value.
void check_config(const keras::layers::Layer& layer, const keras::Value& keras_config) {
  const keras::Config mine = layer.get_config();
  for (const auto& [k, v] : keras_config.items()) {
    CAPTURE(k);
    if (k == "name") continue;
    REQUIRE(mine.contains(k));
    if (v.type() == keras::Value::Type::list) CHECK(numbers(mine.at(k)) == numbers(v));
    else CHECK(mine.at(k) == v);
  }
}
Tensor pixels(const Shape& s, DType dt, uint32_t seed) { return make(uniform(s.num_elements(), 0, 255, seed), s, dt); }

// The CLAHE layer built from Keras's config, called eagerly, traced and in inference.
void check_clahe(const std::string& key, double tol) {
  CAPTURE(key);
  const keras::Value& c = fixtures().at(key);
  keras::LayerPtr layer = from_keras("ContrastLimitedAdaptiveHistogramEqualization", c.at("config"));
  const Tensor x = input_of(c);
  const std::vector<double> want = numbers(c.at("output"));
  check_values((*layer)(x, true), want, tol);
  check_values((*layer)(x, false), want, tol);  // applied in inference too
  auto traced = core::function([&](const Tensor& in) { return (*layer)(in, true); });
  check_values(traced(x), want, tol);
  check_config(*layer, c.at("config"));
}
}  // namespace

TEST_CASE("augmentation layers: the layer harness" * doctest::test_suite("layer_harness")) {
  auto with_pixels = [](th::LayerCase c) {
    c.make_input = pixels;
    return c;
  };
  run_layer_test(with_pixels({"random_elastic_transform", [] { return layers::RandomElasticTransform({.seed = 1}); },
                              {Shape{2, 20, 21, 3}}, {}, {2, 20, 21, 3}, 0, 0, true}));
  run_layer_test(with_pixels({"rand_augment", [] { return layers::RandAugment({.seed = 1}); },
                              {Shape{2, 6, 7, 3}}, {}, {2, 6, 7, 3}, 0, 0, true}));
  run_layer_test(with_pixels({"aug_mix", [] { return layers::AugMix({.seed = 1}); },
                              {Shape{2, 6, 7, 3}}, {}, {2, 6, 7, 3}, 0, 0, true}));
  run_layer_test(with_pixels({"clahe",
                              [] { return layers::ContrastLimitedAdaptiveHistogramEqualization({.tile_grid_size = {2, 3}}); },
                              {Shape{2, 6, 7, 3}}, {}, {2, 6, 7, 3}, 0, 0, false}));
}

TEST_CASE("ContrastLimitedAdaptiveHistogramEqualization: Keras 3's outputs, eager, traced and in inference") {
  check_clahe("clahe_default", 1e-4);
  check_clahe("clahe_pad", 1e-4);
  check_clahe("clahe_clip0", 1e-4);
  check_clahe("clahe_clip2", 1e-4);
  check_clahe("clahe_unit", 1e-5);
  check_clahe("clahe_constant", 1e-4);
  check_clahe("clahe_unbatched", 1e-4);
  // A uint8 image stays uint8 (truncated, as Keras).
  const keras::Value& u8 = fixtures().at("clahe_uint8");
  auto clahe = layers::ContrastLimitedAdaptiveHistogramEqualization({.tile_grid_size = {3, 3}});
  Tensor y = (*clahe)(input_of(u8, DType::uint8));
  CHECK(y.dtype() == DType::uint8);
  check_values(ops::cast(y, DType::float64), numbers(u8.at("output")), 0);
  // The defaults, as Keras's config.
  check_config(*layers::ContrastLimitedAdaptiveHistogramEqualization(), fixtures().at("configs").at("clahe_default"));
  CHECK(layers::ContrastLimitedAdaptiveHistogramEqualization()->name().rfind(
            "contrast_limited_adaptive_histogram_equalization", 0) == 0);
}

TEST_CASE("ContrastLimitedAdaptiveHistogramEqualization: errors name what was expected and received") {
  CHECK_THROWS_WITH_AS(layers::ContrastLimitedAdaptiveHistogramEqualization({.tile_grid_size = {0, 2}}),
                       doctest::Contains("expected tile_grid_size of two sizes >= 1, but received (0, 2)"),
                       std::invalid_argument);
  CHECK_THROWS_AS(layers::ContrastLimitedAdaptiveHistogramEqualization({.value_range = {3, 3}}), std::invalid_argument);
  CHECK_THROWS_AS(layers::ContrastLimitedAdaptiveHistogramEqualization({.clip_limit = std::nan("")}),
                  std::invalid_argument);
  auto tiny = layers::ContrastLimitedAdaptiveHistogramEqualization();  // an 8 x 8 grid on a 3 x 3 image
  CHECK_THROWS_WITH_AS((*tiny)(pixels(Shape{1, 3, 3, 1}, DType::float32, 1)), doctest::Contains("too small"),
                       std::invalid_argument);
  CHECK_THROWS_AS((*tiny)(pixels(Shape{4, 4}, DType::float32, 1)), std::invalid_argument);  // not an image
  // An empty batch passes through.
  CHECK((*tiny)(pixels(Shape{0, 16, 16, 3}, DType::float32, 1)).shape() == Shape{0, 16, 16, 3});
}

TEST_CASE("elastic_transform_fields: keras.ops.image.elastic_transform's outputs for given fields") {
  for (const char* key : {"elastic_op_reflect", "elastic_op_constant", "elastic_op_nearest", "elastic_op_wrap_small_sigma"}) {
    CAPTURE(key);
    const keras::Value& c = fixtures().at(key);
    const keras::Value& kw = c.at("kwargs");
    const Tensor x = input_of(c);
    const Shape s = x.shape();
    const Tensor fields = make(numbers(c.at("fields")), Shape{2, s[0], s[1], s[2]}, DType::float32);
    const double alpha = kw.at("alpha").as_double(), sigma = kw.at("sigma").as_double();
    const std::string interpolation = kw.get("interpolation", "bilinear").as_string();
    const std::string fill_mode = kw.get("fill_mode", "reflect").as_string();
    const double fill_value = kw.get("fill_value", 0.0).as_double();
    const std::vector<double> want = numbers(c.at("output"));
    // The kernel laid out for sigma itself and for a larger bound: the same blur.
    for (double bound : {sigma, sigma + 1.5}) {
      CAPTURE(bound);
      Tensor y = ops::image::elastic_transform_fields(x, fields, core::constant(float(alpha)), core::constant(float(sigma)),
                                                      bound, interpolation, fill_mode, fill_value);
      check_values(y, want, interpolation == "nearest" ? 1e-4 : 1e-4);
    }
  }
  const Tensor x = pixels(Shape{1, 4, 5, 2}, DType::float32, 2);
  CHECK_THROWS_WITH_AS(ops::image::elastic_transform_fields(x, ops::zeros({2, 1, 4, 4}), core::constant(1.0f),
                                                            core::constant(1.0f), 1.0),
                       doctest::Contains("expected fields of shape (2, 1, 4, 5)"), std::invalid_argument);
  CHECK_THROWS_AS(ops::image::elastic_transform_fields(x, ops::zeros({2, 1, 4, 5}), core::constant(1.0f),
                                                       core::constant(1.0f), 1.0, "cubic"),
                  std::invalid_argument);
}

namespace {
// What Keras's RandomElasticTransform (factor (1, 1), scale (d, d)) gives for the fields.
Tensor keras_elastic(const Tensor& x, const Tensor& fields, const keras::Value& config) {
  const double d = numbers(config.at("scale"))[0];
  const double h = double(x.shape()[1]), w = double(x.shape()[2]);
  const std::vector<double> range = numbers(config.at("value_range"));
  Tensor y = ops::image::elastic_transform_fields(
      x, fields, core::constant(float(std::max(h, w) * 0.1 * d)), core::constant(float(std::min(h, w) * 0.05 * d)),
      std::min(h, w) * 0.05 * d, config.at("interpolation").as_string(), config.at("fill_mode").as_string(),
      config.at("fill_value").as_double());
  return ops::clip(y, range[0], range[1]);
}
}  // namespace

TEST_CASE("RandomElasticTransform: Keras 3's outputs for given fields; the layer's own fields; eager and traced") {
  for (const char* key : {"elastic_layer_default", "elastic_layer_half", "elastic_layer_strong"}) {
    CAPTURE(key);
    const keras::Value& c = fixtures().at(key);
    const Tensor x = input_of(c);
    const Shape s = x.shape();
    const Tensor fields = make(numbers(c.at("fields")), Shape{2, s[0], s[1], s[2]}, DType::float32);
    check_values(keras_elastic(x, fields, c.at("config")), numbers(c.at("output")), 1e-4);
    // The layer, from Keras's config: its fields are its fourth draw (after the chances,
    // the thresholds and the distortion).
    keras::LayerPtr layer = from_keras("RandomElasticTransform", c.at("config"));
    check_config(*layer, c.at("config"));
    const Tensor own = ops::random_normal({2, s[0], s[1], s[2]}, {.seed = 3, .counter = core::constant(int64_t{3})});
    const Tensor want = keras_elastic(x, own, c.at("config"));
    check_values((*layer)(x, true), values(want), 1e-5);
    keras::LayerPtr again = from_keras("RandomElasticTransform", c.at("config"));
    auto traced = core::function([&](const Tensor& in) { return (*again)(in, true); });
    check_values(traced(x), values(want), 1e-5);
    check_values((*layer)(x, false), numbers(c.at("input")), 0);  // the identity in inference
  }
  check_config(*layers::RandomElasticTransform(), fixtures().at("configs").at("elastic_default"));
}

TEST_CASE("RandomElasticTransform: the chance per image, the distortion's range, a zero scale, errors") {
  const Tensor x = pixels(Shape{64, 12, 12, 1}, DType::float32, 4);
  auto half = layers::RandomElasticTransform({.factor = layers::FactorArg(0.5, 0.5), .seed = 2});
  const Tensor y = (*half)(x, true);
  int moved = 0;
  for (int64_t i = 0; i < 64; ++i) {
    const Tensor a = ops::slice(x, {i, 0, 0, 0}, {1, 12, 12, 1}), b = ops::slice(y, {i, 0, 0, 0}, {1, 12, 12, 1});
    moved += ops::max(ops::abs(ops::subtract(a, b))).item<float>() > 0 ? 1 : 0;
  }
  CHECK(moved > 16);
  CHECK(moved < 48);
  // Outputs stay within value_range; a scale or factor of 0 changes nothing.
  auto clipped = layers::RandomElasticTransform({.fill_mode = "constant", .fill_value = 500, .value_range = {0, 200}, .seed = 1});
  const Tensor z = (*clipped)(x, true);
  CHECK(ops::max(z).item<float>() <= 200.0f);
  check_values((*layers::RandomElasticTransform({.scale = 0.0}))(x, true), values(x), 0);
  check_values((*layers::RandomElasticTransform({.factor = 0.0}))(x, true), values(x), 0);
  // Unbatched images; integer images become float32.
  auto e = layers::RandomElasticTransform({.seed = 5});
  CHECK((*e)(pixels(Shape{12, 10, 3}, DType::float32, 1), true).shape() == Shape{12, 10, 3});
  CHECK((*e)(pixels(Shape{2, 12, 10, 3}, DType::uint8, 1), true).dtype() == DType::float32);
  CHECK_THROWS_WITH_AS(layers::RandomElasticTransform({.interpolation = "cubic"}),
                       doctest::Contains("Unknown `interpolation` cubic"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::RandomElasticTransform({.fill_mode = "edge"}), doctest::Contains("Unknown `fill_mode` edge"),
                       std::invalid_argument);
  CHECK_THROWS_AS(layers::RandomElasticTransform({.scale = 1.5}), std::invalid_argument);
  CHECK_THROWS_AS(layers::RandomElasticTransform({.factor = layers::FactorArg(-2, -1)}), std::invalid_argument);
}

namespace {
// The operations at factor 0 (each deterministic), built as RandAugment builds them, in
// RandAugment's order.
std::vector<keras::LayerPtr> operations_at_factor0() {
  const layers::FactorArg zero(0.0, 0.0);
  return {layers::RandomShear(zero, zero),
          layers::RandomTranslation(zero, zero),
          layers::RandomRotation(zero),
          layers::RandomBrightness(zero),
          layers::RandomColorDegeneration(zero),
          layers::RandomContrast(zero),
          layers::RandomSharpness(zero),
          layers::RandomPosterization(1.0),
          layers::Solarization({.addition_factor = zero, .threshold_factor = zero}),
          layers::AutoContrast(),
          layers::Equalization()};
}
// The index of the candidate `y` equals (within tol), or -1.
int match(const Tensor& y, const std::vector<std::vector<double>>& candidates, double tol) {
  const std::vector<double> v = values(y);
  for (size_t j = 0; j < candidates.size(); ++j) {
    bool same = v.size() == candidates[j].size();
    for (size_t i = 0; same && i < v.size(); ++i) same = std::abs(v[i] - candidates[j][i]) <= tol;
    if (same) return int(j);
  }
  return -1;
}
}  // namespace

TEST_CASE("RandAugment: each operation is Keras's; one or two drawn operations per batch, eager and traced") {
  const keras::Value& f = fixtures().at("ops_factor0");
  const Tensor x = input_of(f);
  auto ra = layers::RandAugment({.num_ops = 1, .factor = 0.0, .seed = 1});
  std::vector<std::string> order;
  for (const keras::Value& n : f.at("order").as_list()) order.push_back(n.as_string());
  CHECK(ra->operation_names() == order);
  // Our operations at factor 0 against Keras's, one by one.
  std::vector<std::vector<double>> keras_outputs;
  const std::vector<keras::LayerPtr> mine = operations_at_factor0();
  for (size_t j = 0; j < order.size(); ++j) {
    CAPTURE(order[j]);
    keras_outputs.push_back(numbers(f.at("ops").at(order[j])));
    check_values((*mine[j])(x, true), keras_outputs.back(), 1e-3);
  }
  // One operation: the output is one of Keras's; over calls several operations are drawn.
  std::set<int> seen;
  for (int call = 0; call < 40; ++call) {
    const int j = match((*ra)(x, true), keras_outputs, 1e-3);
    REQUIRE(j >= 0);
    seen.insert(j);
  }
  CHECK(seen.size() >= 6);
  // Two operations: op_b(op_a(x)) for some a, b.
  std::vector<std::vector<double>> pairs;
  for (size_t a = 0; a < mine.size(); ++a)
    for (size_t b = 0; b < mine.size(); ++b) pairs.push_back(values((*mine[b])((*mine[a])(x, true), true)));
  auto two = layers::RandAugment({.num_ops = 2, .factor = 0.0, .seed = 4});
  for (int call = 0; call < 10; ++call) CHECK(match((*two)(x, true), pairs, 1e-3) >= 0);
  // Random factors: a seeded layer gives the same numbers traced and eagerly, new ones at
  // every call, and the images unchanged in inference.
  auto eager = layers::RandAugment({.seed = 9});
  auto traced_layer = layers::RandAugment({.seed = 9});
  auto traced = core::function([&](const Tensor& in) { return (*traced_layer)(in, true); });
  for (int call = 0; call < 3; ++call) check_values(traced(x), values((*eager)(x, true)), 1e-4);
  CHECK(traced.tracing_count() == 1);
  check_values((*eager)(x, false), values(x), 0);
  CHECK((*layers::RandAugment({.num_ops = 0}))(x, true).shape() == x.shape());
}

TEST_CASE("RandAugment and AugMix: configs as Keras's, defaults, round trips, errors") {
  const keras::Value& configs = fixtures().at("configs");
  for (const char* key : {"rand_augment_default", "rand_augment_custom"}) {
    CAPTURE(key);
    keras::LayerPtr l = from_keras("RandAugment", configs.at(key));
    check_config(*l, configs.at(key));
  }
  for (const char* key : {"aug_mix_default", "aug_mix_custom"}) {
    CAPTURE(key);
    keras::LayerPtr l = from_keras("AugMix", configs.at(key));
    check_config(*l, configs.at(key));
  }
  check_config(*layers::RandAugment(), configs.at("rand_augment_default"));
  check_config(*layers::AugMix(), configs.at("aug_mix_default"));
  std::vector<std::string> all, basic;
  for (const keras::Value& n : fixtures().at("aug_mix_ops").at("all").as_list()) all.push_back(n.as_string());
  for (const keras::Value& n : fixtures().at("aug_mix_ops").at("basic").as_list()) basic.push_back(n.as_string());
  CHECK(layers::AugMix()->operation_names() == all);
  CHECK(layers::AugMix({.all_ops = false})->operation_names() == basic);
  CHECK_THROWS_WITH_AS(layers::RandAugment({.num_ops = -1}), doctest::Contains("expected num_ops >= 0, but received -1"),
                       std::invalid_argument);
  CHECK_THROWS_AS(layers::RandAugment({.factor = 1.5}), std::invalid_argument);
  CHECK_THROWS_AS(layers::RandAugment({.interpolation = "area"}), std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::AugMix({.num_chains = 0}), doctest::Contains("expected num_chains >= 1"),
                       std::invalid_argument);
  CHECK_THROWS_AS(layers::AugMix({.chain_depth = -1}), std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::AugMix({.alpha = 0}), doctest::Contains("expected alpha > 0"), std::invalid_argument);
  CHECK_THROWS_AS(layers::AugMix({.value_range = {1, 1}}), std::invalid_argument);
}

TEST_CASE("AugMix: a blend of the images and a mix of chains of Keras's operations, eager and traced") {
  const keras::Value& f = fixtures().at("ops_factor0");
  const Tensor x = input_of(f);
  const std::vector<double> xv = values(x);
  std::vector<std::vector<double>> candidates;
  for (const keras::Value& n : f.at("order").as_list()) candidates.push_back(numbers(f.at("ops").at(n.as_string())));
  // One chain of depth 1: y = m x + (1 - m) c, c one operation's output or x itself.
  auto am = layers::AugMix({.num_chains = 1, .chain_depth = 1, .factor = 0.0, .seed = 3});
  int unchanged = 0, blended = 0;
  for (int call = 0; call < 40; ++call) {
    const std::vector<double> y = values((*am)(x, true));
    bool found = false;
    for (const auto& c : candidates) {
      // m from the pixel where c and x differ most.
      size_t at = 0;
      for (size_t i = 0; i < xv.size(); ++i)
        if (std::abs(c[i] - xv[i]) > std::abs(c[at] - xv[at])) at = i;
      if (std::abs(c[at] - xv[at]) < 1) continue;
      const double m = (y[at] - c[at]) / (xv[at] - c[at]);
      if (m < -1e-4 || m > 1 + 1e-4) continue;
      bool all = true;
      for (size_t i = 0; all && i < xv.size(); ++i) all = std::abs(m * xv[i] + (1 - m) * c[i] - y[i]) < 2e-2;
      if (all) {
        found = true;
        break;
      }
    }
    bool same = true;
    for (size_t i = 0; same && i < xv.size(); ++i) same = std::abs(y[i] - xv[i]) < 1e-4;
    CHECK((found || same));
    unchanged += same ? 1 : 0;
    blended += found && !same ? 1 : 0;
  }
  CHECK(blended > 8);  // (at factor 0, shear, translation, rotation, brightness, contrast, ... change nothing)
  CHECK(unchanged >= 1);  // the "none" operation (1 in 12)
  // The default policy: within value_range, the same numbers traced, new ones per call.
  auto eager = layers::AugMix({.value_range = {0, 255}, .seed = 11});
  auto again = layers::AugMix({.value_range = {0, 255}, .seed = 11});
  auto traced = core::function([&](const Tensor& in) { return (*again)(in, true); });
  const Tensor first = (*eager)(x, true);
  check_values(traced(x), values(first), 1e-3);
  CHECK(ops::max(first).item<float>() <= 255.0f);
  CHECK(ops::min(first).item<float>() >= 0.0f);
  check_values((*eager)(x, false), xv, 0);
  CHECK(ops::max(ops::abs(ops::subtract((*eager)(x, true), first))).item<float>() > 0);
  CHECK((*layers::AugMix({.chain_depth = 0, .seed = 1}))(x, true).shape() == x.shape());  // only the images
}
