// audio_io.cpp - tf.audio.decode_wav / encode_wav (core/audio_io.h): RIFF chunks read
// with bounds checks on every offset.
#include "core/audio_io.h"

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/image_io.h"
#include "core/ops.h"

namespace keras::core::audio {
namespace {
using io::DecodeError;

uint32_t le32(const std::string& d, size_t at) {
  return uint32_t(uint8_t(d[at])) | uint32_t(uint8_t(d[at + 1])) << 8 | uint32_t(uint8_t(d[at + 2])) << 16 |
         uint32_t(uint8_t(d[at + 3])) << 24;
}
uint16_t le16(const std::string& d, size_t at) { return uint16_t(uint8_t(d[at]) | uint8_t(d[at + 1]) << 8); }
void put32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(char((v >> (8 * i)) & 0xff));
}
void put16(std::string& s, uint16_t v) {
  s.push_back(char(v & 0xff));
  s.push_back(char(v >> 8));
}

// One sample as a float: the format's integer scaled to [-1, 1), or the float as stored.
float sample(const uint8_t* p, int bits, bool is_float) {
  if (is_float) {
    float f;
    std::memcpy(&f, p, 4);
    return f;
  }
  switch (bits) {
    case 8: return (float(p[0]) - 128.0f) / 128.0f;
    case 16: return float(int16_t(uint16_t(p[0] | p[1] << 8))) / 32768.0f;
    case 24: {
      int32_t v = int32_t(uint32_t(p[0]) << 8 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 24) >> 8;
      return float(double(v) / 8388608.0);
    }
    default: {
      int32_t v = int32_t(uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24);
      return float(double(v) / 2147483648.0);
    }
  }
}
}  // namespace

DecodedWav decode_wav(const Tensor& contents, const DecodeWavOptions& o) {
  if (!contents.defined() || contents.dtype() != DType::string || contents.rank() != 0)
    throw std::invalid_argument("decode_wav: expected the file's bytes as a string scalar, but received " +
                                (contents.defined() ? std::string(dtype_name(contents.dtype())) + " " + contents.shape().str()
                                                    : std::string("an undefined tensor")));
  if (o.desired_channels == 0 || o.desired_channels < -1)
    throw std::invalid_argument("decode_wav: desired_channels must be -1 or > 0, but received " + std::to_string(o.desired_channels));
  if (o.desired_samples < -1)
    throw std::invalid_argument("decode_wav: desired_samples must be -1 or >= 0, but received " + std::to_string(o.desired_samples));
  const std::string d = contents.item<std::string>();
  auto bad = [](const std::string& why) { return DecodeError("decode_wav: " + why); };
  if (d.size() < 12 || std::memcmp(d.data(), "RIFF", 4) != 0 || std::memcmp(d.data() + 8, "WAVE", 4) != 0)
    throw bad("not a WAV file (expected the 'RIFF' and 'WAVE' headers)");
  int channels = 0, bits = 0;
  bool is_float = false, have_fmt = false;
  uint32_t rate = 0;
  size_t data_at = 0, data_size = 0;
  bool have_data = false;
  for (size_t at = 12; at + 8 <= d.size();) {
    const uint32_t size = le32(d, at + 4);
    const size_t body = at + 8;
    if (uint64_t(size) > d.size() - body) {
      if (std::memcmp(d.data() + at, "data", 4) != 0) throw bad("a chunk runs past the end of the file");
    }
    if (std::memcmp(d.data() + at, "fmt ", 4) == 0) {
      if (size < 16) throw bad("the 'fmt ' chunk is shorter than 16 bytes");
      uint16_t format = le16(d, body);
      channels = le16(d, body + 2);
      rate = le32(d, body + 4);
      bits = le16(d, body + 14);
      if (format == 0xFFFE) {
        if (size < 26) throw bad("the extensible 'fmt ' chunk is shorter than 26 bytes");
        format = le16(d, body + 24);
      }
      if (format != 1 && format != 3)
        throw bad("bad audio format: expected 1 (PCM) or 3 (IEEE float), but got " + std::to_string(format));
      is_float = format == 3;
      if (is_float ? bits != 32 : (bits != 8 && bits != 16 && bits != 24 && bits != 32))
        throw bad("cannot read " + std::to_string(bits) + "-bit " + (is_float ? "float" : "PCM") + " samples");
      if (channels == 0) throw bad("the file has 0 channels");
      have_fmt = true;
    } else if (std::memcmp(d.data() + at, "data", 4) == 0) {
      if (uint64_t(size) > d.size() - body) throw bad("the 'data' chunk is truncated");
      data_at = body;
      data_size = size;
      have_data = true;
      break;
    }
    at = body + size + (size & 1);
  }
  if (!have_fmt) throw bad("no 'fmt ' chunk before the samples");
  if (!have_data) throw bad("no 'data' chunk");
  const size_t frame = size_t(channels) * size_t(bits / 8);
  const int64_t frames = int64_t(data_size / frame);
  const int64_t out_frames = o.desired_samples >= 0 ? o.desired_samples : frames;
  const int64_t out_channels = o.desired_channels > 0 ? o.desired_channels : channels;
  std::vector<float> out(size_t(out_frames * out_channels), 0.0f);
  const auto* p = reinterpret_cast<const uint8_t*>(d.data() + data_at);
  for (int64_t f = 0; f < std::min(frames, out_frames); ++f)
    for (int64_t c = 0; c < out_channels; ++c) {
      const int64_t src = std::min<int64_t>(c, channels - 1);
      out[size_t(f * out_channels + c)] = sample(p + size_t(f) * frame + size_t(src) * size_t(bits / 8), bits, is_float);
    }
  if (rate > uint32_t(INT32_MAX)) throw bad("the sample rate " + std::to_string(rate) + " does not fit int32");
  return {from_buffer(out.data(), Shape{out_frames, out_channels}, DType::float32), constant(int32_t(rate), DType::int32)};
}

Tensor encode_wav(const Tensor& audio, int64_t sample_rate) {
  if (!audio.defined() || audio.rank() != 2 || audio.dtype() != DType::float32 || audio.shape()[1] < 1 ||
      audio.shape()[1] > 65535)
    throw std::invalid_argument("encode_wav: expected float32 audio of shape (samples, 1 to 65535 channels), but received " +
                                (audio.defined() ? std::string(dtype_name(audio.dtype())) + " " + audio.shape().str()
                                                 : std::string("an undefined tensor")));
  if (sample_rate <= 0 || sample_rate > INT32_MAX)
    throw std::invalid_argument("encode_wav: sample_rate must be in [1, 2^31), but received " + std::to_string(sample_rate));
  const std::vector<float> v = audio.to_vector<float>();
  const uint64_t channels = uint64_t(audio.shape()[1]);
  const uint64_t bytes = uint64_t(v.size()) * 2;
  if (bytes > 0xFFFFFFFFull - 36) throw std::invalid_argument("encode_wav: the audio is too long for a WAV file (4 GiB)");
  std::string s = "RIFF";
  put32(s, uint32_t(36 + bytes));
  s += "WAVEfmt ";
  put32(s, 16);
  put16(s, 1);
  put16(s, uint16_t(channels));
  put32(s, uint32_t(sample_rate));
  put32(s, uint32_t(uint64_t(sample_rate) * channels * 2));
  put16(s, uint16_t(channels * 2));
  put16(s, 16);
  s += "data";
  put32(s, uint32_t(bytes));
  s.reserve(s.size() + bytes);
  for (float x : v) {
    double q = std::isnan(x) ? 0.0 : std::round(double(x) * 32768.0);
    q = std::min(32767.0, std::max(-32768.0, q));
    put16(s, uint16_t(int16_t(q)));
  }
  return constant(s);
}

}  // namespace keras::core::audio
