// test_image_io.cpp - keras::io (read_file, write_file, the PNG/JPEG/BMP codecs) and
// keras::audio (decode_wav, encode_wav) against TensorFlow 2.20's decoders on the files
// of tests/data/utils (make_utils_fixtures.py).
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "../error_of.h"
#include "../test_data_dir.h"
#include "../utils_fixtures.h"
#include "core/audio_io.h"
#include "core/core.h"
#include "core/image_io.h"
#include "core/npy.h"

namespace {
namespace core = keras::core;
namespace io = keras::core::io;
namespace audio = keras::core::audio;
namespace ops = keras::core::ops;
using core::DType;
using core::Tensor;

const std::map<std::string, Tensor>& fixtures() { return th::utils_fixtures(); }
const Tensor& fx(const std::string& key) { return th::utils_fixture(key); }
Tensor file(const std::string& name) { return io::read_file(std::string(KERAS_TEST_DATA_DIR) + "/utils/files/" + name); }

void check_equal(const Tensor& got, const Tensor& want, const std::string& what) {
  INFO(what);
  REQUIRE(got.shape() == want.shape());
  REQUIRE(got.dtype() == want.dtype());
  CHECK(ops::all(ops::equal(got, want)).item<bool>());
}
}  // namespace

TEST_CASE("io: PNG, JPEG and BMP decode as TensorFlow's decode_image, every channel count") {
  int checked = 0;
  for (const char* name : {"rgb.png", "rgba.png", "gray16.png", "palette_trns.png", "interlaced.png", "rgb.jpg",
                           "gray.jpg", "rgb24.bmp", "rgba32_top_down.bmp"}) {
    std::string key = std::string("img/") + name;
    key[key.rfind('.')] = '_';
    const Tensor contents = file(name);
    for (int64_t ch : {0, 1, 3, 4}) {
      auto it = fixtures().find(key + "/" + std::to_string(ch));
      if (it == fixtures().end()) continue;
      check_equal(io::decode_image(contents, {.channels = ch}), it->second, key + " channels " + std::to_string(ch));
      ++checked;
    }
    auto fl = fixtures().find(key + "/float");
    if (fl != fixtures().end()) {
      Tensor got = io::decode_image(contents, {.dtype = DType::float32});
      REQUIRE(got.shape() == fl->second.shape());
      CHECK(ops::max(ops::abs(got - fl->second)).item<float>() <= 1e-7f);
    }
    auto acc = fixtures().find(key + "/accurate");
    if (acc != fixtures().end())
      check_equal(io::decode_jpeg(contents, {.dct_method = "INTEGER_ACCURATE"}), acc->second, key + " accurate");
  }
  CHECK(checked == 32);
  // The format-specific decoders agree with decode_image.
  check_equal(io::decode_png(file("rgb.png")), fx("img/rgb_png/0"), "decode_png");
  check_equal(io::decode_jpeg(file("rgb.jpg")), fx("img/rgb_jpg/0"), "decode_jpeg");
  check_equal(io::decode_bmp(file("rgb24.bmp")), fx("img/rgb24_bmp/0"), "decode_bmp");
  CHECK(io::image_format(file("rgb.jpg")) == "jpeg");
  CHECK(io::image_format(core::constant(std::string("GIF89a...."))) == "gif");
  CHECK(io::image_format(core::constant(std::string("text"))) == "");
}

TEST_CASE("io: GIF frames composited as TensorFlow's decode_gif; decode_image's first frame") {
  for (const std::string name : {"still.gif", "animated.gif"}) {
    std::string key = "img/" + name;
    key[key.rfind('.')] = '_';
    const Tensor contents = file(name);
    check_equal(io::decode_gif(contents), fx(key + "/frames"), name + " frames");
    check_equal(io::decode_image(contents, {.expand_animations = false}), fx(key + "/first"), name + " first frame");
    check_equal(io::decode_image(contents), fx(key + "/frames"), name + " through decode_image");
  }
  CHECK(fx("img/animated_gif/frames").shape()[0] == 3);
  th::throws_with<std::invalid_argument>([] { io::decode_image(file("still.gif"), {.channels = 1}); },
                                         "`channels` must be 0 or 3 for GIF");
  th::throws_with<io::DecodeError>([] { io::decode_gif(file("rgb.png")); }, "not a GIF file");
}

TEST_CASE("io: an 8-bit BMP's palette is applied (gray palettes give one channel)") {
  check_equal(io::decode_bmp(file("palette8.bmp")), fx("img/palette8_bmp/expected"), "gray palette");
  check_equal(io::decode_bmp(file("colors8.bmp")), fx("img/colors8_bmp/expected"), "color palette");
  Tensor rgb = io::decode_bmp(file("palette8.bmp"), {.channels = 3});
  CHECK(rgb.shape() == core::Shape{9, 13, 3});
  check_equal(rgb[{core::Slice(), core::Slice(), core::Slice(0, 1)}], fx("img/palette8_bmp/expected"), "gray to rgb");
}

TEST_CASE("io: a 16-bit PNG keeps its precision as float and its high byte as uint8") {
  const Tensor contents = file("gray16.png");
  Tensor f = io::decode_png(contents, {.dtype = DType::float32});
  Tensor hi = io::decode_png(contents);
  CHECK(f.dtype() == DType::float32);
  // float = v / 65535 and uint8 = v >> 8, for every sample.
  Tensor v = ops::round(ops::cast(f, DType::float64) * 65535.0);
  CHECK(ops::all(ops::equal(ops::cast(ops::floor(v / 256.0), DType::uint8), hi)).item<bool>());
  CHECK(ops::max(ops::abs(f - fx("img/gray16_png/float"))).item<float>() <= 1e-7f);
}

// TensorFlow 2 (tf.io.decode_png / decode_image with dtype=tf.uint16, by hand in its venv):
// an 8-bit PNG [0, 1, 128, 255] reads [0, 257, 32896, 65535]; a 16-bit one [0, 1, 4660,
// 65535] reads whole, and as uint8 [0, 0, 18, 255]; a JPEG is scaled by 256.
TEST_CASE("io: uint16 images: 16-bit PNGs read and written whole, others scaled as TensorFlow") {
  const Tensor contents = file("gray16.png");
  Tensor u16 = io::decode_png(contents, {.dtype = DType::uint16});
  CHECK(u16.dtype() == DType::uint16);
  Tensor f = io::decode_png(contents, {.dtype = DType::float64});
  CHECK(ops::all(ops::equal(ops::cast(u16, DType::float64), ops::round(f * 65535.0))).item<bool>());
  check_equal(io::decode_image(contents, {.dtype = DType::uint16}), u16, "decode_image");
  Tensor sixteen = core::constant(std::vector<uint16_t>{0, 1, 0x1234, 65535}, core::Shape{2, 2, 1});
  Tensor png16 = io::encode_png(sixteen);
  check_equal(io::decode_png(png16, {.dtype = DType::uint16}), sixteen, "16-bit round trip");
  CHECK(ops::cast(io::decode_png(png16), DType::int32).to_vector<int32_t>() == std::vector<int32_t>{0, 0, 18, 255});
  Tensor eight = core::constant(std::vector<uint8_t>{0, 1, 128, 255}, core::Shape{2, 2, 1});
  CHECK(ops::cast(io::decode_png(io::encode_png(eight), {.dtype = DType::uint16}), DType::int32).to_vector<int32_t>() ==
        std::vector<int32_t>{0, 257, 32896, 65535});
  Tensor jpeg = io::encode_jpeg(ops::cast(ops::reshape(ops::arange(0, 64), {8, 8, 1}) * 4, DType::uint8), 90);
  Tensor j8 = io::decode_jpeg(jpeg), j16 = io::decode_jpeg(jpeg, {.dtype = DType::uint16});
  CHECK(ops::all(ops::equal(ops::cast(j16, DType::int32), ops::cast(j8, DType::int32) * 256)).item<bool>());
  th::throws_with<std::invalid_argument>([&] { io::decode_png(contents, {.dtype = DType::int16}); },
                                         "`dtype` must be uint8, uint16 or a floating dtype, but received int16");
}

TEST_CASE("io: encode_png and encode_jpeg round trip; write_file and read_file") {
  Tensor img = ops::cast(ops::mod(ops::reshape(ops::arange(0, 5 * 7 * 3), {5, 7, 3}) * 3, core::constant(256)), DType::uint8);
  for (int64_t level : {-1, 0, 9}) check_equal(io::decode_png(io::encode_png(img, level)), img, "png level " + std::to_string(level));
  Tensor gray = img[{core::Slice(), core::Slice(), core::Slice(0, 1)}];
  check_equal(io::decode_png(io::encode_png(gray)), gray, "png gray");
  // JPEG is lossy: a smooth image comes back close at quality 100.
  Tensor smooth = ops::cast(ops::reshape(ops::arange(0, 16 * 16 * 3), {16, 16, 3}) / 4.0f, DType::uint8);
  Tensor jpeg = io::encode_jpeg(smooth, 100);
  CHECK(io::image_format(jpeg) == "jpeg");
  Tensor back = io::decode_jpeg(jpeg);
  CHECK(back.shape() == smooth.shape());
  CHECK(ops::mean(ops::abs(ops::cast(back, DType::float32) - ops::cast(smooth, DType::float32))).item<float>() < 3.0f);
  const std::string path = (std::filesystem::temp_directory_path() / "kcpp_io_roundtrip.png").string();
  io::write_file(path, io::encode_png(img));
  check_equal(io::decode_image(io::read_file(path)), img, "through a file");
  std::remove(path.c_str());
}

TEST_CASE("io: bad input raises typed errors naming what is wrong") {
  th::throws_with<io::DecodeError>([] { io::decode_png(core::constant(std::string("garbage"))); }, "not a PNG file");
  th::throws_with<io::DecodeError>([] { io::decode_image(core::constant(std::string("garbage"))); },
                                   "unknown image file format");
  th::throws_with<io::DecodeError>([] { io::decode_image(core::constant(std::string("GIF89a\x01\x00"))); },
                                   "invalid GIF data");
  th::throws_with<std::invalid_argument>([] { io::decode_png(file("rgb.png"), {.channels = 2}); },
                                         "`channels` must be one of 0, 1, 3, 4, but received 2");
  th::throws_with<std::invalid_argument>([] { io::decode_jpeg(file("rgb.jpg"), {.channels = 4}); },
                                         "`channels` must be one of 0, 1, 3, but received 4");
  th::throws_with<std::invalid_argument>([] { io::decode_png(core::constant(1.0f)); },
                                         "expected the file's bytes as a string scalar, but received float32 ()");
  th::throws_with<std::invalid_argument>([] { io::encode_png(ops::zeros({2, 2, 3})); },
                                         "expected a (height, width, 1 to 4 channels) uint8 or uint16 image, but received float32 (2, 2, 3)");
  th::throws_with<std::runtime_error>([] { io::read_file("/no/such/file.png"); }, "/no/such/file.png");
  // Every truncation of every file raises DecodeError (never reads past the bytes).
  for (const char* name : {"rgb.png", "interlaced.png", "rgb.jpg", "rgb24.bmp", "palette8.bmp", "animated.gif"}) {
    const std::string bytes = file(name).item<std::string>();
    for (size_t n = 0; n < bytes.size(); n += 7) {
      INFO(name << " cut at " << n);
      CHECK_THROWS_AS(io::decode_image(core::constant(bytes.substr(0, n))), io::DecodeError);
    }
  }
}

TEST_CASE("io: max_pixels refuses larger images before decoding them, in every format") {
  // rgb.png and rgb.jpg and rgb24.bmp share one size; animated.gif has 3 frames.
  for (const char* name : {"rgb.png", "interlaced.png", "rgb.jpg", "rgb24.bmp", "palette8.bmp", "still.gif", "animated.gif"}) {
    INFO(name);
    const Tensor contents = file(name);
    const Tensor full = io::decode_image(contents);
    const int64_t pixels = full.shape().num_elements() / full.shape()[full.shape().rank() - 1];
    CHECK(io::decode_image(contents, {.max_pixels = pixels}).shape() == full.shape());
    th::throws_with<io::DecodeError>([&] { io::decode_image(contents, {.max_pixels = pixels - 1}); },
                                     "at most " + std::to_string(pixels - 1) + " pixels");
  }
  // A GIF's frames count together; its first frame alone fits a one-frame limit.
  const Tensor gif = file("animated.gif");
  const int64_t frame = fx("img/animated_gif/first").shape().num_elements() / 3;
  CHECK(io::decode_image(gif, {.expand_animations = false, .max_pixels = frame}).shape() == fx("img/animated_gif/first").shape());
  th::throws_with<io::DecodeError>([&] { io::decode_gif(gif, {.max_pixels = 2 * frame}); },
                                   "decode_gif: 3 frames of 12x10 pixels: expected at most " + std::to_string(2 * frame) +
                                       " pixels in all (DecodeImageOptions::max_pixels)");
  th::throws_with<std::invalid_argument>([] { io::decode_png(file("rgb.png"), {.max_pixels = 0}); },
                                         "decode_png: `max_pixels` must be at least 1, but received 0");
}

TEST_CASE("audio: decode_wav as TensorFlow's: channels and samples cut, padded or repeated") {
  const Tensor contents = file("stereo16.wav");
  for (auto [ch, n] : std::vector<std::pair<int64_t, int64_t>>{{-1, -1}, {1, -1}, {3, -1}, {-1, 5}, {2, 15}}) {
    audio::DecodedWav d = audio::decode_wav(contents, {.desired_channels = ch, .desired_samples = n});
    check_equal(d.audio, fx("wav/stereo16/" + std::to_string(ch) + "/" + std::to_string(n)),
                "channels " + std::to_string(ch) + " samples " + std::to_string(n));
    CHECK(d.sample_rate.item<int32_t>() == 16000);
    CHECK(d.sample_rate.dtype() == DType::int32);
  }
}

TEST_CASE("audio: 8-, 24- and 32-bit PCM and float WAV files") {
  for (const char* name : {"mono8.wav", "mono24.wav", "mono32.wav"}) {
    INFO(name);
    audio::DecodedWav d = audio::decode_wav(file(name));
    CHECK(ops::max(ops::abs(d.audio - fx("wav/grid"))).item<float>() == 0.0f);
    CHECK(d.sample_rate.item<int32_t>() == 8000);
  }
  Tensor f = audio::decode_wav(file("monofloat.wav")).audio;
  CHECK(f.to_vector<float>() == std::vector<float>{1.5f, -0.1f, 0.3f});
}

TEST_CASE("audio: encode_wav writes TensorFlow's bytes, and bad files raise") {
  Tensor bytes = audio::encode_wav(fx("wav/encode_in"), 22050);
  const std::string s = bytes.item<std::string>();
  const std::vector<uint8_t> want = fx("wav/encode_out").to_vector<uint8_t>();
  CHECK(std::vector<uint8_t>(s.begin(), s.end()) == want);
  th::throws_with<io::DecodeError>([] { audio::decode_wav(core::constant(std::string("RIFF\0\0\0\0WAVE", 12))); },
                                   "no 'fmt ' chunk");
  th::throws_with<std::invalid_argument>([] { audio::encode_wav(ops::zeros({3}), 8000); },
                                         "expected float32 audio of shape (samples, 1 to 65535 channels), but received float32 (3,)");
  th::throws_with<std::invalid_argument>([] { audio::encode_wav(ops::zeros({3, 1}), 0); }, "sample_rate must be in [1, 2^31)");
  const std::string wav = file("mono24.wav").item<std::string>();
  for (size_t n = 0; n < wav.size() - 1; n += 3) {
    INFO("cut at " << n);
    CHECK_THROWS_AS(audio::decode_wav(core::constant(wav.substr(0, n))), io::DecodeError);
  }
}
