// test_image_ops.cpp - ops::image::resize and affine_transform against Keras 3 / TensorFlow
// (tests/data/spatial/image_ops.npz, written by tests/data/npz/make_spatial_fixtures.py),
// and their argument errors. Their float64 gradients are in test_gradients.cpp.
#include <map>
#include <stdexcept>

#include "core/image_ops.h"
#include "core/npy.h"
#include "helpers.h"
#include "test_data_dir.h"

using namespace th;
namespace image = core::ops::image;

namespace {
std::map<std::string, Tensor> fixture() {
  std::map<std::string, Tensor> a;
  for (auto& [k, v] : core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/spatial/image_ops.npz")) a[k] = v;
  return a;
}
}  // namespace

TEST_CASE("image ops: resize matches tf.image.resize (bilinear and nearest, half-pixel centers)") {
  auto a = fixture();
  const std::vector<std::vector<int64_t>> sizes = {{3, 4}, {8, 11}, {5, 3}, {1, 1}};
  for (size_t i = 0; i < sizes.size(); ++i)
    for (std::string interp : {"bilinear", "nearest"}) {
      CAPTURE(i);
      CAPTURE(interp);
      Tensor want = a.at("resize_" + interp + "_" + std::to_string(i));
      Tensor y = image::resize(a.at("resize_x"), sizes[i], {.interpolation = interp});
      REQUIRE(y.shape() == want.shape());
      check_values(y, values(want), 1e-5);
      // a single image (rank 3) and float64 give the same numbers
      Tensor one = image::resize(ops::slice(a.at("resize_x"), {1, 0, 0, 0}, {1, -1, -1, -1}), sizes[i],
                                 {.interpolation = interp});
      check_values(one, values(ops::slice(want, {1, 0, 0, 0}, {1, -1, -1, -1})), 1e-5);
      Tensor y64 = image::resize(ops::cast(a.at("resize_x"), DType::float64), sizes[i], {.interpolation = interp});
      CHECK(y64.dtype() == DType::float64);
      check_values(y64, values(want), 1e-5);
    }
}

TEST_CASE("image ops: resize's bicubic, lanczos3, lanczos5 and area match tf.image.resize") {
  std::map<std::string, Tensor> a;
  for (auto& [k, v] : core::load_npz(std::string(KERAS_TEST_DATA_DIR) + "/spatial/image_ops_resample.npz")) a[k] = v;
  const std::vector<std::vector<int64_t>> sizes = {{3, 4}, {8, 11}, {5, 3}, {1, 1}, {10, 14}};
  for (size_t i = 0; i < sizes.size(); ++i)
    for (std::string interp : {"bicubic", "lanczos3", "lanczos5", "area"}) {
      CAPTURE(i);
      CAPTURE(interp);
      for (bool antialias : {false, true}) {
        CAPTURE(antialias);
        Tensor want = a.at(interp + "_" + std::to_string(i) + "_" + std::to_string(int(antialias)));
        Tensor y = image::resize(a.at("x"), sizes[i], {.interpolation = interp, .antialias = antialias});
        REQUIRE(y.shape() == want.shape());
        check_values(y, values(want), 2e-5);
        Tensor cf = image::resize(ops::transpose(a.at("x"), {0, 3, 1, 2}), sizes[i],
                                  {.interpolation = interp, .antialias = antialias, .data_format = "channels_first"});
        check_values(ops::transpose(cf, {0, 2, 3, 1}), values(want), 2e-5);
      }
      // uint8 images resize in float32, then round and saturate (the same values as Keras;
      // area's sums of integers land on exact .5 ties, which float rounding sends either way)
      Tensor want = a.at(interp + "_" + std::to_string(i) + "_uint8");
      Tensor y = image::resize(a.at("ints"), sizes[i], {.interpolation = interp});
      CHECK(y.dtype() == DType::uint8);
      CHECK(ops::max(ops::abs(ops::cast(y, DType::int32) - ops::cast(want, DType::int32))).item<int32_t>() <=
            (interp == "area" ? 1 : 0));
    }
}

TEST_CASE("image ops: affine_transform matches TensorFlow's ImageProjectiveTransformV3") {
  auto a = fixture();
  for (std::string t : {"rotation", "zoom", "projective"})
    for (std::string fill : {"constant", "nearest", "wrap", "reflect"})
      for (std::string interp : {"bilinear", "nearest"}) {
        CAPTURE(t);
        CAPTURE(fill);
        CAPTURE(interp);
        Tensor want = a.at("affine_" + t + "_" + fill + "_" + interp);
        Tensor y = image::affine_transform(a.at("affine_x"), a.at("affine_t_" + t),
                                           {.interpolation = interp, .fill_mode = fill, .fill_value = 0.25});
        REQUIRE(y.shape() == want.shape());
        check_values(y, values(want), 1e-4);
      }
}

TEST_CASE("image ops: bad arguments raise naming what was expected and received") {
  auto msg = [](auto&& f) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  Tensor x = ops::zeros({1, 4, 4, 2});
  CHECK(msg([&] { image::resize(ops::zeros({4, 4}), {2, 2}); }).find("rank 3") != std::string::npos);
  CHECK(msg([&] { image::resize(x, {2}); }).find("size") != std::string::npos);
  CHECK(msg([&] { image::resize(x, {2, 2}, {.interpolation = "gaussian"}); }).find("gaussian") != std::string::npos);
  CHECK(msg([&] { image::resize(x, {2, 2}, {.crop_to_aspect_ratio = true, .pad_to_aspect_ratio = true}); })
            .find("pad_to_aspect_ratio") != std::string::npos);
  CHECK(msg([&] { image::resize(x, {2, 2}, {.pad_to_aspect_ratio = true, .fill_mode = "wrap"}); }).find("wrap") !=
        std::string::npos);
  CHECK(msg([&] { image::resize(ops::zeros({1, 4, 4, 2}, DType::bool_), {2, 2}); }).find("bool") != std::string::npos);
  CHECK(image::resize(ops::zeros({1, 4, 4, 2}, DType::int32), {2, 2}).dtype() == DType::int32);
  CHECK(msg([&] { image::resize(x, {2, 2}, {.data_format = "NCHW"}); }).find("channels_first") !=
        std::string::npos);
  CHECK(msg([&] { image::affine_transform(x, ops::zeros({6})); }).find("(8,)") != std::string::npos);
  CHECK(msg([&] { image::affine_transform(x, ops::zeros({3, 8})); }).find("(3, 8)") != std::string::npos);
  CHECK(msg([&] { image::affine_transform(x, ops::zeros({8}, DType::float64)); }).find("float64") != std::string::npos);
  CHECK(msg([&] { image::affine_transform(x, ops::zeros({8}), {.fill_mode = "mirror"}); }).find("mirror") !=
        std::string::npos);
  // a zero projection reads the fill value (no division by zero)
  Tensor t = core::constant(std::vector<float>{1, 0, 0, 0, 1, 0, 0, -1}, Shape{8});
  Tensor y = image::affine_transform(ops::ones({1, 3, 3, 1}), t, {.fill_value = 7});
  CHECK(values(ops::slice(y, {0, 1, 0, 0}, {1, 1, 1, 1}))[0] == 7.0);
}
