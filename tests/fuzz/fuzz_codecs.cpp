// fuzz_codecs.cpp - libFuzzer target: keras::io::decode_image (PNG through libpng, JPEG
// through libjpeg, BMP) and keras::audio::decode_wav on arbitrary bytes. DecodeError (an
// std::invalid_argument) is expected; any other exception or crash is a finding. Images
// are limited to 2^22 pixels (DecodeImageOptions::max_pixels), so that one input's work
// stays small under the sanitizers (an animated GIF of a few hundred bytes may legitimately
// decode to the default limit's 2^28 pixels, which takes seconds here); the limit itself
// is what the larger headers exercise.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/audio_io.h"
#include "core/image_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const keras::core::Tensor contents = keras::core::constant(std::string(reinterpret_cast<const char*>(data), size));
  for (int64_t channels : {0, 1, 3}) {
    try {
      keras::core::io::decode_image(contents, {.channels = channels, .max_pixels = int64_t(1) << 22});
    } catch (const std::invalid_argument&) {
    }
  }
  try {
    keras::core::audio::decode_wav(contents, {.desired_channels = 2});
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
