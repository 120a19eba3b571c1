// resizing.h - Resizing and CenterCrop (keras.layers): images (batch, height, width,
// channels) or one image (height, width, channels) to a fixed height and width.
// Resizing resamples (ops::image::resize: bilinear or nearest, optionally cropping to
// the target's aspect ratio first); CenterCrop cuts the centered window, or, where the
// image is smaller than the target, crops to the aspect ratio and resizes (bilinear), as
// Keras's smart_resize.
//
//   auto r = keras::layers::Resizing(64, 64, {.crop_to_aspect_ratio = true});
//   auto c = keras::layers::CenterCrop(28, 28);
#pragma once
#include "keras/layers/layer.h"

namespace keras::layers {

struct ResizingOptions {
  std::string interpolation = "bilinear";  ///< "bilinear" or "nearest"
  bool crop_to_aspect_ratio = false;
  bool pad_to_aspect_ratio = false;  ///< true raises (not supported yet)
  std::string fill_mode = "constant";  ///< of pad_to_aspect_ratio
  double fill_value = 0.0;
  bool antialias = false;  ///< true raises (not supported)
  std::string data_format{};  ///< "channels_last" (the default); "channels_first" raises
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class ResizingLayer : public Layer {
 public:
  ResizingLayer(int64_t height, int64_t width, const ResizingOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

 private:
  int64_t height_, width_;
  ResizingOptions o_;
};

struct CenterCropOptions {
  std::string data_format{};  ///< "channels_last" (the default); "channels_first" raises
  std::string name{};
  bool trainable = true;
  ShapeSpec input_shape{};
};

class CenterCropLayer : public Layer {
 public:
  CenterCropLayer(int64_t height, int64_t width, const CenterCropOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  static LayerPtr from_config(const Config& c);

 private:
  int64_t height_, width_;
  CenterCropOptions o_;
};

Ref<ResizingLayer> Resizing(int64_t height, int64_t width, const ResizingOptions& options = {});
Ref<CenterCropLayer> CenterCrop(int64_t height, int64_t width, const CenterCropOptions& options = {});

namespace detail {
/// Images of rank 3 or 4 (Keras's image layers); else std::invalid_argument naming the layer.
void check_image_rank(const std::string& layer, const ShapeSpec& shape);
/// The shape with height and width (axes -3, -2) replaced.
ShapeSpec with_image_size(const ShapeSpec& shape, int64_t height, int64_t width);
}  // namespace detail

}  // namespace keras::layers
