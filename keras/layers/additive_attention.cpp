#include "keras/layers/additive_attention.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/initializers.h"
#include "keras/layers/args.h"

namespace keras::layers {
namespace ops = core::ops;

AdditiveAttentionLayer::AdditiveAttentionLayer(const AdditiveAttentionOptions& o)
    : AttentionLayer("AdditiveAttention", AttentionOptions{.use_scale = o.use_scale,
                                                           .dropout = o.dropout,
                                                           .seed = o.seed,
                                                           .name = o.name,
                                                           .trainable = o.trainable,
                                                           .dtype = o.dtype}) {}

void AdditiveAttentionLayer::build(const std::vector<ShapeSpec>& shapes) {
  check_inputs_list(shapes.size(), {});
  const int64_t dim = shapes[0].empty() ? -1 : shapes[0].back();
  if (dim < 0)
    throw std::invalid_argument(name() + ": the last axis of the query must be known, but received shape " +
                                shape_str(shapes[0]));
  if (o_.use_scale) scale = add_weight("scale", Shape{dim}, {.initializer = initializers::get("glorot_uniform")});
}

Tensor AdditiveAttentionLayer::scores(const Tensor& q, const Tensor& k) const {
  Tensor t = ops::tanh(ops::add(ops::expand_dims(q, -2), ops::expand_dims(k, -3)));  // (batch, Tq, Tv, dim)
  if (scale.defined()) t = ops::multiply(scale, t);
  return ops::sum(t, {-1});
}

Config AdditiveAttentionLayer::get_config() const {
  Config c = base_config();
  c["use_scale"] = o_.use_scale;
  c["dropout"] = o_.dropout;
  c["seed"] = o_.seed < 0 ? Value() : Value(static_cast<long long>(o_.seed));
  return c;
}

LayerPtr AdditiveAttentionLayer::from_config(const Config& c) {
  const LayerOptions base = layer_options_from(c);
  const Value seed = c.get("seed", Value());
  return make<AdditiveAttentionLayer>(AdditiveAttentionOptions{.use_scale = c.get("use_scale", true).as_bool(),
                                                               .dropout = c.get("dropout", 0.0).as_double(),
                                                               .seed = seed.is_null() ? -1 : seed.as_int(),
                                                               .name = base.name,
                                                               .trainable = base.trainable});
}

Ref<AdditiveAttentionLayer> AdditiveAttention(const AdditiveAttentionOptions& o) {
  return make<AdditiveAttentionLayer>(o);
}

}  // namespace keras::layers
