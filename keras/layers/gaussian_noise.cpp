#include "keras/layers/gaussian_noise.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/args.h"
#include "keras/layers/core_layers_util.h"

namespace keras::layers {
namespace ops = core::ops;

GaussianNoiseLayer::GaussianNoiseLayer(double stddev, const GaussianNoiseOptions& o)
    : Layer("GaussianNoise", detail::layer_options_of(o)),
      stddev_(stddev),
      o_(o),
      seeds_(o.seed) {
  supports_masking_ = true;
  if (!(stddev >= 0.0 && stddev <= 1.0))
    throw std::invalid_argument(name() + ": invalid value received for argument stddev: expected a float "
                                "value between 0 and 1, but received stddev=" + detail::num(stddev));
}

Tensor GaussianNoiseLayer::call(const Tensor& x, bool training) {
  if (!training || stddev_ == 0.0) return x;
  const SeedGenerator::Draw d = seeds_.next();
  Tensor noise = ops::random_normal(x.shape(), {.mean = 0.0, .stddev = stddev_, .dtype = x.dtype(), .seed = d.seed,
                                                .counter = d.counter});
  return ops::add(x, noise);
}

std::vector<ShapeSpec> GaussianNoiseLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  return {shapes.at(0)};
}

Config GaussianNoiseLayer::get_config() const {
  Config c = base_config();
  c["stddev"] = stddev_;
  c["seed"] = o_.seed < 0 ? Value() : Value(static_cast<long long>(o_.seed));
  return c;
}

LayerPtr GaussianNoiseLayer::from_config(const Config& c) {
  GaussianNoiseOptions o;
  detail::read_base_options(c, o);
  Value seed = c.get("seed", Value());
  o.seed = seed.is_null() ? -1 : seed.as_int();
  return make<GaussianNoiseLayer>(c.at("stddev").as_double(), o);
}

Ref<GaussianNoiseLayer> GaussianNoise(double stddev, const GaussianNoiseOptions& o) {
  return make<GaussianNoiseLayer>(stddev, o);
}

}  // namespace keras::layers
