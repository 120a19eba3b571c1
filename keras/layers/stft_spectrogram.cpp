// stft_spectrogram.cpp - STFTSpectrogram (keras/layers/stft_spectrogram.h): Keras 3's
// call, step by step: each channel convolved alone with the (frame_length, 1, bins)
// kernels, then the mode's combination and the output layout.
#include "keras/layers/stft_spectrogram.h"
#include "keras/layers/options_base.h"

#include <cmath>
#include <stdexcept>

#include "core/ops.h"
#include "keras/initializers/stft.h"
#include "keras/layers/args.h"
#include "keras/settings.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument("STFTSpectrogram: " + what); }
}  // namespace

STFTSpectrogramLayer::STFTSpectrogramLayer(const STFTSpectrogramOptions& o)
    : Layer("STFTSpectrogram", LayerOptions{.name = o.name, .trainable = o.trainable, .dtype = o.dtype,
                                            .input_shape = o.input_shape}),
      o_(o) {
  if (o.frame_length < 1) fail("`frame_length` should be a positive integer. Received frame_length=" + std::to_string(o.frame_length));
  if (o.frame_step && (*o.frame_step > o.frame_length || *o.frame_step < 1))
    fail("`frame_step` should be a positive integer not greater than `frame_length`. Received frame_step=" +
         std::to_string(*o.frame_step) + ", frame_length=" + std::to_string(o.frame_length));
  if (o.fft_length && *o.fft_length < o.frame_length)
    fail("`fft_length` should be not less than `frame_length`. Received fft_length=" + std::to_string(*o.fft_length) +
         ", frame_length=" + std::to_string(o.frame_length));
  static const char* kModes[] = {"log", "magnitude", "psd", "real", "imag", "angle", "stft"};
  bool known = false;
  for (const char* m : kModes) known = known || o.mode == m;
  if (!known) fail("Output mode is invalid, it must be one of log, magnitude, psd, real, imag, angle, stft. Received: mode=" + o.mode);
  if (o.padding != "valid" && o.padding != "same") fail("Padding is invalid, it should be 'valid', 'same'. Received: padding=" + o.padding);
  if (o_.data_format.empty()) o_.data_format = config::image_data_format();
  if (o_.data_format != "channels_last" && o_.data_format != "channels_first")
    fail("`data_format` must be \"channels_last\" or \"channels_first\", but received \"" + o_.data_format + "\"");
  initializers::STFT({.window = o.window, .scaling = o.scaling, .periodic = o.periodic});  // checks both
  step_ = o.frame_step.value_or(o.frame_length / 2);
  fft_ = o.fft_length.value_or(int64_t(1) << int64_t(std::ceil(std::log2(double(o.frame_length)))));
  input_spec.ndim = 3;
}

void STFTSpectrogramLayer::build(const ShapeSpec&) {
  const Shape shape{o_.frame_length, 1, fft_ / 2 + 1};
  auto init = [&](const char* side) {
    return std::make_shared<initializers::STFT>(
        initializers::STFTOptions{.side = side, .window = o_.window, .scaling = o_.scaling, .periodic = o_.periodic});
  };
  if (o_.mode != "imag") real_kernel = add_weight("real_kernel", shape, {.initializer = init("real")});
  if (o_.mode != "real") imag_kernel = add_weight("imag_kernel", shape, {.initializer = init("imag")});
}

Tensor STFTSpectrogramLayer::conv(const Tensor& x, const Tensor& kernel) const {
  const bool last = o_.data_format == "channels_last";
  const int64_t time = last ? x.shape()[1] : x.shape()[2], channels = last ? x.shape()[2] : x.shape()[1];
  Tensor in = last ? ops::reshape(ops::transpose(x, {0, 2, 1}), {-1, time, 1}) : ops::reshape(x, {-1, time, 1});
  // (The engine's convolutions are channels_last: the channels_first form is the same
  // computation on the transposed layout.)
  Tensor y = ops::conv(in, ops::cast(kernel, in.dtype()), step_, o_.padding);  // (b * c, frames, bins)
  const int64_t frames = y.shape()[1], bins = y.shape()[2];
  return ops::reshape(ops::transpose(y, {0, 2, 1}), {-1, channels, bins, frames});
}

Tensor STFTSpectrogramLayer::adjust(const Tensor& x) const {
  const int64_t channels = x.shape()[1], bins = x.shape()[2], frames = x.shape()[3];
  if (o_.data_format == "channels_last") {
    if (o_.expand_dims) return ops::transpose(x, {0, 3, 2, 1});
    return ops::transpose(ops::reshape(x, {-1, channels * bins, frames}), {0, 2, 1});
  }
  if (o_.expand_dims) return ops::transpose(x, {0, 1, 3, 2});
  return ops::reshape(x, {-1, channels * bins, frames});
}

Tensor STFTSpectrogramLayer::call(const Tensor& x, bool) {
  if (!core::is_floating(x.dtype()) || x.dtype() == DType::bfloat16)
    throw std::invalid_argument(name() + ": Invalid input type. Expected `float16`, `float32` or `float64`. Received: input type=" +
                                core::dtype_name(x.dtype()));
  if (x.rank() != 3)
    throw std::invalid_argument(name() + ": expected inputs of rank 3 (batch, time, channels), but received shape " + x.shape().str());
  Tensor real = o_.mode != "imag" ? conv(x, real_kernel) : Tensor();
  Tensor imag = o_.mode != "real" ? conv(x, imag_kernel) : Tensor();
  if (o_.mode == "real") return adjust(real);
  if (o_.mode == "imag") return adjust(imag);
  if (o_.mode == "angle") return adjust(ops::arctan2(imag, real));
  if (o_.mode == "stft") return adjust(ops::concatenate({real, imag}, 2));
  Tensor power = ops::square(real) + ops::square(imag);
  if (o_.mode == "psd") {
    const int64_t bins = power.shape()[2];
    Tensor inner = power[{core::Slice(), core::Slice(), core::Slice(1, bins - 1), core::Slice()}];
    return adjust(power + ops::pad(inner, {{0, 0}, {0, 0}, {1, 1}, {0, 0}}));
  }
  Tensor linear = adjust(ops::sqrt(ops::maximum(power, ops::scalar_like(power, keras::config::epsilon()))));
  if (o_.mode == "magnitude") return linear;
  return ops::log(ops::maximum(linear, ops::scalar_like(linear, keras::config::epsilon())));
}

std::vector<ShapeSpec> STFTSpectrogramLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  const ShapeSpec& s = shapes.at(0);
  if (s.size() != 3)
    throw std::invalid_argument(name() + ": expected inputs of rank 3, but received shape " + shape_str(s));
  const bool last = o_.data_format == "channels_last";
  const int64_t channels = last ? s[2] : s[1], time = last ? s[1] : s[2];
  int64_t bins = fft_ / 2 + 1;
  if (o_.mode == "stft") bins *= 2;
  int64_t frames = -1;
  if (time >= 0) frames = o_.padding == "same" ? (time + step_ - 1) / step_ : (time - o_.frame_length) / step_ + 1;
  const int64_t features = channels < 0 ? -1 : channels * bins;
  if (o_.expand_dims) return {last ? ShapeSpec{s[0], frames, bins, channels} : ShapeSpec{s[0], channels, frames, bins}};
  return {last ? ShapeSpec{s[0], frames, features} : ShapeSpec{s[0], features, frames}};
}

Config STFTSpectrogramLayer::get_config() const {
  Config c = base_config();
  auto optional_int = [](const std::optional<int64_t>& v) { return v ? Value(static_cast<long long>(*v)) : Value(); };
  c["mode"] = o_.mode;
  c["frame_length"] = static_cast<long long>(o_.frame_length);
  c["frame_step"] = optional_int(o_.frame_step);
  c["fft_length"] = optional_int(o_.fft_length);
  c["window"] = o_.window.empty() ? Value() : Value(o_.window);
  c["periodic"] = o_.periodic;
  c["scaling"] = o_.scaling.empty() ? Value() : Value(o_.scaling);
  c["padding"] = o_.padding;
  c["data_format"] = o_.data_format;
  c["expand_dims"] = o_.expand_dims;
  return c;
}

LayerPtr STFTSpectrogramLayer::from_config(const Config& c) {
  STFTSpectrogramOptions o;
  detail::read_base_options(c, o);
  auto optional_int = [&](const char* key) {
    const Value v = c.get(key, Value());
    return v.is_null() ? std::optional<int64_t>() : std::optional<int64_t>(v.as_int());
  };
  auto optional_string = [&](const char* key, const char* fallback) {
    const Value v = c.get(key, fallback);
    return v.is_null() ? std::string() : v.as_string();
  };
  o.mode = c.get("mode", "log").as_string();
  o.frame_length = c.get("frame_length", 256).as_int();
  o.frame_step = optional_int("frame_step");
  o.fft_length = optional_int("fft_length");
  o.window = optional_string("window", "hann");
  o.periodic = c.get("periodic", false).as_bool();
  o.scaling = optional_string("scaling", "density");
  o.padding = c.get("padding", "valid").as_string();
  o.expand_dims = c.get("expand_dims", false).as_bool();
  const Value df = c.get("data_format", Value());
  o.data_format = df.is_null() ? "" : df.as_string();
  return make<STFTSpectrogramLayer>(o);
}

Ref<STFTSpectrogramLayer> STFTSpectrogram(const STFTSpectrogramOptions& o) { return make<STFTSpectrogramLayer>(o); }

}  // namespace keras::layers
