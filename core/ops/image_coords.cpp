// image_coords.cpp - keras.ops.image.map_coordinates and perspective_transform
// (core/image_ops_more.h), composed as Keras's TensorFlow backend does: gathers weighted
// by interpolation weights; a homography from a solved 8 x 8 system.
#include <string>

#include "core/dispatch.h"
#include "core/image_ops.h"
#include "core/image_ops_more.h"
#include "core/ops.h"

namespace keras::core::ops::image {
namespace {

struct Node {
  Tensor index, weight;  // int32 index along one axis, its weight (coordinates' dtype)
};

// The index along an axis of `size` made valid by fill_mode, and where it was valid.
std::pair<Tensor, Tensor> fix_index(const Tensor& idx, int64_t size, const std::string& mode) {
  auto c = [&](double v) { return scalar_like(idx, v); };
  if (mode == "constant")
    return {clip(idx, 0, double(size - 1)), logical_and(greater_equal(idx, c(0)), less(idx, c(double(size))))};
  if (mode == "nearest") return {clip(idx, 0, double(size - 1)), ones(idx.shape(), DType::bool_)};
  if (mode == "wrap") return {mod(idx, c(double(size))), ones(idx.shape(), DType::bool_)};
  if (mode == "mirror") {  // scipy's and Keras's JAX backend's (d c b | a b c d | c b a)
    if (size == 1) return {zeros_like(idx), ones(idx.shape(), DType::bool_)};
    const double s = double(size - 1);
    return {abs(subtract(mod(add(idx, c(s)), c(2 * s)), c(s))), ones(idx.shape(), DType::bool_)};
  }
  // reflect, Keras's TensorFlow backend's rule (|index| reflected with period 2 size)
  Tensor m = mod(abs(idx), c(double(2 * size)));
  Tensor under = less(m, c(double(size)));
  Tensor out = where(under, m, subtract(c(double(2 * size - 1)), m));
  return {out, ones(idx.shape(), DType::bool_)};
}

}  // namespace

Tensor map_coordinates(const Tensor& inputs, const Tensor& coordinates, int64_t order, const std::string& fill_mode,
                       double fill_value) {
  const std::string op = "map_coordinates";
  if (!inputs.defined() || !coordinates.defined()) throw_invalid(op + ": an argument is an undefined tensor");
  if (coordinates.rank() < 2)
    throw_invalid(op + ": invalid coordinates rank: expected at least rank 2, but received shape " +
                  coordinates.shape().str());
  if (coordinates.shape()[0] != inputs.rank())
    throw_invalid(op + ": the first dim of `coordinates` must be the rank of `inputs` (" +
                  std::to_string(inputs.rank()) + "), but received inputs.shape=" + inputs.shape().str() +
                  ", coordinates.shape=" + coordinates.shape().str());
  if (fill_mode != "constant" && fill_mode != "nearest" && fill_mode != "wrap" && fill_mode != "mirror" &&
      fill_mode != "reflect")
    throw_invalid(op + ": expected fill_mode one of constant, nearest, wrap, mirror, reflect, but received \"" +
                  fill_mode + "\"");
  if (order != 0 && order != 1)
    throw_invalid(op + ": expected order 0 or 1, but received " + std::to_string(order));
  if (inputs.dtype() == DType::bool_) throw_invalid(op + ": expected numeric inputs, but received bool");
  for (int64_t d = 0; d < inputs.rank(); ++d)
    if (inputs.shape()[d] == 0) throw_invalid(op + ": expected non-empty inputs, but received shape " + inputs.shape().str());
  const Tensor coords = is_floating(coordinates.dtype()) ? coordinates : cast(coordinates, DType::float32);
  const DType wdt = coords.dtype();
  std::vector<Tensor> per_axis = unstack(coords, 0);
  // Interpolation nodes per axis, made valid.
  std::vector<std::vector<std::pair<Node, Tensor>>> axes;
  for (int64_t d = 0; d < inputs.rank(); ++d) {
    const Tensor& x = per_axis[size_t(d)];
    std::vector<Node> nodes;
    if (order == 0) {
      nodes.push_back({cast(round(x), DType::int32), Tensor()});
    } else {
      Tensor lower = floor(x), upper_w = subtract(x, lower);
      Tensor li = cast(lower, DType::int32);
      nodes.push_back({li, subtract(scalar_like(x, 1.0), upper_w)});
      nodes.push_back({add(li, scalar_like(li, 1.0)), upper_w});
    }
    std::vector<std::pair<Node, Tensor>> fixed;
    for (Node& n : nodes) {
      auto [idx, valid] = fix_index(n.index, inputs.shape()[d], fill_mode);
      fixed.push_back({{idx, n.weight}, valid});
    }
    axes.push_back(fixed);
  }
  const Tensor flat = cast(reshape(inputs, {-1}), wdt);
  Tensor result;
  // Every combination of one node per axis (the corners of the interpolation cell).
  std::vector<size_t> pick(axes.size(), 0);
  while (true) {
    Tensor index, weight, valid;
    int64_t stride = 1;
    for (int64_t d = inputs.rank() - 1; d >= 0; --d) {
      const auto& [node, ok] = axes[size_t(d)][pick[size_t(d)]];
      Tensor term = multiply(cast(node.index, DType::int64), scalar_like(cast(node.index, DType::int64), double(stride)));
      index = index.defined() ? add(index, term) : term;
      if (node.weight.defined()) weight = weight.defined() ? multiply(weight, node.weight) : node.weight;
      valid = valid.defined() ? logical_and(valid, ok) : ok;
      stride *= inputs.shape()[d];
    }
    Tensor g = gather(flat, index, 0);
    if (fill_mode == "constant") g = where(valid, g, scalar_like(g, fill_value));
    Tensor term = weight.defined() ? multiply(weight, g) : g;
    result = result.defined() ? add(result, term) : term;
    size_t d = 0;
    while (d < pick.size() && ++pick[d] == axes[d].size()) pick[d++] = 0;
    if (d == pick.size()) break;
  }
  if (!is_floating(inputs.dtype())) result = round(result);
  return cast(result, inputs.dtype());
}

Tensor sample_images(const Tensor& images, const Tensor& rows, const Tensor& cols, int64_t order,
                     const std::string& fill_mode, double fill_value) {
  const std::string op = "sample_images";
  if (!images.defined() || !rows.defined() || !cols.defined()) throw_invalid(op + ": an argument is an undefined tensor");
  if (images.rank() != 4)
    throw_invalid(op + ": expected images (batch, height, width, channels), but received shape " + images.shape().str());
  if (rows.shape() != cols.shape() || rows.rank() < 1 || rows.shape()[0] != images.shape()[0])
    throw_invalid(op + ": expected rows and cols of one shape (batch, ...) with the images' batch " +
                  std::to_string(images.shape()[0]) + ", but received rows " + rows.shape().str() + " and cols " +
                  cols.shape().str());
  if (fill_mode != "constant" && fill_mode != "nearest" && fill_mode != "wrap" && fill_mode != "mirror" &&
      fill_mode != "reflect")
    throw_invalid(op + ": expected fill_mode one of constant, nearest, wrap, mirror, reflect, but received \"" +
                  fill_mode + "\"");
  if (order != 0 && order != 1) throw_invalid(op + ": expected order 0 or 1, but received " + std::to_string(order));
  const int64_t b = images.shape()[0], h = images.shape()[1], w = images.shape()[2], c = images.shape()[3];
  if (h == 0 || w == 0 || c == 0) throw_invalid(op + ": expected non-empty images, but received shape " + images.shape().str());
  const Tensor ry = is_floating(rows.dtype()) ? rows : cast(rows, DType::float32);
  const Tensor rx = is_floating(cols.dtype()) ? cols : cast(cols, ry.dtype());
  const DType wdt = ry.dtype();
  // The interpolation nodes along each axis, made valid by fill_mode.
  auto nodes = [&](const Tensor& x, int64_t size) {
    std::vector<std::pair<Node, Tensor>> out;
    if (order == 0) {
      auto [idx, ok] = fix_index(cast(round(x), DType::int32), size, fill_mode);
      out.push_back({{idx, Tensor()}, ok});
      return out;
    }
    Tensor lower = floor(x), upper_w = subtract(x, lower);
    Tensor li = cast(lower, DType::int32);
    auto [i0, ok0] = fix_index(li, size, fill_mode);
    auto [i1, ok1] = fix_index(add(li, scalar_like(li, 1.0)), size, fill_mode);
    out.push_back({{i0, subtract(scalar_like(x, 1.0), upper_w)}, ok0});
    out.push_back({{i1, upper_w}, ok1});
    return out;
  };
  const auto ys = nodes(ry, h), xs = nodes(rx, w);
  // Each image's values as one row; a pixel's channels are consecutive.
  const Tensor flat = cast(reshape(images, {b, h * w * c}), wdt);
  const Tensor channel = cast(range(int64_t{0}, c), DType::int64);
  std::vector<int64_t> with_channel = rows.shape().dims();  // (b, ...) -> (b, ..., 1)
  with_channel.push_back(1);
  Tensor result;
  for (const auto& [ny, oky] : ys)
    for (const auto& [nx, okx] : xs) {
      Tensor pixel = add(multiply(cast(ny.index, DType::int64), scalar_like(cast(ny.index, DType::int64), double(w))),
                         cast(nx.index, DType::int64));
      Tensor index = add(multiply(reshape(pixel, with_channel), scalar_like(channel, double(c))), channel);
      std::vector<int64_t> out_dims = with_channel;
      out_dims.back() = c;
      Tensor g = reshape(take_along_axis(flat, reshape(index, {b, -1}), 1), out_dims);
      if (fill_mode == "constant")
        g = where(reshape(logical_and(oky, okx), with_channel), g, scalar_like(g, fill_value));
      Tensor weight;
      if (ny.weight.defined()) weight = multiply(ny.weight, nx.weight);
      Tensor term = weight.defined() ? multiply(reshape(weight, with_channel), g) : g;
      result = result.defined() ? add(result, term) : term;
    }
  if (!is_floating(images.dtype())) result = round(result);
  return cast(result, images.dtype());
}

namespace {
// The homography of perspective_matrix; errors name `op`.
Tensor homography(const Tensor& start_points, const Tensor& end_points, const std::string& op) {
  if (!start_points.defined() || !end_points.defined()) throw_invalid(op + ": an argument is an undefined tensor");
  auto check_points = [&](const Tensor& p, const char* name) {
    if ((p.rank() != 2 && p.rank() != 3) || p.shape()[p.rank() - 2] != 4 || p.shape()[p.rank() - 1] != 2)
      throw_invalid(op + ": expected " + name + " of shape (4, 2) or (N, 4, 2), but received shape " +
                    p.shape().str());
  };
  check_points(start_points, "start_points");
  check_points(end_points, "end_points");
  if (start_points.shape() != end_points.shape())
    throw_invalid(op + ": start_points and end_points must have the same shape, but received " +
                  start_points.shape().str() + " and " + end_points.shape().str());
  Tensor s = cast(start_points.rank() == 2 ? expand_dims(start_points, 0) : start_points, DType::float32);
  Tensor e = cast(end_points.rank() == 2 ? expand_dims(end_points, 0) : end_points, DType::float32);
  // Rows 2k and 2k + 1 of the system for point k: the homography's 8 unknowns map end
  // point k to start point k.
  std::vector<Tensor> rows, rhs;
  for (int64_t k = 0; k < 4; ++k) {
    Tensor ex = reshape(slice(e, {0, k, 0}, {-1, 1, 1}), {-1}), ey = reshape(slice(e, {0, k, 1}, {-1, 1, 1}), {-1});
    Tensor sx = reshape(slice(s, {0, k, 0}, {-1, 1, 1}), {-1}), sy = reshape(slice(s, {0, k, 1}, {-1, 1, 1}), {-1});
    Tensor one = ones_like(ex), zero = zeros_like(ex);
    rows.push_back(stack({ex, ey, one, zero, zero, zero, neg(multiply(sx, ex)), neg(multiply(sx, ey))}, -1));
    rows.push_back(stack({zero, zero, zero, ex, ey, one, neg(multiply(sy, ex)), neg(multiply(sy, ey))}, -1));
    rhs.push_back(sx);
    rhs.push_back(sy);
  }
  return reshape(solve(stack(rows, 1), expand_dims(stack(rhs, -1), -1)), {-1, 8});
}
}  // namespace

Tensor perspective_matrix(const Tensor& start_points, const Tensor& end_points) {
  return homography(start_points, end_points, "perspective_matrix");
}

Tensor perspective_transform(const Tensor& images, const Tensor& start_points, const Tensor& end_points,
                             const std::string& interpolation, double fill_value, const std::string& data_format) {
  const std::string op = "perspective_transform";
  if (!images.defined() || !start_points.defined() || !end_points.defined())
    throw_invalid(op + ": an argument is an undefined tensor");
  if (images.rank() != 3 && images.rank() != 4)
    throw_invalid(op + ": expected images of rank 3 (single image) or 4 (batch of images), but received shape " +
                  images.shape().str());
  if (!is_floating(images.dtype()))
    throw_invalid(op + ": expected floating images, but received " + std::string(dtype_name(images.dtype())));
  Tensor transform = homography(start_points, end_points, op);
  const bool first = is_channels_first(data_format, op);
  Tensor x = images.rank() == 3 ? expand_dims(images, 0) : images;
  if (first) x = transpose(x, {0, 2, 3, 1});
  if (transform.shape()[0] != x.shape()[0] && transform.shape()[0] != 1)
    throw_invalid(op + ": expected one set of points or one per image (" + std::to_string(x.shape()[0]) +
                  "), but received " + std::to_string(transform.shape()[0]));
  if (transform.shape()[0] == 1) transform = reshape(transform, {8});
  Tensor y = affine_transform(x, cast(transform, x.dtype()),
                              {.interpolation = interpolation, .fill_mode = "constant", .fill_value = fill_value});
  if (first) y = transpose(y, {0, 3, 1, 2});
  return images.rank() == 3 ? squeeze(y, {0}) : y;
}

}  // namespace keras::core::ops::image
