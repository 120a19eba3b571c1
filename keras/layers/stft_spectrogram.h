// stft_spectrogram.h - STFTSpectrogram (keras.layers.STFTSpectrogram): signals (batch,
// time, channels) to spectrograms by 1-D convolutions whose kernels are STFT bases
// (keras.initializers.STFT: trainable weights `real_kernel` and `imag_kernel`), as Keras 3.
//
//   auto stft = keras::layers::STFTSpectrogram({.mode = "log", .frame_length = 256, .frame_step = 128});
//   Tensor spec = stft(audio);   // (batch, frames, channels * 129)
#pragma once
#include <optional>
#include <string>

#include "keras/layers/layer.h"

namespace keras::layers {

/// Options of STFTSpectrogram (Keras 3's arguments and defaults).
struct STFTSpectrogramOptions {
  /// "log" (log magnitude), "magnitude", "psd" (power, the inner bins doubled), "real",
  /// "imag", "angle" or "stft" (real and imaginary parts side by side).
  std::string mode = "log";
  int64_t frame_length = 256;                   ///< samples per frame
  std::optional<int64_t> frame_step = std::nullopt;  ///< unset: frame_length / 2
  /// The FFT size (>= frame_length); unset: the next power of two of frame_length.
  std::optional<int64_t> fft_length = std::nullopt;
  std::string window = "hann";        ///< as initializers::STFT ("" for none)
  bool periodic = false;              ///< a periodic window
  std::string scaling = "density";    ///< "density", "spectrum" or "" (none)
  std::string padding = "valid";      ///< "valid" or "same"
  /// Keep channels as their own axis: (batch, frames, bins, channels) instead of
  /// (batch, frames, channels * bins).
  bool expand_dims = false;
  /// "channels_last" or "channels_first" (default: config::image_data_format()).
  std::string data_format{};
  std::string name{};                 ///< layer name (default: generated)
  bool trainable = true;              ///< whether the kernels train (Keras `trainable`)
  /// The layer's dtype policy (unset: the global one).
  std::optional<mixed_precision::DTypePolicy> dtype{};
  ShapeSpec input_shape{};            ///< without the batch axis (first layer of a Sequential)
};

/// keras.layers.STFTSpectrogram, made by STFTSpectrogram().
class STFTSpectrogramLayer : public Layer {
 public:
  /// Throws std::invalid_argument for a bad mode, sizes, scaling, padding or window,
  /// with Keras's messages.
  explicit STFTSpectrogramLayer(const STFTSpectrogramOptions& options = {});
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x, bool training) override;
  std::vector<ShapeSpec> compute_output_shape(const std::vector<ShapeSpec>& shapes) override;
  Config get_config() const override;
  /// Rebuilds the layer from a get_config() config (the registry's "STFTSpectrogram").
  static LayerPtr from_config(const Config& c);
  /// The cosine kernel (undefined before build, and in mode "imag", as in Keras).
  Variable real_kernel;
  /// The sine kernel (undefined before build, and in mode "real", as in Keras).
  Variable imag_kernel;

 private:
  Tensor conv(const Tensor& x, const Tensor& kernel) const;   // (batch, channels, bins, frames)
  Tensor adjust(const Tensor& x) const;                        // to the output layout
  STFTSpectrogramOptions o_;
  int64_t step_, fft_;
};

/// keras.layers.STFTSpectrogram (see above).
Ref<STFTSpectrogramLayer> STFTSpectrogram(const STFTSpectrogramOptions& options = {});

}  // namespace keras::layers
