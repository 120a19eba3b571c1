#include "keras/utils/bounding_boxes.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "core/ops.h"
#include "core/ops_math.h"
#include "core/ops_numpy.h"
#include "core/ops_reduce.h"
#include "keras/settings.h"

namespace keras::utils::bounding_boxes {
namespace ops = core::ops;
using core::Shape;

namespace {


std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

std::string format_list() {
  std::string out = "(";
  for (const std::string& f : supported_formats()) out += (out.size() > 1 ? ", '" : "'") + f + "'";
  return out + ")";
}

// The four coordinates of boxes (..., 4), each (..., 1).
using Cols = std::array<Tensor, 4>;
Cols cols(const Tensor& boxes) {
  std::vector<Tensor> parts = ops::split(boxes, 4, -1);
  return {parts[0], parts[1], parts[2], parts[3]};
}
Tensor join(const Tensor& a, const Tensor& b, const Tensor& c, const Tensor& d) {
  return ops::concatenate({a, b, c, d}, -1);
}

void check_boxes(const Tensor& boxes, const char* op) {
  const Shape& s = boxes.shape();
  if (s.rank() == 0 || s[s.rank() - 1] != 4)
    throw std::invalid_argument(std::string(op) + ": `boxes` must be a tensor with the last dimension of 4. Received: boxes.shape=" +
                                s.str());
}

void check_xyxy(const std::string& format, const char* op) {
  if (format != "xyxy")
    throw std::invalid_argument(std::string(op) + ": only bounding_box_format \"xyxy\" is supported (as Keras), but received \"" +
                                format + "\"");
}

// xyxy boxes from each format (relative ones scaled by width and height).
Tensor to_xyxy(const Tensor& b, const std::string& f, double h, double w) {
  auto [p, q, r, s] = cols(b);
  if (f == "xyxy") return b;
  if (f == "yxyx") return join(q, p, s, r);
  if (f == "xywh") return join(p, q, p + r, q + s);
  if (f == "center_xywh") return join(p - r / 2.0, q - s / 2.0, p + r / 2.0, q + s / 2.0);
  if (f == "center_yxhw") return join(q - s / 2.0, p - r / 2.0, q + s / 2.0, p + r / 2.0);
  if (f == "rel_xyxy") return join(p * w, q * h, r * w, s * h);
  if (f == "rel_yxyx") return join(q * w, p * h, s * w, r * h);
  if (f == "rel_xywh") return join(p * w, q * h, (p + r) * w, (q + s) * h);
  // rel_center_xywh
  return join((p - r / 2.0) * w, (q - s / 2.0) * h, (p + r / 2.0) * w, (q + s / 2.0) * h);
}

// xyxy boxes to each format.
Tensor from_xyxy(const Tensor& b, const std::string& f, double h, double w) {
  auto [x1, y1, x2, y2] = cols(b);
  if (f == "xyxy") return b;
  if (f == "yxyx") return join(y1, x1, y2, x2);
  if (f == "xywh") return join(x1, y1, x2 - x1, y2 - y1);
  const Tensor cx = x1 + (x2 - x1) / 2.0, cy = y1 + (y2 - y1) / 2.0;
  if (f == "center_xywh") return join(cx, cy, x2 - x1, y2 - y1);
  if (f == "center_yxhw") return join(cy, cx, y2 - y1, x2 - x1);
  if (f == "rel_xyxy") return join(x1 / w, y1 / h, x2 / w, y2 / h);
  if (f == "rel_yxyx") return join(y1 / h, x1 / w, y2 / h, x2 / w);
  if (f == "rel_xywh") return join(x1 / w, y1 / h, (x2 - x1) / w, (y2 - y1) / h);
  return join(cx / w, cy / h, (x2 - x1) / w, (y2 - y1) / h);  // rel_center_xywh
}

ConvertOptions size_options(const std::optional<std::pair<double, double>>& size) {
  ConvertOptions o;
  if (size) {
    o.height = size->first;
    o.width = size->second;
  }
  return o;
}

std::vector<double> checked_variance(const std::vector<double>& v) {
  if (!v.empty() && v.size() != 4)
    throw std::invalid_argument("bounding_boxes: `variance` must be length 4, got " + std::to_string(v.size()) + " values");
  return v;
}

void check_center_format(const std::string& f, const char* arg) {
  if (f != "center_xywh" && f != "center_yxhw")
    throw std::invalid_argument(std::string("bounding_boxes: `") + arg +
                                "` should be one of 'center_xywh' or 'center_yxhw', got '" + f + "'");
}

Tensor variance_tensor(const std::vector<double>& v, DType dtype) {
  return ops::cast(core::constant(std::vector<float>(v.begin(), v.end()), Shape{4}), dtype);
}

}  // namespace

const std::vector<std::string>& supported_formats() {
  static const std::vector<std::string> formats = {"xyxy",     "yxyx",     "xywh",     "center_xywh",    "center_yxhw",
                                                   "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh"};
  return formats;
}

Tensor convert_format(const Tensor& boxes, const std::string& source_in, const std::string& target_in,
                      const ConvertOptions& o) {
  check_boxes(boxes, "convert_format");
  std::string source = lower(source_in), target = lower(target_in);
  const auto& fs = supported_formats();
  if (std::find(fs.begin(), fs.end(), source) == fs.end() || std::find(fs.begin(), fs.end(), target) == fs.end())
    throw std::invalid_argument("convert_format: invalid source or target format (received source='" + source_in +
                                "', target='" + target_in + "'). Supported formats: " + format_list());
  const bool relative = source.rfind("rel_", 0) == 0 || target.rfind("rel_", 0) == 0;
  if (relative && (!o.height || !o.width))
    throw std::invalid_argument("convert_format() must receive `height` and `width` transforming between relative and "
                                "absolute formats. convert_format() received source=`" + source + "`, target=`" + target +
                                "`, but height and width were not both given.");
  if (!core::is_floating(o.dtype))
    throw std::invalid_argument(std::string("convert_format: `dtype` must be floating, but received ") +
                                core::dtype_name(o.dtype));
  Tensor b = ops::cast(boxes, o.dtype);
  if (source == target) return b;
  if (source.rfind("rel_", 0) == 0 && target.rfind("rel_", 0) == 0) {
    source = source.substr(4);
    target = target.substr(4);
  }
  // Height and width as the boxes' dtype, as Keras casts them.
  const auto as_dtype = [&](std::optional<double> v) {
    return v ? ops::cast(core::constant(*v), o.dtype).item<double>() : 1.0;
  };
  const double h = as_dtype(o.height), w = as_dtype(o.width);
  return from_xyxy(to_xyxy(b, source, h, w), target, h, w);
}

BoundingBoxes convert_format(const BoundingBoxes& boxes, const std::string& source, const std::string& target,
                             const ConvertOptions& options) {
  return {convert_format(boxes.boxes, source, target, options), boxes.labels};
}

BoundingBoxes clip_to_image_size(const BoundingBoxes& bb, const ClipOptions& o) {
  if (o.bounding_box_format != "xyxy" && o.bounding_box_format != "rel_xyxy")
    throw std::invalid_argument("clip_to_image_size: bounding_box_format must be \"xyxy\" or \"rel_xyxy\" (as Keras), but received \"" +
                                o.bounding_box_format + "\"");
  const bool rel = o.bounding_box_format == "rel_xyxy";
  if (!rel && (!o.height || !o.width))
    throw std::invalid_argument("clip_to_image_size: `height` and `width` must be set if `format='xyxy'`.");
  check_boxes(bb.boxes, "clip_to_image_size");
  const double w = rel ? 1.0 : *o.width, h = rel ? 1.0 : *o.height;
  auto [x1, y1, x2, y2] = cols(bb.boxes);
  Tensor boxes = join(ops::clip(x1, 0, w), ops::clip(y1, 0, h), ops::clip(x2, 0, w), ops::clip(y2, 0, h));
  BoundingBoxes out{boxes, bb.labels};
  if (bb.labels.defined()) {
    auto [a1, b1, a2, b2] = cols(boxes);
    Tensor area = ops::squeeze((a2 - a1) * (b2 - b1), {-1});
    out.labels = ops::where(area > 0.0, bb.labels, ops::full({}, -1, bb.labels.dtype()));
  }
  return out;
}

Tensor affine_transform(const Tensor& boxes, const AffineTransformation& t, double height, double width,
                        const std::string& format) {
  check_xyxy(format, "affine_transform");
  check_boxes(boxes, "affine_transform");
  if (boxes.shape().rank() != 3)
    throw std::invalid_argument("affine_transform: expected boxes (batch, num_boxes, 4), but received shape " +
                                boxes.shape().str());
  const DType dt = t.angle.dtype();
  const auto col = [&](const Tensor& v) { return ops::reshape(ops::cast(v, dt), {-1, 1, 1}); };
  const double deg = 1.0 / 180.0 * std::numbers::pi;
  // The inverse of the image's map (TensorFlow's _get_inverse_affine_matrix, as Keras).
  const Tensor angle = -col(t.angle), shear_x = -col(t.shear_x), shear_y = -col(t.shear_y);
  const Tensor center_x = t.center_x ? col(*t.center_x) : ops::full({1, 1, 1}, 0.5, dt);
  const Tensor center_y = t.center_y ? col(*t.center_y) : ops::full({1, 1, 1}, 0.5, dt);
  const Tensor scale = col(t.scale);
  const Tensor cx = center_x * (width - 1), cy = center_y * (height - 1);
  const Tensor rot = angle * deg, sx = shear_x * deg, sy = shear_y * deg;
  const Tensor tx = -col(t.translate_x) * (width - 1), ty = -col(t.translate_y) * (height - 1);
  const Tensor cos_sy = ops::cos(sy), tan_sx = ops::tan(sx), rot_minus_sy = rot - sy;
  const Tensor cx_tx = cx + tx, cy_ty = cy + ty;
  const Tensor a = ops::cos(rot_minus_sy) / cos_sy;
  const Tensor b = a * tan_sx + ops::sin(rot);
  const Tensor c = -ops::sin(rot_minus_sy) / cos_sy;
  const Tensor d = ops::cos(rot) - c * tan_sx;
  const Tensor a0 = d * scale, a1 = -b * scale, b0 = -c * scale, b1 = a * scale;
  const Tensor a2 = cx - a0 * cx_tx - a1 * cy_ty, b2 = cy - b0 * cx_tx - b1 * cy_ty;
  // The four corners of each box, (batch, n, 4) each coordinate.
  auto [x1, y1, x2, y2] = cols(ops::cast(boxes, dt));
  const Tensor xs = ops::concatenate({x1, x2, x2, x1}, -1), ys = ops::concatenate({y1, y1, y2, y2}, -1);
  const Tensor tx_ = a0 * xs + a1 * ys + a2, ty_ = b0 * xs + b1 * ys + b2;
  return join(ops::min(tx_, {-1}, true), ops::min(ty_, {-1}, true), ops::max(tx_, {-1}, true), ops::max(ty_, {-1}, true));
}

Tensor crop(const Tensor& boxes, double top, double left, double height, double width, const std::string& format) {
  check_xyxy(format, "crop");
  check_boxes(boxes, "crop");
  auto [x1, y1, x2, y2] = cols(boxes);
  return join(ops::clip(x1 - left, 0, width), ops::clip(y1 - top, 0, height), ops::clip(x2 - left, 0, width),
              ops::clip(y2 - top, 0, height));
}

Tensor pad(const Tensor& boxes, double top, double left, const std::string& format) {
  check_xyxy(format, "pad");
  check_boxes(boxes, "pad");
  auto [x1, y1, x2, y2] = cols(boxes);
  return join(x1 + left, y1 + top, x2 + left, y2 + top);
}

namespace {
// What encoding and decoding share: the checked options and the anchors in the encoding.
struct DeltaSetup {
  std::vector<double> variance;
  ConvertOptions size;
  Tensor anchors;
};
DeltaSetup delta_setup(const Tensor& anchors, const std::string& anchor_format, const DeltaOptions& o, const char* arg) {
  std::vector<double> variance = checked_variance(o.variance);
  check_center_format(o.encoding_format, arg);
  const ConvertOptions size = size_options(o.image_size);
  return {std::move(variance), size, convert_format(anchors, anchor_format, o.encoding_format, size)};
}
}  // namespace

Tensor encode_box_to_deltas(const Tensor& anchors, const Tensor& boxes, const std::string& anchor_format,
                            const std::string& box_format, const DeltaOptions& o) {
  const auto [variance, size, a] = delta_setup(anchors, anchor_format, o, "encoding_format");
  const Tensor b = convert_format(boxes, box_format, o.encoding_format, size);
  const auto halves = [](const Tensor& t) { return ops::split(t, 2, -1); };
  const auto [a_pos, a_size] = std::pair(halves(a)[0], ops::maximum(halves(a)[1], ops::full({}, keras::config::epsilon(), a.dtype())));
  const auto [b_pos, b_size] = std::pair(halves(b)[0], ops::maximum(halves(b)[1], ops::full({}, keras::config::epsilon(), b.dtype())));
  Tensor deltas = ops::concatenate({(b_pos - a_pos) / a_size, ops::log(b_size / a_size)}, -1);
  if (!variance.empty()) deltas = deltas / variance_tensor(variance, deltas.dtype());
  return deltas;
}

Tensor decode_deltas_to_boxes(const Tensor& anchors, const Tensor& deltas, const std::string& anchor_format,
                              const std::string& box_format, const DeltaOptions& o) {
  const auto [variance, size, a] = delta_setup(anchors, anchor_format, o, "encoded_format");
  Tensor d = ops::cast(deltas, a.dtype());
  if (!variance.empty()) d = d * variance_tensor(variance, d.dtype());
  const std::vector<Tensor> ap = ops::split(a, 2, -1), dp = ops::split(d, 2, -1);
  const Tensor boxes = ops::concatenate({dp[0] * ap[1] + ap[0], ops::exp(dp[1]) * ap[1]}, -1);
  return convert_format(boxes, o.encoding_format, box_format, size);
}

std::map<std::string, Tensor> decode_deltas_to_boxes(const std::map<std::string, Tensor>& anchors,
                                                     const std::map<std::string, Tensor>& deltas,
                                                     const std::string& anchor_format, const std::string& box_format,
                                                     const DeltaOptions& options) {
  std::map<std::string, Tensor> out;
  for (const auto& [level, anchor] : anchors) {
    auto it = deltas.find(level);
    if (it == deltas.end())
      throw std::invalid_argument("decode_deltas_to_boxes: the anchors have level '" + level + "' but the deltas do not");
    out[level] = decode_deltas_to_boxes(anchor, it->second, anchor_format, box_format, options);
  }
  return out;
}

Tensor compute_iou(const Tensor& boxes1, const Tensor& boxes2, const std::string& format, const IouOptions& o) {
  const int64_t r1 = boxes1.shape().rank(), r2 = boxes2.shape().rank();
  for (auto [r, which] : {std::pair(r1, "boxes1"), std::pair(r2, "boxes2")})
    if (r != 2 && r != 3)
      throw std::invalid_argument(std::string("compute_iou() expects ") + which +
                                  " to be batched, or to be unbatched. Received len(boxes1.shape)=" + std::to_string(r1) +
                                  ", len(boxes2.shape)=" + std::to_string(r2) + ". Expected 2 or 3.");
  if (format.find("rel") != std::string::npos && !o.image_size)
    throw std::invalid_argument("compute_iou: when using relative bounding box formats (e.g. `rel_yxyx`) the image size "
                                "(IouOptions::image_size) must be provided.");
  const ConvertOptions size = size_options(o.image_size);
  const Tensor b1 = convert_format(boxes1, format, "yxyx", size), b2 = convert_format(boxes2, format, "yxyx", size);
  // The second set's coordinates along the last axis: (..., 1, n).
  const auto across = [](const Tensor& t) { return ops::swapaxes(t, -1, -2); };
  auto [ymin1, xmin1, ymax1, xmax1] = cols(b1);
  auto [ymin2, xmin2, ymax2, xmax2] = cols(b2);
  const Tensor zero = ops::full({}, 0, b1.dtype());
  const Tensor ih = ops::maximum(zero, ops::minimum(ymax1, across(ymax2)) - ops::maximum(ymin1, across(ymin2)));
  const Tensor iw = ops::maximum(zero, ops::minimum(xmax1, across(xmax2)) - ops::maximum(xmin1, across(xmin2)));
  const Tensor inter = ih * iw;
  const Tensor area1 = (ymax1 - ymin1) * (xmax1 - xmin1);        // (..., m, 1)
  const Tensor area2 = across((ymax2 - ymin2) * (xmax2 - xmin2));  // (..., 1, n)
  const Tensor iou = inter / (area1 + area2 - inter + keras::config::epsilon());
  if (!o.use_masking) return iou;
  const Tensor mask1 = ops::max(b1, {-1}, true) < 0.0;
  const Tensor mask2 = across(ops::max(b2, {-1}, true) < 0.0);
  return ops::where(ops::logical_or(mask1, mask2), ops::full({}, o.mask_val, iou.dtype()), iou);
}

Tensor compute_ciou(const Tensor& boxes1, const Tensor& boxes2, const std::string& format) {
  if (format.find("rel") != std::string::npos)
    throw std::invalid_argument("compute_ciou: relative bounding box formats (e.g. `rel_yxyx`) are not supported (as "
                                "Keras); received \"" + format + "\"");
  auto [x1a, y1a, x2a, y2a] = cols(convert_format(boxes1, format, "xyxy"));
  auto [x1b, y1b, x2b, y2b] = cols(convert_format(boxes2, format, "xyxy"));
  const DType dt = x1a.dtype();
  const Tensor zero = ops::full({}, 0, dt);
  const Tensor w1 = x2a - x1a, h1 = y2a - y1a + keras::config::epsilon(), w2 = x2b - x1b, h2 = y2b - y1b + keras::config::epsilon();
  const Tensor inter = ops::maximum(ops::minimum(x2a, x2b) - ops::maximum(x1a, x1b), zero) *
                       ops::maximum(ops::minimum(y2a, y2b) - ops::maximum(y1a, y1b), zero);
  const Tensor uni = w1 * h1 + w2 * h2 - inter + keras::config::epsilon();
  const Tensor iou = ops::squeeze(inter / (uni + keras::config::epsilon()), {-1});
  const Tensor cw = ops::maximum(x2a, x2b) - ops::minimum(x1a, x1b);
  const Tensor ch = ops::maximum(y2a, y2b) - ops::minimum(y1a, y1b);
  const Tensor diag = ops::squeeze(cw * cw + ch * ch + keras::config::epsilon(), {-1});
  const Tensor dx = (x1a + x2a) / 2.0 - (x1b + x2b) / 2.0, dy = (y1a + y2a) / 2.0 - (y1b + y2b) / 2.0;
  const Tensor dist = ops::squeeze(dx * dx + dy * dy, {-1});
  const Tensor diff = ops::arctan(w2 / h2) - ops::arctan(w1 / h1);
  const Tensor v = ops::squeeze(diff * diff * (4.0 / (std::numbers::pi * std::numbers::pi)), {-1});
  const Tensor alpha = v / (v - iou + (1.0 + keras::config::epsilon()));
  return iou - (dist / diag + v * alpha);
}

}  // namespace keras::utils::bounding_boxes
