// test_bounding_boxes.cpp - keras::utils::bounding_boxes against Keras 3's functions on the
// boxes of tests/data/bounding_boxes/bounding_boxes.json (make_bounding_boxes_fixtures.py).
#include <doctest/doctest.h>

#include <string>

#include "../error_of.h"
#include "../json_fixtures.h"
#include "keras/utils/bounding_boxes.h"

namespace {
namespace bb = keras::utils::bounding_boxes;
namespace core = keras::core;
namespace ops = keras::core::ops;
using core::DType;
using core::Tensor;

const keras::Value& fixture() { return th::json_fixture("bounding_boxes/bounding_boxes.json"); }

Tensor tensor(const keras::Value& v, DType dtype = DType::float32) { return th::json_tensor(v, dtype); }

void check_close(const Tensor& got, const keras::Value& want, const std::string& what, double tol = 1e-4) {
  INFO(what);
  const Tensor w = tensor(want, DType::float64);
  REQUIRE(got.shape() == w.shape());
  const Tensor diff = ops::abs(ops::cast(got, DType::float64) - w);
  CHECK(ops::max(diff).item<double>() <= tol * (1.0 + ops::max(ops::abs(w)).item<double>()));
}

Tensor boxes() { return tensor(fixture().at("boxes")); }
const double kH = 40, kW = 60;
}  // namespace

TEST_CASE("bounding_boxes: convert_format between every pair of Keras's 9 formats") {
  const keras::Value& conv = fixture().at("convert");
  CHECK(bb::supported_formats().size() == 9);
  for (const std::string& src : bb::supported_formats()) {
    const Tensor input = tensor(conv.at(src).at("input"));
    for (const std::string& tgt : bb::supported_formats())
      check_close(bb::convert_format(input, src, tgt, {.height = kH, .width = kW}), conv.at(src).at(tgt), src + " -> " + tgt);
  }
  // Case-insensitive; the labels ride along; a dtype.
  const Tensor upper = bb::convert_format(boxes(), "XYXY", "CENTER_xywh");
  check_close(upper, conv.at("xyxy").at("center_xywh"), "upper case");
  const Tensor labels = core::constant({1, 2});
  const bb::BoundingBoxes with_labels = bb::convert_format(bb::BoundingBoxes{boxes(), labels}, "xyxy", "yxyx");
  CHECK(with_labels.labels.shape() == labels.shape());
  CHECK(bb::convert_format(boxes(), "xyxy", "xywh", {.dtype = DType::float64}).dtype() == DType::float64);
}

TEST_CASE("bounding_boxes: convert_format's errors name what is wrong") {
  th::throws_with<std::invalid_argument>([] { bb::convert_format(boxes(), "xyxy", "corners"); },
                                         "Supported formats: ('xyxy', 'yxyx', 'xywh'");
  th::throws_with<std::invalid_argument>([] { bb::convert_format(boxes(), "xyxy", "rel_xyxy"); },
                                         "must receive `height` and `width`");
  th::throws_with<std::invalid_argument>([] { bb::convert_format(ops::zeros({2, 3}), "xyxy", "xywh"); },
                                         "last dimension of 4. Received: boxes.shape=(2, 3)");
}

TEST_CASE("bounding_boxes: clip_to_image_size clips and marks empty boxes with label -1") {
  const keras::Value& f = fixture();
  const Tensor labels = core::constant({{1, 2, 3}, {4, 5, 6}});
  bb::BoundingBoxes c = bb::clip_to_image_size({boxes(), labels}, {.height = kH, .width = kW});
  check_close(c.boxes, f.at("clip").at("boxes"), "clipped");
  check_close(c.labels, f.at("clip").at("labels"), "labels");
  CHECK(c.labels.dtype() == DType::int32);
  const keras::Value& d = f.at("clip_degenerate");
  c = bb::clip_to_image_size({tensor(d.at("boxes")), core::constant({{7, 8, 9}})}, {.height = kH, .width = kW});
  check_close(c.boxes, d.at("out_boxes"), "degenerate boxes");
  check_close(c.labels, d.at("labels"), "degenerate labels");
  const keras::Value& r = f.at("clip_rel");
  c = bb::clip_to_image_size({tensor(r.at("boxes")), labels}, {.bounding_box_format = "rel_xyxy"});
  check_close(c.boxes, r.at("out_boxes"), "relative");
  check_close(c.labels, r.at("labels"), "relative labels");
  th::throws_with<std::invalid_argument>([&] { bb::clip_to_image_size({boxes(), labels}); },
                                         "`height` and `width` must be set");
  th::throws_with<std::invalid_argument>(
      [&] { bb::clip_to_image_size({boxes(), labels}, {.height = 1, .width = 1, .bounding_box_format = "xywh"}); },
      "\"xyxy\" or \"rel_xyxy\"");
}

TEST_CASE("bounding_boxes: affine_transform, crop and pad equal Keras's") {
  const keras::Value& a = fixture().at("affine");
  const auto vec = [&](const char* key) { return ops::cast(core::constant(th::numbers(a.at(key))), DType::float32); };
  bb::AffineTransformation t{.angle = vec("angle"), .translate_x = vec("translate_x"), .translate_y = vec("translate_y"),
                             .scale = vec("scale"), .shear_x = vec("shear_x"), .shear_y = vec("shear_y")};
  check_close(bb::affine_transform(boxes(), t, kH, kW), a.at("out"), "affine about the centre");
  t.center_x = vec("center_x");
  t.center_y = vec("center_y");
  check_close(bb::affine_transform(boxes(), t, kH, kW), a.at("out_center"), "affine about a given centre");
  th::throws_with<std::invalid_argument>([&] { bb::affine_transform(boxes(), t, kH, kW, "xywh"); }, "only bounding_box_format \"xyxy\"");
  check_close(bb::crop(boxes(), 5, 8, 30, 40), fixture().at("crop"), "crop");
  check_close(bb::pad(boxes(), 5, 8), fixture().at("pad"), "pad");
}

TEST_CASE("bounding_boxes: anchor deltas encode and decode as Keras's") {
  const keras::Value& f = fixture();
  const Tensor anchors = tensor(f.at("anchors"));
  struct Case {
    const char* name;
    bb::DeltaOptions options;
  };
  for (const Case& c : {Case{"default", {}}, Case{"variance", {.variance = {0.1, 0.1, 0.2, 0.2}}},
                        Case{"xywh", {.encoding_format = "center_xywh"}}}) {
    const Tensor d = bb::encode_box_to_deltas(anchors, boxes(), "xyxy", "xyxy", c.options);
    check_close(d, f.at(std::string("deltas_") + c.name).at("deltas"), std::string(c.name) + " deltas");
    check_close(bb::decode_deltas_to_boxes(anchors, d, "xyxy", "xywh", c.options),
                f.at(std::string("deltas_") + c.name).at("decoded_xywh"), std::string(c.name) + " decoded");
  }
  const Tensor rel = bb::encode_box_to_deltas(anchors / 100.0f, boxes() / 100.0f, "rel_xyxy", "rel_yxyx",
                                              {.image_size = std::pair(kH, kW)});
  check_close(rel, f.at("deltas_rel"), "relative formats");
  // Per level.
  const auto levels = bb::decode_deltas_to_boxes({{"P3", anchors}}, {{"P3", bb::encode_box_to_deltas(anchors, boxes(), "xyxy", "xyxy")}},
                                                 "xyxy", "xywh");
  check_close(levels.at("P3"), f.at("deltas_default").at("decoded_xywh"), "levels");
  th::throws_with<std::invalid_argument>([&] { bb::encode_box_to_deltas(anchors, boxes(), "xyxy", "xyxy", {.variance = {1, 2}}); },
                                         "`variance` must be length 4");
  th::throws_with<std::invalid_argument>(
      [&] { bb::encode_box_to_deltas(anchors, boxes(), "xyxy", "xyxy", {.encoding_format = "xyxy"}); },
      "should be one of 'center_xywh' or 'center_yxhw'");
}

TEST_CASE("bounding_boxes: compute_iou and compute_ciou equal Keras's") {
  const keras::Value& f = fixture().at("iou");
  const Tensor b1 = boxes()[0];
  const Tensor b2 = tensor(f.at("boxes2"));
  check_close(bb::compute_iou(b1, b2, "xyxy"), f.at("plain"), "unbatched");
  check_close(bb::compute_iou(b1, b2, "xyxy", {.use_masking = true, .mask_val = -1}), f.at("masked"), "masked");
  check_close(bb::compute_iou(boxes(), boxes(), "xyxy"), f.at("batched"), "batched");
  check_close(bb::compute_iou(boxes(), b2, "xyxy"), f.at("mixed"), "batched with unbatched");
  check_close(bb::compute_iou(b1, b2, "yxyx"), f.at("yxyx"), "yxyx");
  th::throws_with<std::invalid_argument>([&] { bb::compute_iou(ops::zeros({4}), b2, "xyxy"); }, "len(boxes1.shape)=1");
  th::throws_with<std::invalid_argument>([&] { bb::compute_iou(b1, b2, "rel_xyxy"); }, "image size");
  const keras::Value& c = fixture().at("ciou");
  check_close(bb::compute_ciou(boxes(), tensor(c.at("boxes2")), "xyxy"), c.at("out"), "ciou");
  check_close(bb::compute_ciou(bb::convert_format(boxes(), "xyxy", "xywh"),
                               bb::convert_format(tensor(c.at("boxes2")), "xyxy", "xywh"), "xywh"),
              c.at("xywh"), "ciou of xywh boxes");
  th::throws_with<std::invalid_argument>([&] { bb::compute_ciou(b1, b1, "rel_xyxy"); }, "relative bounding box formats");
}
