#include "keras/layers/masking.h"
#include "keras/layers/options_base.h"

#include <cmath>
#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/args.h"

namespace keras::layers {
namespace ops = core::ops;

MaskingLayer::MaskingLayer(const MaskingOptions& o)
    : Layer("Masking", detail::layer_options_of(o)), o_(o) {
  supports_masking_ = true;
  input_spec.min_ndim = 1;
}

Tensor MaskingLayer::keep(const Tensor& x, bool keepdims) const {
  return ops::any(ops::not_equal(x, ops::scalar_like(x, o_.mask_value)), {-1}, keepdims);
}

Tensor MaskingLayer::call(const Tensor& x, bool) {
  return ops::multiply(x, ops::cast(keep(x, true), x.dtype()));
}

std::vector<Tensor> MaskingLayer::compute_mask(const std::vector<Tensor>& inputs, const std::vector<Tensor>&) {
  return {keep(inputs.at(0), false)};
}

std::vector<ShapeSpec> MaskingLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  return {shapes.at(0)};
}

Config MaskingLayer::get_config() const {
  Config c = base_config();
  c["mask_value"] = o_.mask_value;
  return c;
}

LayerPtr MaskingLayer::from_config(const Config& c) {
  LayerOptions base = layer_options_from(c);
  return make<MaskingLayer>(MaskingOptions{.mask_value = c.get("mask_value", 0.0).as_double(),
                                           .name = base.name,
                                           .trainable = base.trainable,
                                           .input_shape = base.input_shape});
}

Ref<MaskingLayer> Masking(const MaskingOptions& o) { return make<MaskingLayer>(o); }

}  // namespace keras::layers
