// color_jitter.cpp - RandomColorJitter: its parts, in Keras's order.
#include "keras/layers/color_jitter.h"

#include "keras/layers/color_adjust_layers.h"
#include "keras/layers/color_layers.h"
#include "keras/layers/color_layers_internal.h"
#include "keras/layers/random_contrast.h"

namespace keras::layers {

RandomColorJitterLayer::RandomColorJitterLayer(const RandomColorJitterOptions& o)
    : ImagePreprocessingLayer("RandomColorJitter", detail::image_base(o)),
      options_(o) {
  const ColorOptions color{.value_range = o.value_range, .seed = o.seed};
  if (o.brightness_factor) parts_.push_back(RandomBrightness(*o.brightness_factor, color));
  if (o.contrast_factor)
    parts_.push_back(RandomContrast(*o.contrast_factor, {.value_range = o.value_range, .seed = o.seed}));
  if (o.saturation_factor) parts_.push_back(RandomSaturation(*o.saturation_factor, color));
  if (o.hue_factor) parts_.push_back(RandomHue(*o.hue_factor, color));
  for (const LayerPtr& p : parts_) track_layer(p);
}

Tensor RandomColorJitterLayer::transform(const Tensor& images) {
  Tensor x = images;
  for (const LayerPtr& p : parts_) x = (*p)(x, true);
  return x;
}

Config RandomColorJitterLayer::get_config() const {
  Config c = base_config();
  c["data_format"] = o_.data_format;
  c["value_range"] = Value::list({options_.value_range.first, options_.value_range.second});
  auto factor = [](const std::optional<FactorArg>& f) { return f ? f->to_config() : Value(); };
  c["brightness_factor"] = factor(options_.brightness_factor);
  c["contrast_factor"] = factor(options_.contrast_factor);
  c["saturation_factor"] = factor(options_.saturation_factor);
  c["hue_factor"] = factor(options_.hue_factor);
  c["seed"] = o_.seed < 0 ? Value() : Value(static_cast<long long>(o_.seed));
  return c;
}

LayerPtr RandomColorJitterLayer::from_config(const Config& c) {
  RandomColorJitterOptions o = detail::with_image_base(RandomColorJitterOptions{}, options_from(c));
  o.value_range = detail::value_range_from("RandomColorJitter", c, o.value_range);
  auto factor = [&](const char* k) -> std::optional<FactorArg> {
    const Value v = c.get(k, Value());
    if (v.is_null()) return std::nullopt;
    return FactorArg::from_config(v);
  };
  o.brightness_factor = factor("brightness_factor");
  o.contrast_factor = factor("contrast_factor");
  o.saturation_factor = factor("saturation_factor");
  o.hue_factor = factor("hue_factor");
  return make<RandomColorJitterLayer>(o);
}

Ref<RandomColorJitterLayer> RandomColorJitter(const RandomColorJitterOptions& o) {
  return make<RandomColorJitterLayer>(o);
}

}  // namespace keras::layers
