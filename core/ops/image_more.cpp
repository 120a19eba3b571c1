// image_more.cpp - keras.ops.image's crops, pads, color spaces, patches, blur, Sobel
// edges and SSIM (core/image_ops_more.h), composed as Keras's TensorFlow backend does.
#include <cmath>
#include <string>

#include "core/device_scope.h"
#include "core/dispatch.h"
#include "core/image_ops_more.h"
#include "core/ops.h"

namespace keras::core::ops::image {
namespace {

void check_images(const Tensor& images, const std::string& op, const char* arg = "images") {
  if (!images.defined()) throw_invalid(op + ": `" + arg + "` is an undefined tensor");
  if (images.rank() != 3 && images.rank() != 4)
    throw_invalid(op + ": expected `" + arg + "` of rank 3 (single image) or 4 (batch of images), but received shape " +
                  images.shape().str());
}

void check_float(const Tensor& t, const std::string& op, const char* arg = "images") {
  if (!is_floating(t.dtype()))
    throw_invalid(op + ": expected floating `" + arg + "` (float32, float64), but received " + dtype_name(t.dtype()));
}

// Batched channels_last view of images, and back.
Tensor to_nhwc(const Tensor& x, bool first) {
  Tensor b = x.rank() == 3 ? expand_dims(x, 0) : x;
  return first ? transpose(b, {0, 2, 3, 1}) : b;
}
Tensor from_nhwc(const Tensor& y, bool first, bool unbatched) {
  Tensor b = first ? transpose(y, {0, 3, 1, 2}) : y;
  return unbatched ? squeeze(b, {0}) : b;
}

// The two of (a, b, target) given, and the third from `size`; each >= 0.
struct Span {
  int64_t before, after;
};
Span resolve(const std::string& op, const char* na, const char* nb, const char* nt, std::optional<int64_t> a,
             std::optional<int64_t> b, std::optional<int64_t> target, int64_t size, bool crop) {
  if (int(!a) + int(!b) + int(!target) != 1)
    throw_invalid(op + ": must specify exactly two of " + na + ", " + nb + ", " + nt);
  for (auto [v, n] : {std::pair{a, na}, std::pair{b, nb}, std::pair{target, nt}})
    if (v && *v < 0) throw_invalid(op + ": " + n + " must be >= 0, but received " + std::to_string(*v));
  const int64_t t = target ? *target : crop ? size - *a - *b : size + *a + *b;
  Span s{a ? *a : crop ? size - t - *b : t - *b - size, 0};
  s.after = b ? *b : crop ? size - t - s.before : t - s.before - size;
  if (s.before < 0 || s.after < 0 || t < 0)
    throw_invalid(op + ": " + na + " " + std::to_string(s.before) + ", " + nb + " " + std::to_string(s.after) +
                  " and " + nt + " " + std::to_string(t) + " do not fit an image axis of size " +
                  std::to_string(size));
  return s;
}

// The 1-d Gaussian of `size` points (Keras's kernels), in dtype.
std::vector<double> gaussian_1d(int64_t size, double sigma) {
  std::vector<double> g(static_cast<size_t>(size));
  double total = 0;
  for (int64_t i = 0; i < size; ++i) {
    const double x = double(i) - double(size - 1) / 2.0;
    g[size_t(i)] = std::exp(-0.5 * (x / sigma) * (x / sigma));
    total += g[size_t(i)];
  }
  for (double& v : g) v /= total;
  return g;
}

Tensor from_values(const std::vector<double>& v, const Shape& s, DType dt) {
  return from_buffer(v.data(), DType::float64, s, dt);
}

// Patches through a convolution with an identity kernel (Keras's composition).
Tensor patches(const std::string& op, const Tensor& x, std::vector<int64_t> size, std::vector<int64_t> strides,
               const std::vector<int64_t>& dilation, const std::string& padding, const std::string& data_format,
               int64_t spatial) {
  if (!x.defined()) throw_invalid(op + ": the input is an undefined tensor");
  if (x.rank() != spatial + 1 && x.rank() != spatial + 2)
    throw_invalid(op + ": expected an input of rank " + std::to_string(spatial + 1) + " (unbatched) or " +
                  std::to_string(spatial + 2) + ", but received shape " + x.shape().str());
  check_float(x, op);
  const bool first = is_channels_first(data_format, op);
  if (size.size() == 1) size.assign(size_t(spatial), size[0]);
  if (int64_t(size.size()) != spatial)
    throw_invalid(op + ": expected `size` of 1 or " + std::to_string(spatial) + " values, but received " +
                  std::to_string(size.size()));
  if (strides.empty()) strides = size;
  const bool unbatched = x.rank() == spatial + 1;
  Tensor b = unbatched ? expand_dims(x, 0) : x;
  if (first) {
    Axes perm{0};
    for (int64_t d = 0; d < spatial; ++d) perm.push_back(2 + d);
    perm.push_back(1);
    b = transpose(b, perm);
  }
  const int64_t c = b.shape()[b.rank() - 1];
  int64_t out_dim = c;
  for (int64_t s : size) out_dim *= s;
  std::vector<int64_t> kshape = size;
  kshape.push_back(c);
  kshape.push_back(out_dim);
  DeviceScope on_input(b.device());  // the kernel on the input's device
  Tensor kernel = reshape(eye(out_dim, std::nullopt, b.dtype()), kshape);
  Tensor y = conv(b, kernel, strides, padding, "channels_last", dilation);
  if (first) {
    Axes perm{0, spatial + 1};
    for (int64_t d = 0; d < spatial; ++d) perm.push_back(1 + d);
    y = transpose(y, perm);
  }
  return unbatched ? squeeze(y, {0}) : y;
}

}  // namespace

Tensor crop_images(const Tensor& images, const CropImagesOptions& o) {
  const std::string op = "crop_images";
  check_images(images, op);
  const bool first = is_channels_first(o.data_format, op);
  const int64_t ha = images.rank() - (first ? 2 : 3), wa = ha + 1;
  Span h = resolve(op, "top_cropping", "bottom_cropping", "target_height", o.top_cropping, o.bottom_cropping,
                   o.target_height, images.shape()[ha], true);
  Span w = resolve(op, "left_cropping", "right_cropping", "target_width", o.left_cropping, o.right_cropping,
                   o.target_width, images.shape()[wa], true);
  std::vector<int64_t> begin(size_t(images.rank()), 0), size(size_t(images.rank()), -1);
  begin[size_t(ha)] = h.before;
  size[size_t(ha)] = images.shape()[ha] - h.before - h.after;
  begin[size_t(wa)] = w.before;
  size[size_t(wa)] = images.shape()[wa] - w.before - w.after;
  return slice(images, begin, size);
}

Tensor pad_images(const Tensor& images, const PadImagesOptions& o) {
  const std::string op = "pad_images";
  check_images(images, op);
  const bool first = is_channels_first(o.data_format, op);
  const int64_t ha = images.rank() - (first ? 2 : 3), wa = ha + 1;
  Span h = resolve(op, "top_padding", "bottom_padding", "target_height", o.top_padding, o.bottom_padding,
                   o.target_height, images.shape()[ha], false);
  Span w = resolve(op, "left_padding", "right_padding", "target_width", o.left_padding, o.right_padding,
                   o.target_width, images.shape()[wa], false);
  std::vector<std::pair<int64_t, int64_t>> p(size_t(images.rank()), {0, 0});
  p[size_t(ha)] = {h.before, h.after};
  p[size_t(wa)] = {w.before, w.after};
  return pad(images, p);
}

Tensor rgb_to_grayscale(const Tensor& images, const std::string& data_format) {
  const std::string op = "rgb_to_grayscale";
  check_images(images, op);
  const int64_t axis = is_channels_first(data_format, op) ? images.rank() - 3 : images.rank() - 1;
  const int64_t c = images.shape()[axis];
  if (c != 1 && c != 3)
    throw_invalid(op + ": expected 3 (RGB) or 1 (grayscale) channels, but received images.shape=" +
                  images.shape().str());
  if (c == 1) return images;
  const DType dt = is_floating(images.dtype()) ? images.dtype() : DType::float32;
  Tensor w = from_values({0.2989, 0.5870, 0.1140}, Shape{3}, dt);
  Tensor g = tensordot(cast(images, dt), w, {axis}, {0});
  return cast(expand_dims(g, axis), images.dtype());
}

Tensor rgb_to_hsv(const Tensor& images, const std::string& data_format) {
  const std::string op = "rgb_to_hsv";
  check_images(images, op);
  check_float(images, op);
  const bool first = is_channels_first(data_format, op);
  Tensor x = to_nhwc(images, first);
  if (x.shape()[3] != 3)
    throw_invalid(op + ": expected 3 channels (RGB), but received images.shape=" + images.shape().str());
  std::vector<Tensor> rgb = unstack(x, 3);
  const Tensor &r = rgb[0], &g = rgb[1], &b = rgb[2];
  Tensor v = max(x, {3}), range = subtract(v, min(x, {3}));
  Tensor zero = zeros_like(v), one = ones_like(v);
  Tensor safe_v = where(greater(v, zero), v, one), safe_range = where(greater(range, zero), range, one);
  Tensor s = where(greater(v, zero), divide(range, safe_v), zero);
  Tensor norm = divide(scalar_like(v, 1.0 / 6.0), safe_range);
  Tensor h = where(equal(r, v), multiply(norm, subtract(g, b)),
                   where(equal(g, v), add(multiply(norm, subtract(b, r)), scalar_like(v, 2.0 / 6.0)),
                         add(multiply(norm, subtract(r, g)), scalar_like(v, 4.0 / 6.0))));
  h = where(greater(range, zero), h, zero);
  h = where(less(h, zero), add(h, one), h);
  return from_nhwc(stack({h, s, v}, 3), first, images.rank() == 3);
}

Tensor hsv_to_rgb(const Tensor& images, const std::string& data_format) {
  const std::string op = "hsv_to_rgb";
  check_images(images, op);
  check_float(images, op);
  const bool first = is_channels_first(data_format, op);
  Tensor x = to_nhwc(images, first);
  if (x.shape()[3] != 3)
    throw_invalid(op + ": expected 3 channels (HSV), but received images.shape=" + images.shape().str());
  std::vector<Tensor> hsv = unstack(x, 3);
  const Tensor &h = hsv[0], &s = hsv[1], &v = hsv[2];
  Tensor dh = multiply(h, scalar_like(h, 6.0));
  auto unit = [](const Tensor& t) { return clip(t, 0.0, 1.0); };
  Tensor dr = unit(subtract(abs(subtract(dh, scalar_like(h, 3.0))), scalar_like(h, 1.0)));
  Tensor dg = unit(subtract(scalar_like(h, 2.0), abs(subtract(dh, scalar_like(h, 2.0)))));
  Tensor db = unit(subtract(scalar_like(h, 2.0), abs(subtract(dh, scalar_like(h, 4.0)))));
  Tensor one_s = subtract(scalar_like(s, 1.0), s);
  auto channel = [&](const Tensor& d) { return multiply(add(one_s, multiply(s, d)), v); };
  return from_nhwc(stack({channel(dr), channel(dg), channel(db)}, 3), first, images.rank() == 3);
}

Tensor extract_patches(const Tensor& images, const std::vector<int64_t>& size, const std::vector<int64_t>& strides,
                       const std::vector<int64_t>& dilation_rate, const std::string& padding,
                       const std::string& data_format) {
  return patches("extract_patches", images, size, strides, dilation_rate, padding, data_format, 2);
}

Tensor extract_patches_3d(const Tensor& volumes, const std::vector<int64_t>& size, const std::vector<int64_t>& strides,
                          const std::vector<int64_t>& dilation_rate, const std::string& padding,
                          const std::string& data_format) {
  return patches("extract_patches_3d", volumes, size, strides, dilation_rate, padding, data_format, 3);
}

Tensor gaussian_blur(const Tensor& images, const std::vector<int64_t>& kernel_size, const std::vector<double>& sigma,
                     const std::string& data_format) {
  const std::string op = "gaussian_blur";
  check_images(images, op);
  check_float(images, op);
  if (kernel_size.size() != 2 || sigma.size() != 2 || kernel_size[0] < 1 || kernel_size[1] < 1 || sigma[0] <= 0 ||
      sigma[1] <= 0)
    throw_invalid(op + ": expected kernel_size of two sizes >= 1 and sigma of two values > 0");
  const bool first = is_channels_first(data_format, op);
  Tensor x = to_nhwc(images, first);
  const int64_t c = x.shape()[3], a = kernel_size[0], b = kernel_size[1];
  std::vector<double> kx = gaussian_1d(a, sigma[0]), ky = gaussian_1d(b, sigma[1]), k;
  for (double yv : ky)
    for (double xv : kx) k.push_back(yv * xv);  // outer(ky, kx), read as (a, b) below
  Tensor kernel = tile(from_values(k, Shape{a, b, 1, 1}, x.dtype()), {1, 1, 1, c});
  return from_nhwc(conv(x, kernel, 1, "same"), first, images.rank() == 3);
}

Tensor gaussian_blur(const Tensor& images, const std::vector<int64_t>& kernel_size, const Tensor& sigma,
                     const std::string& data_format) {
  const std::string op = "gaussian_blur";
  check_images(images, op);
  check_float(images, op);
  if (kernel_size.size() != 2 || kernel_size[0] < 1 || kernel_size[1] < 1)
    throw_invalid(op + ": expected kernel_size of two sizes >= 1");
  if (!sigma.defined() || sigma.shape() != Shape{2})
    throw_invalid(op + ": expected sigma of shape (2,), but received " +
                  (sigma.defined() ? "shape " + sigma.shape().str() : std::string("an undefined tensor")));
  const bool first = is_channels_first(data_format, op);
  Tensor x = to_nhwc(images, first);
  const int64_t c = x.shape()[3], a = kernel_size[0], b = kernel_size[1];
  const Tensor s = cast(sigma, x.dtype());
  // A normalized n-point Gaussian of standard deviation s[i], as gaussian_1d.
  auto gaussian = [&](int64_t n, int64_t i) {
    std::vector<double> pos;
    for (int64_t k = 0; k < n; ++k) pos.push_back(double(k) - double(n - 1) / 2.0);
    Tensor z = divide(from_values(pos, Shape{n}, x.dtype()), slice(s, {i}, {1}));
    Tensor g = exp(multiply(scalar_like(z, -0.5), multiply(z, z)));
    return divide(g, sum(g));
  };
  Tensor kx = gaussian(a, 0), ky = gaussian(b, 1);
  Tensor k = reshape(multiply(expand_dims(ky, 1), expand_dims(kx, 0)), {a, b, 1, 1});  // outer(ky, kx) read as (a, b)
  return from_nhwc(conv(x, tile(k, {1, 1, 1, c}), 1, "same"), first, images.rank() == 3);
}

Tensor sobel_edges(const Tensor& images, const std::string& data_format) {
  const std::string op = "sobel_edges";
  if (!images.defined() || images.rank() != 4)
    throw_invalid(op + ": expected batched images of rank 4, but received " +
                  (images.defined() ? "shape " + images.shape().str() : std::string("an undefined tensor")));
  check_float(images, op);
  const bool first = is_channels_first(data_format, op);
  Tensor x = to_nhwc(images, first);
  const int64_t h = x.shape()[1], w = x.shape()[2], c = x.shape()[3];
  if (h < 2 || w < 2)
    throw_invalid(op + ": expected height and width >= 2 (reflect padding), but received images.shape=" +
                  images.shape().str());
  // Reflect padding by one cell: row 1 before, row h - 2 after (and the same for columns).
  auto reflect = [](const Tensor& t, int64_t axis, int64_t n) {
    std::vector<int64_t> b(4, 0), s(4, -1);
    b[size_t(axis)] = 1;
    s[size_t(axis)] = 1;
    Tensor lo = slice(t, b, s);
    b[size_t(axis)] = n - 2;
    return concat({lo, t, slice(t, b, s)}, axis);
  };
  Tensor p = reflect(reflect(x, 1, h), 2, w);
  const double dy[9] = {-1, -2, -1, 0, 0, 0, 1, 2, 1}, dx[9] = {-1, 0, 1, -2, 0, 2, -1, 0, 1};
  std::vector<double> k;  // (3, 3, 1, 2c): filter 2 ch + j is kernel j of channel ch
  for (int i = 0; i < 9; ++i)
    for (int64_t ch = 0; ch < c; ++ch) {
      k.push_back(dy[i]);
      k.push_back(dx[i]);
    }
  Tensor y = conv(p, from_values(k, Shape{3, 3, 1, 2 * c}, x.dtype()), 1, "valid");
  y = reshape(y, {x.shape()[0], h, w, c, 2});
  return first ? transpose(y, {0, 3, 1, 2, 4}) : y;
}

Tensor ssim(const Tensor& image1, const Tensor& image2, const SsimOptions& o) {
  const std::string op = "ssim";
  check_images(image1, op, "image1");
  check_images(image2, op, "image2");
  if (image1.shape() != image2.shape() || image1.dtype() != image2.dtype())
    throw_invalid(op + ": expected image1 and image2 of one shape and dtype, but received " +
                  dtype_name(image1.dtype()) + " " + image1.shape().str() + " and " + dtype_name(image2.dtype()) +
                  " " + image2.shape().str());
  if (o.filter_size < 1 || o.filter_sigma <= 0)
    throw_invalid(op + ": expected filter_size >= 1 and filter_sigma > 0, but received " +
                  std::to_string(o.filter_size) + " and " + std::to_string(o.filter_sigma));
  const bool first = is_channels_first(o.data_format, op);
  const DType dt = is_floating(image1.dtype()) ? image1.dtype() : DType::float32;
  Tensor a = to_nhwc(cast(image1, dt), first), b = to_nhwc(cast(image2, dt), first);
  const int64_t n = a.shape()[0], h = a.shape()[1], w = a.shape()[2], c = a.shape()[3], f = o.filter_size;
  if (h < f || w < f)
    throw_invalid(op + ": expected images at least filter_size " + std::to_string(f) +
                  " high and wide, but received shape " + image1.shape().str());
  std::vector<double> g = gaussian_1d(f, o.filter_sigma), k;
  for (double u : g)
    for (double v : g) k.push_back(u * v);
  Tensor kernel = from_values(k, Shape{f, f, 1, 1}, dt);
  // Channels as batch items: (n, h, w, c) -> (n * c, h, w, 1).
  auto per_channel = [&](const Tensor& t) { return reshape(transpose(t, {0, 3, 1, 2}), {n * c, h, w, 1}); };
  auto blur = [&](const Tensor& t) { return conv(t, kernel, 1, "valid"); };
  Tensor x = per_channel(a), y = per_channel(b);
  Tensor mu1 = blur(x), mu2 = blur(y);
  Tensor mu1_sq = multiply(mu1, mu1), mu2_sq = multiply(mu2, mu2), mu12 = multiply(mu1, mu2);
  Tensor s1 = subtract(blur(multiply(x, x)), mu1_sq), s2 = subtract(blur(multiply(y, y)), mu2_sq);
  Tensor s12 = subtract(blur(multiply(x, y)), mu12);
  const double c1 = (o.k1 * o.max_val) * (o.k1 * o.max_val), c2 = (o.k2 * o.max_val) * (o.k2 * o.max_val);
  auto sc = [&](double v) { return scalar_like(mu1, v); };
  Tensor num = multiply(add(multiply(sc(2.0), mu12), sc(c1)), add(multiply(sc(2.0), s12), sc(c2)));
  Tensor den = multiply(add(add(mu1_sq, mu2_sq), sc(c1)), add(add(s1, s2), sc(c2)));
  Tensor per_image = mean(reshape(mean(divide(num, den), {1, 2, 3}), {n, c}), {-1});
  if (image1.rank() == 3) per_image = squeeze(per_image, {0});
  return cast(per_image, image1.dtype());
}

}  // namespace keras::core::ops::image
