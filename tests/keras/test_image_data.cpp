// test_image_data.cpp - the image layers on ImageData (Keras's {"images", "bounding_boxes",
// "labels", "segmentation_masks"} dict): MaxNumBoundingBoxes and RandomFlip's boxes against
// Keras 3 (tests/data/bounding_boxes, make_bounding_boxes_fixtures.py), one draw for
// images, boxes, labels and masks, and the errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "../error_of.h"
#include "../json_fixtures.h"
#include "core/image_ops.h"
#include "keras/keras.h"
#include "layer_harness.h"

namespace {
namespace bb = keras::utils::bounding_boxes;
namespace core = keras::core;
namespace ops = keras::core::ops;
namespace layers = keras::layers;
using core::DType;
using core::Shape;
using core::Tensor;
using layers::ImageData;

const keras::Value& fixture() { return th::json_fixture("bounding_boxes/bounding_boxes.json"); }

Tensor tensor(const keras::Value& v, DType dtype = DType::float32) { return th::json_tensor(v, dtype); }

bool close(const Tensor& got, const Tensor& want, double tol = 1e-4) {
  if (got.shape() != want.shape()) return false;
  return ops::max(ops::abs(ops::cast(got, DType::float64) - ops::cast(want, DType::float64))).item<double>() <= tol;
}

Tensor boxes() { return tensor(fixture().at("boxes")); }
Tensor box_labels() { return core::constant({{1, 2, 3}, {4, 5, 6}}); }
// Two distinct 40 x 60 images.
Tensor images() { return ops::reshape(ops::arange(0, 2 * 40 * 60 * 3, 1, DType::float32), {2, 40, 60, 3}); }
}  // namespace

TEST_CASE("MaxNumBoundingBoxes: boxes and labels cut or padded as Keras's, images unchanged") {
  for (int64_t n : {2, 5}) {
    const keras::Value& want = fixture().at("max_num_" + std::to_string(n));
    auto layer = layers::MaxNumBoundingBoxes(n, {.bounding_box_format = "xyxy"});
    for (bool training : {true, false}) {
      ImageData out = layer(ImageData{.images = images(), .bounding_boxes = bb::BoundingBoxes{boxes(), box_labels()}}, training);
      CHECK(close(out.images, images(), 0));
      CHECK(close(out.bounding_boxes->boxes, tensor(want.at("boxes")), 0));
      CHECK(close(out.bounding_boxes->labels, tensor(want.at("labels")), 0));
      CHECK(out.bounding_boxes->labels.dtype() == DType::int32);
    }
    // One image: (num_boxes, 4) and (num_boxes,).
    ImageData one = layer(ImageData{.images = images()[0], .bounding_boxes = bb::BoundingBoxes{boxes()[0], box_labels()[0]}});
    CHECK(one.bounding_boxes->boxes.shape() == Shape{n, 4});
    CHECK(close(one.bounding_boxes->boxes, tensor(want.at("boxes"))[0], 0));
    CHECK(one.bounding_boxes->labels.shape() == Shape{n});
  }
  auto layer = layers::MaxNumBoundingBoxes(3, {.fill_value = 0, .bounding_box_format = "rel_xyxy"});
  const keras::Config c = layer->get_config();
  CHECK(c.at("max_number").as_int() == 3);
  CHECK(c.at("bounding_box_format").as_string() == "rel_xyxy");
  CHECK(!c.contains("seed"));
  auto back = std::dynamic_pointer_cast<layers::MaxNumBoundingBoxesLayer>(layers::from_config("MaxNumBoundingBoxes", c));
  REQUIRE(back);
  CHECK(back->max_number() == 3);
  CHECK(back->fill_value() == 0);
  CHECK(back->bounding_box_format() == "rel_xyxy");
  th::throws_with<std::invalid_argument>(
      [] {
        layers::MaxNumBoundingBoxes(3)(ImageData{.images = images(), .bounding_boxes = bb::BoundingBoxes{boxes(), box_labels()}});
      },
      "you didn't specify a bounding box format. Pass a `bounding_box_format` argument to your MaxNumBoundingBoxes layer");
  th::throws_with<std::invalid_argument>([] { layers::MaxNumBoundingBoxes(0); }, "expected max_number >= 1, but received 0");
  th::throws_with<std::invalid_argument>([] { layers::MaxNumBoundingBoxes(2, {.bounding_box_format = "corners"}); },
                                         "unknown bounding_box_format \"corners\"");
}

TEST_CASE("MaxNumBoundingBoxes: the layer harness" * doctest::test_suite("layer_harness")) {
  th::run_layer_test({"max_num_bounding_boxes", [] { return layers::MaxNumBoundingBoxes(4); }, {Shape{2, 5, 6, 3}}, {},
                          {2, 5, 6, 3}, 0, 0, false});
}

TEST_CASE("RandomFlip: boxes flip with their images, as Keras's rule, in every mode and format") {
  for (const std::string mode : {"horizontal", "vertical", "horizontal_and_vertical"}) {
    for (const std::string format : {"xyxy", "rel_xywh"}) {
      const std::string key = mode + "/" + format;
      CAPTURE(key);
      const keras::Value& on = fixture().at("flip").at(key);
      const keras::Value& off = fixture().at("noflip").at(key);
      auto flip = layers::RandomFlip(mode, {.seed = 7, .bounding_box_format = format});
      const Tensor x = images();
      const Tensor masks = x[{core::Slice(), core::Slice(), core::Slice(), core::Slice(0, 1)}];
      int flipped_seen = 0, kept_seen = 0;
      for (int call = 0; call < 12; ++call) {
        ImageData out = flip(ImageData{.images = x,
                                       .bounding_boxes = bb::BoundingBoxes{tensor(on.at("input")), box_labels()},
                                       .segmentation_masks = masks});
        // The masks move exactly as the images (one draw).
        CHECK(close(*out.segmentation_masks, out.images[{core::Slice(), core::Slice(), core::Slice(), core::Slice(0, 1)}], 0));
        for (int64_t i = 0; i < 2; ++i) {
          const bool kept = close(out.images[i], x[i], 0);
          (kept ? kept_seen : flipped_seen) += 1;
          const keras::Value& want = kept ? off : on;
          CHECK(close(out.bounding_boxes->boxes[i], tensor(want.at("boxes"))[i], 1e-4));
          CHECK(close(out.bounding_boxes->labels[i], tensor(want.at("labels"))[i], 0));
        }
      }
      CHECK(flipped_seen > 0);
      CHECK(kept_seen > 0);
      // Inference: everything unchanged.
      ImageData still = flip(ImageData{.images = x, .bounding_boxes = bb::BoundingBoxes{tensor(on.at("input")), box_labels()}}, false);
      CHECK(close(still.bounding_boxes->boxes, tensor(on.at("input")), 0));
    }
  }
}

TEST_CASE("RandomRotation, RandomTranslation, RandomZoom: boxes move as Keras's for a fixed map") {
  const keras::Value& f = fixture().at("affine_layers");
  const auto check = [&](const keras::LayerPtr& layer, const std::vector<std::string>& keys) {
    auto* image_layer = dynamic_cast<layers::ImagePreprocessingLayer*>(layer.get());
    REQUIRE(image_layer);
    std::set<std::string> seen;
    for (int call = 0; call < 8; ++call) {
      ImageData out = (*image_layer)(ImageData{.images = images(), .bounding_boxes = bb::BoundingBoxes{boxes(), box_labels()}});
      for (int64_t i = 0; i < 2; ++i) {
        bool matched = false;
        for (const std::string& key : keys)
          if (close(out.bounding_boxes->boxes[i], tensor(f.at(key).at("boxes"))[i], 2e-3) &&
              close(out.bounding_boxes->labels[i], tensor(f.at(key).at("labels"))[i], 0)) {
            matched = true;
            seen.insert(key);
          }
        CHECK_MESSAGE(matched, layer->name() << " image " << i);
      }
    }
    CHECK(seen.size() == keys.size());  // (both shear signs drawn)
  };
  check(layers::RandomRotation(layers::FactorArg(0.1, 0.1), {.bounding_box_format = "xyxy"}), {"rotation"});
  check(layers::RandomTranslation(layers::FactorArg(0.1, 0.1), layers::FactorArg(-0.2, -0.2), {.bounding_box_format = "xyxy"}),
        {"translation"});
  check(layers::RandomZoom(layers::FactorArg(0.2, 0.2), {.width_factor = layers::FactorArg(-0.1, -0.1), .bounding_box_format = "xyxy"}),
        {"zoom"});
  // Another format: the same boxes, converted.
  auto rot = layers::RandomRotation(layers::FactorArg(0.1, 0.1), {.bounding_box_format = "rel_yxyx"});
  const bb::ConvertOptions size{.height = 40, .width = 60};
  ImageData out = rot(ImageData{.images = images(),
                                .bounding_boxes = bb::BoundingBoxes{bb::convert_format(boxes(), "xyxy", "rel_yxyx", size), box_labels()}});
  CHECK(close(bb::convert_format(out.bounding_boxes->boxes, "rel_yxyx", "xyxy", size), tensor(f.at("rotation").at("boxes")), 2e-3));
}

TEST_CASE("Resizing and CenterCrop: boxes as Keras's, in training and inference; masks move with the images") {
  const keras::Value& f = fixture().at("resize_layers");
  struct Case {
    const char* key;
    keras::LayerPtr layer;
  };
  const std::vector<Case> cases = {
      {"stretch", layers::Resizing(30, 50, {.bounding_box_format = "xyxy"})},
      {"crop", layers::Resizing(30, 30, {.crop_to_aspect_ratio = true, .bounding_box_format = "xyxy"})},
      {"pad", layers::Resizing(30, 30, {.pad_to_aspect_ratio = true, .bounding_box_format = "xyxy"})},
      {"pad_tall", layers::Resizing(40, 10, {.pad_to_aspect_ratio = true, .bounding_box_format = "xyxy"})},
      {"center_crop", layers::CenterCrop(30, 40, {.bounding_box_format = "xyxy"})},
      {"center_crop_small", layers::CenterCrop(50, 50, {.bounding_box_format = "xyxy"})}};
  for (const Case& c : cases) {
    CAPTURE(c.key);
    auto* layer = dynamic_cast<layers::ImagePreprocessingLayer*>(c.layer.get());
    REQUIRE(layer);
    for (bool training : {true, false}) {
      const Tensor x = images();
      ImageData out = (*layer)(ImageData{.images = x, .bounding_boxes = bb::BoundingBoxes{boxes(), box_labels()},
                                         .segmentation_masks = x}, training);
      CHECK(close(out.images, (*c.layer)(x, training), 0));
      CHECK(close(out.bounding_boxes->boxes, tensor(f.at(c.key).at("boxes")), 1e-3));
      CHECK(close(out.bounding_boxes->labels, tensor(f.at(c.key).at("labels")), 0));
      CHECK(out.segmentation_masks->shape() == out.images.shape());
    }
    CHECK(!c.layer->get_config().contains("seed"));
  }
  // Resizing's masks are sampled at the nearest pixel (no blended labels).
  auto resize = layers::Resizing(30, 50);
  const Tensor mask = ops::cast(ops::greater(images(), core::constant(7000.f)), DType::float32);
  ImageData out = resize(ImageData{.images = images(), .segmentation_masks = mask});
  CHECK(close(*out.segmentation_masks, ops::image::resize(mask, {30, 50}, {.interpolation = "nearest"}), 0));
}

// Masks (2, 40, 60, 1) that fill each image's first box (boxes (2, 1, 4), xyxy).
Tensor box_mask(const Tensor& box) {
  std::vector<float> m(2 * 40 * 60, 0.f);
  for (int64_t i = 0; i < 2; ++i) {
    const std::vector<float> b = box[i].to_vector<float>();
    for (int64_t y = int64_t(b[1]); y < int64_t(b[3]); ++y)
      for (int64_t x = int64_t(b[0]); x < int64_t(b[2]); ++x) m[size_t((i * 40 + y) * 60 + x)] = 1.f;
  }
  return core::constant(m, Shape{2, 40, 60, 1});
}

// The extent (x1, y1, x2, y2) of a mask's pixels above 1/2, from a (h, w, 1) mask,
// leaving out `margin` pixels at each edge.
std::vector<double> extent(const Tensor& mask, int64_t margin = 0) {
  const int64_t h = mask.shape()[0], w = mask.shape()[1];
  const std::vector<float> v = ops::cast(mask, DType::float32).to_vector<float>();
  double x1 = w, y1 = h, x2 = 0, y2 = 0;
  for (int64_t y = margin; y < h - margin; ++y)
    for (int64_t x = margin; x < w - margin; ++x)
      if (v[size_t(y * w + x)] > 0.5f) {
        x1 = std::min(x1, double(x));
        y1 = std::min(y1, double(y));
        x2 = std::max(x2, double(x + 1));
        y2 = std::max(y2, double(y + 1));
      }
  return {x1, y1, x2, y2};
}

TEST_CASE("The geometric layers' boxes bound the moved pixels of the box (affine maps, perspective, crops)") {
  // A mask that fills each image's first box: after the layer, the box it gets bounds the
  // mask's moved pixels within a pixel (nearest sampling, no fill).
  const Tensor box = ops::reshape(core::constant({12.f, 8.f, 30.f, 22.f, 20.f, 10.f, 44.f, 30.f}), {2, 1, 4});
  const Tensor mask = box_mask(box);
  const layers::RandomAffineOptions o{.fill_mode = "constant", .interpolation = "nearest", .seed = 9, .bounding_box_format = "xyxy"};
  std::vector<keras::LayerPtr> maps = {layers::RandomShear(0.3, 0.3, o), layers::RandomRotation(0.08, o),
                                       layers::RandomTranslation(0.1, 0.1, o),
                                       layers::RandomZoom(0.2, {.fill_mode = "constant", .interpolation = "nearest",
                                                                .seed = 9, .bounding_box_format = "xyxy"})};
  maps.push_back(layers::RandomPerspective({.scale = 0.3, .interpolation = "nearest", .seed = 9, .bounding_box_format = "xyxy"}));
  // RandomCrop: a window of the image, or (a larger target) the centered window resized;
  // CenterCrop likewise.
  maps.push_back(layers::CenterCrop(30, 40, {.bounding_box_format = "xyxy"}));
  maps.push_back(layers::CenterCrop(48, 66, {.bounding_box_format = "xyxy"}));
  maps.push_back(layers::RandomCrop(30, 40, {.seed = 9, .bounding_box_format = "xyxy"}));
  maps.push_back(layers::RandomCrop(48, 66, {.seed = 9, .bounding_box_format = "xyxy"}));
  for (const keras::LayerPtr& layer : maps) {
    auto* image_layer = dynamic_cast<layers::ImagePreprocessingLayer*>(layer.get());
    for (int call = 0; call < 4; ++call) {
      ImageData out = (*image_layer)(ImageData{.images = mask, .bounding_boxes = bb::BoundingBoxes{box, core::constant({{1}, {2}})},
                                               .segmentation_masks = mask});
      for (int64_t i = 0; i < 2; ++i) {
        CAPTURE(layer->name());
        CAPTURE(i);
        const std::vector<double> e = extent((*out.segmentation_masks)[i]);
        const std::vector<float> b = out.bounding_boxes->boxes[i][0].to_vector<float>();
        for (int k = 0; k < 4; ++k) CHECK(std::abs(double(b[size_t(k)]) - e[size_t(k)]) <= 1.5);
      }
    }
  }
}

TEST_CASE("RandAugment moves boxes and masks with its drawn operations") {
  // A centered box filled in the mask, away from the borders (the operations reflect at
  // the edges: the reflected copies that reach the image's corners are left out, 6 pixels
  // from each edge). One operation per call: the box bounds the moved mask within a pixel and
  // a half (a color operation leaves both); two: the box still holds the mask.
  const Tensor box = ops::reshape(core::constant({22.f, 14.f, 38.f, 26.f, 24.f, 12.f, 34.f, 28.f}), {2, 1, 4});
  const Tensor mask = box_mask(box);
  for (int64_t num_ops : {1, 2}) {
    auto aug = layers::RandAugment({.value_range = {0, 1}, .num_ops = num_ops, .factor = 0.2,
                                    .interpolation = "nearest", .seed = 21, .bounding_box_format = "xyxy"});
    int moved = 0;
    for (int call = 0; call < 12; ++call) {
      ImageData out = (*aug)(ImageData{.images = mask, .bounding_boxes = bb::BoundingBoxes{box, core::constant({{1}, {2}})},
                                       .segmentation_masks = mask});
      REQUIRE(out.segmentation_masks->shape() == mask.shape());
      moved += close(*out.segmentation_masks, mask, 0) ? 0 : 1;
      for (int64_t i = 0; i < 2; ++i) {
        CAPTURE(num_ops);
        CAPTURE(call);
        CAPTURE(i);
        const std::vector<double> e = extent((*out.segmentation_masks)[i], 6);
        const std::vector<float> b = out.bounding_boxes->boxes[i][0].to_vector<float>();
        if (num_ops == 1) {
          for (int k = 0; k < 4; ++k) CHECK(std::abs(double(b[size_t(k)]) - e[size_t(k)]) <= 1.5);
        } else {
          CHECK(b[0] <= e[0] + 1.5);
          CHECK(b[1] <= e[1] + 1.5);
          CHECK(b[2] >= e[2] - 1.5);
          CHECK(b[3] >= e[3] - 1.5);
        }
      }
    }
    CHECK(moved > 0);   // some calls drew a geometric operation
    CHECK(moved < 12);  // and some a color one
  }
  // In inference both pass through; without a format boxes raise naming RandAugment.
  auto aug = layers::RandAugment({.seed = 2, .bounding_box_format = "xyxy"});
  ImageData same = (*aug)(ImageData{.images = mask, .bounding_boxes = bb::BoundingBoxes{box, core::constant({{1}, {2}})},
                                    .segmentation_masks = mask}, false);
  CHECK(close(same.bounding_boxes->boxes, box, 0));
  CHECK(close(*same.segmentation_masks, mask, 0));
  auto no_format = layers::RandAugment({.seed = 2});
  th::throws_with<std::invalid_argument>(
      [&] { (*no_format)(ImageData{.images = mask, .bounding_boxes = bb::BoundingBoxes{box, core::constant({{1}, {2}})}}); },
      "Pass a `bounding_box_format` argument to your RandAugment layer");
}

TEST_CASE("AugMix mixes the masks' chains with the images' draws and weights") {
  // Masks go through each chain's operations (geometric ones move them, color ones keep
  // them) and are mixed with the same weights: a constant mask stays constant (the
  // weights sum to one), a mask with content moves, and the images equal a plain call's.
  const Tensor x = images() / 14400.0f;  // in [0, 1]
  const Tensor ones = ops::ones({2, 40, 60, 1}), zeros = ops::zeros({2, 40, 60, 1});
  auto a = layers::AugMix({.value_range = {0, 1}, .seed = 4});
  auto b = layers::AugMix({.value_range = {0, 1}, .seed = 4});
  int moved = 0;
  for (int call = 0; call < 4; ++call) {
    ImageData out = (*a)(ImageData{.images = x, .segmentation_masks = ones});
    CHECK(close(out.images, (*b)(x, true), 0));
    CHECK(close(*out.segmentation_masks, ones, 1e-5));
    ImageData moved_out = (*a)(ImageData{.images = x, .segmentation_masks = x});
    moved += close(*moved_out.segmentation_masks, x, 1e-4) ? 0 : 1;
    (*b)(x, true);  // keeps b's draws in step with a's
    CHECK(close(*(*a)(ImageData{.images = x, .segmentation_masks = zeros}).segmentation_masks, zeros, 0));
    (*b)(x, true);
  }
  CHECK(moved > 0);
  // Inference leaves them.
  CHECK(close(*(*a)(ImageData{.images = x, .segmentation_masks = x}, false).segmentation_masks, x, 0));
}

TEST_CASE("ImageData: the images equal the plain call's for a seed; labels and masks follow one draw") {
  // The dict call and the tensor call draw the same transformation from the same state.
  auto a = layers::RandomRotation(0.2, {.seed = 3});
  auto b = layers::RandomRotation(0.2, {.seed = 3});
  for (int call = 0; call < 3; ++call) CHECK(close(a(ImageData{.images = images()}).images, b(images(), true), 0));
  // Rotated masks equal the rotated images' first channel (nearest fill of the same map).
  auto r = layers::RandomRotation(0.2, {.seed = 4});
  const Tensor x = images();
  ImageData out = r(ImageData{.images = x, .segmentation_masks = x});
  CHECK(close(*out.segmentation_masks, out.images, 1e-3));
  // MixUp: labels mixed with the images' weights; one-hot labels keep summing to 1.
  auto mix = layers::MixUp({.seed = 5});
  const Tensor labels = ops::one_hot(core::constant({0, 1}), 3);
  ImageData mixed = mix(ImageData{.images = x, .labels = labels});
  CHECK(mixed.labels->shape() == labels.shape());
  CHECK(close(ops::sum(*mixed.labels, {1}), ops::ones({2}), 1e-5));
  // MixUp's boxes: each image keeps its boxes and gains its partner's (Keras's rule; the
  // labels per image here, where Keras concatenates them along the batch).
  auto mix_boxes = layers::MixUp({.seed = 6, .bounding_box_format = "xyxy"});
  ImageData with_boxes = mix_boxes(ImageData{.images = x, .bounding_boxes = bb::BoundingBoxes{boxes(), box_labels()}});
  REQUIRE(with_boxes.bounding_boxes->boxes.shape() == Shape{2, 6, 4});
  REQUIRE(with_boxes.bounding_boxes->labels.shape() == Shape{2, 6});
  for (int64_t i = 0; i < 2; ++i) {
    const Tensor own = with_boxes.bounding_boxes->boxes[i][{core::Slice(0, 3)}];
    const Tensor other = with_boxes.bounding_boxes->boxes[i][{core::Slice(3, 6)}];
    CHECK(close(own, boxes()[i], 0));
    const int64_t partner = close(other, boxes()[0], 0) ? 0 : 1;
    CHECK(close(other, boxes()[partner], 0));
    CHECK(close(with_boxes.bounding_boxes->labels[i][{core::Slice(3, 6)}], box_labels()[partner], 0));
  }
  // A layer that does not move pixels passes boxes and masks through, without a format.
  auto bright = layers::RandomBrightness(0.3, {.seed = 1});
  ImageData lit = bright(ImageData{.images = x, .bounding_boxes = bb::BoundingBoxes{boxes(), box_labels()}, .segmentation_masks = x});
  CHECK(close(lit.bounding_boxes->boxes, boxes(), 0));
  CHECK(close(*lit.segmentation_masks, x, 0));
}

TEST_CASE("ImageData: bad shapes and unsupported boxes raise, naming the layer") {
  auto flip = layers::RandomFlip("horizontal", {.bounding_box_format = "xyxy"});
  th::throws_with<std::invalid_argument>(
      [&] { flip(ImageData{.images = images(), .bounding_boxes = bb::BoundingBoxes{boxes()[0], box_labels()[0]}}); },
      "expected bounding boxes (batch, num_boxes, 4) with labels (batch, num_boxes) for images of shape (2, 40, 60, 3), "
      "but received boxes (3, 4) and labels (3,)");
  th::throws_with<std::invalid_argument>(
      [&] { flip(ImageData{.images = images(), .bounding_boxes = bb::BoundingBoxes{boxes(), box_labels()[0]}}); },
      "but received boxes (2, 3, 4) and labels (3,)");
  th::throws_with<std::invalid_argument>(
      [&] { flip(ImageData{.images = images(), .segmentation_masks = ops::zeros({40, 60, 1})}); },
      "expected segmentation masks of rank 4");
  th::throws_with<std::invalid_argument>(
      [&] { flip(ImageData{.images = images(), .labels = ops::zeros({3})}); }, "expected labels with the images' batch (2)");
  auto elastic = layers::RandomElasticTransform({.seed = 1});
  th::throws_with<std::invalid_argument>(
      [&] { elastic(ImageData{.images = images(), .bounding_boxes = bb::BoundingBoxes{boxes(), box_labels()}}); },
      "bounding boxes are not supported by this layer yet (it moves pixels");
  auto rotate = layers::RandomRotation(0.1);
  th::throws_with<std::invalid_argument>(
      [&] { rotate(ImageData{.images = images(), .bounding_boxes = bb::BoundingBoxes{boxes(), box_labels()}}); },
      "Pass a `bounding_box_format` argument to your RandomRotation layer");
  auto cut = layers::CutMix({.seed = 1, .bounding_box_format = "xyxy"});
  th::throws_with<std::invalid_argument>(
      [&] { cut(ImageData{.images = images(), .bounding_boxes = bb::BoundingBoxes{boxes(), box_labels()}}); },
      "bounding boxes are not supported by this layer yet");
  // AugMix passes the boxes through unchanged, as Keras (its images blend several warps).
  auto aug = layers::AugMix({.seed = 1, .bounding_box_format = "xyxy"});
  const ImageData mixed =
      aug(ImageData{.images = images() / 14400.0f, .bounding_boxes = bb::BoundingBoxes{boxes(), box_labels()}});
  CHECK(th::values(mixed.bounding_boxes->boxes) == th::values(boxes()));
  CHECK(th::values(mixed.bounding_boxes->labels) == th::values(box_labels()));
  CHECK(th::values(mixed.images) != th::values(images() / 14400.0f));
}
