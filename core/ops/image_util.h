// image_util.h - (internal to core/ops/) what image.cpp's resize takes from
// image_resample.cpp.
#pragma once
#include <string>
#include <vector>

#include "core/tensor.h"

namespace keras::core::ops::image {
/// tf.image.resize's "bicubic", "lanczos3", "lanczos5" and "area" of floating images
/// (batch, h, w, c) to size {h, w}, one weight matrix per axis, width first: lanczos (and
/// bicubic with antialias) as ScaleAndTranslate, bicubic as ResizeBicubic's table of Keys'
/// cubic, area as ResizeArea.
Tensor resize_resampled(const Tensor& x, const std::vector<int64_t>& size, const std::string& method, bool antialias);
}  // namespace keras::core::ops::image
