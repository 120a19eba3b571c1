// stft.h - keras.initializers.STFT: the kernel of a short-time Fourier transform computed
// as a 1-D convolution (STFTSpectrogram's weights): cos (side "real") or sin ("imag") of
// -2 pi t f / n_fft for t < frame_length and f < fft_length / 2 + 1, times a window and
// divided by its scaling.
//
//   auto init = std::make_shared<keras::initializers::STFT>(keras::initializers::STFTOptions{.side = "imag"});
//   Tensor kernel = (*init)({256, 1, 129});   // (frame_length, 1, fft_length / 2 + 1)
#pragma once
#include <string>
#include <vector>

#include "keras/initializers.h"

namespace keras::initializers {

/// STFT's arguments (Keras 3's, with its defaults).
struct STFTOptions {
  std::string side = "real";      ///< "real" (cosines) or "imag" (sines)
  /// "hann", "hamming", "blackman", "bartlett", "boxcar" (scipy.signal.get_window's
  /// names), or "" for none (Keras's None).
  std::string window = "hann";
  std::string scaling = "density";  ///< "density" (/ sqrt(sum w^2)), "spectrum" (/ sum |w|) or "" (none)
  bool periodic = false;            ///< a periodic window (scipy's fftbins) instead of a symmetric one
};

/// keras.initializers.STFT ("stft", "STFTInitializer"). Shape (frame_length,
/// input_channels, fft_bins); floating dtypes.
class STFT : public Initializer {
 public:
  /// Throws std::invalid_argument for an unknown side, window or scaling.
  explicit STFT(const STFTOptions& options = {});
  /// The kernel (see above); a shape of another rank throws std::invalid_argument.
  Tensor operator()(const Shape& shape, DType dtype = DType::float32) const override;
  std::string class_name() const override { return "STFT"; }
  /// {"side", "window", "periodic", "scaling"} (null for "" window or scaling).
  keras::Config get_config() const override;
  /// The options.
  const STFTOptions& options() const { return o_; }

 private:
  STFTOptions o_;
};

/// scipy.signal.get_window(name, length, fftbins=periodic) for the names STFT takes, in
/// float64; throws std::invalid_argument for another name or length < 1.
Tensor get_window(const std::string& name, int64_t length, bool periodic);

}  // namespace keras::initializers
