#include "keras/layers/noise_dropout.h"
#include "keras/layers/options_base.h"

#include <cmath>
#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/args.h"
#include "keras/layers/core_layers_util.h"
#include "keras/layers/dropout_internal.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {

LayerOptions base_options(const NoiseDropoutOptions& o) {
  return detail::layer_options_of(o);
}

void check_rate(const std::string& layer, double rate) {
  if (!(rate >= 0.0 && rate <= 1.0))
    throw std::invalid_argument(layer + ": invalid value received for argument rate: expected a float value "
                                "between 0 and 1, but received rate=" + detail::num(rate));
}

// rate 1 has no finite noise (GaussianDropout's variance, AlphaDropout's affine map).
void check_trainable_rate(const std::string& layer, double rate) {
  if (rate >= 1.0)
    throw std::invalid_argument(layer + ": rate=1 drops every unit, which has no finite output in training; "
                                "expected rate < 1");
}

Value seed_value(int64_t seed) { return seed < 0 ? Value() : Value(static_cast<long long>(seed)); }

NoiseDropoutOptions options_from(const Config& c) {
  NoiseDropoutOptions o;
  detail::read_base_options(c, o);
  Value seed = c.get("seed", Value());
  o.seed = seed.is_null() ? -1 : seed.as_int();
  Value ns = c.get("noise_shape", Value());
  if (!ns.is_null()) o.noise_shape = ns.as_ints();
  return o;
}

}  // namespace

GaussianDropoutLayer::GaussianDropoutLayer(double rate, const NoiseDropoutOptions& o)
    : Layer("GaussianDropout", base_options(o)), rate_(rate), o_(o), seeds_(o.seed) {
  supports_masking_ = true;
  check_rate(name(), rate);
  if (!o.noise_shape.empty())
    throw std::invalid_argument(name() + ": GaussianDropout has no noise_shape argument (received " +
                                shape_str(o.noise_shape) + ")");
}

Tensor GaussianDropoutLayer::call(const Tensor& x, bool training) {
  if (!training || rate_ == 0.0) return x;
  check_trainable_rate(name(), rate_);
  const SeedGenerator::Draw d = seeds_.next();
  // The noise takes x's shape when the op runs (a traced step serves every batch size).
  Tensor noise = ops::random_normal(x.shape(), {.mean = 1.0, .stddev = std::sqrt(rate_ / (1.0 - rate_)),
                                                .dtype = x.dtype(), .seed = d.seed, .counter = d.counter,
                                                .shape_like = x});
  return ops::multiply(x, noise);
}

std::vector<ShapeSpec> GaussianDropoutLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  return {shapes.at(0)};
}

Config GaussianDropoutLayer::get_config() const {
  Config c = base_config();
  c["rate"] = rate_;
  c["seed"] = seed_value(o_.seed);
  return c;
}

LayerPtr GaussianDropoutLayer::from_config(const Config& c) {
  return make<GaussianDropoutLayer>(c.at("rate").as_double(), options_from(c));
}

AlphaDropoutLayer::AlphaDropoutLayer(double rate, const NoiseDropoutOptions& o)
    : Layer("AlphaDropout", base_options(o)), rate_(rate), o_(o), seeds_(o.seed) {
  supports_masking_ = true;
  check_rate(name(), rate);
  detail::check_noise_shape(name(), o.noise_shape);
}

Tensor AlphaDropoutLayer::call(const Tensor& x, bool training) {
  if (!training || rate_ == 0.0) return x;
  check_trainable_rate(name(), rate_);
  // SELU's constants; alpha_p is its negative saturation value.
  constexpr double alpha = 1.6732632423543772848170429916717;
  constexpr double scale = 1.0507009873554804934193349852946;
  constexpr double alpha_p = -alpha * scale;
  const Shape mask_shape = detail::mask_shape(name(), o_.noise_shape, x);
  const SeedGenerator::Draw d = seeds_.next();
  const bool like_x = mask_shape == x.shape();
  Tensor u = ops::random_uniform(mask_shape, {.dtype = x.dtype(), .seed = d.seed, .counter = d.counter,
                                              .shape_like = like_x ? x : Tensor()});
  Tensor kept = ops::cast(ops::greater_equal(u, ops::scalar_like(u, rate_)), x.dtype());
  const double a = 1.0 / std::sqrt((1.0 - rate_) * (1.0 + rate_ * alpha_p * alpha_p));
  const double b = -a * alpha_p * rate_;
  // a * (x * kept + alpha_p * (1 - kept)) + b, as Keras
  Tensor dropped = ops::multiply(ops::subtract(ops::scalar_like(kept, 1.0), kept), ops::scalar_like(kept, alpha_p));
  Tensor mixed = ops::add(ops::multiply(x, kept), dropped);
  return ops::add(ops::multiply(mixed, ops::scalar_like(mixed, a)), ops::scalar_like(mixed, b));
}

std::vector<ShapeSpec> AlphaDropoutLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  return {shapes.at(0)};
}

Config AlphaDropoutLayer::get_config() const {
  Config c = base_config();
  c["rate"] = rate_;
  c["seed"] = seed_value(o_.seed);
  c["noise_shape"] = o_.noise_shape.empty() ? Value() : detail::dims_value(o_.noise_shape);
  return c;
}

LayerPtr AlphaDropoutLayer::from_config(const Config& c) {
  return make<AlphaDropoutLayer>(c.at("rate").as_double(), options_from(c));
}

Ref<GaussianDropoutLayer> GaussianDropout(double rate, const NoiseDropoutOptions& o) {
  return make<GaussianDropoutLayer>(rate, o);
}

Ref<AlphaDropoutLayer> AlphaDropout(double rate, const NoiseDropoutOptions& o) {
  return make<AlphaDropoutLayer>(rate, o);
}

}  // namespace keras::layers
