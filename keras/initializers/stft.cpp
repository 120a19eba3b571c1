// stft.cpp - keras.initializers.STFT and the windows it uses (keras/initializers/stft.h).
#include "keras/initializers/stft.h"

#include <cmath>
#include <stdexcept>

#include "core/ops.h"

namespace keras::initializers {
namespace ops = core::ops;

namespace {
bool known_window(const std::string& w) {
  return w == "hann" || w == "hamming" || w == "blackman" || w == "bartlett" || w == "boxcar";
}
}  // namespace

Tensor get_window(const std::string& name, int64_t length, bool periodic) {
  if (!known_window(name))
    throw std::invalid_argument("get_window: expected a window \"hann\", \"hamming\", \"blackman\", \"bartlett\" or "
                                "\"boxcar\", but received \"" + name + "\"");
  if (length < 1) throw std::invalid_argument("get_window: expected a length >= 1, but received " + std::to_string(length));
  std::vector<double> w(static_cast<size_t>(length), 1.0);
  if (length > 1 && name != "boxcar") {
    // A periodic window is the symmetric one of length + 1 without its last point.
    const double m = double(periodic ? length + 1 : length);
    const double pi = std::acos(-1.0);
    for (int64_t n = 0; n < length; ++n) {
      const double x = 2 * pi * double(n) / (m - 1);
      double v;
      if (name == "hann") v = 0.5 - 0.5 * std::cos(x);
      else if (name == "hamming") v = 0.54 - 0.46 * std::cos(x);
      else if (name == "blackman") v = 0.42 - 0.5 * std::cos(x) + 0.08 * std::cos(2 * x);
      else v = 1.0 - std::abs(2.0 * double(n) / (m - 1) - 1.0);  // bartlett
      w[size_t(n)] = v;
    }
  }
  return core::constant(w);
}

STFT::STFT(const STFTOptions& o) : o_(o) {
  if (o.side != "real" && o.side != "imag")
    throw std::invalid_argument("STFT: side should be 'real' or 'imag', not " + o.side);
  if (!o.window.empty() && !known_window(o.window))
    throw std::invalid_argument("STFT: expected a window \"hann\", \"hamming\", \"blackman\", \"bartlett\", \"boxcar\" "
                                "or \"\" (none), but received \"" + o.window + "\"");
  if (!o.scaling.empty() && o.scaling != "density" && o.scaling != "spectrum")
    throw std::invalid_argument("STFT: Scaling is invalid, it must be `None`, 'density' or 'spectrum'. Received scaling=" +
                                o.scaling);
}

Tensor STFT::operator()(const Shape& shape, DType dtype) const {
  if (shape.rank() != 3)
    throw std::invalid_argument("STFT: expected a shape (frame_length, input_channels, fft_bins), but received " + shape.str());
  if (!core::is_floating(dtype))
    throw std::invalid_argument(std::string("STFT: expected a floating dtype, but received ") + core::dtype_name(dtype));
  const int64_t frame_length = shape[0], bins = shape[2];
  // Keras's arithmetic, in the weight's dtype: args = -2 t f / n_fft * pi.
  const Tensor pi = ops::arccos(ops::cast(core::constant(-1.0), dtype));
  Tensor freq = ops::reshape(ops::arange(0, bins, 1, dtype), {1, 1, bins}) / ops::cast(core::constant(double((bins - 1) * 2)), dtype);
  Tensor time = ops::reshape(ops::arange(0, frame_length, 1, dtype), {frame_length, 1, 1});
  Tensor args = time * ops::cast(core::constant(-2.0), dtype) * freq * pi;
  Tensor kernel = o_.side == "real" ? ops::cos(args) : ops::sin(args);
  if (!o_.window.empty()) {
    Tensor win = ops::reshape(ops::cast(get_window(o_.window, frame_length, o_.periodic), dtype), {frame_length, 1, 1});
    Tensor scaling = ops::cast(core::constant(1.0), dtype);
    if (o_.scaling == "density") scaling = ops::sqrt(ops::sum(ops::square(win)));
    else if (o_.scaling == "spectrum") scaling = ops::sum(ops::abs(win));
    kernel = kernel * win / scaling;
  }
  return ops::broadcast_to(kernel, shape);
}

keras::Config STFT::get_config() const {
  keras::Config c = keras::Config::object();
  c["side"] = o_.side;
  c["window"] = o_.window.empty() ? keras::Value() : keras::Value(o_.window);
  c["periodic"] = o_.periodic;
  c["scaling"] = o_.scaling.empty() ? keras::Value() : keras::Value(o_.scaling);
  return c;
}

}  // namespace keras::initializers
