#include "keras/layers/data_format.h"

#include <set>
#include <stdexcept>

#include "core/ops.h"
#include "keras/settings.h"

namespace keras::layers::detail {

std::string data_format_of(const std::string& layer, const std::string& data_format) {
  if (data_format.empty()) return config::image_data_format();
  if (data_format == "channels_last" || data_format == "channels_first") return data_format;
  throw std::invalid_argument(layer + ": the `data_format` argument must be one of \"channels_last\", "
                              "\"channels_first\". Received: data_format=\"" + data_format + "\"");
}

Tensor to_channels_last(const Tensor& x, bool first) { return first ? core::ops::channels_to_last(x) : x; }
Tensor to_channels_first(const Tensor& y, bool first) { return first ? core::ops::channels_to_first(y) : y; }

ShapeSpec moved_axis(const ShapeSpec& s, size_t from, size_t to) {
  ShapeSpec out = s;
  const int64_t d = out[from];
  out.erase(out.begin() + int64_t(from));
  out.insert(out.begin() + int64_t(to), d);
  return out;
}

ShapeSpec to_channels_last(const ShapeSpec& s, bool first) {
  return !first || s.size() <= 2 ? s : moved_axis(s, 1, s.size() - 1);
}

ShapeSpec to_channels_first(const ShapeSpec& s, bool first) {
  return !first || s.size() <= 2 ? s : moved_axis(s, s.size() - 1, 1);
}

Tensor activated(const activations::Activation& activation, const Tensor& y, bool first) {
  static const std::set<std::string> elementwise = {
      "linear",     "relu",        "relu6",      "leaky_relu",    "elu",          "selu",      "gelu",
      "silu",       "swish",       "sigmoid",    "hard_sigmoid",  "hard_silu",    "hard_swish", "tanh",
      "softplus",   "softsign",    "exponential", "mish",         "log_sigmoid",  "celu",      "hard_tanh",
      "tanh_shrink", "squareplus", "soft_shrink", "hard_shrink",  "sparse_plus", "sparse_sigmoid"};
  if (!first || elementwise.count(activation.name)) return to_channels_first(activation(y), first);
  return activation(to_channels_first(y, first));
}

Tensor image_to_channels_last(const Tensor& x, bool first) {
  if (!first || x.rank() != 3) return to_channels_last(x, first);
  return core::ops::transpose(x, {1, 2, 0});
}
Tensor image_to_channels_first(const Tensor& y, bool first) {
  if (!first || y.rank() != 3) return to_channels_first(y, first);
  return core::ops::transpose(y, {2, 0, 1});
}
ShapeSpec image_to_channels_last(const ShapeSpec& s, bool first) {
  if (!first || s.size() != 3) return to_channels_last(s, first);
  return {s[1], s[2], s[0]};
}
ShapeSpec image_to_channels_first(const ShapeSpec& s, bool first) {
  if (!first || s.size() != 3) return to_channels_first(s, first);
  return {s[2], s[0], s[1]};
}

}  // namespace keras::layers::detail
