// audio_io.h - tf.audio: decode_wav and encode_wav. Audio is a (samples, channels)
// float32 tensor of values in [-1, 1); a WAV file is a string scalar of its bytes.
//
//   auto [audio, rate] = keras::audio::decode_wav(keras::io::read_file("a.wav"), {.desired_channels = 1});
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace keras::core::audio {

/// decode_wav's options (tf.audio.decode_wav's keyword arguments and defaults).
struct DecodeWavOptions {
  /// -1: the file's channels; fewer drops the last channels, more repeats the last one.
  int64_t desired_channels = -1;
  /// -1: the file's samples; fewer cuts the end, more pads with zeros.
  int64_t desired_samples = -1;
};
/// decode_wav's result: the samples and the sample rate.
struct DecodedWav {
  Tensor audio;        ///< float32 (samples, channels)
  Tensor sample_rate;  ///< int32 scalar
};
/// tf.audio.decode_wav: a RIFF WAVE file of 16-bit PCM samples (TensorFlow's format:
/// values / 32768), also 8-bit (unsigned, (v - 128) / 128), 24- and 32-bit PCM (/ 2^23,
/// / 2^31) and 32-bit IEEE float (as stored), plainly or in a WAVE_FORMAT_EXTENSIBLE
/// header. Other formats and malformed or truncated files raise io::DecodeError
/// (core/image_io.h) naming what is wrong.
DecodedWav decode_wav(const Tensor& contents, const DecodeWavOptions& options = {});
/// tf.audio.encode_wav: float32 audio (samples, channels) at sample_rate (> 0) as a 16-bit
/// PCM WAV file (a string scalar): each value times 32768, rounded and clipped to int16.
Tensor encode_wav(const Tensor& audio, int64_t sample_rate);

}  // namespace keras::core::audio
