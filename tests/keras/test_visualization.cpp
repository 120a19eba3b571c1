// test_visualization.cpp - keras::visualization::draw_segmentation_masks against Keras 3.15:
// the values below are what keras.visualization.draw_segmentation_masks returned for the
// same images ((i * 7) % 256, 2 x 2 x 3 x 3) and masks.
#include <stdexcept>

#include "helpers.h"
#include "keras/keras.h"

using namespace th;
namespace vis = keras::visualization;

namespace {
Tensor images() {
  std::vector<double> v(36);
  for (size_t i = 0; i < v.size(); ++i) v[i] = double((i * 7) % 256);
  return make(v, Shape{2, 2, 3, 3});
}
Tensor masks() { return core::constant(std::vector<int32_t>{0, 1, 2, 3, -1, 1, 2, 2, 0, 1, 3, 3}, Shape{2, 2, 3, 1}); }
std::vector<double> as_doubles(const std::vector<int>& v) { return std::vector<double>(v.begin(), v.end()); }
}  // namespace

TEST_CASE("draw_segmentation_masks: Keras 3's palette, blend, inferred classes, ignore_index, color_mapping") {
  Tensor a = vis::draw_segmentation_masks(images(), masks());  // num_classes = max = 3: class 3 undrawn
  CHECK(a.dtype() == DType::uint8);
  CHECK(a.shape() == Shape{2, 2, 3, 3});
  check_values(a, as_doubles({0,  1,   2,   5,   107, 31,  10,  213, 60,  63,  70,  77,  84,  91,  98,  21,  124, 48,
                              26, 229, 77,  31,  234, 81,  33,  35,  36,  38,  140, 65,  210, 217, 224, 231, 238, 245}),
               0);
  Tensor b = vis::draw_segmentation_masks(images(), masks(), {.num_classes = 4, .alpha = 0.5});
  check_values(b, as_doubles({0,  3,   7,   11,  77,  33,  22,  151, 59,  33,  98,  85,  84,  91,  98,  53,  119, 75,
                              64, 193, 101, 74,  204, 111, 84,  87,  91,  95,  161, 117, 106, 171, 158, 117, 182, 169}),
               0);
  Tensor c = vis::draw_segmentation_masks(images(), masks(), {.num_classes = 4, .blend = false});
  CHECK(c.dtype() == DType::float32);
  check_values(c, as_doubles({0, 0,   0,  1, 127, 31, 2, 254, 62, 3, 126, 93, 84, 91,  98, 1, 127, 31,
                              2, 254, 62, 2, 254, 62, 0, 0,   0,  1, 127, 31, 3,  126, 93, 3, 126, 93}),
               0);
  Tensor d = vis::draw_segmentation_masks(
      images(), masks(),
      {.num_classes = 4,
       .color_mapping = {{0, {1, 2, 3}}, {1, {10, 20, 30}}, {2, {100, 0, 0}}, {3, {0, 0, 255}}},
       .alpha = 0.25,
       .ignore_index = 2});
  check_values(d, as_doubles({0,   5,   11,  18,  26,  33,  42,  49,  56,  47,  52,  121, 84,  91,  98,  81,  89,  96,
                              126, 133, 140, 147, 154, 161, 126, 131, 137, 144, 152, 159, 157, 162, 231, 173, 178, 247}),
               0);
  // channels_first in, channels last out (as Keras returns it); 3-D masks as Keras documents.
  Tensor e = vis::draw_segmentation_masks(ops::transpose(images(), {0, 3, 1, 2}), ops::transpose(masks(), {0, 3, 1, 2}),
                                          {.num_classes = 4, .alpha = 0.5, .data_format = "channels_first"});
  CHECK(values(e) == values(b));
  CHECK(values(vis::draw_segmentation_masks(images(), ops::squeeze(masks(), {3}), {.num_classes = 4, .alpha = 0.5})) ==
        values(b));

  CHECK_THROWS_MSG(vis::draw_segmentation_masks(ops::take(images(), core::constant(int64_t{0}), 0), masks()),
                   std::invalid_argument, "`images` must be batched 4D tensor. Received: images.shape=(2, 3, 3)");
  CHECK_THROWS_MSG(vis::draw_segmentation_masks(images(), ops::cast(masks(), DType::float32)), std::invalid_argument,
                   "`segmentation_masks` must be in integer dtype. Received: segmentation_masks.dtype=float32");
  CHECK_THROWS_MSG(vis::draw_segmentation_masks(images(), masks(), {.num_classes = 2, .color_mapping = {{0, {1, 2, 3}}}}),
                   std::invalid_argument, "color_mapping has no color for class 1");
  CHECK_THROWS_MSG(vis::draw_segmentation_masks(images(), ops::ones({2, 2, 2, 1}, DType::int32)), std::invalid_argument,
                   "expected segmentation_masks of shape (2, 2, 3, 1) for images of shape (2, 2, 3, 3), but received "
                   "(2, 2, 2, 1)");
}
