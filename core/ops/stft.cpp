// stft.cpp - keras.ops.stft and istft (TensorFlow backend: tf.signal.stft / inverse_stft
// with Keras's centering and window padding), composed of gather (framing and reflect
// padding), rfft/irfft and unsorted_segment_sum (overlap-add), so both differentiate
// through x.
#include <cmath>
#include <numbers>

#include "core/dispatch.h"
#include "core/ops.h"

namespace keras::core::ops {
namespace {

void check_args(const char* op, int64_t sequence_length, int64_t sequence_stride, int64_t fft_length) {
  if (sequence_length < 1 || sequence_stride < 1 || fft_length < sequence_length)
    throw_invalid(std::string(op) + ": expected sequence_length >= 1, sequence_stride >= 1 and "
                  "fft_length >= sequence_length, but received sequence_length=" +
                  std::to_string(sequence_length) + ", sequence_stride=" +
                  std::to_string(sequence_stride) + ", fft_length=" + std::to_string(fft_length));
}

// The window's sequence_length values (periodic hann/hamming, as tf.signal), zero-padded
// to fft_length as Keras centers it; empty for no window.
std::vector<double> named_window(const char* op, const std::string& name, int64_t length) {
  if (name.empty()) return {};
  if (name != "hann" && name != "hamming")
    throw_invalid(std::string(op) + ": expected window \"hann\", \"hamming\" or \"\" (none), but "
                  "received \"" + name + "\"");
  const double a = name == "hann" ? 0.5 : 0.54;
  std::vector<double> w(static_cast<size_t>(length), 1.0);
  if (length > 1)
    for (int64_t k = 0; k < length; ++k)
      w[static_cast<size_t>(k)] = a - (1 - a) * std::cos(2 * std::numbers::pi * double(k) / double(length));
  return w;
}
std::vector<double> tensor_window(const char* op, const Tensor& window, int64_t length) {
  if (!window.defined() || window.rank() != 1 || window.shape()[0] != length ||
      !(is_floating(window.dtype()) || is_integer(window.dtype())))
    throw_invalid(std::string(op) + ": expected a numeric window of shape (" + std::to_string(length) +
                  ",) (sequence_length), but received " +
                  (window.defined() ? window.shape().str() + " " + dtype_name(window.dtype()) : std::string("an undefined tensor")));
  return cast(window, DType::float64).to_vector<double>();
}
std::vector<double> pad_window(std::vector<double> w, int64_t sequence_length, int64_t fft_length) {
  if (w.empty()) return w;
  const int64_t l_pad = (fft_length - sequence_length) / 2;
  std::vector<double> out(static_cast<size_t>(fft_length), 0.0);
  for (int64_t k = 0; k < sequence_length; ++k) out[static_cast<size_t>(l_pad + k)] = w[static_cast<size_t>(k)];
  return out;
}

// v as a 1-d tensor of dtype on `device` (the data's, so GPU inputs stay on the GPU).
Tensor as_tensor(const std::vector<double>& v, DType dtype, Device device) {
  return cast(constant(v, Shape{int64_t(v.size())}).to(device), dtype);
}

ComplexPair stft_impl(const Tensor& x, int64_t sequence_length, int64_t sequence_stride,
                      int64_t fft_length, std::vector<double> w, bool center) {
  const int64_t n = fft_length;
  Tensor xs = x;
  if (center) {  // reflect padding by n / 2 on each side (tf.pad mode="reflect")
    const int64_t t = x.shape()[x.rank() - 1], p = n / 2;
    if (p > 0 && p >= t)
      throw_invalid("stft: center=true pads by fft_length / 2 = " + std::to_string(p) +
                    " with a reflection, which needs more than that many samples, but x has shape " +
                    x.shape().str());
    std::vector<int64_t> idx(static_cast<size_t>(t + 2 * p));
    for (int64_t i = 0; i < t + 2 * p; ++i) {
      int64_t s = i - p;
      if (s < 0) s = -s;
      if (s >= t) s = 2 * (t - 1) - s;
      idx[static_cast<size_t>(i)] = s;
    }
    xs = gather(x, constant(idx, Shape{t + 2 * p}).to(x.device()), -1);
  }
  const int64_t t = xs.shape()[xs.rank() - 1];
  const int64_t frames = t >= n ? 1 + (t - n) / sequence_stride : 0;
  std::vector<int64_t> idx(static_cast<size_t>(frames * n));
  for (int64_t f = 0; f < frames; ++f)
    for (int64_t k = 0; k < n; ++k) idx[static_cast<size_t>(f * n + k)] = f * sequence_stride + k;
  Tensor fr = gather(xs, constant(idx, Shape{frames, n}).to(x.device()), -1);  // (..., frames, n)
  w = pad_window(std::move(w), sequence_length, n);
  if (!w.empty()) fr = multiply(fr, as_tensor(w, x.dtype(), x.device()));
  return rfft(fr, n);
}

void check_stft_input(const Tensor& x) {
  if (!x.defined() || !is_floating(x.dtype()) || x.rank() < 1)
    throw_invalid("stft: expected x to be a float32 or float64 tensor of rank >= 1, but received " +
                  (x.defined() ? x.shape().str() + " " + dtype_name(x.dtype()) : std::string("an undefined tensor")));
}

Tensor istft_impl(const ComplexPair& x, int64_t sequence_length, int64_t sequence_stride,
                  int64_t fft_length, std::optional<int64_t> length, std::vector<double> w,
                  bool center) {
  const int64_t n = fft_length, s = sequence_stride;
  if (!x.real.defined() || x.real.rank() < 2)
    throw_invalid("istft: expected x to be a pair (real, imag) of rank >= 2 (..., frames, "
                  "frequencies), but received " +
                  (x.real.defined() ? x.real.shape().str() : std::string("an undefined tensor")));
  Tensor fr = irfft(x, n);  // (..., frames, n); irfft checks the pair
  const int64_t frames = fr.shape()[fr.rank() - 2];
  if (frames < 1) throw_invalid("istft: expected at least one frame, but received shape " + x.real.shape().str());
  w = pad_window(std::move(w), sequence_length, n);
  if (!w.empty()) {  // tf.signal.inverse_stft_window_fn: w / (sum of w^2 over overlaps)
    std::vector<double> inv(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) {
      double d = 0;
      for (int64_t i = j % s; i < n; i += s) d += w[static_cast<size_t>(i)] * w[static_cast<size_t>(i)];
      inv[static_cast<size_t>(j)] = w[static_cast<size_t>(j)] / d;
    }
    fr = multiply(fr, as_tensor(inv, fr.dtype(), fr.device()));
  }
  // Overlap-add: sample f * s + k gets frame f's value k.
  const int64_t out_len = n + s * (frames - 1);
  std::vector<int64_t> lead(fr.shape().dims().begin(), fr.shape().dims().end() - 2);
  int64_t batch = 1;
  for (int64_t d : lead) batch *= d;
  std::vector<int64_t> ids(static_cast<size_t>(frames * n));
  for (int64_t f = 0; f < frames; ++f)
    for (int64_t k = 0; k < n; ++k) ids[static_cast<size_t>(f * n + k)] = f * s + k;
  Tensor rows = transpose(reshape(fr, {batch, frames * n}), {1, 0});
  Tensor summed = unsorted_segment_sum(rows, constant(ids, Shape{frames * n}).to(rows.device()), out_len);
  Tensor y = transpose(summed, {1, 0});
  // Keras's crop, with Python's slice clamping.
  const int64_t start = center ? n / 2 : 0;
  int64_t end = length ? start + *length : center ? out_len - n / 2 : out_len;
  if (center && !length && n / 2 == 0) end = 0;  // x[..., 0:-0] is empty in Python
  end = std::min(end, out_len);
  const int64_t keep = std::max<int64_t>(0, end - start);
  y = slice(y, {0, std::min(start, out_len)}, {batch, keep});
  lead.push_back(keep);
  return reshape(y, lead);
}

}  // namespace

ComplexPair stft(const Tensor& x, int64_t sequence_length, int64_t sequence_stride,
                 int64_t fft_length, const std::string& window, bool center) {
  check_stft_input(x);
  check_args("stft", sequence_length, sequence_stride, fft_length);
  return stft_impl(x, sequence_length, sequence_stride, fft_length,
                   named_window("stft", window, sequence_length), center);
}
ComplexPair stft(const Tensor& x, int64_t sequence_length, int64_t sequence_stride,
                 int64_t fft_length, const Tensor& window, bool center) {
  check_stft_input(x);
  check_args("stft", sequence_length, sequence_stride, fft_length);
  return stft_impl(x, sequence_length, sequence_stride, fft_length,
                   tensor_window("stft", window, sequence_length), center);
}

Tensor istft(const ComplexPair& x, int64_t sequence_length, int64_t sequence_stride,
             int64_t fft_length, std::optional<int64_t> length, const std::string& window,
             bool center) {
  check_args("istft", sequence_length, sequence_stride, fft_length);
  return istft_impl(x, sequence_length, sequence_stride, fft_length, length,
                    named_window("istft", window, sequence_length), center);
}
Tensor istft(const ComplexPair& x, int64_t sequence_length, int64_t sequence_stride,
             int64_t fft_length, std::optional<int64_t> length, const Tensor& window,
             bool center) {
  check_args("istft", sequence_length, sequence_stride, fft_length);
  return istft_impl(x, sequence_length, sequence_stride, fft_length, length,
                    tensor_window("istft", window, sequence_length), center);
}

}  // namespace keras::core::ops
