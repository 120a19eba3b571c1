// clahe.cpp - ContrastLimitedAdaptiveHistogramEqualization: Keras 3's tiles, clipped
// histograms and bilinear blend of the tile maps, composed of ops (one segment sum for
// every histogram, one gather per corner of the blend).
#include "keras/layers/clahe.h"

#include <cmath>
#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/color_layers_internal.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
const detail::ValueRange k255{0, 255};
constexpr int64_t kBins = 256;

// A tile's map blends the maps of the tiles around a pixel: along one axis of `size`
// padded pixels in tiles of `tile`, the lower tile (in the map grid padded by one tile on
// each side), the upper one and the upper one's weight, in float32 as Keras.
struct Blend {
  std::vector<int64_t> lower, upper;
  std::vector<float> weight;
};
Blend blend_axis(int64_t size, int64_t tile, int64_t grid) {
  Blend b;
  const float half = float(double(tile) / 2.0), t = float(tile);
  for (int64_t i = 0; i < size; ++i) {
    const float pos = (float(i) - half) / t + 1.0f;
    const float lo = std::floor(pos);
    b.weight.push_back(pos - lo);
    auto clip = [&](float v) { return int64_t(std::min(std::max(v, 0.0f), float(grid + 1))); };
    b.lower.push_back(clip(lo));
    b.upper.push_back(clip(lo + 1.0f));
  }
  return b;
}
Tensor ints(const std::vector<int64_t>& v, std::vector<int64_t> shape) {
  return ops::reshape(core::constant(v, Shape{int64_t(v.size())}), shape);
}
Tensor floats(const std::vector<float>& v, std::vector<int64_t> shape) {
  return ops::reshape(core::constant(v, Shape{int64_t(v.size())}), shape);
}
}  // namespace

ContrastLimitedAdaptiveHistogramEqualizationLayer::ContrastLimitedAdaptiveHistogramEqualizationLayer(
    const ContrastLimitedAdaptiveHistogramEqualizationOptions& o)
    : ImagePreprocessingLayer("ContrastLimitedAdaptiveHistogramEqualization", detail::image_base(o)),
      value_range_(detail::sorted_value_range(name(), o.value_range)),
      clip_limit_(o.clip_limit),
      grid_(o.tile_grid_size) {
  if (grid_.first < 1 || grid_.second < 1)
    throw std::invalid_argument(name() + ": expected tile_grid_size of two sizes >= 1, but received (" +
                                std::to_string(grid_.first) + ", " + std::to_string(grid_.second) + ")");
  if (!std::isfinite(clip_limit_))
    throw std::invalid_argument(name() + ": expected a finite clip_limit, but received " + Value(clip_limit_).to_json());
}

Tensor ContrastLimitedAdaptiveHistogramEqualizationLayer::images_call(const Tensor& x, const std::optional<Tensor>&) {
  // In training and inference alike; no draws (any key). Integer images come back in
  // their dtype.
  Tensor out = ImagePreprocessingLayer::images_call(x, core::constant(int64_t{0}));
  return out.dtype() == x.dtype() ? out : ops::cast(out, x.dtype());
}

Tensor ContrastLimitedAdaptiveHistogramEqualizationLayer::transform(const Tensor& images) {
  const int64_t b = images.shape()[0], h = images.shape()[1], w = images.shape()[2], c = images.shape()[3];
  if (images.shape().num_elements() == 0) return images;
  const auto [gh, gw] = grid_;
  const int64_t th = (h + gh - 1) / gh, tw = (w + gw - 1) / gw;  // the tiles' size
  const int64_t hp = th * gh, wp = tw * gw;                       // the padded image's
  if (hp - h > h || wp - w > w)
    throw std::invalid_argument(name() + ": the image " + images.shape().str() + " is too small for tile_grid_size (" +
                                std::to_string(gh) + ", " + std::to_string(gw) + "): its symmetric padding (" +
                                std::to_string(hp - h) + ", " + std::to_string(wp - w) + ") exceeds its size");
  Tensor v = detail::map_value_range(ops::cast(images, DType::float32), value_range_, k255);
  if (hp != h || wp != w) v = ops::pad(v, {{0, 0}, {0, hp - h}, {0, wp - w}, {0, 0}}, "symmetric");
  const Tensor pixels = ops::clip(ops::cast(v, DType::int32), 0, 255);  // (b, hp, wp, c), truncated

  // Every tile's histogram per channel: (b, gh, gw, c, 256) counts, one segment sum.
  const int64_t groups = b * gh * gw * c;
  Tensor tiled = ops::transpose(ops::reshape(pixels, {b, gh, th, gw, tw, c}), {0, 1, 3, 5, 2, 4});
  tiled = ops::reshape(tiled, {groups, th * tw});
  Tensor group = ops::reshape(ops::multiply(ops::arange(0, double(groups), 1, DType::int32), ops::scalar_like(tiled, double(kBins))),
                              {groups, 1});
  Tensor ids = ops::reshape(ops::add(tiled, group), {-1});
  Tensor hist = ops::unsorted_segment_sum(ops::ones(ids.shape(), DType::float32), ids, groups * kBins);
  hist = ops::reshape(hist, {b, gh, gw, c, kBins});

  const double tile_pixels = double(th * tw);
  if (clip_limit_ > 0) {
    const double limit = double(float(clip_limit_ * tile_pixels / 256.0));
    Tensor clipped = ops::clip(hist, 0.0, limit);
    Tensor excess = ops::sum(ops::subtract(hist, clipped), {-1}, true);
    hist = ops::add(clipped, ops::divide(excess, ops::scalar_like(excess, 256.0)));
  }
  Tensor cdf = ops::cumsum(hist, -1);
  Tensor cdf_min = ops::min(cdf, {-1}, true);
  Tensor numerator = ops::multiply(ops::subtract(cdf, cdf_min), ops::scalar_like(cdf, 255.0));
  Tensor denominator = ops::subtract(ops::scalar_like(cdf_min, tile_pixels), cdf_min);
  denominator = ops::where(ops::equal(denominator, ops::scalar_like(denominator, 0.0)),
                           ops::scalar_like(denominator, 1.0), denominator);
  Tensor maps = ops::clip(ops::divide(numerator, denominator), 0.0, 255.0);  // (b, gh, gw, c, 256)
  // The grid of maps padded by a copy of its edge tiles on every side.
  auto edge = [&](const Tensor& t, int64_t axis, int64_t at) {
    std::vector<int64_t> begin(5, 0), size = t.shape().dims();
    begin[size_t(axis)] = at;
    size[size_t(axis)] = 1;
    return ops::slice(t, begin, size);
  };
  maps = ops::concatenate({edge(maps, 1, 0), maps, edge(maps, 1, gh - 1)}, 1);
  maps = ops::concatenate({edge(maps, 2, 0), maps, edge(maps, 2, gw - 1)}, 2);
  const int64_t stride_x = kBins * c, stride_y = stride_x * (gw + 2);
  Tensor table = ops::reshape(maps, {b, (gh + 2) * stride_y});

  // Each pixel reads the 4 maps around it at its value.
  const Blend by = blend_axis(hp, th, gh), bx = blend_axis(wp, tw, gw);
  std::vector<int64_t> channel;
  for (int64_t k = 0; k < c; ++k) channel.push_back(k * kBins);
  const Tensor base = ops::add(ops::cast(pixels, DType::int64), ints(channel, {1, 1, 1, c}));
  auto read = [&](const std::vector<int64_t>& rows, const std::vector<int64_t>& cols) {
    std::vector<int64_t> ry, cx;
    for (int64_t r : rows) ry.push_back(r * stride_y);
    for (int64_t q : cols) cx.push_back(q * stride_x);
    Tensor index = ops::add(ops::add(base, ints(ry, {1, hp, 1, 1})), ints(cx, {1, 1, wp, 1}));
    return ops::reshape(ops::take_along_axis(table, ops::reshape(index, {b, -1}), 1), {b, hp, wp, c});
  };
  const Tensor wy = floats(by.weight, {1, hp, 1, 1}), wx = floats(bx.weight, {1, 1, wp, 1});
  const Tensor one = ops::scalar_like(wx, 1.0);
  Tensor top = ops::add(ops::multiply(read(by.lower, bx.lower), ops::subtract(one, wx)),
                        ops::multiply(read(by.lower, bx.upper), wx));
  Tensor bottom = ops::add(ops::multiply(read(by.upper, bx.lower), ops::subtract(one, wx)),
                           ops::multiply(read(by.upper, bx.upper), wx));
  Tensor out = ops::add(ops::multiply(top, ops::subtract(one, wy)), ops::multiply(bottom, wy));
  if (hp != h || wp != w) out = ops::slice(out, {0, 0, 0, 0}, {b, h, w, c});
  out = detail::map_value_range(out, k255, value_range_);
  return out.dtype() == images.dtype() ? out : ops::cast(out, images.dtype());
}

Config ContrastLimitedAdaptiveHistogramEqualizationLayer::get_config() const {
  Config c = base_config();  // Keras's layer has no seed
  c["data_format"] = o_.data_format;
  c["value_range"] = detail::value_range_config(value_range_);
  c["clip_limit"] = clip_limit_;
  c["tile_grid_size"] = Value::list({grid_.first, grid_.second});
  return c;
}

LayerPtr ContrastLimitedAdaptiveHistogramEqualizationLayer::from_config(const Config& c) {
  const std::string cls = "ContrastLimitedAdaptiveHistogramEqualization";
  auto o = detail::with_image_base(ContrastLimitedAdaptiveHistogramEqualizationOptions{}, options_from(c));
  o.value_range = detail::value_range_from(cls, c, k255);
  o.clip_limit = c.get("clip_limit", 4.0).as_double();
  const Value grid = c.get("tile_grid_size", Value::list({8, 8}));
  if (grid.type() != Value::Type::list || grid.as_list().size() != 2)
    throw std::invalid_argument(cls + " config: expected tile_grid_size as a list of 2 sizes, but received " +
                                grid.to_json());
  o.tile_grid_size = {grid.as_list()[0].as_int(), grid.as_list()[1].as_int()};
  return make<ContrastLimitedAdaptiveHistogramEqualizationLayer>(o);
}

Ref<ContrastLimitedAdaptiveHistogramEqualizationLayer> ContrastLimitedAdaptiveHistogramEqualization(
    const ContrastLimitedAdaptiveHistogramEqualizationOptions& o) {
  return make<ContrastLimitedAdaptiveHistogramEqualizationLayer>(o);
}

}  // namespace keras::layers
