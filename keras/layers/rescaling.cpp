#include "keras/layers/rescaling.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/args.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
Value to_value(const std::vector<double>& v) {
  if (v.size() == 1) return v[0];
  std::vector<Value> items(v.begin(), v.end());
  return Value(std::move(items));
}

std::vector<double> from_value(const Value& v, const char* field) {
  if (v.type() == Value::Type::list) {
    std::vector<double> out;
    for (const Value& x : v.as_list()) out.push_back(x.as_double());
    if (out.empty()) throw std::invalid_argument(std::string("Rescaling.from_config: ") + field + " is an empty list");
    return out;
  }
  return {v.as_double()};
}

Tensor as_tensor(const std::vector<double>& v, DType dtype) {
  Tensor t = core::constant(v);
  if (v.size() == 1) t = ops::reshape(t, {});
  return ops::cast(t, dtype);
}
}  // namespace

RescalingLayer::RescalingLayer(std::vector<double> scale, std::vector<double> offset, const LayerOptions& o)
    : Layer("Rescaling", o), scale_(std::move(scale)), offset_(std::move(offset)) {
  if (scale_.empty() || offset_.empty())
    throw std::invalid_argument(name() + ": expected a scale and an offset (numbers or per-channel lists), but received " +
                                (scale_.empty() ? "an empty scale" : "an empty offset"));
  supports_masking_ = true;
}

Tensor RescalingLayer::call(const Tensor& x, bool) {
  const DType dt = dtype();
  for (const auto* v : {&scale_, &offset_})
    if (v->size() > 1 && (x.rank() == 0 || x.shape()[x.rank() - 1] != int64_t(v->size())))
      throw std::invalid_argument(name() + ": expected inputs whose last axis has " + std::to_string(v->size()) +
                                  " channels (the per-channel " + (v == &scale_ ? "scale" : "offset") +
                                  "), but received shape " + x.shape().str());
  Tensor y = ops::multiply(x.dtype() == dt ? x : ops::cast(x, dt), as_tensor(scale_, dt));
  return ops::add(y, as_tensor(offset_, dt));
}

std::vector<ShapeSpec> RescalingLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) { return {shapes.at(0)}; }

Config RescalingLayer::get_config() const {
  Config c = base_config();
  c["scale"] = to_value(scale_);
  c["offset"] = to_value(offset_);
  return c;
}

LayerPtr RescalingLayer::from_config(const Config& c) {
  return make<RescalingLayer>(from_value(c.at("scale"), "scale"), from_value(c.get("offset", 0.0), "offset"),
                              layer_options_from(c));
}

Ref<RescalingLayer> Rescaling(double scale, double offset, const LayerOptions& o) {
  return make<RescalingLayer>(std::vector<double>{scale}, std::vector<double>{offset}, o);
}
Ref<RescalingLayer> Rescaling(std::vector<double> scale, std::vector<double> offset, const LayerOptions& o) {
  return make<RescalingLayer>(std::move(scale), std::move(offset), o);
}

}  // namespace keras::layers
