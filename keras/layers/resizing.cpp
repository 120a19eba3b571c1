#include "keras/layers/resizing.h"

#include <stdexcept>

#include "core/image_ops.h"
#include "keras/layers/args.h"
#include "keras/layers/conv.h"
#include "keras/layers/core_layers_util.h"

namespace keras::layers {
namespace ops = core::ops;

namespace detail {
void check_image_rank(const std::string& layer, const ShapeSpec& shape) {
  if (shape.size() != 3 && shape.size() != 4)
    throw std::invalid_argument(layer + ": expected images of rank 3 (a single image) or 4 (a batch of images), "
                                "but received input with shape " + shape_str(shape));
}
ShapeSpec with_image_size(const ShapeSpec& shape, int64_t height, int64_t width) {
  ShapeSpec s = shape;
  s[s.size() - 3] = height;
  s[s.size() - 2] = width;
  return s;
}
}  // namespace detail

namespace {
void check_size(const std::string& layer, int64_t height, int64_t width) {
  if (height <= 0 || width <= 0)
    throw std::invalid_argument(layer + ": expected a positive height and width, but received height=" +
                                std::to_string(height) + ", width=" + std::to_string(width));
}
}  // namespace

ResizingLayer::ResizingLayer(int64_t height, int64_t width, const ResizingOptions& o)
    : Layer("Resizing", LayerOptions{.name = o.name, .trainable = o.trainable, .input_shape = o.input_shape}),
      height_(height),
      width_(width),
      o_(o) {
  check_size(name(), height, width);
  o_.data_format = detail::check_channels_last(name(), o.data_format);
  if (o.interpolation != "bilinear" && o.interpolation != "nearest")
    throw std::invalid_argument(name() + ": the `interpolation` argument must be \"bilinear\" or \"nearest\" (the "
                                "ones keras-cpp implements). Received: interpolation=\"" + o.interpolation + "\"");
  if (o.pad_to_aspect_ratio)
    throw std::invalid_argument(name() + ": pad_to_aspect_ratio=true is not supported yet; use "
                                "crop_to_aspect_ratio or resize without keeping the aspect ratio");
  if (o.antialias) throw std::invalid_argument(name() + ": antialias=true is not supported");
}

Tensor ResizingLayer::call(const Tensor& x, bool) {
  detail::check_image_rank(name(), spec_of(x.shape()));
  return ops::image::resize(x, {height_, width_},
                            {.interpolation = o_.interpolation, .crop_to_aspect_ratio = o_.crop_to_aspect_ratio});
}

std::vector<ShapeSpec> ResizingLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  detail::check_image_rank(name(), shapes.at(0));
  return {detail::with_image_size(shapes.at(0), height_, width_)};
}

Config ResizingLayer::get_config() const {
  Config c = base_config();
  c["height"] = static_cast<long long>(height_);
  c["width"] = static_cast<long long>(width_);
  c["interpolation"] = o_.interpolation;
  c["crop_to_aspect_ratio"] = o_.crop_to_aspect_ratio;
  c["pad_to_aspect_ratio"] = o_.pad_to_aspect_ratio;
  c["fill_mode"] = o_.fill_mode;
  c["fill_value"] = o_.fill_value;
  c["antialias"] = o_.antialias;
  c["data_format"] = o_.data_format;
  return c;
}

LayerPtr ResizingLayer::from_config(const Config& c) {
  LayerOptions base = layer_options_from(c);
  ResizingOptions o{.name = base.name, .trainable = base.trainable, .input_shape = base.input_shape};
  o.interpolation = c.get("interpolation", "bilinear").as_string();
  o.crop_to_aspect_ratio = c.get("crop_to_aspect_ratio", false).as_bool();
  o.pad_to_aspect_ratio = c.get("pad_to_aspect_ratio", false).as_bool();
  o.fill_mode = c.get("fill_mode", "constant").as_string();
  o.fill_value = c.get("fill_value", 0.0).as_double();
  o.antialias = c.get("antialias", false).as_bool();
  Value df = c.get("data_format", Value());
  if (!df.is_null()) o.data_format = df.as_string();
  return make<ResizingLayer>(c.at("height").as_int(), c.at("width").as_int(), o);
}

CenterCropLayer::CenterCropLayer(int64_t height, int64_t width, const CenterCropOptions& o)
    : Layer("CenterCrop", LayerOptions{.name = o.name, .trainable = o.trainable, .input_shape = o.input_shape}),
      height_(height),
      width_(width),
      o_(o) {
  check_size(name(), height, width);
  o_.data_format = detail::check_channels_last(name(), o.data_format);
}

Tensor CenterCropLayer::call(const Tensor& x, bool) {
  ShapeSpec s = spec_of(x.shape());
  detail::check_image_rank(name(), s);
  const size_t r = s.size();
  const int64_t dh = s[r - 3] - height_, dw = s[r - 2] - width_;
  if (dh < 0 || dw < 0)  // smaller than the target: Keras's smart_resize
    return ops::image::resize(x, {height_, width_}, {.crop_to_aspect_ratio = true});
  std::vector<int64_t> begin(r, 0), size = detail::with_image_size(s, height_, width_);
  begin[r - 3] = dh / 2;
  begin[r - 2] = dw / 2;
  return ops::slice(x, begin, size);
}

std::vector<ShapeSpec> CenterCropLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  detail::check_image_rank(name(), shapes.at(0));
  return {detail::with_image_size(shapes.at(0), height_, width_)};
}

Config CenterCropLayer::get_config() const {
  Config c = base_config();
  c["height"] = static_cast<long long>(height_);
  c["width"] = static_cast<long long>(width_);
  c["data_format"] = o_.data_format;
  return c;
}

LayerPtr CenterCropLayer::from_config(const Config& c) {
  LayerOptions base = layer_options_from(c);
  CenterCropOptions o{.name = base.name, .trainable = base.trainable, .input_shape = base.input_shape};
  Value df = c.get("data_format", Value());
  if (!df.is_null()) o.data_format = df.as_string();
  return make<CenterCropLayer>(c.at("height").as_int(), c.at("width").as_int(), o);
}

Ref<ResizingLayer> Resizing(int64_t height, int64_t width, const ResizingOptions& o) {
  return make<ResizingLayer>(height, width, o);
}
Ref<CenterCropLayer> CenterCrop(int64_t height, int64_t width, const CenterCropOptions& o) {
  return make<CenterCropLayer>(height, width, o);
}

}  // namespace keras::layers
