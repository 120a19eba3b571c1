// resizing.h - Resizing and CenterCrop (keras.layers): images (batch, height, width,
// channels) or one image (height, width, channels) to a fixed height and width.
// Resizing resamples (ops::image::resize: bilinear or nearest, optionally cropping to
// the target's aspect ratio first); CenterCrop cuts the centered window, or, where the
// image is smaller than the target, crops to the aspect ratio and resizes (bilinear), as
// Keras's smart_resize.
//
//   auto r = keras::layers::Resizing(64, 64, {.crop_to_aspect_ratio = true});
//   auto c = keras::layers::CenterCrop(28, 28);
//
// Both are image layers (ImagePreprocessingLayer) without draws, applied in training and
// inference alike: on ImageData they move boxes (in their bounding_box_format) and
// segmentation masks with the images.
#pragma once
#include "keras/layers/image_preprocessing.h"

namespace keras::layers {

/// Options of Resizing (the keyword arguments of keras.layers.Resizing besides height and
/// width).
struct ResizingOptions {
  /// "bilinear", "nearest", "bicubic", "lanczos3", "lanczos5" or "area" (ops::image::resize).
  std::string interpolation = "bilinear";
  /// Crop the largest centered window of the target's aspect ratio before resizing, so the
  /// image is not distorted (Keras `crop_to_aspect_ratio`, default false).
  bool crop_to_aspect_ratio = false;
  /// Pads to the target's aspect ratio with fill_value first (ops::image::resize's).
  bool pad_to_aspect_ratio = false;
  std::string fill_mode = "constant";  ///< of pad_to_aspect_ratio
  /// The padding value of pad_to_aspect_ratio (default 0).
  double fill_value = 0.0;
  bool antialias = false;  ///< antialiased bilinear downscaling (ops::image::resize's)
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, resizing, resizing_1, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
  /// ImageData's boxes' format (see ImagePreprocessingOptions).
  std::string bounding_box_format{};
};

/// The base of Resizing and CenterCrop: images to a fixed height and width, in training
/// and inference, drawing nothing; masks go through transform() (in any mode).
class FixedSizeImageLayer : public ImagePreprocessingLayer {
 public:
  Config get_config() const override;  ///< base keys, height, width
  int64_t height() const { return height_; }  ///< the output's height
  int64_t width() const { return width_; }    ///< the output's width

 protected:
  /// Checks the size (std::invalid_argument naming the layer unless positive).
  FixedSizeImageLayer(std::string class_name, int64_t height, int64_t width, const ImagePreprocessingOptions& base);
  /// transform(), whatever `training` (the rank checked).
  Tensor images_call(const Tensor& x, const std::optional<Tensor>& base) override;
  ShapeSpec image_output_shape(const ShapeSpec& shape) const override;  ///< (height, width)
  bool draws() const override { return false; }
  bool moves_pixels() const override { return true; }
  /// Masks through transform(), in training and inference.
  Tensor transform_segmentation_masks(const Tensor& masks, bool training) override;

  ///@{
  /// The output's size.
  int64_t height_, width_;
  ///@}
};

/// Resizes images to a fixed height and width (keras.layers.Resizing), made by Resizing().
class ResizingLayer : public FixedSizeImageLayer {
 public:
  /// Throws std::invalid_argument for a non-positive size, an unknown interpolation,
  /// both pad_to_aspect_ratio and crop_to_aspect_ratio, or a fill_mode other than
  /// "constant".
  ResizingLayer(int64_t height, int64_t width, const ResizingOptions& options = {});
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's loader for "Resizing").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor transform(const Tensor& images) override;
  /// Keras's rule: boxes scaled with the image (and shifted by the aspect-ratio crop),
  /// clipped to the target (label -1 when empty); padding boxes (all 0 or all -1) become 0.
  utils::bounding_boxes::BoundingBoxes transform_bounding_boxes(const utils::bounding_boxes::BoundingBoxes& boxes,
                                                                const Shape& images_shape, bool training) override;
  /// Masks resized as the images but with nearest sampling, in training and inference.
  Tensor transform_segmentation_masks(const Tensor& masks, bool training) override;

 private:
  Tensor resized(const Tensor& images, const std::string& interpolation) const;
  ResizingOptions resize_;
};

/// Options of CenterCrop (the keyword arguments of keras.layers.CenterCrop besides height
/// and width).
struct CenterCropOptions {
  std::string data_format{};  ///< "channels_last" or "channels_first" (default: config::image_data_format())
  /// Layer name (default: generated, center_crop, center_crop_1, ...).
  std::string name{};
  /// Keras `trainable` (default true); the layer has no weights.
  bool trainable = true;
  /// The dtype policy ("mixed_float16", "float64", a DType, ...; unset: the global policy).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  /// Input shape without the batch axis (first layer of a Sequential).
  ShapeSpec input_shape{};
  /// ImageData's boxes' format (see ImagePreprocessingOptions).
  std::string bounding_box_format{};
};

/// Cuts the centered height x width window of images (keras.layers.CenterCrop), made by
/// CenterCrop().
class CenterCropLayer : public FixedSizeImageLayer {
 public:
  /// Throws std::invalid_argument for a non-positive height or width.
  CenterCropLayer(int64_t height, int64_t width, const CenterCropOptions& options = {});
  /// Rebuilds the layer from a get_config() config (the registry's loader for
  /// "CenterCrop").
  static LayerPtr from_config(const Config& c);

 protected:
  Tensor transform(const Tensor& images) override;
  /// Boxes clipped to the window and shifted (and scaled with the resize of a smaller
  /// image), clipped to the target (label -1 when empty), as Keras.
  utils::bounding_boxes::BoundingBoxes transform_bounding_boxes(const utils::bounding_boxes::BoundingBoxes& boxes,
                                                                const Shape& images_shape, bool training) override;
};

/// keras.layers.Resizing: images (batch, h, w, c) or (h, w, c) resampled to (height,
/// width).
Ref<ResizingLayer> Resizing(int64_t height, int64_t width, const ResizingOptions& options = {});
/// keras.layers.CenterCrop: the centered (height, width) window; smaller images are cropped
/// to the aspect ratio and resized.
Ref<CenterCropLayer> CenterCrop(int64_t height, int64_t width, const CenterCropOptions& options = {});

namespace detail {
/// Images of rank 3 or 4 (Keras's image layers); else std::invalid_argument naming the layer.
void check_image_rank(const std::string& layer, const ShapeSpec& shape);
/// The shape with height and width (axes -3, -2) replaced.
ShapeSpec with_image_size(const ShapeSpec& shape, int64_t height, int64_t width);
}  // namespace detail

}  // namespace keras::layers
