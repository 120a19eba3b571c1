// image_ops.h - Keras 3's keras.ops.image (core/ops/image.cpp), channels_last: resize and
// affine_transform, compositions of the ops of core/ops.h (gather, elementwise), so their
// gradients are those ops' (differentiable again, on every device).
#pragma once
#include <string>
#include <vector>

#include "core/ops.h"
namespace keras::core::ops::image {
/// Options of resize (keras.ops.image.resize's keyword arguments).
struct ResizeOptions {
  /// "bilinear", "nearest", "bicubic" (Keys' cubic, a = -0.5, as TensorFlow's ResizeBicubic:
  /// its weights from a table over 1/1024 steps), "lanczos3", "lanczos5" or "area"
  /// (TensorFlow's ResizeArea: each output the overlap-weighted mean of its input box).
  std::string interpolation = "bilinear";
  /// TensorFlow's antialiased resize (the kernel widened by 1 / scale when shrinking, as
  /// scale_and_translate; bicubic then uses the exact Keys kernel); nearest and area
  /// ignore it.
  bool antialias = false;
  /// Crops the largest centered window of the target's aspect ratio before resizing.
  bool crop_to_aspect_ratio = false;
  /// Pads the images to the target's aspect ratio before resizing, as Keras: rows (or
  /// columns) of fill_value on both sides, each side half the missing count (rounded
  /// down). Not together with crop_to_aspect_ratio.
  bool pad_to_aspect_ratio = false;
  std::string fill_mode = "constant";  ///< of pad_to_aspect_ratio: "constant" (Keras's only)
  double fill_value = 0.0;             ///< of pad_to_aspect_ratio
  std::string data_format = "channels_last";  ///< or "channels_first"
};
/// images (batch, height, width, channels) or (height, width, channels) -> size {h, w}, as
/// tf.image.resize (half-pixel centers; nearest takes floor((o + 0.5) * in / out)).
/// Integer images keep their dtype: all but nearest resize them in float32, then round (half
/// to even) and saturates, as Keras.
Tensor resize(const Tensor& images, const std::vector<int64_t>& size, const ResizeOptions& o = {});
/// Whether resize takes `interpolation` ("bilinear", "nearest", "bicubic", "lanczos3",
/// "lanczos5", "area").
bool is_resize_interpolation(const std::string& interpolation);

/// Options of affine_transform (keras.ops.image.affine_transform's keyword arguments).
struct AffineTransformOptions {
  std::string interpolation = "bilinear";  ///< "bilinear" or "nearest"
  std::string fill_mode = "constant";      ///< "constant", "nearest", "wrap", "reflect"
  /// The value of points outside the input for fill_mode "constant" (Keras `fill_value`).
  double fill_value = 0.0;
  std::string data_format = "channels_last";  ///< or "channels_first"
};
/// TensorFlow's ImageProjectiveTransformV3: transform (8,) or (batch, 8) [a0 a1 a2 b0 b1 b2
/// c0 c1] maps each output point (x, y) to the input point ((a0 x + a1 y + a2) / k,
/// (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1; points outside follow fill_mode.
/// images: floating, (batch, h, w, c) or (h, w, c); transform of the same dtype.
Tensor affine_transform(const Tensor& images, const Tensor& transform, const AffineTransformOptions& o = {});
}  // namespace keras::core::ops::image
