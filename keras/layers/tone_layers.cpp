#include "keras/layers/tone_layers.h"

#include <algorithm>
#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/color_layers_internal.h"
#include "keras/layers/core_layers_util.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {

constexpr detail::ValueRange k255{0, 255};

// Solarization's rule: f in [0, 1] gives (0, f); a pair has both in [0, 1], sorted.
std::pair<double, double> unit_factor(const std::string& layer, const FactorArg& f) {
  for (double v : {f.lower, f.upper})
    if (!(v >= 0.0 && v <= 1.0))
      throw std::invalid_argument(layer + ": the `addition_factor` and `threshold_factor` arguments should be a "
                                  "number (or a list of two numbers) in the range [0, 1]. Received: input_number=" +
                                  detail::num(v));
  if (!f.is_pair) return {0.0, f.lower};
  return {std::min(f.lower, f.upper), std::max(f.lower, f.upper)};
}

Value pair_config(std::pair<double, double> p) { return Value::list({p.first, p.second}); }

}  // namespace

// ---- Solarization -------------------------------------------------------------------------
SolarizationLayer::SolarizationLayer(const SolarizationOptions& o)
    : ImagePreprocessingLayer("Solarization", detail::image_base(o)),
      addition_(unit_factor(name(), o.addition_factor)),
      threshold_(unit_factor(name(), o.threshold_factor)),
      value_range_(detail::sorted_value_range(name(), o.value_range)) {}

Tensor SolarizationLayer::transform(const Tensor& images) {
  const Shape per_image{images.shape()[0], 1, 1, 1};
  // Keras draws both in [lower, upper * 255].
  Tensor additions = uniform(per_image, addition_.first, addition_.second * 255.0);
  Tensor thresholds = uniform(per_image, threshold_.first, threshold_.second * 255.0);
  const DType dt = images.dtype();
  if (additions.dtype() != dt) additions = ops::cast(additions, dt), thresholds = ops::cast(thresholds, dt);
  Tensor r = ops::clip(ops::add(detail::map_value_range(images, value_range_, k255), additions), 0.0, 255.0);
  Tensor solarized = ops::where(ops::less(r, thresholds), r, ops::subtract(ops::scalar_like(r, 255.0), r));
  return detail::map_value_range(solarized, k255, value_range_);
}

Config SolarizationLayer::get_config() const {
  Config c = ImagePreprocessingLayer::get_config();
  c["value_range"] = detail::value_range_config(value_range_);
  c["addition_factor"] = pair_config(addition_);
  c["threshold_factor"] = pair_config(threshold_);
  return c;
}

LayerPtr SolarizationLayer::from_config(const Config& c) {
  const ImagePreprocessingOptions b = options_from(c);
  SolarizationOptions o{.addition_factor = FactorArg::from_config(c.get("addition_factor", 0.0)),
                        .threshold_factor = FactorArg::from_config(c.get("threshold_factor", 0.0)),
                        .value_range = detail::value_range_from("Solarization", c, k255),
                        .seed = b.seed,
                        .data_format = b.data_format,
                        .name = b.name,
                        .trainable = b.trainable,
                        .input_shape = b.input_shape};
  return make<SolarizationLayer>(o);
}

// ---- RandomPosterization ------------------------------------------------------------------
RandomPosterizationLayer::RandomPosterizationLayer(const FactorArg& f, const ColorOptions& o)
    : ImagePreprocessingLayer("RandomPosterization", detail::image_base(o)),
      factor_(detail::bounded_factor(name(), "factor", f, 1.0, 8.0)),
      value_range_(detail::sorted_value_range(name(), o.value_range)) {}

Tensor RandomPosterizationLayer::transform(const Tensor& images) {
  const Shape per_image{images.shape()[0], 1, 1, 1};
  // Keras: bits = randint(lower, upper) (upper excluded), or lower where they are equal;
  // each value keeps its top `bits` bits: (v >> (8 - bits)) << (8 - bits).
  Tensor bits = factor_.first != factor_.second ? ops::floor(uniform(per_image, factor_.first, factor_.second))
                                                : ops::fill(per_image, factor_.first);
  Tensor step = ops::exp2(ops::subtract(ops::scalar_like(bits, 8.0), bits));
  if (step.dtype() != images.dtype()) step = ops::cast(step, images.dtype());
  Tensor v = ops::floor(ops::clip(detail::map_value_range(images, value_range_, k255), 0.0, 255.0));
  Tensor kept = ops::multiply(ops::floor(ops::divide(v, step)), step);
  return detail::map_value_range(kept, k255, value_range_);
}

Config RandomPosterizationLayer::get_config() const {
  Config c = ImagePreprocessingLayer::get_config();
  c["factor"] = Value::list({static_cast<long long>(factor_.first), static_cast<long long>(factor_.second)});
  c["value_range"] = detail::value_range_config(value_range_);
  return c;
}

LayerPtr RandomPosterizationLayer::from_config(const Config& c) {
  const ColorOptions o = detail::color_options(options_from(c), detail::value_range_from("RandomPosterization", c, k255));
  return make<RandomPosterizationLayer>(FactorArg::from_config(c.at("factor")), o);
}

// ---- AutoContrast -------------------------------------------------------------------------
AutoContrastLayer::AutoContrastLayer(const ColorOptions& o)
    : ImagePreprocessingLayer("AutoContrast", detail::image_base(o)),
      value_range_(detail::sorted_value_range(name(), o.value_range)) {}

Tensor AutoContrastLayer::call(const Tensor& x, bool) { return ImagePreprocessingLayer::call(x, true); }

Tensor AutoContrastLayer::transform(const Tensor& images) {
  Tensor v = detail::map_value_range(images, value_range_, k255);
  Tensor low = ops::min(v, {1, 2}, true), high = ops::max(v, {1, 2}, true);
  Tensor scale = ops::divide(ops::scalar_like(v, 255.0), ops::subtract(high, low));
  Tensor stretched = ops::clip(ops::subtract(ops::multiply(v, scale), ops::multiply(low, scale)), 0.0, 255.0);
  Tensor out = detail::map_value_range(stretched, k255, value_range_);
  // A constant channel (0 / 0) keeps its values, as Keras.
  return ops::where(ops::isnan(out), images, out);
}

Config AutoContrastLayer::get_config() const {
  Config c = base_config();  // Keras's AutoContrast has no seed
  c["data_format"] = o_.data_format;
  c["value_range"] = detail::value_range_config(value_range_);
  return c;
}

LayerPtr AutoContrastLayer::from_config(const Config& c) {
  return make<AutoContrastLayer>(
      detail::color_options(options_from(c), detail::value_range_from("AutoContrast", c, k255)));
}

Ref<SolarizationLayer> Solarization(const SolarizationOptions& o) { return make<SolarizationLayer>(o); }
Ref<RandomPosterizationLayer> RandomPosterization(const FactorArg& f, const ColorOptions& o) {
  return make<RandomPosterizationLayer>(f, o);
}
Ref<AutoContrastLayer> AutoContrast(const ColorOptions& o) { return make<AutoContrastLayer>(o); }

}  // namespace keras::layers
