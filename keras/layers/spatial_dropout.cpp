#include "keras/layers/spatial_dropout.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "keras/layers/args.h"
#include "keras/layers/conv.h"
#include "keras/layers/core_layers_util.h"
#include "keras/layers/dropout.h"

#include "keras/layers/data_format.h"

namespace keras::layers {

namespace {
std::string spatial_dropout_class(int rank) {
  if (rank < 1 || rank > 3)
    throw std::invalid_argument("SpatialDropout: expected 1, 2 or 3 spatial axes, but received rank " +
                                std::to_string(rank));
  return "SpatialDropout" + std::to_string(rank) + "D";
}
}  // namespace

SpatialDropoutLayer::SpatialDropoutLayer(int rank, double rate, const SpatialDropoutOptions& o)
    : Layer(spatial_dropout_class(rank), detail::layer_options_of(o)),
      rank_(rank),
      rate_(rate),
      o_(o),
      seeds_(o.seed) {
  supports_masking_ = true;  // passes its input's mask on, as Keras's
  if (!(rate >= 0.0 && rate < 1.0))
    throw std::invalid_argument(name() + ": invalid value received for argument rate: expected a float "
                                "value in [0, 1), but received rate=" + detail::num(rate));
  if (rank > 1) o_.data_format = detail::data_format_of(name(), o.data_format);
  input_spec.ndim = rank + 2;
}

Tensor SpatialDropoutLayer::call(const Tensor& x, bool training) {
  if (!training || rate_ == 0.0) return x;
  std::vector<int64_t> mask(size_t(rank_ + 2), 1);  // (batch, 1, ..., 1, channels) or (batch, channels, 1, ...)
  mask.front() = x.shape()[0];
  if (channels_first())
    mask[1] = x.shape()[1];
  else
    mask.back() = x.shape()[rank_ + 1];
  return detail::drop(x, rate_, Shape(mask), seeds_);
}

std::vector<ShapeSpec> SpatialDropoutLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  return {shapes.at(0)};
}

Config SpatialDropoutLayer::get_config() const {
  Config c = base_config();
  c["rate"] = rate_;
  c["seed"] = o_.seed < 0 ? Value() : Value(static_cast<long long>(o_.seed));
  if (rank_ > 1) c["data_format"] = o_.data_format;
  return c;
}

template <int Rank>
LayerPtr SpatialDropoutLayer::from_config(const Config& c) {
  LayerOptions base = layer_options_from(c);
  SpatialDropoutOptions o{.name = base.name, .trainable = base.trainable, .input_shape = base.input_shape};
  Value df = c.get("data_format", Value());
  if (!df.is_null()) o.data_format = df.as_string();
  Value seed = c.get("seed", Value());
  o.seed = seed.is_null() ? -1 : seed.as_int();
  return make<SpatialDropoutLayer>(Rank, c.at("rate").as_double(), o);
}
template LayerPtr SpatialDropoutLayer::from_config<1>(const Config&);
template LayerPtr SpatialDropoutLayer::from_config<2>(const Config&);
template LayerPtr SpatialDropoutLayer::from_config<3>(const Config&);

Ref<SpatialDropoutLayer> SpatialDropout1D(double rate, const SpatialDropoutOptions& o) {
  return make<SpatialDropoutLayer>(1, rate, o);
}
Ref<SpatialDropoutLayer> SpatialDropout2D(double rate, const SpatialDropoutOptions& o) {
  return make<SpatialDropoutLayer>(2, rate, o);
}
Ref<SpatialDropoutLayer> SpatialDropout3D(double rate, const SpatialDropoutOptions& o) {
  return make<SpatialDropoutLayer>(3, rate, o);
}

}  // namespace keras::layers
