// image_utils.h - keras.utils' single-image helpers: load_img, save_img, img_to_array and
// array_to_img. An "image" is a uint8 tensor (height, width, channels), the C++ stand-in
// for Keras's PIL image; files are read and written by keras::io's codecs.
//
//   Tensor img = keras::utils::load_img("cat.jpg", {.target_size = std::vector<int64_t>{224, 224}});
//   Tensor x = keras::utils::img_to_array(img);          // float32 (224, 224, 3)
//   keras::utils::save_img("out.png", x);                // scaled to [0, 255] first
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace keras::utils {
using core::DType;
using core::Tensor;

/// load_img's options (Keras 3's keyword arguments and defaults).
struct LoadImgOptions {
  std::string color_mode = "rgb";  ///< "grayscale", "rgb" or "rgba"
  /// {height, width} to resize to (unset: the file's size).
  std::optional<std::vector<int64_t>> target_size = std::nullopt;
  std::string interpolation = "nearest";  ///< "nearest" or "bilinear"
  /// Crop the centered window of the target's aspect ratio before resizing.
  bool keep_aspect_ratio = false;
};
/// keras.utils.load_img: the file (PNG, JPEG or BMP) as a uint8 (height, width, channels)
/// image. The pixels are TensorFlow's decoding (keras::io::decode_image), where Keras's
/// load_img uses Pillow: a grayscale conversion or a JPEG may differ by a level, and
/// Pillow's bilinear resize filters before downscaling (this one does not).
Tensor load_img(const std::string& path, const LoadImgOptions& options = {});

/// keras.utils.img_to_array: the image as float32 (or `dtype`) values, channels last, or
/// first with data_format "channels_first". Rank 2 images gain a channel axis.
Tensor img_to_array(const Tensor& img, const std::string& data_format = "channels_last", DType dtype = DType::float32);

/// array_to_img's options.
struct ArrayToImgOptions {
  std::string data_format = "channels_last";  ///< of the array
  /// Shift and scale the values to [0, 255] (x - min, / max, * 255), as Keras's default.
  bool scale = true;
};
/// keras.utils.array_to_img: a rank-3 array with 1, 3 or 4 channels to a uint8 image
/// (values truncated to integers, as NumPy's astype("uint8")). Other shapes raise
/// std::invalid_argument with Keras's message.
Tensor array_to_img(const Tensor& x, const ArrayToImgOptions& options = {});

/// save_img's options.
struct SaveImgOptions {
  std::string data_format = "channels_last";  ///< of the array
  /// "png" or "jpeg"/"jpg"; empty: from the path's extension.
  std::string file_format = "";
  bool scale = true;  ///< as array_to_img
};
/// keras.utils.save_img: array_to_img, then a PNG or JPEG file (an RGBA image saved as
/// JPEG loses its alpha, as Keras does with a warning).
void save_img(const std::string& path, const Tensor& x, const SaveImgOptions& options = {});

}  // namespace keras::utils
