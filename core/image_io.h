// image_io.h - tf.io's file and image codec ops: read_file / write_file, decode_png,
// decode_jpeg, decode_gif, decode_bmp, decode_image (any of them, by its signature
// bytes), encode_png and encode_jpeg. Encoded images are string scalars (the file's
// bytes), decoded ones are (height, width, channels) tensors, channels last, as
// TensorFlow's. libpng, libjpeg and giflib stay in core/image_codecs.cpp.
//
//   Tensor img = keras::io::decode_image(keras::io::read_file("cat.jpg"), {.channels = 3});
//   keras::io::write_file("cat.png", keras::io::encode_png(img));
//
// A corrupt, truncated or unsupported file raises keras::io::DecodeError naming the format
// and what is wrong (TensorFlow's InvalidArgumentError); nothing is read out of bounds.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/tensor.h"

namespace keras::core::io {

/// A file that cannot be decoded: corrupt, truncated, or in a variant not supported.
class DecodeError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// tf.io.read_file: the file's bytes as a string scalar (std::runtime_error naming the
/// path when it cannot be read).
Tensor read_file(const std::string& path);
/// tf.io.write_file: writes a string scalar's bytes to `path` (replacing the file).
void write_file(const std::string& path, const Tensor& contents);

/// The decoders' options (TensorFlow's keyword arguments and defaults).
struct DecodeImageOptions {
  /// 0: as stored; 1: grayscale; 2: grayscale and alpha (PNG); 3: RGB; 4: RGBA (PNG,
  /// BMP). Conversions: gray to RGB copies the value; RGB to gray weighs 0.299, 0.587 and
  /// 0.114 (JPEG: libjpeg's; PNG: libpng's fixed-point equivalent); a missing alpha is 255
  /// (65535 in uint16); an alpha not asked for is dropped.
  int64_t channels = 0;
  /// uint8, uint16 or a floating dtype, as TensorFlow's: a 16-bit PNG as uint16 is read
  /// whole, an 8-bit one scaled by 257 (libpng's expansion); other formats as uint16 are
  /// scaled by 256 (tf.image.convert_image_dtype); floats are in [0, 1] (/ 255, or / 65535
  /// for a 16-bit PNG). A 16-bit PNG read as uint8 keeps its samples' high byte.
  DType dtype = DType::uint8;
  /// JPEG only: "" or "INTEGER_FAST" (TensorFlow's default), or "INTEGER_ACCURATE".
  std::string dct_method = "";
  /// decode_image of a GIF: every frame (frames, height, width, 3) when true, the first
  /// frame (height, width, 3) when false (TensorFlow's expand_animations).
  bool expand_animations = true;
  /// The most pixels a decoded image may hold (a GIF: all its frames together). A file
  /// whose header asks for more raises DecodeError before any pixel is allocated, which
  /// guards against decompression bombs (PIL's MAX_IMAGE_PIXELS). Default 2^28
  /// (16384 x 16384); must be at least 1.
  int64_t max_pixels = int64_t(1) << 28;
};

/// tf.io.decode_png: (height, width, channels) in options.dtype. Palette,
/// low bit depths and transparency chunks are expanded; interlaced files are read.
Tensor decode_png(const Tensor& contents, const DecodeImageOptions& options = {});
/// tf.io.decode_jpeg: (height, width, channels) uint8 (or options.dtype, scaled);
/// channels 0, 1 or 3.
Tensor decode_jpeg(const Tensor& contents, const DecodeImageOptions& options = {});
/// tf.io.decode_bmp: (height, width, channels) uint8 (or options.dtype, scaled) from an
/// uncompressed BMP of 8 (a
/// palette), 24 or 32 bits per pixel, stored bottom-up or top-down; channels 0, 3 or 4.
Tensor decode_bmp(const Tensor& contents, const DecodeImageOptions& options = {});
/// tf.io.decode_gif: every frame, (frames, height, width, 3) uint8, composited as
/// TensorFlow's (the canvas starts black; each frame starts from the previous one, and
/// its transparent pixels keep what is under them). Of the options, only max_pixels applies.
Tensor decode_gif(const Tensor& contents, const DecodeImageOptions& options = {});
/// tf.io.decode_image: the format from the signature bytes (PNG, JPEG, GIF, BMP), then
/// that decoder (a GIF: its frames, or the first with expand_animations false; channels 0
/// or 3); a floating dtype scales to [0, 1].
Tensor decode_image(const Tensor& contents, const DecodeImageOptions& options = {});
/// "png", "jpeg", "bmp", "gif" or "" (unknown), from the signature bytes.
std::string image_format(const Tensor& contents);

/// tf.io.encode_png: a (height, width, channels) uint8 or uint16 image (8- or 16-bit
/// samples), channels 1 to 4, as PNG bytes (a string scalar). compression: -1 (zlib's default) or 0 to 9.
Tensor encode_png(const Tensor& image, int64_t compression = -1);
/// tf.io.encode_jpeg: a (height, width, channels) uint8 image, channels 1 or 3, as JPEG
/// bytes (baseline, 4:2:0 chroma for color, as TensorFlow's defaults). quality 0 to 100.
Tensor encode_jpeg(const Tensor& image, int64_t quality = 95);

}  // namespace keras::core::io
