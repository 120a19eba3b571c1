// mel_spectrogram.cpp - MelSpectrogram (keras/layers/mel_spectrogram.h), Keras 3's
// computation step by step, in ops (so it traces and runs on any device).
#include "keras/layers/mel_spectrogram.h"
#include "keras/layers/options_base.h"

#include <cmath>
#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/args.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
// Keras's _hertz_to_mel: 1127 ln(1 + f / 700).
Tensor hertz_to_mel(const Tensor& f) { return ops::log(f / 700.0f + 1.0f) * 1127.0f; }

MelSpectrogramOptions resolved(MelSpectrogramOptions o) {
  auto positive = [](const char* what, int64_t v) {
    if (v <= 0) throw std::invalid_argument(std::string("MelSpectrogram: `") + what + "` must be > 0, but received " + std::to_string(v));
  };
  positive("fft_length", o.fft_length);
  positive("sequence_stride", o.sequence_stride);
  positive("sampling_rate", o.sampling_rate);
  positive("num_mel_bins", o.num_mel_bins);
  if (!o.sequence_length) o.sequence_length = o.fft_length;
  positive("sequence_length", *o.sequence_length);
  if (o.fft_length < *o.sequence_length)
    throw std::invalid_argument("MelSpectrogram: `fft_length` must be greater than or equal to `sequence_length`. Received: "
                                "`sequence_length`=" + std::to_string(*o.sequence_length) +
                                ", `fft_length`=" + std::to_string(o.fft_length) + ".");
  if (o.window != "hann" && o.window != "hamming" && !o.window.empty())
    throw std::invalid_argument("MelSpectrogram: `window` must be \"hann\", \"hamming\" or \"\" (none), but received \"" +
                                o.window + "\"");
  if (!o.max_freq) o.max_freq = double(o.sampling_rate / 2);
  return o;
}
}  // namespace

MelSpectrogramLayer::MelSpectrogramLayer(const MelSpectrogramOptions& o)
    : Layer("MelSpectrogram", LayerOptions{.name = o.name, .dtype = o.dtype, .autocast = false, .input_shape = o.input_shape}),
      o_(resolved(o)),
      max_freq_default_(!o.max_freq) {}

Tensor MelSpectrogramLayer::mel_weight_matrix(DType dtype) const {
  const int64_t bins = o_.fft_length / 2 + 1;
  const double nyquist = double(o_.sampling_rate) / 2.0;
  // The linear frequencies of the bins after the first (zero), as a column.
  Tensor linear = ops::linspace(0.0, nyquist, bins, DType::float32)[{core::Slice(1, std::nullopt)}];
  Tensor bins_mel = ops::expand_dims(hertz_to_mel(linear), 1);
  // The band edges are constants (computed on the host, so the layer traces).
  auto mel_of = [](double hz) { return 1127.0f * std::log(1.0f + float(hz) / 700.0f); };
  Tensor band_edges = ops::extract_sequences(
      ops::linspace(mel_of(o_.min_freq), mel_of(*o_.max_freq), o_.num_mel_bins + 2, DType::float32), 3, 1);
  auto column = [&](int64_t i) { return ops::reshape(band_edges[{core::Slice(), i}], {1, o_.num_mel_bins}); };
  Tensor lower = column(0), center = column(1), upper = column(2);
  Tensor lower_slopes = (bins_mel - lower) / (center - lower);
  Tensor upper_slopes = (upper - bins_mel) / (upper - center);
  Tensor weights = ops::maximum(ops::minimum(lower_slopes, upper_slopes), ops::zeros({}, DType::float32));
  return ops::cast(ops::pad(weights, {{1, 0}, {0, 0}}), dtype);
}

Tensor MelSpectrogramLayer::call(const Tensor& x, bool) {
  if (x.rank() != 1 && x.rank() != 2)
    throw std::invalid_argument(name() + ": expected audio of shape (samples,) or (batch, samples), but received shape " +
                                x.shape().str());
  const DType compute = compute_dtype();
  const DType dt = compute == DType::float64 ? DType::float64 : DType::float32;
  Tensor audio = x.dtype() == dt ? x : ops::cast(x, dt);
  auto [real, imag] = ops::stft(audio, *o_.sequence_length, o_.sequence_stride, o_.fft_length, o_.window, /*center=*/true);
  Tensor spec = ops::sqrt(ops::square(real) + ops::square(imag));
  spec = ops::power(spec, core::constant(o_.mag_exp, dt));
  Tensor mel = ops::tensordot(spec, mel_weight_matrix(dt), 1);
  if (o_.power_to_db) {
    Tensor floor = core::constant(o_.min_power, dt);
    Tensor log_spec = ops::log10(ops::maximum(mel, floor)) * core::constant(10.0, dt);
    const double ref = 10.0 * std::log10(std::max(std::abs(o_.ref_power), o_.min_power));
    log_spec = log_spec - core::constant(ref, dt);
    // (An empty batch has no maximum and nothing to floor.)
    mel = log_spec.size() == 0 ? log_spec : ops::maximum(log_spec, ops::max(log_spec) - core::constant(o_.top_db, dt));
  }
  Tensor out = ops::swapaxes(mel, -1, -2);
  return out.dtype() == compute ? out : ops::cast(out, compute);
}

std::vector<ShapeSpec> MelSpectrogramLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  const ShapeSpec& s = shapes.at(0);
  if (s.size() != 1 && s.size() != 2)
    throw std::invalid_argument(name() + ": expected audio of shape (samples,) or (batch, samples), but received rank " +
                                std::to_string(s.size()));
  const int64_t t = s.back();
  // A centered STFT pads fft_length / 2 samples on each side.
  const int64_t frames = t < 0 ? -1 : 1 + (t + 2 * (o_.fft_length / 2) - o_.fft_length) / o_.sequence_stride;
  if (s.size() == 1) return {ShapeSpec{o_.num_mel_bins, frames}};
  return {ShapeSpec{s[0], o_.num_mel_bins, frames}};
}

Config MelSpectrogramLayer::get_config() const {
  Config c = base_config();
  c["fft_length"] = static_cast<long long>(o_.fft_length);
  c["sequence_stride"] = static_cast<long long>(o_.sequence_stride);
  c["sequence_length"] = static_cast<long long>(*o_.sequence_length);
  c["window"] = o_.window.empty() ? Value() : Value(o_.window);
  c["sampling_rate"] = static_cast<long long>(o_.sampling_rate);
  c["num_mel_bins"] = static_cast<long long>(o_.num_mel_bins);
  c["min_freq"] = o_.min_freq;
  // Keras's default, int(sampling_rate / 2), is an integer in its config.
  if (max_freq_default_) c["max_freq"] = static_cast<long long>(*o_.max_freq);
  else c["max_freq"] = *o_.max_freq;
  c["power_to_db"] = o_.power_to_db;
  c["top_db"] = o_.top_db;
  c["mag_exp"] = o_.mag_exp;
  c["min_power"] = o_.min_power;
  c["ref_power"] = o_.ref_power;
  return c;
}

LayerPtr MelSpectrogramLayer::from_config(const Config& c) {
  MelSpectrogramOptions o;
  detail::read_base_options(c, o);
  o.fft_length = c.get("fft_length", 2048).as_int();
  o.sequence_stride = c.get("sequence_stride", 512).as_int();
  const Value len = c.get("sequence_length", Value());
  if (!len.is_null()) o.sequence_length = len.as_int();
  const Value window = c.get("window", "hann");
  o.window = window.is_null() ? "" : window.as_string();
  o.sampling_rate = c.get("sampling_rate", 16000).as_int();
  o.num_mel_bins = c.get("num_mel_bins", 128).as_int();
  o.min_freq = c.get("min_freq", 20.0).as_double();
  const Value max_freq = c.get("max_freq", Value());
  if (!max_freq.is_null()) o.max_freq = max_freq.as_double();
  o.power_to_db = c.get("power_to_db", true).as_bool();
  o.top_db = c.get("top_db", 80.0).as_double();
  o.mag_exp = c.get("mag_exp", 2.0).as_double();
  o.min_power = c.get("min_power", 1e-10).as_double();
  o.ref_power = c.get("ref_power", 1.0).as_double();
  auto layer = make<MelSpectrogramLayer>(o);
  // An integer max_freq (Keras's default, int(sampling_rate / 2)) stays one.
  if (max_freq.type() == Value::Type::integer) layer->max_freq_default_ = true;
  return layer;
}

Ref<MelSpectrogramLayer> MelSpectrogram(const MelSpectrogramOptions& o) { return make<MelSpectrogramLayer>(o); }

}  // namespace keras::layers
