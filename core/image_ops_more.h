// image_ops_more.h - more of Keras 3's keras.ops.image (core/ops/image_more.cpp): crops
// and pads, color spaces, patches, blur, Sobel edges and SSIM, compositions of the ops of
// core/ops.h (slices, pads, convolutions, elementwise), so their gradients are those ops'.
// Images are (batch, height, width, channels) or (height, width, channels) for
// "channels_last", channels before height for "channels_first". Bad input raises
// std::invalid_argument naming the op, the expected and the received shapes or dtypes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace keras::core::ops::image {

/// Exactly two of top, bottom and target_height (and of left, right, target_width) are
/// given, all >= 0, as Keras.
struct CropImagesOptions {
  ///@{
  /// Pixels cut from each side, or the output height/width (Keras's arguments of the same
  /// names).
  std::optional<int64_t> top_cropping, left_cropping, bottom_cropping, right_cropping, target_height, target_width;
  ///@}
  /// "channels_last" or "channels_first".
  std::string data_format = "channels_last";
};
/// keras.ops.image.crop_images: a window of each image (see CropImagesOptions); raises std::invalid_argument on a bad combination or a window outside the image.
Tensor crop_images(const Tensor& images, const CropImagesOptions& o);
/// Options of pad_images: exactly two of top, bottom and target_height (and of left, right,
/// target_width), all >= 0, as Keras.
struct PadImagesOptions {
  ///@{
  /// Zero rows/columns added on each side, or the output height/width (Keras's arguments of
  /// the same names).
  std::optional<int64_t> top_padding, left_padding, bottom_padding, right_padding, target_height, target_width;
  ///@}
  /// "channels_last" or "channels_first".
  std::string data_format = "channels_last";
};
Tensor pad_images(const Tensor& images, const PadImagesOptions& o);  ///< zeros

/// 0.2989 R + 0.5870 G + 0.1140 B, keeping a channel axis of 1; integer images are
/// computed in float32 and cast back; one channel is returned as it is.
Tensor rgb_to_grayscale(const Tensor& images, const std::string& data_format = "channels_last");
/// tf.image.rgb_to_hsv / hsv_to_rgb: floating images, hue in [0, 1).
Tensor rgb_to_hsv(const Tensor& images, const std::string& data_format = "channels_last");
/// The inverse of rgb_to_hsv (tf.image.hsv_to_rgb).
Tensor hsv_to_rgb(const Tensor& images, const std::string& data_format = "channels_last");

/// Patches as channels: (batch, out_h, out_w, size_h * size_w * channels), each patch's
/// values in (row, column, channel) order; a convolution with an identity kernel, as
/// Keras. strides default to size; padding "valid" or "same". Floating images.
Tensor extract_patches(const Tensor& images, const std::vector<int64_t>& size, const std::vector<int64_t>& strides = {},
                       const std::vector<int64_t>& dilation_rate = {1}, const std::string& padding = "valid",
                       const std::string& data_format = "channels_last");
/// The same over (depth, height, width) of volumes (batch, d, h, w, channels) or unbatched.
Tensor extract_patches_3d(const Tensor& volumes, const std::vector<int64_t>& size,
                          const std::vector<int64_t>& strides = {}, const std::vector<int64_t>& dilation_rate = {1},
                          const std::string& padding = "valid", const std::string& data_format = "channels_last");

/// A per-channel Gaussian filter with zero "same" padding (Keras's TensorFlow backend,
/// including its kernel layout for kernel_size {a, b}: the outer product of the b- and
/// a-point Gaussians, read as an a x b kernel).
Tensor gaussian_blur(const Tensor& images, const std::vector<int64_t>& kernel_size = {3, 3},
                     const std::vector<double>& sigma = {1.0, 1.0}, const std::string& data_format = "channels_last");
/// The same with sigma a tensor of 2 values (read when the op runs, so a traced function
/// may draw it: RandomGaussianBlur); the kernel is computed with ops in the images' dtype.
Tensor gaussian_blur(const Tensor& images, const std::vector<int64_t>& kernel_size, const Tensor& sigma,
                     const std::string& data_format = "channels_last");
/// tf.image.sobel_edges: 3x3 Sobel filters on reflect-padded images; (batch, h, w, c, 2)
/// holding [dy, dx] (channels_first: (batch, c, h, w, 2)). Batched floating images.
Tensor sobel_edges(const Tensor& images, const std::string& data_format = "channels_last");

/// The structural similarity index, Gaussian-weighted (filter_size x filter_size, valid
/// windows), averaged over windows and channels: (batch,) or a scalar for one image.
struct SsimOptions {
  /// The dynamic range of the pixel values (Keras `max_val`, default 1).
  double max_val = 1.0;
  /// Side of the Gaussian window (default 11).
  int64_t filter_size = 11;
  ///@{
  /// Gaussian sigma (1.5) and the stability constants K1 (0.01) and K2 (0.03), as
  /// tf.image.ssim.
  double filter_sigma = 1.5, k1 = 0.01, k2 = 0.03;
  ///@}
  /// "channels_last" or "channels_first".
  std::string data_format = "channels_last";
};
/// keras.ops.image.ssim / tf.image.ssim of two images of one shape and floating dtype (see
/// SsimOptions).
Tensor ssim(const Tensor& image1, const Tensor& image2, const SsimOptions& o = {});

/// scipy.ndimage.map_coordinates / keras.ops.image.map_coordinates: inputs (any rank)
/// sampled at coordinates (inputs.rank(), ...) -> (...), order 0 (nearest, half to even)
/// or 1 (linear); fill_mode "constant" (fill_value), "nearest", "wrap", "mirror",
/// "reflect". Integer inputs are rounded back (core/ops/image_coords.cpp).
Tensor map_coordinates(const Tensor& inputs, const Tensor& coordinates, int64_t order,
                       const std::string& fill_mode = "constant", double fill_value = 0.0);
/// The projective transform (batch, 8) [a0 a1 a2 b0 b1 b2 c0 c1] that maps the 4
/// end_points to the 4 start_points (x, y), each (4, 2) or (batch, 4, 2): (x, y) goes to
/// ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k) with k = c0 x + c1 y + 1. Solved in
/// float32, as Keras; std::invalid_argument for other shapes.
Tensor perspective_matrix(const Tensor& start_points, const Tensor& end_points);
/// The projective transform that maps the 4 end_points to the 4 start_points (x, y)
/// (4, 2) or (batch, 4, 2), solved in float32 as Keras, applied with affine_transform
/// (constant fill). Floating images.
Tensor perspective_transform(const Tensor& images, const Tensor& start_points, const Tensor& end_points,
                             const std::string& interpolation = "bilinear", double fill_value = 0.0,
                             const std::string& data_format = "channels_last");

/// jax.image.scale_and_translate / keras.ops.image.scale_and_translate: along each axis
/// spatial_dims[i], output sample o reads input position (o + 0.5 - translation[i]) /
/// scale[i] - 0.5 through `method`'s kernel ("linear"/"bilinear"/"trilinear"/"triangle",
/// "cubic"/"bicubic"/"tricubic" (Keys), "lanczos3", "lanczos5"), widened by 1 / scale when
/// downscaling with antialias; weights normalized, samples outside the input are 0.
/// output_shape is the whole output shape. Integer images are rounded and clipped to
/// their range (core/ops/image_resample.cpp).
Tensor scale_and_translate(const Tensor& images, const std::vector<int64_t>& output_shape, const std::vector<double>& scale,
                           const std::vector<double>& translation, const std::vector<int64_t>& spatial_dims,
                           const std::string& method, bool antialias = true);

/// keras.ops.image.elastic_transform: each image displaced by alpha * (random normal fields
/// times sigma, Gaussian-blurred with sigma over 6 int(sigma) | 1 cells), sampled with
/// map_coordinates (interpolation "bilinear" or "nearest", fill_mode as map_coordinates's).
/// seed >= 0 gives reproducible fields (seed < 0: a fresh one). Keras's TensorFlow backend
/// draws the x and y fields from one seed (so they are equal); here they are independent.
struct ElasticTransformOptions {
  ///@{
  /// Displacement scale (Keras `alpha`, default 20) and the smoothing Gaussian's sigma
  /// (default 5).
  double alpha = 20.0, sigma = 5.0;
  ///@}
  /// "bilinear" or "nearest".
  std::string interpolation = "bilinear";
  /// How points outside are filled: "constant", "nearest", "wrap", "mirror" or "reflect"
  /// (default).
  std::string fill_mode = "reflect";
  /// The value for fill_mode "constant".
  double fill_value = 0.0;
  /// Random seed; < 0 draws a fresh one.
  int64_t seed = -1;
  /// "channels_last" or "channels_first".
  std::string data_format = "channels_last";
};
/// keras.ops.image.elastic_transform (see ElasticTransformOptions).
Tensor elastic_transform(const Tensor& images, const ElasticTransformOptions& o = {});
/// The deterministic part of elastic_transform, for given random fields: floating
/// channels_last images (b, h, w, c), fields (2, b, h, w) of standard normal values (x
/// first, then y); alpha and sigma scalar tensors (numbers known only when a graph runs
/// are fine). Each field is scaled by sigma, blurred by a Gaussian of sigma over
/// 6 int(sigma) | 1 cells (zero "same" padding), scaled by alpha and added to the pixel
/// grid; the images are sampled there (interpolation "bilinear" or "nearest", fill_mode as
/// map_coordinates's). The blur's kernel is laid out for max_sigma: a sigma above it is
/// cut to 6 int(max_sigma) | 1 cells.
Tensor elastic_transform_fields(const Tensor& images, const Tensor& fields, const Tensor& alpha, const Tensor& sigma,
                                double max_sigma, const std::string& interpolation = "bilinear",
                                const std::string& fill_mode = "reflect", double fill_value = 0.0);
/// Per-image map_coordinates of channels_last images (b, h, w, c): image i sampled at rows
/// rows[i] and columns cols[i] (both (b, ...) of one shape), every channel alike -> (b, ...,
/// c). order 0 (nearest, half to even) or 1 (bilinear); fill_mode and fill_value as
/// map_coordinates's. Integer images are rounded back.
Tensor sample_images(const Tensor& images, const Tensor& rows, const Tensor& cols, int64_t order,
                     const std::string& fill_mode = "constant", double fill_value = 0.0);

}  // namespace keras::core::ops::image
