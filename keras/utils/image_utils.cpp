// image_utils.cpp - load_img, img_to_array, array_to_img and save_img
// (keras/utils/image_utils.h).
#include "keras/utils/image_utils.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "core/core.h"
#include "core/image_io.h"

namespace keras::utils {
namespace ops = core::ops;

namespace {
[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument(what); }

void check_format(const char* op, const std::string& f) {
  if (f != "channels_last" && f != "channels_first")
    fail(std::string(op) + ": data_format must be \"channels_last\" or \"channels_first\", but received \"" + f + "\"");
}
}  // namespace

Tensor load_img(const std::string& path, const LoadImgOptions& o) {
  int64_t channels = 0;
  if (o.color_mode == "grayscale") channels = 1;
  else if (o.color_mode == "rgb") channels = 3;
  else if (o.color_mode == "rgba") channels = 4;
  else fail("load_img: color_mode must be \"grayscale\", \"rgb\", or \"rgba\"");
  if (o.interpolation != "nearest" && o.interpolation != "bilinear")
    fail("load_img: Invalid interpolation method " + o.interpolation + " specified. Supported methods are nearest, bilinear");
  const core::Tensor bytes = core::io::read_file(path);
  // (A BMP has no grayscale form in TensorFlow's decoder: read it whole and convert.)
  const bool bmp_gray = channels == 1 && core::io::image_format(bytes) == "bmp";
  Tensor img = core::io::decode_image(bytes, {.channels = bmp_gray ? 3 : channels, .expand_animations = false});
  if (bmp_gray) {
    Tensor f = ops::cast(img, DType::float32);
    Tensor gray = f[{core::Slice(), core::Slice(), core::Slice(0, 1)}] * 0.299f +
                  f[{core::Slice(), core::Slice(), core::Slice(1, 2)}] * 0.587f +
                  f[{core::Slice(), core::Slice(), core::Slice(2, 3)}] * 0.114f;
    img = ops::cast(ops::round(gray), DType::uint8);
  }
  if (!o.target_size) return img;
  if (o.target_size->size() != 2 || (*o.target_size)[0] <= 0 || (*o.target_size)[1] <= 0)
    fail("load_img: target_size must be {height, width} of positive sizes");
  const int64_t th = (*o.target_size)[0], tw = (*o.target_size)[1];
  const int64_t h = img.shape()[0], w = img.shape()[1];
  if (h == th && w == tw) return img;
  if (o.keep_aspect_ratio) {  // Keras's centered crop box
    const int64_t ch = std::min(h, (w * th) / tw), cw = std::min(w, (h * tw) / th);
    const int64_t top = (h - ch) / 2, left = (w - cw) / 2;
    img = img[{core::Slice(top, top + ch), core::Slice(left, left + cw)}];
  }
  Tensor resized = ops::image::resize(o.interpolation == "nearest" ? img : ops::cast(img, DType::float32), {th, tw},
                                      {.interpolation = o.interpolation});
  if (resized.dtype() == DType::uint8) return resized;
  return ops::cast(ops::clip(ops::round(resized), 0.0, 255.0), DType::uint8);
}

Tensor img_to_array(const Tensor& img, const std::string& data_format, DType dtype) {
  check_format("img_to_array", data_format);
  if (!img.defined() || (img.rank() != 2 && img.rank() != 3))
    fail("img_to_array: Unsupported image shape: " + (img.defined() ? img.shape().str() : std::string("undefined")));
  Tensor x = ops::cast(img, dtype);
  if (x.rank() == 2) x = ops::expand_dims(x, -1);
  return data_format == "channels_first" ? ops::transpose(x, {2, 0, 1}) : x;
}

Tensor array_to_img(const Tensor& input, const ArrayToImgOptions& o) {
  check_format("array_to_img", o.data_format);
  if (!input.defined() || input.rank() != 3)
    fail("array_to_img: Expected image array to have rank 3 (single image). Got array with shape: " +
         (input.defined() ? input.shape().str() : std::string("undefined")));
  Tensor x = ops::cast(input, DType::float32);
  if (o.data_format == "channels_first") x = ops::transpose(x, {1, 2, 0});
  const int64_t c = x.shape()[2];
  if (c != 1 && c != 3 && c != 4) fail("array_to_img: Unsupported channel number: " + std::to_string(c));
  if (o.scale && x.size() > 0) {
    x = x - ops::min(x);
    const Tensor top = ops::max(x);
    if (top.item<float>() != 0) x = x / top;
    x = x * 255.0f;
  }
  // NumPy's astype("uint8"): truncation toward zero, values taken modulo 256.
  return ops::cast(ops::mod(ops::cast(x, DType::int64), core::constant(int64_t(256))), DType::uint8);
}

void save_img(const std::string& path, const Tensor& x, const SaveImgOptions& o) {
  std::string format = o.file_format;
  if (format.empty()) {
    const size_t dot = path.rfind('.');
    format = dot == std::string::npos ? "" : path.substr(dot + 1);
  }
  std::transform(format.begin(), format.end(), format.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
  if (format != "png" && format != "jpeg" && format != "jpg")
    fail("save_img: expected a file format \"png\" or \"jpeg\" (from file_format or the path's extension), but received \"" +
         format + "\"");
  Tensor img = array_to_img(x, {.data_format = o.data_format, .scale = o.scale});
  if (format == "png") {
    core::io::write_file(path, core::io::encode_png(img));
    return;
  }
  if (img.shape()[2] == 4) img = img[{core::Slice(), core::Slice(), core::Slice(0, 3)}];
  core::io::write_file(path, core::io::encode_jpeg(img));
}

}  // namespace keras::utils
