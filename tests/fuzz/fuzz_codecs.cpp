// fuzz_codecs.cpp - libFuzzer target: keras::io::decode_image (PNG through libpng, JPEG
// through libjpeg, BMP) and keras::audio::decode_wav on arbitrary bytes. DecodeError (an
// std::invalid_argument) is expected; any other exception or crash is a finding.
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
      keras::core::io::decode_image(contents, {.channels = channels});
    } catch (const std::invalid_argument&) {
    }
  }
  try {
    keras::core::audio::decode_wav(contents, {.desired_channels = 2});
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
