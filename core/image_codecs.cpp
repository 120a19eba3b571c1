// image_codecs.cpp - tf.io's image codecs (core/image_io.h): PNG through libpng, JPEG
// through libjpeg(-turbo), GIF through giflib, BMP read here. The libraries report errors by longjmp, so each
// decoder keeps its C++ state in a heap object reached through one pointer set before
// setjmp, and turns the library's message into a DecodeError after returning.
#include <gif_lib.h>
#include <png.h>
#include <jpeglib.h>
#include <jerror.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/image_io.h"
#include "core/ops.h"

namespace keras::core::io {
namespace {

// The bytes of a string scalar.
std::string bytes_of(const Tensor& contents, const char* op) {
  if (!contents.defined() || contents.dtype() != DType::string || contents.rank() != 0)
    throw std::invalid_argument(std::string(op) + ": expected the file's bytes as a string scalar, but received " +
                                (contents.defined() ? std::string(dtype_name(contents.dtype())) + " " + contents.shape().str()
                                                    : std::string("an undefined tensor")));
  return contents.item<std::string>();
}

void check_channels(const char* op, int64_t channels, std::initializer_list<int64_t> allowed) {
  std::string list;
  for (int64_t c : allowed) {
    if (c == channels) return;
    list += (list.empty() ? "" : ", ") + std::to_string(c);
  }
  throw std::invalid_argument(std::string(op) + ": `channels` must be one of " + list + ", but received " +
                              std::to_string(channels));
}

// The largest image a decoder accepts is options.max_pixels (default 2^28: 16384 x 16384,
// 1 GiB as RGBA), checked before the pixels are allocated, so that a hostile header
// cannot make a decoder allocate more. The encoders take images up to 2^28 pixels.
constexpr uint64_t kMaxPixels = uint64_t(1) << 28;
void check_size(const char* format, uint64_t width, uint64_t height, uint64_t max_pixels = kMaxPixels) {
  const std::string what = std::string(format) + " image of " + std::to_string(width) + "x" + std::to_string(height) + " pixels";
  if (width == 0 || height == 0) throw DecodeError(what + ": expected a non-empty image");
  if (width > max_pixels || height > max_pixels || width * height > max_pixels)
    throw DecodeError(what + ": expected at most " + std::to_string(max_pixels) + " pixels (DecodeImageOptions::max_pixels)");
}
uint64_t max_pixels_of(const char* op, const DecodeImageOptions& o) {
  if (o.max_pixels < 1)
    throw std::invalid_argument(std::string(op) + ": `max_pixels` must be at least 1, but received " +
                                std::to_string(o.max_pixels));
  return uint64_t(o.max_pixels);
}

Tensor image_tensor(const std::vector<uint8_t>& pixels, int64_t h, int64_t w, int64_t c, DType stored) {
  return from_buffer(pixels.data(), stored, Shape{h, w, c}, stored);
}

// ---- PNG ----------------------------------------------------------------------------------
struct PngRead {
  std::string_view data;
  size_t offset = 0;
  std::string error;
  std::vector<uint8_t> pixels;
  std::vector<png_bytep> rows;
  png_uint_32 width = 0, height = 0;
  int channels = 0, bytes_per_sample = 1;
};

void png_error_fn(png_structp png, png_const_charp msg) {
  auto* st = static_cast<PngRead*>(png_get_error_ptr(png));
  if (st && st->error.empty()) st->error = msg;
  png_longjmp(png, 1);
}
void png_warning_fn(png_structp, png_const_charp) {}
void png_read_fn(png_structp png, png_bytep out, png_size_t n) {
  auto* st = static_cast<PngRead*>(png_get_io_ptr(png));
  if (st->data.size() - st->offset < n) png_error(png, "the file is truncated");
  std::memcpy(out, st->data.data() + st->offset, n);
  st->offset += n;
}

// Reads st->data into st->pixels; returns false with st->error set on a libpng error.
bool png_decode(PngRead* st, int64_t want_channels, bool want16, uint64_t max_pixels) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, st, png_error_fn, png_warning_fn);
  if (!png) {
    st->error = "out of memory";
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    st->error = "out of memory";
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, st, png_read_fn);
  png_set_user_limits(png, 1u << 24, 1u << 24);
  png_read_info(png, info);
  png_uint_32 w = 0, h = 0;
  int depth = 0, color = 0, interlace = 0;
  png_get_IHDR(png, info, &w, &h, &depth, &color, &interlace, nullptr, nullptr);
  if (uint64_t(w) * uint64_t(h) > max_pixels) {
    // The message is stored before the jump (png_error_fn keeps the first one): a
    // temporary string would never be destroyed.
    st->error = "image of " + std::to_string(w) + "x" + std::to_string(h) + " pixels: expected at most " +
                std::to_string(max_pixels) + " pixels (DecodeImageOptions::max_pixels)";
    png_error(png, "too many pixels");
  }
  const bool has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
  int stored = (color & PNG_COLOR_MASK_COLOR) || color == PNG_COLOR_TYPE_PALETTE ? 3 : 1;
  if ((color & PNG_COLOR_MASK_ALPHA) || has_trns) stored += 1;
  const int channels = want_channels == 0 ? stored : int(want_channels);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (has_trns) png_set_tRNS_to_alpha(png);
  if (depth == 16 && !want16) png_set_strip_16(png);
  if (depth < 16 && want16) png_set_expand_16(png);
  const bool color_in = stored >= 3;
  const bool alpha_in = stored == 2 || stored == 4;
  const bool color_out = channels >= 3;
  const bool alpha_out = channels == 2 || channels == 4;
  if (!alpha_out && alpha_in) png_set_strip_alpha(png);
  if (color_in && !color_out) png_set_rgb_to_gray(png, 1, 0.299, 0.587);
  if (!color_in && color_out) png_set_gray_to_rgb(png);
  if (alpha_out && !alpha_in) png_set_add_alpha(png, 0xffff, PNG_FILLER_AFTER);
  if (want16) png_set_swap(png);  // host (little-endian) order
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const size_t rowbytes = png_get_rowbytes(png, info);
  const size_t expect = size_t(w) * size_t(channels) * (want16 ? 2 : 1);
  if (rowbytes != expect) png_error(png, "unexpected row size after conversion");
  st->pixels.resize(rowbytes * h);
  st->rows.resize(h);
  for (png_uint_32 y = 0; y < h; ++y) st->rows[y] = st->pixels.data() + size_t(y) * rowbytes;
  png_read_image(png, st->rows.data());
  png_read_end(png, nullptr);
  st->width = w;
  st->height = h;
  st->channels = channels;
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

struct PngWrite {
  std::string out;
  std::string error;
};
void png_write_fn(png_structp png, png_bytep data, png_size_t n) {
  static_cast<PngWrite*>(png_get_io_ptr(png))->out.append(reinterpret_cast<const char*>(data), n);
}
void png_flush_fn(png_structp) {}

bool png_encode(PngWrite* st, const uint8_t* pixels, png_uint_32 w, png_uint_32 h, int channels, bool is16,
                int compression) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, st, png_error_fn, png_warning_fn);
  if (!png) return false;
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  static const int kColor[] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                               PNG_COLOR_TYPE_RGB_ALPHA};
  png_set_write_fn(png, st, png_write_fn, png_flush_fn);
  png_set_compression_level(png, compression);
  png_set_IHDR(png, info, w, h, is16 ? 16 : 8, kColor[channels], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  if (is16) png_set_swap(png);
  const size_t rowbytes = size_t(w) * size_t(channels) * (is16 ? 2 : 1);
  for (png_uint_32 y = 0; y < h; ++y) png_write_row(png, const_cast<png_bytep>(pixels + size_t(y) * rowbytes));
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

// ---- JPEG ---------------------------------------------------------------------------------
struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};
void jpeg_error_exit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}
// Warnings are silent, except a premature end of the data: a truncated file is an error,
// as in TensorFlow (libjpeg would fill the missing rows with gray).
void jpeg_quiet(j_common_ptr cinfo, int level) {
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) (*cinfo->err->error_exit)(cinfo);
}

// libjpeg's standard error manager with the two hooks above.
jpeg_error_mgr* install_errors(JpegError& err) {
  jpeg_error_mgr* mgr = jpeg_std_error(&err.mgr);
  mgr->error_exit = jpeg_error_exit;
  mgr->emit_message = jpeg_quiet;
  return mgr;
}

struct JpegRead {
  std::string_view data;
  std::vector<uint8_t> pixels;
  JDIMENSION width = 0, height = 0;
  int channels = 0;
  JpegError err{};
  jpeg_decompress_struct cinfo{};
};

bool jpeg_decode(JpegRead* st, int64_t want_channels, bool accurate, uint64_t max_pixels) {
  st->cinfo.err = install_errors(st->err);
  if (setjmp(st->err.jump)) {
    jpeg_destroy_decompress(&st->cinfo);
    return false;
  }
  jpeg_create_decompress(&st->cinfo);
  jpeg_mem_src(&st->cinfo, reinterpret_cast<const unsigned char*>(st->data.data()), st->data.size());
  jpeg_read_header(&st->cinfo, TRUE);
  if (st->cinfo.jpeg_color_space == JCS_CMYK || st->cinfo.jpeg_color_space == JCS_YCCK) {
    std::snprintf(st->err.message, sizeof st->err.message, "CMYK images are not supported");
    jpeg_destroy_decompress(&st->cinfo);
    return false;
  }
  const int stored = st->cinfo.num_components == 1 ? 1 : 3;
  const int channels = want_channels == 0 ? stored : int(want_channels);
  st->cinfo.out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  st->cinfo.dct_method = accurate ? JDCT_ISLOW : JDCT_IFAST;
  st->cinfo.do_fancy_upsampling = TRUE;
  if (uint64_t(st->cinfo.image_width) * st->cinfo.image_height > max_pixels || st->cinfo.image_width == 0 ||
      st->cinfo.image_height == 0) {
    std::snprintf(st->err.message, sizeof st->err.message,
                  "image of %ux%u pixels: expected a non-empty image of at most %llu pixels (DecodeImageOptions::max_pixels)",
                  unsigned(st->cinfo.image_width), unsigned(st->cinfo.image_height),
                  static_cast<unsigned long long>(max_pixels));
    jpeg_destroy_decompress(&st->cinfo);
    return false;
  }
  jpeg_start_decompress(&st->cinfo);
  const size_t stride = size_t(st->cinfo.output_width) * size_t(st->cinfo.output_components);
  st->pixels.resize(stride * st->cinfo.output_height);
  while (st->cinfo.output_scanline < st->cinfo.output_height) {
    JSAMPROW row = st->pixels.data() + size_t(st->cinfo.output_scanline) * stride;
    jpeg_read_scanlines(&st->cinfo, &row, 1);
  }
  jpeg_finish_decompress(&st->cinfo);
  st->width = st->cinfo.output_width;
  st->height = st->cinfo.output_height;
  st->channels = st->cinfo.output_components;
  jpeg_destroy_decompress(&st->cinfo);
  return true;
}

struct JpegWrite {
  JpegError err{};
  jpeg_compress_struct cinfo{};
  unsigned char* out = nullptr;
  unsigned long size = 0;  // NOLINT: libjpeg's type
};

bool jpeg_encode(JpegWrite* st, const uint8_t* pixels, JDIMENSION w, JDIMENSION h, int channels, int quality) {
  st->cinfo.err = install_errors(st->err);
  if (setjmp(st->err.jump)) {
    jpeg_destroy_compress(&st->cinfo);
    return false;
  }
  jpeg_create_compress(&st->cinfo);
  jpeg_mem_dest(&st->cinfo, &st->out, &st->size);
  st->cinfo.image_width = w;
  st->cinfo.image_height = h;
  st->cinfo.input_components = channels;
  st->cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&st->cinfo);
  jpeg_set_quality(&st->cinfo, quality, TRUE);
  jpeg_start_compress(&st->cinfo, TRUE);
  const size_t stride = size_t(w) * size_t(channels);
  while (st->cinfo.next_scanline < st->cinfo.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(pixels + size_t(st->cinfo.next_scanline) * stride);
    jpeg_write_scanlines(&st->cinfo, &row, 1);
  }
  jpeg_finish_compress(&st->cinfo);
  jpeg_destroy_compress(&st->cinfo);
  return true;
}

// ---- GIF ----------------------------------------------------------------------------------
struct GifSource {
  std::string_view data;
  size_t offset = 0;
};
int gif_read(GifFileType* gif, GifByteType* out, int n) {
  auto* src = static_cast<GifSource*>(gif->UserData);
  const size_t take = std::min(size_t(std::max(n, 0)), src->data.size() - src->offset);
  std::memcpy(out, src->data.data() + src->offset, take);
  src->offset += take;
  return int(take);
}
struct GifCloser {
  void operator()(GifFileType* g) const {
    int err = 0;
    DGifCloseFile(g, &err);
  }
};

// giflib's message for an error code (it has none for some codes).
std::string gif_error(int code) {
  const char* m = GifErrorString(code);
  return m ? std::string(m) : "error " + std::to_string(code);
}

// Every frame, composited as TensorFlow's: the canvas starts black, each frame starts
// from the previous one, and a frame's transparent pixels keep what is under them. The
// records are read one by one, so a frame's size is checked against the canvas before
// any of its pixels is allocated.
Tensor gif_decode(std::string_view bytes, bool first_only, uint64_t max_pixels) {
  GifSource src{bytes, 0};
  int err = 0;
  std::unique_ptr<GifFileType, GifCloser> gif(DGifOpen(&src, gif_read, &err));
  auto fail = [&](const std::string& why) { return DecodeError("decode_gif: invalid GIF data: " + why); };
  if (!gif) throw fail(gif_error(err));
  const int64_t w = gif->SWidth, h = gif->SHeight;
  check_size("GIF", uint64_t(w), uint64_t(h), max_pixels);
  const size_t frame_bytes = size_t(w * h * 3);
  std::vector<uint8_t> out;
  std::vector<GifPixelType> raster;
  GraphicsControlBlock gcb{};
  gcb.TransparentColor = NO_TRANSPARENT_COLOR;
  int64_t frames = 0;
  for (GifRecordType type = UNDEFINED_RECORD_TYPE; type != TERMINATE_RECORD_TYPE && !(first_only && frames == 1);) {
    if (DGifGetRecordType(gif.get(), &type) == GIF_ERROR) throw fail(gif_error(gif->Error));
    if (type == EXTENSION_RECORD_TYPE) {
      int code = 0;
      GifByteType* ext = nullptr;
      if (DGifGetExtension(gif.get(), &code, &ext) == GIF_ERROR) throw fail(gif_error(gif->Error));
      if (code == GRAPHICS_EXT_FUNC_CODE && ext && ext[0] >= 4) DGifExtensionToGCB(ext[0], ext + 1, &gcb);
      while (ext) {
        if (DGifGetExtensionNext(gif.get(), &ext) == GIF_ERROR) throw fail(gif_error(gif->Error));
      }
    } else if (type == IMAGE_DESC_RECORD_TYPE) {
      if (DGifGetImageDesc(gif.get()) == GIF_ERROR) throw fail(gif_error(gif->Error));
      const GifImageDesc& d = gif->Image;
      if (d.Left < 0 || d.Top < 0 || d.Width <= 0 || d.Height <= 0 || int64_t(d.Left) + d.Width > w ||
          int64_t(d.Top) + d.Height > h)
        throw fail("frame " + std::to_string(frames) + " lies outside the " + std::to_string(w) + "x" + std::to_string(h) +
                   " canvas");
      const ColorMapObject* map = d.ColorMap ? d.ColorMap : gif->SColorMap;
      if (!map) throw fail("frame " + std::to_string(frames) + " has no color map");
      if (uint64_t(w) * uint64_t(h) * uint64_t(frames + 1) > max_pixels)
        throw DecodeError("decode_gif: " + std::to_string(frames + 1) + " frames of " + std::to_string(w) + "x" +
                          std::to_string(h) + " pixels: expected at most " + std::to_string(max_pixels) +
                          " pixels in all (DecodeImageOptions::max_pixels)");
      raster.assign(size_t(d.Width) * size_t(d.Height), 0);
      // Interlaced rows come in four passes: every 8th from 0, every 8th from 4, every
      // 4th from 2, every 2nd from 1.
      static const int kStart[] = {0, 4, 2, 1}, kStep[] = {8, 8, 4, 2};
      for (int pass = 0; pass < (d.Interlace ? 4 : 1); ++pass)
        for (int y = d.Interlace ? kStart[pass] : 0; y < d.Height; y += d.Interlace ? kStep[pass] : 1)
          if (DGifGetLine(gif.get(), raster.data() + size_t(y) * size_t(d.Width), d.Width) == GIF_ERROR)
            throw fail(gif_error(gif->Error));
      out.resize(frame_bytes * size_t(frames + 1));
      uint8_t* canvas = out.data() + size_t(frames) * frame_bytes;
      if (frames > 0) std::memcpy(canvas, canvas - frame_bytes, frame_bytes);
      for (int y = 0; y < d.Height; ++y)
        for (int x = 0; x < d.Width; ++x) {
          const int index = raster[size_t(y) * size_t(d.Width) + size_t(x)];
          if (index == gcb.TransparentColor) continue;
          if (index >= map->ColorCount) throw fail("a pixel's color index is outside the color map");
          uint8_t* p = canvas + (size_t(d.Top + y) * size_t(w) + size_t(d.Left + x)) * 3;
          p[0] = map->Colors[index].Red;
          p[1] = map->Colors[index].Green;
          p[2] = map->Colors[index].Blue;
        }
      ++frames;
      gcb = GraphicsControlBlock{};
      gcb.TransparentColor = NO_TRANSPARENT_COLOR;
    }
  }
  if (frames == 0) throw DecodeError("decode_gif: the file has no image");
  if (first_only) return image_tensor(out, h, w, 3, DType::uint8);
  return from_buffer(out.data(), Shape{frames, h, w, 3}, DType::uint8);
}

// ---- BMP ----------------------------------------------------------------------------------
uint32_t le32(std::string_view d, size_t at) {
  return uint32_t(uint8_t(d[at])) | uint32_t(uint8_t(d[at + 1])) << 8 | uint32_t(uint8_t(d[at + 2])) << 16 |
         uint32_t(uint8_t(d[at + 3])) << 24;
}
uint16_t le16(std::string_view d, size_t at) { return uint16_t(uint8_t(d[at]) | uint8_t(d[at + 1]) << 8); }

Tensor bmp_decode(std::string_view d, int64_t want_channels, uint64_t max_pixels) {
  auto bad = [](const std::string& why) { return DecodeError("decode_bmp: " + why); };
  if (d.size() < 54 || d[0] != 'B' || d[1] != 'M') throw bad("not a BMP file (expected the 'BM' header of 54 bytes or more)");
  const uint32_t data_offset = le32(d, 10), header = le32(d, 14);
  if (header < 40 || 14 + uint64_t(header) > d.size()) throw bad("unsupported or truncated info header");
  const int32_t width = int32_t(le32(d, 18)), signed_height = int32_t(le32(d, 22));
  const uint16_t bpp = le16(d, 28);
  const uint32_t compression = le32(d, 30);
  if (compression != 0 && compression != 3) throw bad("compressed BMP files are not supported (compression " + std::to_string(compression) + ")");
  if (bpp != 8 && bpp != 24 && bpp != 32) throw bad("expected 8, 24 or 32 bits per pixel, but the file has " + std::to_string(bpp));
  if (compression == 3 && bpp != 32) throw bad("bit fields are supported for 32 bits per pixel only");
  if (width <= 0 || signed_height == 0 || signed_height == INT32_MIN) throw bad("invalid image size");
  const bool top_down = signed_height < 0;
  const uint64_t w = uint64_t(width), h = uint64_t(top_down ? -int64_t(signed_height) : signed_height);
  check_size("BMP", w, h, max_pixels);
  const uint64_t row_bytes = (w * bpp / 8 + 3) / 4 * 4;
  if (uint64_t(data_offset) + row_bytes * h > d.size()) throw bad("the pixel data is truncated");
  std::vector<std::array<uint8_t, 3>> palette;
  if (bpp == 8) {
    uint32_t colors = le32(d, 46);
    if (colors == 0) colors = 256;
    if (colors > 256 || 14 + uint64_t(header) + 4 * uint64_t(colors) > data_offset) throw bad("invalid palette");
    for (uint32_t i = 0; i < colors; ++i) {
      const size_t at = 14 + header + 4 * i;
      palette.push_back({uint8_t(d[at + 2]), uint8_t(d[at + 1]), uint8_t(d[at])});
    }
  }
  bool gray_palette = bpp == 8;
  for (const auto& c : palette) gray_palette = gray_palette && c[0] == c[1] && c[1] == c[2];
  // A palette of grays stores one channel (TensorFlow reads every 8-bit BMP as one
  // channel of raw indices; here the palette is applied).
  const int stored = bpp == 32 ? 4 : gray_palette ? 1 : 3;
  const int channels = want_channels == 0 ? stored : int(want_channels);
  std::vector<uint8_t> out(w * h * uint64_t(channels));
  for (uint64_t y = 0; y < h; ++y) {
    const uint64_t src_row = top_down ? y : h - 1 - y;
    const auto* row = reinterpret_cast<const uint8_t*>(d.data()) + data_offset + src_row * row_bytes;
    for (uint64_t x = 0; x < w; ++x) {
      uint8_t rgba[4] = {0, 0, 0, 255};
      if (bpp == 8) {
        const uint8_t index = row[x];
        if (index >= palette.size()) throw bad("a pixel's palette index " + std::to_string(index) + " is outside the palette");
        std::memcpy(rgba, palette[index].data(), 3);
      } else {
        const uint8_t* p = row + x * (bpp / 8);
        rgba[0] = p[2];
        rgba[1] = p[1];
        rgba[2] = p[0];
        if (bpp == 32) rgba[3] = p[3];
      }
      std::memcpy(out.data() + (y * w + x) * uint64_t(channels), rgba, size_t(channels));
    }
  }
  return image_tensor(out, int64_t(h), int64_t(w), channels, DType::uint8);
}

// 16-bit samples (host order) as floats in [0, 1].
Tensor png16_to_float(const PngRead& st, DType dtype) {
  std::vector<float> f(st.pixels.size() / 2);
  for (size_t i = 0; i < f.size(); ++i) {
    uint16_t v;
    std::memcpy(&v, st.pixels.data() + 2 * i, 2);
    f[i] = float(v) / 65535.0f;
  }
  return ops::cast(from_buffer(f.data(), Shape{int64_t(st.height), int64_t(st.width), int64_t(st.channels)}, DType::float32),
                   dtype);
}

void check_dtype(const char* op, DType dtype) {
  if (dtype != DType::uint8 && dtype != DType::uint16 && !is_floating(dtype))
    throw std::invalid_argument(std::string(op) + ": `dtype` must be uint8, uint16 or a floating dtype, but received " +
                                dtype_name(dtype));
}
// A uint8 image in `dtype`, as tf.image.convert_image_dtype: uint16 multiplies by 256,
// floats divide by 255.
Tensor to_dtype(const Tensor& image, DType dtype) {
  if (dtype == image.dtype()) return image;
  if (dtype == DType::uint16) return ops::multiply(ops::cast(image, DType::uint16), constant(uint16_t{256}));
  return ops::cast(ops::cast(image, DType::float32) / 255.0f, dtype);
}
}  // namespace

std::string image_format(const Tensor& contents) {
  const std::string d = bytes_of(contents, "image_format");
  if (d.size() >= 8 && std::memcmp(d.data(), "\x89PNG\r\n\x1a\n", 8) == 0) return "png";
  if (d.size() >= 3 && std::memcmp(d.data(), "\xff\xd8\xff", 3) == 0) return "jpeg";
  if (d.size() >= 2 && d[0] == 'B' && d[1] == 'M') return "bmp";
  if (d.size() >= 6 && (std::memcmp(d.data(), "GIF87a", 6) == 0 || std::memcmp(d.data(), "GIF89a", 6) == 0)) return "gif";
  return "";
}

Tensor decode_png(const Tensor& contents, const DecodeImageOptions& o) {
  check_channels("decode_png", o.channels, {0, 1, 3, 4});
  check_dtype("decode_png", o.dtype);
  auto st = std::make_unique<PngRead>();
  const std::string bytes = bytes_of(contents, "decode_png");
  st->data = bytes;
  if (bytes.size() < 8 || png_sig_cmp(reinterpret_cast<png_const_bytep>(bytes.data()), 0, 8) != 0)
    throw DecodeError("decode_png: not a PNG file (the 8 signature bytes are missing)");
  const bool is16 = o.dtype != DType::uint8;
  if (!png_decode(st.get(), o.channels, is16, max_pixels_of("decode_png", o))) throw DecodeError("decode_png: invalid PNG data: " + st->error);
  if (o.dtype == DType::uint16) return image_tensor(st->pixels, st->height, st->width, st->channels, DType::uint16);
  if (is16) return png16_to_float(*st, o.dtype);
  return image_tensor(st->pixels, st->height, st->width, st->channels, DType::uint8);
}

Tensor decode_jpeg(const Tensor& contents, const DecodeImageOptions& o) {
  check_channels("decode_jpeg", o.channels, {0, 1, 3});
  check_dtype("decode_jpeg", o.dtype);
  if (o.dct_method != "" && o.dct_method != "INTEGER_FAST" && o.dct_method != "INTEGER_ACCURATE")
    throw std::invalid_argument("decode_jpeg: `dct_method` must be \"\", \"INTEGER_FAST\" or \"INTEGER_ACCURATE\", but received \"" +
                                o.dct_method + "\"");
  const std::string bytes = bytes_of(contents, "decode_jpeg");
  if (bytes.size() < 3 || std::memcmp(bytes.data(), "\xff\xd8\xff", 3) != 0)
    throw DecodeError("decode_jpeg: not a JPEG file (the signature bytes ff d8 ff are missing)");
  auto st = std::make_unique<JpegRead>();
  st->data = bytes;
  if (!jpeg_decode(st.get(), o.channels, o.dct_method == "INTEGER_ACCURATE", max_pixels_of("decode_jpeg", o)))
    throw DecodeError(std::string("decode_jpeg: invalid JPEG data: ") + st->err.message);
  return to_dtype(image_tensor(st->pixels, st->height, st->width, st->channels, DType::uint8), o.dtype);
}

Tensor decode_gif(const Tensor& contents, const DecodeImageOptions& o) {
  const uint64_t max_pixels = max_pixels_of("decode_gif", o);
  const std::string bytes = bytes_of(contents, "decode_gif");
  if (bytes.size() < 6 || (std::memcmp(bytes.data(), "GIF87a", 6) != 0 && std::memcmp(bytes.data(), "GIF89a", 6) != 0))
    throw DecodeError("decode_gif: not a GIF file (the signature GIF87a or GIF89a is missing)");
  return gif_decode(bytes, false, max_pixels);
}

Tensor decode_bmp(const Tensor& contents, const DecodeImageOptions& o) {
  check_channels("decode_bmp", o.channels, {0, 3, 4});
  check_dtype("decode_bmp", o.dtype);
  return to_dtype(bmp_decode(bytes_of(contents, "decode_bmp"), o.channels, max_pixels_of("decode_bmp", o)), o.dtype);
}

Tensor decode_image(const Tensor& contents, const DecodeImageOptions& o) {
  check_dtype("decode_image", o.dtype);
  const std::string format = image_format(contents);
  if (format == "png") return decode_png(contents, o);
  if (format == "jpeg") return decode_jpeg(contents, o);
  if (format == "bmp") return decode_bmp(contents, o);
  if (format == "gif") {
    if (o.channels != 0 && o.channels != 3)
      throw std::invalid_argument("decode_image: `channels` must be 0 or 3 for GIF, but received " + std::to_string(o.channels));
    Tensor frames = gif_decode(bytes_of(contents, "decode_image"), !o.expand_animations, max_pixels_of("decode_image", o));
    return to_dtype(frames, o.dtype);
  }
  throw DecodeError("decode_image: unknown image file format; expected PNG, JPEG, GIF or BMP");
}

Tensor encode_png(const Tensor& image, int64_t compression) {
  if (!image.defined() || image.rank() != 3 || image.shape()[2] < 1 || image.shape()[2] > 4 ||
      (image.dtype() != DType::uint8 && image.dtype() != DType::uint16))
    throw std::invalid_argument("encode_png: expected a (height, width, 1 to 4 channels) uint8 or uint16 image, but "
                                "received " +
                                (image.defined() ? std::string(dtype_name(image.dtype())) + " " + image.shape().str()
                                                 : std::string("an undefined tensor")));
  if (compression < -1 || compression > 9)
    throw std::invalid_argument("encode_png: `compression` must be -1 to 9, but received " + std::to_string(compression));
  const Tensor host = image.cpu();
  check_size("PNG", uint64_t(host.shape()[1]), uint64_t(host.shape()[0]));
  auto st = std::make_unique<PngWrite>();
  if (!png_encode(st.get(), static_cast<const uint8_t*>(host.raw_data()), png_uint_32(host.shape()[1]),
                  png_uint_32(host.shape()[0]), int(host.shape()[2]), host.dtype() == DType::uint16,
                  int(compression)))
    throw std::runtime_error("encode_png: " + (st->error.empty() ? std::string("out of memory") : st->error));
  return constant(st->out);
}

Tensor encode_jpeg(const Tensor& image, int64_t quality) {
  if (!image.defined() || image.rank() != 3 || (image.shape()[2] != 1 && image.shape()[2] != 3) ||
      image.dtype() != DType::uint8)
    throw std::invalid_argument("encode_jpeg: expected a (height, width, 1 or 3 channels) uint8 image, but received " +
                                (image.defined() ? std::string(dtype_name(image.dtype())) + " " + image.shape().str()
                                                 : std::string("an undefined tensor")));
  if (quality < 0 || quality > 100)
    throw std::invalid_argument("encode_jpeg: `quality` must be 0 to 100, but received " + std::to_string(quality));
  const Tensor host = image.cpu();
  check_size("JPEG", uint64_t(host.shape()[1]), uint64_t(host.shape()[0]));
  auto st = std::make_unique<JpegWrite>();
  const bool ok = jpeg_encode(st.get(), static_cast<const uint8_t*>(host.raw_data()), JDIMENSION(host.shape()[1]),
                              JDIMENSION(host.shape()[0]), int(host.shape()[2]), int(quality));
  std::string out = ok ? std::string(reinterpret_cast<const char*>(st->out), st->size) : std::string();
  std::free(st->out);
  if (!ok) throw std::runtime_error(std::string("encode_jpeg: ") + st->err.message);
  return constant(out);
}

}  // namespace keras::core::io
