#include "keras/layers/dropout.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/args.h"
#include "keras/layers/core_layers_util.h"
#include "keras/layers/dropout_internal.h"

namespace keras::layers {
namespace ops = core::ops;

DropoutLayer::DropoutLayer(double rate, const DropoutOptions& o)
    : Layer("Dropout", detail::layer_options_of(o)),
      rate_(rate),
      o_(o),
      seeds_(o.seed) {
  supports_masking_ = true;
  if (!(rate >= 0.0 && rate < 1.0))
    throw std::invalid_argument(name() + ": invalid value received for argument rate: expected a float "
                                "value in [0, 1), but received rate=" + detail::num(rate));
  detail::check_noise_shape(name(), o.noise_shape);
}

void detail::check_noise_shape(const std::string& layer, const ShapeSpec& noise_shape) {
  for (size_t i = 0; i < noise_shape.size(); ++i)
    if (noise_shape[i] == 0 || noise_shape[i] < -1)
      throw std::invalid_argument(layer + ": invalid value received for argument noise_shape: expected "
                                  "positive dimensions or -1 (None), but received noise_shape=" +
                                  shape_str(noise_shape) + " with " + std::to_string(noise_shape[i]) +
                                  " at index " + std::to_string(i));
}

Tensor DropoutLayer::call(const Tensor& x, bool training) {
  if (!training || rate_ == 0.0) return x;
  return detail::drop(x, rate_, detail::mask_shape(name(), o_.noise_shape, x), seeds_);
}

Shape detail::mask_shape(const std::string& layer, const ShapeSpec& noise_shape, const Tensor& x) {
  std::vector<int64_t> mask_shape = x.shape().dims();
  if (noise_shape.empty()) return x.shape();
  if (noise_shape.size() != mask_shape.size())
    throw std::invalid_argument(layer + ": expected noise_shape with one entry per input axis (rank " +
                                std::to_string(mask_shape.size()) + "), but received noise_shape=" +
                                shape_str(noise_shape) + " for input with shape " + shape_str(spec_of(x.shape())));
  for (size_t i = 0; i < mask_shape.size(); ++i) {
    const int64_t d = noise_shape[i];
    if (d < 0) continue;
    if (d != 1 && d != mask_shape[i])
      throw std::invalid_argument(layer + ": noise_shape " + shape_str(noise_shape) +
                                  " does not broadcast to the input shape " + shape_str(spec_of(x.shape())) +
                                  ": expected " + std::to_string(mask_shape[i]) + " or 1 at index " +
                                  std::to_string(i) + ", but received " + std::to_string(d));
    mask_shape[i] = d;
  }
  return Shape(mask_shape);
}

Tensor detail::drop(const Tensor& x, double rate, const Shape& mask_shape, SeedGenerator& seeds) {
  const SeedGenerator::Draw d = seeds.next();
  // A mask of x's own shape takes it from x when the op runs (a traced step serves every
  // batch size).
  const bool like_x = mask_shape == x.shape();
  Tensor u = ops::random_uniform(mask_shape, {.dtype = x.dtype(), .seed = d.seed, .counter = d.counter,
                                              .shape_like = like_x ? x : Tensor()});
  // Keep with probability 1 - rate, scaled so the expected sum is unchanged; dropped units
  // are zeros whatever their value (NaN and inf too), as Keras's (TensorFlow selects, it
  // does not multiply by 0).
  const Tensor keep = ops::greater_equal(u, ops::scalar_like(u, rate));
  return ops::where(keep, ops::multiply(x, ops::scalar_like(x, 1.0 / (1.0 - rate))), ops::scalar_like(x, 0.0));
}

std::vector<ShapeSpec> DropoutLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  return {shapes.at(0)};
}

Config DropoutLayer::get_config() const {
  Config c = base_config();
  c["rate"] = rate_;
  c["seed"] = o_.seed < 0 ? Value() : Value(static_cast<long long>(o_.seed));
  c["noise_shape"] = o_.noise_shape.empty() ? Value() : detail::dims_value(o_.noise_shape);
  return c;
}

LayerPtr DropoutLayer::from_config(const Config& c) {
  DropoutOptions o;
  detail::read_base_options(c, o);
  Value seed = c.get("seed", Value());
  o.seed = seed.is_null() ? -1 : seed.as_int();
  Value ns = c.get("noise_shape", Value());
  if (!ns.is_null()) o.noise_shape = ns.as_ints();
  return make<DropoutLayer>(c.at("rate").as_double(), o);
}

Ref<DropoutLayer> Dropout(double rate, const DropoutOptions& o) { return make<DropoutLayer>(rate, o); }

}  // namespace keras::layers
