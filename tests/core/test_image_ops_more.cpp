// test_image_ops_more.cpp - keras.ops.image's crops, pads, color spaces, patches, blur,
// Sobel edges and SSIM (core/image_ops_more.h) against Keras 3 (the fixture of
// tests/data/ops/make_image_fixtures.py), dtypes and bad input.
#include <cmath>
#include <map>
#include <string>

#include "core/image_ops_more.h"
#include "core/npy.h"
#include "helpers.h"
#include "ops_names.h"
#include "ops_fixture.h"
#include "test_data_dir.h"

using namespace th;
namespace img = core::ops::image;

namespace {

Tensor fx(const std::string& name) { return th::ops_fixture("image_keras.npz")(name); }

void same(const Tensor& got, const std::string& name, double tol = 1e-6) {
  th::ops_fixture("image_keras.npz").same(got, name, tol);
}

Tensor first(const Tensor& images) { return ops::transpose(images, {0, 3, 1, 2}); }

}  // namespace

KERAS_OPS_NAME("image.crop_images",
               (void)ops::image::crop_images(ops::ones({4, 4, 1}), {.top_cropping = 1, .left_cropping = 1,
                                                                    .target_height = 2, .target_width = 2}));
KERAS_OPS_NAME("image.pad_images",
               (void)ops::image::pad_images(ops::ones({4, 4, 1}), {.top_padding = 1, .left_padding = 1,
                                                                  .target_height = 6, .target_width = 6}));
KERAS_OPS_NAME("image.rgb_to_grayscale", (void)ops::image::rgb_to_grayscale(ops::ones({2, 2, 3})));
KERAS_OPS_NAME("image.rgb_to_hsv", (void)ops::image::rgb_to_hsv(ops::ones({2, 2, 3})));
KERAS_OPS_NAME("image.hsv_to_rgb", (void)ops::image::hsv_to_rgb(ops::ones({2, 2, 3})));
KERAS_OPS_NAME("image.extract_patches", (void)ops::image::extract_patches(ops::ones({4, 4, 1}), {2}));
KERAS_OPS_NAME("image.extract_patches_3d", (void)ops::image::extract_patches_3d(ops::ones({2, 4, 4, 1}), {2}));
KERAS_OPS_NAME("image.gaussian_blur", (void)ops::image::gaussian_blur(ops::ones({4, 4, 1})));
KERAS_OPS_NAME("image.sobel_edges", (void)ops::image::sobel_edges(ops::ones({1, 4, 4, 1})));
KERAS_OPS_NAME("image.ssim", (void)ops::image::ssim(ops::ones({12, 12, 1}), ops::ones({12, 12, 1})));

TEST_CASE("image ops: crop_images and pad_images equal Keras's (any two of the three, both layouts)") {
  Tensor im = fx("in_img"), one = ops::squeeze(ops::slice(im, {0, 0, 0, 0}, {1, -1, -1, -1}), {0});
  same(img::crop_images(im, {.top_cropping = 1, .left_cropping = 2, .target_height = 3, .target_width = 4}), "crop", 0);
  same(img::crop_images(one, {.top_cropping = 0, .left_cropping = 3, .bottom_cropping = 2, .right_cropping = 1}),
       "crop_br", 0);
  same(img::crop_images(first(im), {.top_cropping = 1, .left_cropping = 0, .bottom_cropping = 1, .target_width = 5,
                                    .data_format = "channels_first"}),
       "crop_cf", 0);
  same(img::pad_images(im, {.top_padding = 1, .left_padding = 2, .target_height = 9, .target_width = 10}), "pad", 0);
  same(img::pad_images(one, {.top_padding = 0, .left_padding = 3, .bottom_padding = 2, .right_padding = 1}), "pad_br",
       0);
  same(img::pad_images(first(im), {.top_padding = 1, .left_padding = 0, .bottom_padding = 2, .target_width = 8,
                                   .data_format = "channels_first"}),
       "pad_cf", 0);
  CHECK_THROWS_MSG(img::crop_images(im, {.top_cropping = 1, .left_cropping = 1}), std::invalid_argument,
                   "crop_images: must specify exactly two of top_cropping, bottom_cropping, target_height");
  CHECK_THROWS_MSG(img::crop_images(im, {.top_cropping = 4, .left_cropping = 0, .target_height = 3, .target_width = 2}),
                   std::invalid_argument, "do not fit an image axis of size 6");
  CHECK_THROWS_MSG(img::pad_images(im, {.top_padding = -1, .left_padding = 0, .target_height = 9, .target_width = 9}),
                   std::invalid_argument, "pad_images: top_padding must be >= 0, but received -1");
  CHECK_THROWS_MSG(img::pad_images(ops::ones({2, 3}), {.top_padding = 1, .left_padding = 0, .bottom_padding = 0,
                                                       .right_padding = 0}),
                   std::invalid_argument, "expected `images` of rank 3 (single image) or 4");
}

TEST_CASE("image ops: rgb_to_grayscale, rgb_to_hsv and hsv_to_rgb equal Keras's") {
  Tensor im = fx("in_img");
  same(img::rgb_to_grayscale(im), "gray");
  same(img::rgb_to_grayscale(first(im), "channels_first"), "gray_cf");
  same(img::rgb_to_grayscale(fx("in_imgi")), "gray_int", 0);  // computed in float32, cast back
  Tensor g1 = ops::ones({2, 2, 1});
  check_values(img::rgb_to_grayscale(g1), values(g1), 0);  // one channel: as it is
  same(img::rgb_to_hsv(im), "hsv");
  same(img::rgb_to_hsv(fx("in_special")), "hsv_special");
  same(img::rgb_to_hsv(first(im), "channels_first"), "hsv_cf");
  same(img::hsv_to_rgb(fx("in_hsv")), "rgb");
  same(img::hsv_to_rgb(ops::cast(fx("in_hsv"), DType::float64)), "rgb64", 1e-6);
  check_values(img::hsv_to_rgb(img::rgb_to_hsv(im)), values(im), 1e-5);
  CHECK_THROWS_MSG(img::rgb_to_grayscale(ops::ones({2, 2, 2})), std::invalid_argument,
                   "rgb_to_grayscale: expected 3 (RGB) or 1 (grayscale) channels, but received images.shape=(2, 2, 2)");
  CHECK_THROWS_MSG(img::rgb_to_hsv(fx("in_imgi")), std::invalid_argument,
                   "rgb_to_hsv: expected floating `images` (float32, float64), but received int32");
  CHECK_THROWS_MSG(img::hsv_to_rgb(im, "nchw"), std::invalid_argument, "expected data_format");
}

TEST_CASE("image ops: extract_patches and extract_patches_3d equal Keras's") {
  Tensor im = fx("in_img"), one = ops::squeeze(ops::slice(im, {0, 0, 0, 0}, {1, -1, -1, -1}), {0});
  same(img::extract_patches(im, {2}), "patches", 0);
  same(img::extract_patches(im, {3, 2}, {1, 2}, {1}, "same"), "patches_s1_same", 0);
  same(img::extract_patches(one, {2, 2}, {1}, {2}), "patches_dil", 0);
  same(img::extract_patches(first(im), {3}, {2}, {1}, "valid", "channels_first"), "patches_cf", 0);
  Tensor vol = fx("in_vol");
  same(img::extract_patches_3d(vol, {2}), "patches3d", 0);
  same(img::extract_patches_3d(ops::squeeze(vol, {0}), {2, 3, 2}, {1, 2, 3}, {1}, "same"), "patches3d_same", 0);
  CHECK_THROWS_MSG(img::extract_patches(im, {2, 2, 2}), std::invalid_argument,
                   "extract_patches: expected `size` of 1 or 2 values, but received 3");
  CHECK_THROWS_MSG(img::extract_patches_3d(one, {2}), std::invalid_argument,
                   "extract_patches_3d: expected an input of rank 4 (unbatched) or 5, but received shape (6, 7, 3)");
}

TEST_CASE("image ops: gaussian_blur, sobel_edges and ssim equal Keras's") {
  Tensor im = fx("in_img");
  same(img::gaussian_blur(im), "blur");
  same(img::gaussian_blur(im, {5, 3}, {1.5, 0.7}), "blur_53");
  same(img::gaussian_blur(first(im), {3, 3}, {2.0, 2.0}, "channels_first"), "blur_cf");
  same(img::sobel_edges(im), "sobel", 1e-5);
  same(img::sobel_edges(first(im), "channels_first"), "sobel_cf", 1e-5);
  Tensor a = fx("in_big1"), b = fx("in_big2");
  same(img::ssim(a, b), "ssim", 1e-5);
  same(img::ssim(a, a), "ssim_same", 1e-5);
  auto row = [](const Tensor& t) { return ops::squeeze(ops::slice(t, {0, 0, 0, 0}, {1, -1, -1, -1}), {0}); };
  same(img::ssim(row(a) * 255.0, row(b) * 255.0, {.max_val = 255.0, .filter_size = 7, .filter_sigma = 1.0, .k1 = 0.02, .k2 = 0.05}),
       "ssim_opts", 1e-5);
  CHECK_THROWS_MSG(img::gaussian_blur(im, {3}, {1.0}), std::invalid_argument, "gaussian_blur: expected kernel_size");
  CHECK_THROWS_MSG(img::sobel_edges(ops::ones({4, 4, 1})), std::invalid_argument,
                   "sobel_edges: expected batched images of rank 4, but received shape (4, 4, 1)");
  CHECK_THROWS_MSG(img::ssim(a, ops::ones({2, 16, 14, 1})), std::invalid_argument,
                   "ssim: expected image1 and image2 of one shape and dtype");
  CHECK_THROWS_MSG(img::ssim(im, im), std::invalid_argument, "ssim: expected images at least filter_size 11");
}

KERAS_OPS_NAME("image.map_coordinates",
               (void)ops::image::map_coordinates(ops::ones({3, 3}), ops::zeros({2, 4}), 1));
KERAS_OPS_NAME("image.perspective_transform",
               auto p = core::constant({{0.0f, 0.0f}, {3.0f, 0.0f}, {0.0f, 3.0f}, {3.0f, 3.0f}});
               (void)ops::image::perspective_transform(ops::ones({4, 4, 1}), p, p));

TEST_CASE("image ops: map_coordinates equals Keras's in every fill mode, order 0 and 1") {
  Tensor grid = fx("in_grid"), coords = fx("in_coords");
  for (int order : {0, 1})
    for (std::string mode : {"constant", "nearest", "wrap", "mirror", "reflect"})
      same(img::map_coordinates(grid, coords, order, mode, 0.5), "mc_" + std::to_string(order) + "_" + mode, 1e-6);
  same(img::map_coordinates(fx("in_volm"), fx("in_c3"), 1, "reflect"), "mc_3d", 1e-12);
  same(img::map_coordinates(fx("in_gi"), ops::slice(coords, {0, 0, 0}, {-1, 2, -1}), 1, "nearest"), "mc_int", 0);
  CHECK_THROWS_MSG(img::map_coordinates(grid, ops::zeros({3, 4}), 1), std::invalid_argument,
                   "map_coordinates: the first dim of `coordinates` must be the rank of `inputs` (2)");
  CHECK_THROWS_MSG(img::map_coordinates(grid, coords, 3), std::invalid_argument, "expected order 0 or 1, but received 3");
  CHECK_THROWS_MSG(img::map_coordinates(grid, coords, 1, "edge"), std::invalid_argument, "expected fill_mode one of");
  CHECK_THROWS_MSG(img::map_coordinates(grid, ops::zeros({2}), 1), std::invalid_argument,
                   "invalid coordinates rank: expected at least rank 2");
}

TEST_CASE("image ops: perspective_transform equals Keras's") {
  Tensor im = fx("in_img"), s = fx("in_start"), e = fx("in_end");
  same(img::perspective_transform(im, s, e), "persp", 1e-4);
  Tensor one = ops::squeeze(ops::slice(im, {0, 0, 0, 0}, {1, -1, -1, -1}), {0});
  same(img::perspective_transform(one, s, e, "nearest", 0.25), "persp_nearest", 1e-5);
  same(img::perspective_transform(im, ops::stack({s, e}), ops::stack({e, s})), "persp_batch", 1e-4);
  CHECK_THROWS_MSG(img::perspective_transform(im, ops::ones({3, 2}), e), std::invalid_argument,
                   "perspective_transform: expected start_points of shape (4, 2) or (N, 4, 2), but received shape (3, 2)");
  CHECK_THROWS_MSG(img::perspective_transform(im, s, ops::stack({e, e})), std::invalid_argument,
                   "start_points and end_points must have the same shape");
  // perspective_matrix: its homography takes each end point to its start point.
  const Tensor m = img::perspective_matrix(s, e);
  REQUIRE(m.shape() == core::Shape{1, 8});
  const std::vector<float> k = m.to_vector<float>(), sp = ops::cast(s, DType::float32).to_vector<float>(),
                           ep = ops::cast(e, DType::float32).to_vector<float>();
  for (size_t p = 0; p < 4; ++p) {
    const float x = ep[2 * p], y = ep[2 * p + 1], d = k[6] * x + k[7] * y + 1;
    CHECK(std::abs((k[0] * x + k[1] * y + k[2]) / d - sp[2 * p]) < 1e-2f);
    CHECK(std::abs((k[3] * x + k[4] * y + k[5]) / d - sp[2 * p + 1]) < 1e-2f);
  }
  CHECK_THROWS_MSG(img::perspective_matrix(ops::ones({3, 2}), e), std::invalid_argument,
                   "perspective_matrix: expected start_points of shape (4, 2) or (N, 4, 2)");
}

KERAS_OPS_NAME("image.scale_and_translate",
               (void)ops::image::scale_and_translate(ops::ones({4, 4, 1}), {8, 8, 1}, {2.0, 2.0}, {0.0, 0.0}, {0, 1},
                                                     "bilinear"));
KERAS_OPS_NAME("image.elastic_transform", (void)ops::image::elastic_transform(ops::ones({4, 4, 1}), {.seed = 1}));

TEST_CASE("image ops: scale_and_translate equals Keras's (every kernel, antialias, integers)") {
  Tensor x = fx("in_sat");
  for (std::string m : {"linear", "cubic", "lanczos3", "lanczos5"})
    same(img::scale_and_translate(x, {1, 8, 4, 2}, {1.6, 0.7}, {0.3, -0.5}, {1, 2}, m), "sat_" + m, 1e-5);
  same(img::scale_and_translate(x, {1, 3, 3, 2}, {0.6, 0.5}, {0.0, 0.2}, {1, 2}, "bilinear", false), "sat_noaa", 1e-5);
  same(img::scale_and_translate(x, {1, 5, 6, 2}, {1.0, 1.0}, {3.0, -4.5}, {1, 2}, "cubic"), "sat_out", 1e-5);
  // Integers (which Keras's TensorFlow backend fails on): rounded and clipped to the input's range.
  Tensor ints = core::constant({{0, 200, 10}, {50, 7, 255}});
  Tensor up = img::scale_and_translate(ints, {2, 7}, {2.3}, {0.1}, {1}, "lanczos3");
  CHECK(up.dtype() == DType::int32);
  CHECK(ops::min(up).item<int>() >= 0);
  CHECK(ops::max(up).item<int>() <= 255);
  check_values(img::scale_and_translate(ints, {2, 3}, {1.0}, {0.0}, {1}, "cubic"), values(ints), 0);
  CHECK_THROWS_MSG(img::scale_and_translate(x, {1, 8, 4, 2}, {1.6}, {0.3, 0.1}, {1, 2}, "linear"), std::invalid_argument,
                   "scale_and_translate: expected one scale and one translation per spatial dim (2)");
  CHECK_THROWS_MSG(img::scale_and_translate(x, {8, 4}, {1.6}, {0.3}, {1}, "linear"), std::invalid_argument,
                   "expected output_shape of rank 4");
  CHECK_THROWS_MSG(img::scale_and_translate(x, {1, 8, 4, 2}, {1.6}, {0.3}, {1}, "area"), std::invalid_argument,
                   "invalid method \"area\"");
}

TEST_CASE("image ops: elastic_transform displaces reproducibly and keeps what it must") {
  Tensor x = fx("in_img");
  Tensor a = img::elastic_transform(x, {.alpha = 3.0, .sigma = 1.5, .seed = 7});
  Tensor b = img::elastic_transform(x, {.alpha = 3.0, .sigma = 1.5, .seed = 7});
  Tensor c = img::elastic_transform(x, {.alpha = 3.0, .sigma = 1.5, .seed = 8});
  CHECK(a.shape() == x.shape());
  CHECK(a.dtype() == DType::float32);
  check_values(b, values(a), 0);                                     // same seed, same fields
  CHECK(ops::max(ops::abs(a - c)).item<float>() > 1e-3f);             // another seed, other fields
  CHECK(ops::max(ops::abs(a - x)).item<float>() > 1e-3f);             // it moves pixels
  // Bilinear samples in reflect mode are convex combinations: inside the input's range.
  CHECK(ops::min(a).item<float>() >= ops::min(x).item<float>() - 1e-6f);
  CHECK(ops::max(a).item<float>() <= ops::max(x).item<float>() + 1e-6f);
  // No displacement: the image itself.
  check_values(img::elastic_transform(x, {.alpha = 0.0, .seed = 1}), values(x), 1e-6);
  Tensor one = ops::squeeze(ops::slice(x, {0, 0, 0, 0}, {1, -1, -1, -1}), {0});
  Tensor cf = img::elastic_transform(first(x), {.alpha = 3.0, .sigma = 1.5, .seed = 7, .data_format = "channels_first"});
  check_values(cf, values(first(a)), 1e-6);
  CHECK(img::elastic_transform(one, {.interpolation = "nearest", .seed = 2}).shape() == one.shape());
  CHECK_THROWS_MSG(img::elastic_transform(x, {.interpolation = "cubic"}), std::invalid_argument,
                   "elastic_transform: expected interpolation \"bilinear\" or \"nearest\"");
  CHECK_THROWS_MSG(img::elastic_transform(fx("in_imgi")), std::invalid_argument,
                   "elastic_transform: expected floating images, but received int32");
  CHECK_THROWS_MSG(img::elastic_transform(ops::ones({4, 4})), std::invalid_argument,
                   "elastic_transform: expected images of rank 3 (single image) or 4");
}
