// color_layers_internal.h - private helpers of the color image layers' .cpp files
// (color_layers.h, tone_layers.h): the `value_range` argument (checked, sorted, in
// configs), the map between it and the [0, 255] range the layers compute in (Keras's
// _transform_value_range), Keras's factor rule, and the options. Not installed, not
// included by public headers.
#pragma once
#include <string>
#include <utility>

#include "keras/layers/color_layers.h"

namespace keras::layers::detail {

using ValueRange = std::pair<double, double>;

/// (low, high) sorted; raises naming `layer` unless both are finite and differ.
ValueRange sorted_value_range(const std::string& layer, ValueRange range);
/// x mapped linearly from `from` onto `to` (x itself where they are equal).
Tensor map_value_range(const Tensor& x, ValueRange from, ValueRange to);
/// [low, high] as a config value, and back (a list of 2 numbers; `fallback` where the key
/// is missing or null; raises naming `layer` otherwise).
Value value_range_config(ValueRange range);
ValueRange value_range_from(const std::string& layer, const Config& c, ValueRange fallback);

/// The base options of any image layer's options struct (seed where it has one).
template <class O>
ImagePreprocessingOptions image_base(const O& o) {
  ImagePreprocessingOptions b{.data_format = o.data_format, .name = o.name, .trainable = o.trainable,
                              .dtype = o.dtype, .input_shape = o.input_shape};
  if constexpr (requires { o.seed; }) b.seed = o.seed;
  if constexpr (requires { o.bounding_box_format; }) b.bounding_box_format = o.bounding_box_format;
  return b;
}
/// `o` with a config's base options (for from_config).
template <class O>
O with_image_base(O o, const ImagePreprocessingOptions& b) {
  o.data_format = b.data_format;
  o.name = b.name;
  o.trainable = b.trainable;
  o.dtype = b.dtype;
  o.input_shape = b.input_shape;
  if constexpr (requires { o.seed; }) o.seed = b.seed;
  if constexpr (requires { o.bounding_box_format; }) o.bounding_box_format = b.bounding_box_format;
  return o;
}
/// The color options of a config's base options and value range (for from_config).
ColorOptions color_options(const ImagePreprocessingOptions& base, ValueRange value_range);
/// Keras's factor rule with bounds [lo, hi]: a pair (checked against the bounds, then
/// sorted) or one number f in [lo, hi] giving (max(-|f|, lo), |f|); raises naming
/// `layer` and the argument.
std::pair<double, double> bounded_factor(const std::string& layer, const char* arg, const FactorArg& f, double lo,
                                         double hi);

/// MixUp's and CutMix's mix() arguments checked (images (batch, h, w, c) and labels
/// (batch, ...); std::invalid_argument naming `layer` and both shapes otherwise) and made
/// floating (float32 where they are not).
std::pair<Tensor, Tensor> mix_inputs(const std::string& layer, const Tensor& images, const Tensor& labels);

}  // namespace keras::layers::detail
