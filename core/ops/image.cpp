// image.cpp - keras.ops.image's resize and affine_transform as compositions of core ops:
// the sampling positions are computed as TensorFlow's kernels compute them (in float for
// resize, in the images' dtype for the transform), the pixels read with gather, so the
// gradients are gather's (unsorted_segment_sum) and the elementwise ops'.
#include <cmath>
#include <stdexcept>

#include "core/device_scope.h"
#include "core/image_ops.h"
#include "core/image_ops_more.h"
#include "core/ops/image_util.h"

namespace keras::core::ops::image {

namespace {

// Checks the images' rank (3, a single image, or 4, a batch).
const Tensor& checked_rank(const char* op, const Tensor& images) {
  if (!images.defined()) throw std::invalid_argument(std::string(op) + ": `images` is an undefined tensor");
  const int64_t r = images.shape().rank();
  if (r != 3 && r != 4)
    throw std::invalid_argument(std::string(op) + ": invalid images rank: expected rank 3 (single image) or rank 4 "
                                "(batch of images). Received input with shape: images.shape=" + images.shape().str());
  return images;
}

// Rank-4 channels_last images (a single image gets a batch axis).
Tensor batched(const char* op, const Tensor& images) {
  return checked_rank(op, images).shape().rank() == 3 ? expand_dims(images, 0) : images;
}

// channels_first images (one (c, h, w) or a batch) in channels_last, and back.
Tensor image_to_last(const Tensor& x) { return x.rank() == 3 ? transpose(x, {1, 2, 0}) : channels_to_last(x); }
Tensor image_to_first(const Tensor& y) { return y.rank() == 3 ? transpose(y, {2, 0, 1}) : channels_to_first(y); }

Tensor unbatched(const Tensor& y, const Tensor& images) { return images.shape().rank() == 3 ? squeeze(y, {0}) : y; }

// A constant of `values` in like's dtype on like's device, shaped to broadcast along
// `axis` of a rank-4 tensor.
Tensor along(const std::vector<double>& values, int64_t axis, const Tensor& like) {
  std::vector<int64_t> dims(4, 1);
  dims[size_t(axis)] = int64_t(values.size());
  return cast(constant(values, Shape(dims)).to(like.device()), like.dtype());
}

// One axis of tf.image.resize with half-pixel centers (ResizeNearestNeighbor /
// ResizeBilinear's compute_interpolation_weights, in float as there).
Tensor resize_axis(const Tensor& x, int64_t axis, int64_t out, bool nearest) {
  const int64_t in = x.shape()[axis];
  if (in == out) return x;
  const float scale = static_cast<float>(in) / static_cast<float>(out);
  std::vector<int32_t> lower(static_cast<size_t>(out)), upper(static_cast<size_t>(out));
  std::vector<double> lerp(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    const size_t u = size_t(o);
    if (nearest) {
      const float c = (static_cast<float>(o) + 0.5f) * scale;
      lower[u] = int32_t(std::max<int64_t>(0, std::min<int64_t>(int64_t(std::floor(c)), in - 1)));
      continue;
    }
    const float c = (static_cast<float>(o) + 0.5f) * scale - 0.5f;
    const float f = std::floor(c);
    lower[u] = int32_t(std::max<int64_t>(int64_t(f), 0));
    upper[u] = int32_t(std::min<int64_t>(int64_t(std::ceil(c)), in - 1));
    lerp[u] = static_cast<double>(c - f);
  }
  Tensor lo = gather(x, constant(lower).to(x.device()), axis);  // the indices on the data's device
  if (nearest) return lo;
  Tensor hi = gather(x, constant(upper).to(x.device()), axis);
  return add(lo, multiply(subtract(hi, lo), along(lerp, axis, x)));
}

}  // namespace

bool is_resize_interpolation(const std::string& m) {
  return m == "bilinear" || m == "nearest" || m == "bicubic" || m == "lanczos3" || m == "lanczos5" || m == "area";
}

Tensor resize(const Tensor& images, const std::vector<int64_t>& size, const ResizeOptions& o) {
  if (is_channels_first(o.data_format, "resize")) {
    ResizeOptions last = o;
    last.data_format = "channels_last";
    return image_to_first(resize(image_to_last(checked_rank("resize", images)), size, last));
  }
  Tensor x = batched("resize", images);
  if (size.size() != 2 || size[0] <= 0 || size[1] <= 0) {
    std::string s;
    for (size_t i = 0; i < size.size(); ++i) s += (i ? ", " : "") + std::to_string(size[i]);
    throw std::invalid_argument("resize: expected `size` to be a tuple of 2 positive integers (height, width). "
                                "Received: size=(" + s + ")");
  }
  const std::string& method = o.interpolation;
  if (!is_resize_interpolation(method))
    throw std::invalid_argument("resize: invalid value for argument `interpolation`: expected one of \"bilinear\", "
                                "\"nearest\", \"lanczos3\", \"lanczos5\", \"bicubic\", \"area\". Received: "
                                "interpolation=\"" + method + "\"");
  if (o.crop_to_aspect_ratio && o.pad_to_aspect_ratio)
    throw std::invalid_argument("resize: only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be true");
  if (o.fill_mode != "constant")
    throw std::invalid_argument("resize: invalid value for argument `fill_mode`. Only \"constant\" is supported. "
                                "Received: fill_mode=\"" + o.fill_mode + "\"");
  const bool nearest = o.interpolation == "nearest";
  if (!nearest && !is_floating(x.dtype())) {
    if (!is_numeric(x.dtype()))
      throw std::invalid_argument(std::string("resize: expected numeric images, but received dtype ") +
                                  dtype_name(x.dtype()));
    // Keras's: integer images resize in float32, then round (half to even) and saturate back.
    return unbatched(saturate_cast(round(resize(cast(x, DType::float32), size, o)), x.dtype()), images);
  }
  if (o.crop_to_aspect_ratio) {  // Keras's crop box: the largest centered window of the target's ratio
    const int64_t h = x.shape()[1], w = x.shape()[2];
    int64_t ch = int64_t(double(w * size[0]) / double(size[1]));
    ch = std::max<int64_t>(std::min(h, ch), 1);
    int64_t cw = int64_t(double(h * size[1]) / double(size[0]));
    cw = std::max<int64_t>(std::min(w, cw), 1);
    x = slice(x, {0, (h - ch) / 2, (w - cw) / 2, 0}, {-1, ch, cw, -1});
  } else if (o.pad_to_aspect_ratio) {  // Keras's: the missing rows or columns split over both sides
    const int64_t h = x.shape()[1], w = x.shape()[2];
    // (in float32, as Keras's TensorFlow backend computes them)
    const int64_t ph = std::max(h, int64_t(float(w * size[0]) / float(size[1])));
    const int64_t pw = std::max(w, int64_t(float(h * size[1]) / float(size[0])));
    const int64_t top = (ph - h) / 2, left = (pw - w) / 2;
    if (top > 0 || left > 0) x = pad(x, {{0, 0}, {top, top}, {left, left}, {0, 0}}, o.fill_value);
  }
  Tensor y;
  if (!nearest && method != "bilinear") {
    y = resize_resampled(x, size, method, o.antialias);
  } else if (o.antialias && !nearest) {
    // TensorFlow's: ScaleAndTranslate with a triangle kernel widened by 1 / scale when
    // shrinking (scales in float32); nearest ignores antialias.
    const Shape& s = x.shape();
    y = scale_and_translate(x, {s[0], size[0], size[1], s[3]},
                            {double(float(size[0]) / float(s[1])), double(float(size[1]) / float(s[2]))}, {0.0, 0.0},
                            {1, 2}, "triangle", true);
  } else {
    // width first, then height: the order of TensorFlow's bilinear kernel
    y = resize_axis(resize_axis(x, 2, size[1], nearest), 1, size[0], nearest);
  }
  return unbatched(y, images);
}

namespace {

// TensorFlow's MapCoordinate: where a coordinate outside [0, len - 1] reads from.
Tensor map_coordinate(const Tensor& c, int64_t len, const std::string& mode) {
  const double n = double(len);
  auto s = [&](double v) { return scalar_like(c, v); };
  if (mode == "constant") return c;
  if (mode == "nearest") return clip(c, 0.0, n - 1);
  if (len <= 1) return zeros_like(c);
  Tensor below, above;
  if (mode == "reflect") {  // [abcd] -> [dcba|abcd|dcba]
    const double sz2 = 2 * n;
    Tensor t = add(multiply(s(sz2), floor(divide(neg(c), s(sz2)))), c);
    below = where(less(t, s(-n)), add(t, s(sz2)), subtract(neg(t), s(1)));
    Tensor p = subtract(c, multiply(s(sz2), floor(divide(c, s(sz2)))));
    above = where(greater_equal(p, s(n)), subtract(s(sz2 - 1), p), p);
  } else {  // wrap: [abcd] -> [abcd|abcd|abcd]
    const double sz = n - 1;
    below = add(c, multiply(s(n), add(floor(divide(neg(c), s(sz))), s(1))));
    above = subtract(c, multiply(s(n), floor(divide(c, s(sz)))));
  }
  Tensor r = where(less(c, s(0)), below, where(greater(c, s(n - 1)), above, c));
  return clip(r, 0.0, n - 1);
}

// Reads images (b, h, w, c) at integer-valued positions y, x (b', h', w'), fill_value
// where they fall outside (TensorFlow's read_with_fill_value).
struct Reader {
  Tensor flat;  // (b * h * w, c)
  int64_t b, h, w;
  Tensor batch_offset;  // (b, 1, 1): the first row of each image in flat, float64
  double fill;
  Tensor operator()(const Tensor& y, const Tensor& x) const {
    Tensor yd = cast(y, DType::float64), xd = cast(x, DType::float64);
    auto s = [&](double v) { return scalar_like(yd, v); };
    Tensor inside = logical_and(logical_and(greater_equal(yd, s(0)), less(yd, s(double(h)))),
                                logical_and(greater_equal(xd, s(0)), less(xd, s(double(w)))));
    Tensor row = add(batch_offset, add(multiply(yd, s(double(w))), xd));
    Tensor idx = cast(where(inside, row, zeros_like(row)), DType::int32);
    Tensor v = gather(flat, idx, 0);  // (b, h', w', c)
    return where(expand_dims(inside, -1), v, scalar_like(v, fill));
  }
};

}  // namespace

Tensor affine_transform(const Tensor& images, const Tensor& transform, const AffineTransformOptions& o) {
  if (is_channels_first(o.data_format, "affine_transform")) {
    AffineTransformOptions last = o;
    last.data_format = "channels_last";
    return image_to_first(affine_transform(image_to_last(checked_rank("affine_transform", images)), transform, last));
  }
  Tensor x = batched("affine_transform", images);
  const DType dt = x.dtype();
  if (!is_floating(dt))
    throw std::invalid_argument(std::string("affine_transform: expected float32 or float64 images, but received "
                                            "dtype ") + dtype_name(dt));
  if (transform.dtype() != dt)
    throw std::invalid_argument(std::string("affine_transform: expected the transform in the images' dtype ") +
                                dtype_name(dt) + ", but received dtype " + dtype_name(transform.dtype()));
  const int64_t b = x.shape()[0], h = x.shape()[1], w = x.shape()[2], c = x.shape()[3];
  const int64_t tr = transform.shape().rank();
  if (!((tr == 1 && transform.shape()[0] == 8) || (tr == 2 && transform.shape()[1] == 8 &&
                                                  (transform.shape()[0] == b || transform.shape()[0] == 1))))
    throw std::invalid_argument("affine_transform: expected transform of shape (8,) or (" + std::to_string(b) +
                                ", 8), but received transform.shape=" + transform.shape().str());
  if (o.interpolation != "bilinear" && o.interpolation != "nearest")
    throw std::invalid_argument("affine_transform: invalid value for argument `interpolation`: expected one of "
                                "\"bilinear\", \"nearest\". Received: interpolation=\"" + o.interpolation + "\"");
  if (o.fill_mode != "constant" && o.fill_mode != "nearest" && o.fill_mode != "wrap" && o.fill_mode != "reflect")
    throw std::invalid_argument("affine_transform: invalid value for argument `fill_mode`: expected one of "
                                "\"constant\", \"nearest\", \"wrap\", \"reflect\". Received: fill_mode=\"" +
                                o.fill_mode + "\"");
  auto s = [&](double v) { return scalar_like(x, v); };
  DeviceScope on_input(x.device());  // the coordinate grids on the images' device
  Tensor t = reshape(transform, {-1, 8});
  auto coef = [&](int64_t i) { return reshape(slice(t, {0, i}, {-1, 1}), {-1, 1, 1}); };  // (b or 1, 1, 1)
  Tensor xs = reshape(cast(range(0, w), dt), {1, 1, w}), ys = reshape(cast(range(0, h), dt), {1, h, 1});
  Tensor k = add(add(multiply(coef(6), xs), multiply(coef(7), ys)), s(1));  // (b', h, w)
  Tensor degenerate = equal(k, zeros_like(k));
  Tensor safe_k = where(degenerate, ones_like(k), k);
  Tensor in_x = divide(add(add(multiply(coef(0), xs), multiply(coef(1), ys)), coef(2)), safe_k);
  Tensor in_y = divide(add(add(multiply(coef(3), xs), multiply(coef(4), ys)), coef(5)), safe_k);
  // Far-away points read the fill value either way; bounding them keeps the indices small.
  Tensor px = clip(map_coordinate(in_x, w, o.fill_mode), -2.0, double(w) + 1);
  Tensor py = clip(map_coordinate(in_y, h, o.fill_mode), -2.0, double(h) + 1);
  px = broadcast_to(px, Shape{b, h, w});
  py = broadcast_to(py, Shape{b, h, w});
  Tensor offsets = reshape(cast(range(0, b * h * w, h * w), DType::float64), {b, 1, 1});
  const Reader read{reshape(x, {b * h * w, c}), b, h, w, offsets, o.fill_value};
  Tensor out;
  if (o.interpolation == "nearest") {
    auto round_half_away = [&](const Tensor& v) { return multiply(sign(v), floor(add(abs(v), s(0.5)))); };
    out = read(round_half_away(py), round_half_away(px));
  } else {
    auto e = [](const Tensor& v) { return expand_dims(v, -1); };
    Tensor y0 = floor(py), x0 = floor(px), y1 = add(y0, s(1)), x1 = add(x0, s(1));
    Tensor wx0 = e(subtract(x1, px)), wx1 = e(subtract(px, x0));
    Tensor top = add(multiply(wx0, read(y0, x0)), multiply(wx1, read(y0, x1)));
    Tensor bottom = add(multiply(wx0, read(y1, x0)), multiply(wx1, read(y1, x1)));
    out = add(multiply(e(subtract(y1, py)), top), multiply(e(subtract(py, y0)), bottom));
  }
  out = where(expand_dims(broadcast_to(degenerate, Shape{b, h, w}), -1), scalar_like(out, o.fill_value), out);
  return unbatched(out, images);
}

}  // namespace keras::core::ops::image
