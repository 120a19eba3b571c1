// mel_spectrogram.h - MelSpectrogram (keras.layers.MelSpectrogram): audio (batch,
// samples) or (samples,) to its mel-scaled power spectrogram (batch, num_mel_bins,
// frames), in decibels by default, as Keras 3: a centered STFT, |X|^mag_exp, Slaney-free
// HTK mel filters (TensorFlow's linear_to_mel_weight_matrix), then 10 log10 with a floor
// of top_db below the maximum of the whole batch.
//
//   auto mel = keras::layers::MelSpectrogram({.fft_length = 512, .sequence_stride = 128,
//                                             .sampling_rate = 16000, .num_mel_bins = 64});
//   Tensor spectrogram = mel(ops::squeeze(clips, -1));   // (batch, 64, frames)
#pragma once
#include <optional>
#include <string>

#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of MelSpectrogram (keras.layers.MelSpectrogram's arguments and defaults).
struct MelSpectrogramOptions {
  int64_t fft_length = 2048;       ///< FFT size (>= sequence_length)
  int64_t sequence_stride = 512;   ///< samples between frames (the hop)
  /// Samples per frame (the window length); unset: fft_length.
  std::optional<int64_t> sequence_length = std::nullopt;
  std::string window = "hann";     ///< "hann", "hamming" or "" (none)
  int64_t sampling_rate = 16000;   ///< Hz
  int64_t num_mel_bins = 128;      ///< mel bands
  double min_freq = 20.0;          ///< lowest band edge, Hz
  /// Highest band edge, Hz; unset: sampling_rate / 2 (Keras's int(sampling_rate / 2)).
  std::optional<double> max_freq = std::nullopt;
  bool power_to_db = true;         ///< decibels (else the mel power)
  double top_db = 80.0;            ///< decibels kept below the maximum
  double mag_exp = 2.0;            ///< the magnitude's exponent (2: power)
  double min_power = 1e-10;        ///< floor before the logarithm
  double ref_power = 1.0;          ///< 0 dB reference
  std::string name{};              ///< layer name (default: generated, mel_spectrogram, ...)
  /// The layer's dtype policy (unset: the global one); computed in float32 or float64.
  std::optional<mixed_precision::DTypePolicy> dtype{};
  ShapeSpec input_shape{};         ///< without the batch axis (first layer of a Sequential)
};

/// keras.layers.MelSpectrogram, made by MelSpectrogram(). No weights.
class MelSpectrogramLayer : public Layer {
 public:
  /// Throws std::invalid_argument for fft_length < sequence_length, non-positive sizes or
  /// an unknown window, naming the value.
  explicit MelSpectrogramLayer(const MelSpectrogramOptions& options = {});
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "MelSpectrogram").
  static LayerPtr from_config(const Config& c);
  /// The (fft_length / 2 + 1, num_mel_bins) filter matrix the layer applies (TensorFlow's
  /// tf.signal.linear_to_mel_weight_matrix with its bands).
  Tensor mel_weight_matrix(DType dtype = DType::float32) const;
  /// The options, with sequence_length and max_freq resolved.
  const MelSpectrogramOptions& options() const { return o_; }

 private:
  MelSpectrogramOptions o_;
  bool max_freq_default_;
};

/// keras.layers.MelSpectrogram: audio to a mel spectrogram (see above).
Ref<MelSpectrogramLayer> MelSpectrogram(const MelSpectrogramOptions& options = {});

}  // namespace keras::layers
