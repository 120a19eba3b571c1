// convnext.cpp - keras.applications.ConvNeXtTiny / Small / Base / Large / XLarge and the
// LayerScale layer of their blocks (convnext_layers.h), as Keras 3's convnext.py builds them.
#include <stdexcept>

#include "keras/applications/common.h"
#include "keras/applications/convnext_layers.h"
#include "keras/initializers.h"
#include "keras/layers/options_base.h"

namespace keras::applications::detail {

LayerScaleLayer::LayerScaleLayer(double init_values, int64_t projection_dim, const layers::LayerOptions& options)
    : Layer("LayerScale", options), init_values_(init_values), projection_dim_(projection_dim) {
  if (projection_dim <= 0)
    throw std::invalid_argument(name() + ": expected projection_dim > 0, but received " + std::to_string(projection_dim));
}

void LayerScaleLayer::build(const layers::ShapeSpec& input_shape) {
  if (input_shape.empty() || input_shape.back() != projection_dim_)
    throw std::invalid_argument(name() + ": expected inputs whose last axis has projection_dim=" +
                                std::to_string(projection_dim_) + " values, but received shape " +
                                layers::shape_str(input_shape));
  gamma_ = add_weight("gamma", Shape{projection_dim_},
                      {.initializer = std::make_shared<initializers::Constant>(init_values_)});
}

Tensor LayerScaleLayer::call(const Tensor& x, bool) { return x * gamma_.value(); }

Config LayerScaleLayer::get_config() const {
  Config c = base_config();
  c["init_values"] = init_values_;
  c["projection_dim"] = static_cast<long long>(projection_dim_);
  return c;
}

layers::LayerPtr LayerScaleLayer::from_config(const Config& c) {
  layers::LayerOptions o;
  layers::detail::read_base_options(c, o);
  if (!c.contains("init_values") || !c.contains("projection_dim"))
    throw std::invalid_argument("LayerScale.from_config: expected init_values and projection_dim, got " + c.to_json());
  return layers::make<LayerScaleLayer>(c.at("init_values").as_double(), c.at("projection_dim").as_int(), o);
}

}  // namespace keras::applications::detail
