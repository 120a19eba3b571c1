// summaries.cpp - the typed summaries of tf.summary (TensorBoard's summary_v2 ops): each
// turns its data into the tensor and plugin metadata TensorBoard's dashboards read, and
// writes it with summary::write.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/audio_io.h"
#include "core/image_io.h"
#include "core/ops.h"
#include "keras/summary.h"

namespace keras::summary {

using core::DType;

namespace {

SummaryMetadata plugin(const std::string& name, const std::string& description, std::string content = "") {
  return SummaryMetadata{
      .plugin_name = name, .plugin_content = std::move(content), .display_name = "", .description = description};
}

std::string shape_of(const Tensor& t) { return t.shape().str(); }

// tf.image.convert_image_dtype(data, uint8, saturate=True) on the host.
std::vector<uint8_t> to_uint8_pixels(const Tensor& data) {
  const DType d = data.dtype();
  std::vector<uint8_t> out(static_cast<size_t>(data.size()));
  if (d == DType::uint8) {
    const Tensor h = data.cpu();
    std::copy_n(h.data<uint8_t>(), out.size(), out.begin());
  } else if (core::is_floating(d)) {
    // x * 255.5 clipped to [0, 255] and truncated, in the data's precision (float32 for
    // the 16-bit floats).
    auto convert = [&](auto scale, const auto* p) {
      for (size_t i = 0; i < out.size(); ++i) {
        const auto v = p[i] * scale;
        out[i] = std::isnan(v) ? 0 : static_cast<uint8_t>(std::clamp(v, decltype(v)(0), decltype(v)(255)));
      }
    };
    if (d == DType::float64)
      convert(255.5, core::ops::cast(data, DType::float64).cpu().data<double>());
    else
      convert(255.5f, core::ops::cast(data, DType::float32).cpu().data<float>());
  } else if (core::is_integer(d)) {
    // An integer type wider than uint8 is divided (floor) by (its max + 1) / 256; a
    // narrower one (int8) clipped at 0 and multiplied by 256 / (its max + 1).
    const int bits = static_cast<int>(core::dtype_size(d)) * 8 - (core::is_unsigned(d) ? 0 : 1);
    const Tensor v = core::ops::cast(data, DType::int64).cpu();
    const int64_t* p = v.data<int64_t>();
    for (size_t i = 0; i < out.size(); ++i) {
      int64_t x = p[i];
      if (bits > 8) {
        const int64_t scale = int64_t{1} << (bits - 8);
        x = x >= 0 ? x / scale : -((-x + scale - 1) / scale);  // floor division
      } else {
        x = std::max<int64_t>(x, 0) << (8 - bits);
      }
      out[i] = static_cast<uint8_t>(std::clamp<int64_t>(x, 0, 255));
    }
  } else {
    throw std::invalid_argument(std::string("summary::image: expected numeric pixels, but received ") +
                                core::dtype_name(d));
  }
  return out;
}

}  // namespace

bool scalar(const std::string& name, const Tensor& data, std::optional<int64_t> step, const std::string& description) {
  if (data.rank() != 0)
    throw std::invalid_argument("summary::scalar: expected a scalar, but received shape " + shape_of(data));
  if (data.dtype() == DType::string || core::is_complex(data.dtype()))
    throw std::invalid_argument(std::string("summary::scalar: expected a real number, but received ") +
                                core::dtype_name(data.dtype()));
  return write(experimental::summary_tag(name, "scalar_summary"), core::ops::cast(data, DType::float32), step,
               plugin("scalars", description));
}

bool scalar(const std::string& name, double data, std::optional<int64_t> step, const std::string& description) {
  return scalar(name, core::constant(data), step, description);
}

bool histogram(const std::string& name, const Tensor& data, std::optional<int64_t> step,
               const HistogramOptions& options) {
  if (data.dtype() == DType::string || core::is_complex(data.dtype()))
    throw std::invalid_argument(std::string("summary::histogram: expected real numbers, but received ") +
                                core::dtype_name(data.dtype()));
  auto rows = [&] {
    const int64_t k = std::max<int64_t>(0, options.buckets);
    const std::vector<double> x = core::ops::cast(data, DType::float64).to_vector<double>();
    std::vector<double> out(static_cast<size_t>(k * 3), 0.0);  // [left, right, count] rows
    auto row = [&](int64_t i, double left, double right, double count) {
      out[size_t(i * 3)] = left;
      out[size_t(i * 3 + 1)] = right;
      out[size_t(i * 3 + 2)] = count;
    };
    if (k > 0 && !x.empty()) {
      // TensorFlow's arithmetic, NaN and infinities included: a NaN makes the min and max
      // NaN; a bucket index that is NaN counts nowhere.
      double lo = x[0], hi = x[0];
      for (double v : x) {
        if (std::isnan(v) || std::isnan(lo))
          lo = hi = std::numeric_limits<double>::quiet_NaN();
        else
          lo = std::min(lo, v), hi = std::max(hi, v);
      }
      const double range = hi - lo;
      if (range == 0) {
        for (int64_t i = 0; i < k; ++i) row(i, hi, hi, i == k - 1 ? double(x.size()) : 0.0);
      } else {
        const double width = range / double(k);
        std::vector<double> counts(static_cast<size_t>(k), 0.0);
        for (double v : x) {
          const double index = std::floor((v - lo) / width);
          if (std::isnan(index) || index < 0) continue;
          counts[size_t(std::min<double>(index, double(k - 1)))] += 1;
        }
        // tf.linspace(lo, hi, k + 1) with the last edge set to hi.
        const double delta = range / double(k);
        auto edge = [&](int64_t i) { return i == 0 ? lo : i == k ? hi : lo + double(i) * delta; };
        for (int64_t i = 0; i < k; ++i) row(i, edge(i), edge(i + 1), counts[size_t(i)]);
      }
    }
    return core::constant(out, core::Shape{k, 3});
  };
  return write(experimental::summary_tag(name, "histogram_summary"), std::function<Tensor()>(rows), step,
               plugin("histograms", options.description));
}

bool text(const std::string& name, const Tensor& data, std::optional<int64_t> step, const std::string& description) {
  if (data.dtype() != DType::string)
    throw std::invalid_argument(std::string("summary::text: expected a string tensor, but received ") +
                                core::dtype_name(data.dtype()));
  return write(experimental::summary_tag(name, "text_summary"), data, step, plugin("text", description));
}

bool text(const std::string& name, const std::string& data, std::optional<int64_t> step,
          const std::string& description) {
  return text(name, core::constant(data), step, description);
}

bool image(const std::string& name, const Tensor& data, std::optional<int64_t> step, const ImageOptions& options) {
  auto encoded = [&] {
    if (data.rank() != 4)
      throw std::invalid_argument("summary::image: expected images [k, height, width, channels], but received shape " +
                                  shape_of(data));
    const int64_t k = data.shape()[0], h = data.shape()[1], w = data.shape()[2], c = data.shape()[3];
    if (c < 1 || c > 4)
      throw std::invalid_argument("summary::image: images must have 1, 2, 3 or 4 channels, but received shape " +
                                  shape_of(data));
    if (options.max_outputs < 0)
      throw std::invalid_argument("summary::image: max_outputs must be >= 0, but received " +
                                  std::to_string(options.max_outputs));
    const std::vector<uint8_t> pixels = to_uint8_pixels(data);
    std::vector<std::string> out{std::to_string(w), std::to_string(h)};
    const size_t per_image = static_cast<size_t>(h * w * c);
    for (int64_t i = 0; i < std::min(k, options.max_outputs); ++i) {
      const Tensor one = core::constant(std::vector<uint8_t>(pixels.begin() + ptrdiff_t(i * int64_t(per_image)),
                                                             pixels.begin() + ptrdiff_t((i + 1) * int64_t(per_image))),
                                        core::Shape{h, w, c});
      out.push_back(core::io::encode_png(one).item<std::string>());
    }
    return core::constant(out);
  };
  return write(experimental::summary_tag(name, "image_summary"), std::function<Tensor()>(encoded), step,
               plugin("images", options.description));
}

bool audio(const std::string& name, const Tensor& data, int64_t sample_rate, std::optional<int64_t> step,
           const AudioOptions& options) {
  if (options.encoding != "wav")
    throw std::invalid_argument("summary::audio: unknown encoding '" + options.encoding + "' (only \"wav\")");
  auto encoded = [&] {
    if (data.rank() != 3)
      throw std::invalid_argument("summary::audio: expected clips [k, frames, channels], but received shape " +
                                  shape_of(data));
    if (data.dtype() != DType::float32)
      throw std::invalid_argument(std::string("summary::audio: expected float32 samples, but received ") +
                                  core::dtype_name(data.dtype()));
    if (options.max_outputs < 0)
      throw std::invalid_argument("summary::audio: max_outputs must be >= 0, but received " +
                                  std::to_string(options.max_outputs));
    if (sample_rate <= 0)
      throw std::invalid_argument("summary::audio: sample_rate must be > 0, but received " +
                                  std::to_string(sample_rate));
    const int64_t m = std::min(data.shape()[0], options.max_outputs);
    std::vector<std::string> out;
    for (int64_t i = 0; i < m; ++i) {
      const Tensor clip = core::ops::reshape(core::ops::slice(data, {i, 0, 0}, {1, data.shape()[1], data.shape()[2]}),
                                             {data.shape()[1], data.shape()[2]});
      out.push_back(core::audio::encode_wav(clip, sample_rate).item<std::string>());
      out.emplace_back();  // the clip's label (TensorFlow writes none)
    }
    return core::constant(out, core::Shape{m, 2});
  };
  // AudioPluginData{encoding: WAV (11)}.
  return write(experimental::summary_tag(name, "audio_summary"), std::function<Tensor()>(encoded), step,
               plugin("audio", options.description, std::string("\x10\x0b", 2)));
}

}  // namespace keras::summary
