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
#include "layer_harness.h"
#include "test_data_dir.h"

using namespace th;
namespace layers = keras::layers;

namespace {
const keras::Value& fixtures() {
  static const keras::Value v =
      keras::Value::from_json(read_bytes(std::string(KERAS_TEST_DATA_DIR) + "/augment_layers/augment_layers.json"));
  return v;
}
std::vector<double> numbers(const keras::Value& list) {
  std::vector<double> out;
  for (const keras::Value& x : list.as_list()) out.push_back(x.as_double());
  return out;
}
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
