#include "keras/layers/up_sampling.h"
#include "keras/layers/options_base.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "core/image_ops.h"
#include "keras/layers/args.h"

#include "keras/layers/data_format.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
std::string up_sampling_class(int rank) {
  if (rank < 1 || rank > 3)
    throw std::invalid_argument("UpSampling: expected 1, 2 or 3 spatial axes, but received rank " +
                                std::to_string(rank));
  return "UpSampling" + std::to_string(rank) + "D";
}

// ops.repeat(x, n, axis): each slice along axis n times in a row.
Tensor repeat(const Tensor& x, int64_t axis, int64_t n) {
  if (n == 1) return x;
  std::vector<int64_t> dims = x.shape().dims(), wide = dims;
  Tensor e = ops::expand_dims(x, axis + 1);
  wide.insert(wide.begin() + axis + 1, n);
  dims[size_t(axis)] *= n;
  return ops::reshape(ops::broadcast_to(e, Shape(wide)), dims);
}
}  // namespace

UpSamplingLayer::UpSamplingLayer(int rank, const SpatialArg& size, const UpSamplingOptions& o)
    : Layer(up_sampling_class(rank), detail::layer_options_of(o)),
      rank_(rank),
      o_(o) {
  size_ = detail::spatial_values(name(), "size", size, rank, 1);
  if (rank > 1) o_.data_format = detail::data_format_of(name(), o.data_format);
  std::transform(o_.interpolation.begin(), o_.interpolation.end(), o_.interpolation.begin(),
                 [](unsigned char ch) { return char(std::tolower(ch)); });  // as Keras
  const std::string& m = o_.interpolation;
  if (m != "nearest" && !(rank == 2 && ops::image::is_resize_interpolation(m)))
    throw std::invalid_argument(name() + ": the `interpolation` argument must be " +
                                (rank == 2 ? "one of \"nearest\", \"bilinear\", \"bicubic\", \"lanczos3\", "
                                             "\"lanczos5\", \"area\""
                                           : "\"nearest\"") +
                                ". Received: interpolation=\"" + o.interpolation + "\"");
  input_spec.ndim = rank + 2;
}

Tensor UpSamplingLayer::call(const Tensor& x, bool) {
  const int64_t first_axis = channels_first() ? 2 : 1;
  if (o_.interpolation != "nearest")
    return ops::image::resize(x, {x.shape()[first_axis] * size_[0], x.shape()[first_axis + 1] * size_[1]},
                              {.interpolation = o_.interpolation, .data_format = o_.data_format});
  Tensor y = x;
  for (int i = 0; i < rank_; ++i) y = repeat(y, i + first_axis, size_[size_t(i)]);
  return y;
}

std::vector<ShapeSpec> UpSamplingLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  ShapeSpec s = shapes.at(0);
  const size_t first_axis = channels_first() ? 2 : 1;
  for (size_t i = 0; i < size_.size() && i + first_axis < s.size(); ++i)
    if (s[i + first_axis] >= 0) s[i + first_axis] *= size_[i];
  return {s};
}

Config UpSamplingLayer::get_config() const {
  Config c = base_config();
  if (rank_ == 1) {
    c["size"] = static_cast<long long>(size_[0]);
    return c;
  }
  c["size"] = Value(size_);
  c["data_format"] = o_.data_format;
  if (rank_ == 2) c["interpolation"] = o_.interpolation;
  return c;
}

template <int Rank>
LayerPtr UpSamplingLayer::from_config(const Config& c) {
  LayerOptions base = layer_options_from(c);
  UpSamplingOptions o{.name = base.name, .trainable = base.trainable, .input_shape = base.input_shape};
  Value df = c.get("data_format", Value());
  if (!df.is_null()) o.data_format = df.as_string();
  o.interpolation = c.get("interpolation", "nearest").as_string();
  return make<UpSamplingLayer>(Rank, detail::spatial_from(c.get("size", 2)), o);
}
template LayerPtr UpSamplingLayer::from_config<1>(const Config&);
template LayerPtr UpSamplingLayer::from_config<2>(const Config&);
template LayerPtr UpSamplingLayer::from_config<3>(const Config&);

Ref<UpSamplingLayer> UpSampling1D(const SpatialArg& s, const UpSamplingOptions& o) { return make<UpSamplingLayer>(1, s, o); }
Ref<UpSamplingLayer> UpSampling2D(const SpatialArg& s, const UpSamplingOptions& o) { return make<UpSamplingLayer>(2, s, o); }
Ref<UpSamplingLayer> UpSampling3D(const SpatialArg& s, const UpSamplingOptions& o) { return make<UpSamplingLayer>(3, s, o); }

}  // namespace keras::layers
