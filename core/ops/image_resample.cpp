// image_resample.cpp - keras.ops.image.scale_and_translate (weight matrices per axis,
// applied with tensordot, as Keras's TensorFlow backend) and elastic_transform (blurred
// random displacements sampled with map_coordinates), core/image_ops_more.h.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "core/device_scope.h"
#include "core/dispatch.h"
#include "core/image_ops_more.h"
#include "core/ops.h"

namespace keras::core::ops::image {
namespace {

double kernel_value(const std::string& method, double x) {
  if (method == "linear") return std::max(0.0, 1.0 - std::fabs(x));
  if (method == "cubic") {  // Keys, a = -0.5 (x >= 0 here)
    if (x >= 2.0) return 0.0;
    if (x >= 1.0) return ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0;
    return ((1.5 * x - 2.5) * x) * x + 1.0;
  }
  const double radius = method == "lanczos3" ? 3.0 : 5.0;
  if (x > radius) return 0.0;
  if (x <= 1e-3) return 1.0;
  const double pi = std::numbers::pi;
  return radius * std::sin(pi * x) * std::sin(pi * x / radius) / (pi * pi * x * x);
}

// (input_size, output_size) weights of one axis.
std::vector<double> weight_matrix(int64_t in, int64_t out, double scale, double translation, const std::string& method,
                                  bool antialias) {
  const double inv = 1.0 / scale, kscale = antialias ? std::max(inv, 1.0) : 1.0;
  std::vector<double> w(static_cast<size_t>(in * out), 0.0);
  const double tiny = 1000.0 * double(std::numeric_limits<float>::epsilon());
  for (int64_t o = 0; o < out; ++o) {
    const double sample = (double(o) + 0.5) * inv - translation * inv - 0.5;
    double total = 0;
    for (int64_t i = 0; i < in; ++i) {
      double v = kernel_value(method, std::fabs(sample - double(i)) / kscale);
      w[size_t(i * out + o)] = v;
      total += v;
    }
    const bool inside = sample >= -0.5 && sample <= double(in) - 0.5;
    for (int64_t i = 0; i < in; ++i) {
      double& v = w[size_t(i * out + o)];
      v = inside && std::fabs(total) > tiny ? v / total : 0.0;
    }
  }
  return w;
}

// x with axis d (of size m) replaced by the n values x . w, w (m, n) row-major.
Tensor apply_axis_weights(const Tensor& x, int64_t d, int64_t n, const std::vector<double>& w) {
  const int64_t m = x.shape()[d];
  Tensor out = tensordot(x, from_buffer(w.data(), DType::float64, Shape{m, n}, x.dtype()), {d}, {0});
  Axes perm;  // the new axis is last: move it back to d
  for (int64_t a = 0; a < out.rank() - 1; ++a) {
    if (a == d) perm.push_back(out.rank() - 1);
    perm.push_back(a);
  }
  if (d == out.rank() - 1) perm.push_back(out.rank() - 1);
  return transpose(out, perm);
}

// TensorFlow's ResizeBicubic with half-pixel centers: Keys' cubic (a = -0.5) read from a
// table of 1025 entries over [0, 1] (the sample's fraction rounded to 1/1024), taps outside
// the input dropped and the others renormalized. Positions in float, as there.
std::vector<double> bicubic_matrix(int64_t in, int64_t out) {
  constexpr int kTable = 1024;
  auto keys = [](double x) { return kernel_value("cubic", x); };
  std::vector<double> w(static_cast<size_t>(in * out), 0.0);
  const float scale = float(in) / float(out);
  for (int64_t o = 0; o < out; ++o) {
    const float c = (float(o) + 0.5f) * scale - 0.5f, f = std::floor(c);
    const long q = std::lrint(double(c - f) * kTable);
    const double t = double(q) / kTable, taps[4] = {keys(1 + t), keys(t), keys(1 - t), keys(2 - t)};
    double total = 0;
    for (int k = 0; k < 4; ++k) {
      const int64_t i = int64_t(f) - 1 + k;
      if (i >= 0 && i < in) total += taps[k];
    }
    const bool renormalize = std::fabs(total) >= 1000.0 * double(std::numeric_limits<float>::min());
    for (int k = 0; k < 4; ++k) {
      const int64_t i = int64_t(f) - 1 + k;
      if (i >= 0 && i < in) w[size_t(i * out + o)] = renormalize ? taps[k] / total : taps[k];
    }
  }
  return w;
}

// TensorFlow's ResizeArea along one axis: output o sums the input over [o, o + 1) * in / out,
// each input pixel weighted by its overlap (an index past the end clamped to the last), in
// float as there; resize_resampled divides by the box's area after both axes.
std::vector<double> area_matrix(int64_t in, int64_t out) {
  std::vector<double> w(static_cast<size_t>(in * out), 0.0);
  const float scale = float(in) / float(out);
  for (int64_t o = 0; o < out; ++o) {
    const float lo = float(o) * scale, hi = float(o + 1) * scale;
    for (int64_t i = int64_t(std::floor(lo)); i < int64_t(std::ceil(hi)); ++i) {
      const float overlap = float(i) < lo ? (float(i + 1) > hi ? scale : float(i + 1) - lo)
                                          : (float(i + 1) > hi ? hi - float(i) : 1.0f);
      w[size_t(std::min(i, in - 1) * out + o)] += double(overlap);
    }
  }
  return w;
}

}  // namespace

Tensor resize_resampled(const Tensor& x, const std::vector<int64_t>& size, const std::string& method, bool antialias) {
  Tensor y = x;
  for (int64_t d : {2, 1}) {  // width first, then height
    const int64_t in = y.shape()[d], out = size[size_t(d - 1)];
    std::vector<double> w;
    if (method == "area") w = area_matrix(in, out);
    else if (method == "bicubic" && !antialias) w = bicubic_matrix(in, out);
    else
      w = weight_matrix(in, out, double(float(out) / float(in)), 0.0, method == "bicubic" ? "cubic" : method,
                        antialias);
    y = apply_axis_weights(y, d, out, w);
  }
  if (method == "area") {  // 1 / the box's area, as ResizeArea computes it
    const float box = (float(x.shape()[1]) / float(size[0])) * (float(x.shape()[2]) / float(size[1]));
    y = multiply(y, scalar_like(y, double(float(1.0 / double(box)))));
  }
  return y;
}

Tensor scale_and_translate(const Tensor& images, const std::vector<int64_t>& output_shape,
                           const std::vector<double>& scale, const std::vector<double>& translation,
                           const std::vector<int64_t>& spatial_dims, const std::string& method, bool antialias) {
  const std::string op = "scale_and_translate";
  if (!images.defined()) throw_invalid(op + ": `images` is an undefined tensor");
  std::string kernel;
  if (method == "linear" || method == "bilinear" || method == "trilinear" || method == "triangle") kernel = "linear";
  else if (method == "cubic" || method == "bicubic" || method == "tricubic") kernel = "cubic";
  else if (method == "lanczos3" || method == "lanczos5") kernel = method;
  else
    throw_invalid(op + ": invalid method \"" + method +
                  "\" (expected linear, bilinear, trilinear, triangle, cubic, bicubic, tricubic, lanczos3, lanczos5)");
  if (int64_t(output_shape.size()) != images.rank())
    throw_invalid(op + ": expected output_shape of rank " + std::to_string(images.rank()) + " (images.shape=" +
                  images.shape().str() + "), but received " + std::to_string(output_shape.size()) + " values");
  if (scale.size() != spatial_dims.size() || translation.size() != spatial_dims.size())
    throw_invalid(op + ": expected one scale and one translation per spatial dim (" +
                  std::to_string(spatial_dims.size()) + "), but received " + std::to_string(scale.size()) + " and " +
                  std::to_string(translation.size()));
  if (images.dtype() == DType::bool_) throw_invalid(op + ": expected numeric images, but received bool");
  const bool integer = !is_floating(images.dtype());
  Tensor out = integer ? cast(images, DType::float32) : images;
  for (size_t k = 0; k < spatial_dims.size(); ++k) {
    const int64_t d = normalize_axis(spatial_dims[k], images.rank(), op.c_str());
    if (scale[k] == 0 || !std::isfinite(scale[k]) || output_shape[size_t(d)] < 0)
      throw_invalid(op + ": expected finite non-zero scales and output sizes >= 0, but received scale " +
                    std::to_string(scale[k]) + " for output size " + std::to_string(output_shape[size_t(d)]));
    const int64_t m = out.shape()[d], n = output_shape[size_t(d)];
    out = apply_axis_weights(out, d, n, weight_matrix(m, n, scale[k], translation[k], kernel, antialias));
  }
  if (integer) {
    out = maximum(minimum(round(out), cast(max(images), DType::float32)), cast(min(images), DType::float32));
    out = cast(out, images.dtype());
  }
  return out;
}

namespace {
void check_interpolation(const std::string& op, const std::string& interpolation) {
  if (interpolation != "bilinear" && interpolation != "nearest")
    throw_invalid(op + ": expected interpolation \"bilinear\" or \"nearest\", but received \"" + interpolation + "\"");
}
}  // namespace

Tensor elastic_transform(const Tensor& images, const ElasticTransformOptions& o) {
  const std::string op = "elastic_transform";
  if (!images.defined() || (images.rank() != 3 && images.rank() != 4))
    throw_invalid(op + ": expected images of rank 3 (single image) or 4 (batch of images), but received " +
                  (images.defined() ? "shape " + images.shape().str() : std::string("an undefined tensor")));
  if (!is_floating(images.dtype()))
    throw_invalid(op + ": expected floating images, but received " + std::string(dtype_name(images.dtype())));
  check_interpolation(op, o.interpolation);
  if (!(o.sigma > 0)) throw_invalid(op + ": expected sigma > 0, but received " + std::to_string(o.sigma));
  const bool first = o.data_format == "channels_first";
  if (!first && o.data_format != "channels_last")
    throw_invalid(op + ": expected data_format \"channels_last\" or \"channels_first\", but received \"" +
                  o.data_format + "\"");
  Tensor x = images.rank() == 3 ? expand_dims(images, 0) : images;
  if (first) x = transpose(x, {0, 2, 3, 1});
  const int64_t b = x.shape()[0], h = x.shape()[1], w = x.shape()[2];
  DeviceScope on_input(x.device());  // the random fields and the grid on the images' device
  RandomOptions r{.dtype = x.dtype(), .seed = o.seed};
  if (o.seed < 0) r.seed = -1;
  Tensor fx = random_normal({1, b, h, w}, r);
  if (o.seed >= 0) r.seed = o.seed + 1;  // the y field: another stream
  Tensor fy = random_normal({1, b, h, w}, r);
  Tensor y = elastic_transform_fields(x, concatenate({fx, fy}, 0), scalar_like(x, o.alpha), scalar_like(x, o.sigma),
                                      o.sigma, o.interpolation, o.fill_mode, o.fill_value);
  if (first) y = transpose(y, {0, 3, 1, 2});
  return images.rank() == 3 ? squeeze(y, {0}) : y;
}

Tensor elastic_transform_fields(const Tensor& images, const Tensor& fields, const Tensor& alpha, const Tensor& sigma,
                                double max_sigma, const std::string& interpolation, const std::string& fill_mode,
                                double fill_value) {
  const std::string op = "elastic_transform_fields";
  if (!images.defined() || !fields.defined() || !alpha.defined() || !sigma.defined())
    throw_invalid(op + ": an argument is an undefined tensor");
  if (images.rank() != 4 || !is_floating(images.dtype()))
    throw_invalid(op + ": expected floating images (batch, height, width, channels), but received " +
                  std::string(dtype_name(images.dtype())) + " " + images.shape().str());
  const int64_t b = images.shape()[0], h = images.shape()[1], w = images.shape()[2];
  if (fields.shape() != Shape{2, b, h, w})
    throw_invalid(op + ": expected fields of shape " + Shape{2, b, h, w}.str() + " for images " +
                  images.shape().str() + ", but received " + fields.shape().str());
  if (alpha.rank() != 0 || sigma.rank() != 0)
    throw_invalid(op + ": expected scalar alpha and sigma, but received shapes " + alpha.shape().str() + " and " +
                  sigma.shape().str());
  check_interpolation(op, interpolation);
  if (!(max_sigma > 0) || !std::isfinite(max_sigma))
    throw_invalid(op + ": expected max_sigma > 0, but received " + std::to_string(max_sigma));
  const DType dt = images.dtype();
  const Tensor s = cast(sigma, dt), a = cast(alpha, dt);
  // The blur's taps: offsets -3 int(max_sigma) .. 3 int(max_sigma), of which those within
  // 3 int(sigma) count (6 int(sigma) | 1 cells, as Keras's kernel size); weights
  // exp(-(o / sigma)^2 / 2), normalized, and zero outside.
  const int64_t half = 3 * int64_t(max_sigma), k = 2 * half + 1;
  std::vector<double> pos;
  for (int64_t i = 0; i < k; ++i) pos.push_back(double(i - half));
  const Tensor offsets = from_buffer(pos.data(), DType::float64, Shape{k}, dt);
  const Tensor reach = multiply(floor(s), scalar_like(s, 3.0));
  const Tensor z = divide(offsets, s);
  const Tensor inside = less_equal(abs(offsets), reach);
  Tensor g = where(inside, exp(multiply(scalar_like(z, -0.5), multiply(z, z))), zeros_like(z));
  g = divide(g, sum(g));
  const Tensor kernel = reshape(multiply(expand_dims(g, 1), expand_dims(g, 0)), {k, k, 1, 1});
  auto displacement = [&](int64_t i) {
    Tensor f = multiply(reshape(slice(fields, {i, 0, 0, 0}, {1, b, h, w}), {b, h, w, 1}), s);
    return multiply(reshape(conv(f, kernel, 1, "same"), {b, h, w}), a);
  };
  const Tensor cols = reshape(cast(range(int64_t{0}, w), dt), {1, 1, w});
  const Tensor rows = reshape(cast(range(int64_t{0}, h), dt), {1, h, 1});
  return sample_images(images, add(rows, displacement(1)), add(cols, displacement(0)),
                       interpolation == "nearest" ? 0 : 1, fill_mode, fill_value);
}

}  // namespace keras::core::ops::image
