// numerical.cpp - to_categorical, normalize and pad_sequences (keras/utils/numerical.h).
#include "keras/utils/numerical.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "core/core.h"
#include "core/linalg.h"

namespace keras::utils {
namespace ops = core::ops;
using core::Shape;

namespace {
std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}
}  // namespace

Tensor to_categorical(const Tensor& x, std::optional<int64_t> num_classes) {
  if (!x.defined()) throw std::invalid_argument("to_categorical: expected a tensor of class ids, but received an undefined tensor");
  const DType dt = x.dtype();
  if (!core::is_integer(dt) && !core::is_floating(dt))
    throw std::invalid_argument("to_categorical: expected integer class ids, but received a " + std::string(core::dtype_name(dt)) +
                                " tensor");
  if (num_classes && *num_classes < 1)
    throw std::invalid_argument("to_categorical: num_classes must be at least 1, but received " +
                                std::to_string(*num_classes));
  std::vector<int64_t> dims = x.shape().dims();
  if (dims.size() > 1 && dims.back() == 1) dims.pop_back();
  const std::vector<double> values = ops::cast(x, DType::float64).to_vector<double>();
  int64_t depth = num_classes.value_or(0);
  for (double v : values) {
    if (!(v == std::floor(v)) || v < 0 || (num_classes && v >= static_cast<double>(*num_classes))) {
      std::string range = num_classes ? "[0, " + std::to_string(*num_classes) + ")" : "the non-negative integers";
      throw std::invalid_argument("to_categorical: expected class ids in " + range + ", but received " +
                                  number(v));
    }
    if (!num_classes) depth = std::max(depth, static_cast<int64_t>(v) + 1);
  }
  if (!num_classes && values.empty())
    throw std::invalid_argument("to_categorical: num_classes cannot be inferred from an empty tensor; pass it");
  Tensor ids = ops::reshape(ops::cast(x, DType::int64), dims);
  return ops::one_hot(ids, depth, {.dtype = DType::float32});
}

Tensor normalize(const Tensor& x, int64_t axis, double order) {
  if (!x.defined() || !core::is_floating(x.dtype()))
    throw std::invalid_argument("normalize: expected a floating tensor, but received " +
                                (x.defined() ? std::string("a ") + core::dtype_name(x.dtype()) + " tensor" : std::string("an undefined tensor")));
  if (x.rank() == 0) throw std::invalid_argument("normalize: expected a tensor of rank >= 1, but received a scalar");
  Tensor norm = ops::norm(x, order, {axis}, /*keepdims=*/true);
  Tensor zero = ops::equal(norm, ops::zeros_like(norm));
  return x / ops::where(zero, ops::ones_like(norm), norm);
}

namespace {
void check_side(const std::string& what, const std::string& value) {
  if (value != "pre" && value != "post")
    throw std::invalid_argument("pad_sequences: " + what + " must be \"pre\" or \"post\", but received \"" + value + "\"");
}
}  // namespace

Tensor pad_sequences(const std::vector<Tensor>& sequences, const PadSequencesOptions& o) {
  check_side("padding", o.padding);
  check_side("truncating", o.truncating);
  if (o.maxlen && *o.maxlen < 0)
    throw std::invalid_argument("pad_sequences: maxlen must be >= 0, but received " + std::to_string(*o.maxlen));
  if (o.dtype == DType::string)
    throw std::invalid_argument("pad_sequences: expected a numeric dtype, but received string");
  const int64_t n = static_cast<int64_t>(sequences.size());
  int64_t longest = 0;
  std::optional<Shape> sample_shape;
  for (int64_t i = 0; i < n; ++i) {
    const Tensor& s = sequences[static_cast<size_t>(i)];
    if (!s.defined() || s.rank() == 0)
      throw std::invalid_argument("pad_sequences: expected every sequence to have a first (length) axis, but sequence " +
                                  std::to_string(i) + " is " + (s.defined() ? "a scalar" : "undefined"));
    longest = std::max(longest, s.shape()[0]);
    // The first non-empty sequence fixes the shape of the steps, as in Keras.
    if (!sample_shape && s.shape()[0] > 0) {
      std::vector<int64_t> d = s.shape().dims();
      sample_shape = Shape(std::vector<int64_t>(d.begin() + 1, d.end()));
    }
  }
  if (!o.maxlen && n == 0) throw std::invalid_argument("pad_sequences: maxlen cannot be inferred from no sequences; pass it");
  const int64_t maxlen = o.maxlen.value_or(longest);
  const Shape steps = sample_shape.value_or(Shape{});
  std::vector<int64_t> out_dims{n, maxlen};
  for (int64_t d : steps.dims()) out_dims.push_back(d);
  (void)core::constant(o.value, o.dtype);  // ConversionError unless the value is exact in dtype
  Tensor out = ops::copy(ops::full(Shape(out_dims), o.value, o.dtype));  // a buffer of our own to fill
  const size_t step_bytes = static_cast<size_t>(steps.num_elements()) * core::dtype_size(o.dtype);
  char* dst = static_cast<char*>(out.raw_mutable_data());
  for (int64_t i = 0; i < n; ++i) {
    const Tensor& s = sequences[static_cast<size_t>(i)];
    const int64_t len = s.shape()[0];
    if (len == 0) continue;
    std::vector<int64_t> d = s.shape().dims();
    if (Shape(std::vector<int64_t>(d.begin() + 1, d.end())) != steps)
      throw std::invalid_argument("pad_sequences: sequence " + std::to_string(i) + " has steps of shape " +
                                  Shape(std::vector<int64_t>(d.begin() + 1, d.end())).str() +
                                  ", but the first non-empty sequence's are " + steps.str());
    const int64_t keep = std::min(len, maxlen);
    const int64_t from = o.truncating == "pre" ? len - keep : 0;
    const int64_t to = o.padding == "pre" ? maxlen - keep : 0;
    const Tensor values = ops::cast(s, o.dtype).cpu();
    const char* src = static_cast<const char*>(values.raw_data());
    if (keep > 0)
      std::memcpy(dst + static_cast<size_t>(i * maxlen + to) * step_bytes, src + static_cast<size_t>(from) * step_bytes,
                  static_cast<size_t>(keep) * step_bytes);
  }
  return out;
}

}  // namespace keras::utils
