#include "keras/layers/attention.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ops.h"
#include "keras/initializers.h"
#include "keras/layers/args.h"
#include "keras/layers/core_layers_util.h"

namespace keras::layers {
namespace ops = core::ops;

namespace detail {
Tensor causal_mask(int64_t tq, int64_t tv) {
  Tensor rows = ops::reshape(ops::range(tq), {1, tq, 1});
  Tensor cols = ops::reshape(ops::range(tv), {1, 1, tv});
  return ops::greater_equal(rows, cols);
}

bool bool_kwarg(const std::string& layer, const Config& kwargs, const char* key) {
  const Value v = kwargs.get(key, false);
  if (v.type() != Value::Type::boolean)
    throw std::invalid_argument(layer + ": expected the call argument `" + key + "` to be a bool, but received a " +
                                v.type_name());
  return v.as_bool();
}
}  // namespace detail

namespace {
Tensor as_bool(const Tensor& m) { return m.dtype() == DType::bool_ ? m : ops::cast(m, DType::bool_); }
}  // namespace

AttentionLayer::AttentionLayer(const AttentionOptions& o) : AttentionLayer("Attention", o) {}

AttentionLayer::AttentionLayer(std::string class_name, const AttentionOptions& o)
    : Layer(std::move(class_name), detail::layer_options_of(o)),
      o_(o),
      dropout_(Dropout(o.dropout, {.seed = o.seed, .name = name() + "_dropout"})) {  // (no default name used up)
  supports_masking_ = true;
  if (o_.score_mode != "dot" && o_.score_mode != "concat")
    throw std::invalid_argument(name() + ": invalid value for argument score_mode. Expected one of {'dot', "
                                "'concat'}. Received: score_mode=" + o_.score_mode);
}

void AttentionLayer::check_inputs_list(size_t n, const std::vector<Tensor>& masks) const {
  if (n < 2 || n > 3)
    throw std::invalid_argument(name() + ": " + class_name() + " layer accepts inputs list of length 2 or 3, "
                                "namely [query, value] or [query, value, key]. Received length: " + std::to_string(n) + ".");
  if (!masks.empty() && masks.size() != n)
    throw std::invalid_argument(name() + ": expected one mask per input (" + std::to_string(n) + "), but received " +
                                std::to_string(masks.size()));
}

void AttentionLayer::build(const std::vector<ShapeSpec>& shapes) {
  check_inputs_list(shapes.size(), {});
  for (size_t i = 0; i < shapes.size(); ++i)
    if (shapes[i].size() < 2)
      throw std::invalid_argument(name() + ": expected input " + std::to_string(i) +
                                  " of rank >= 2 (batch, T, dim), but received shape " + shape_str(shapes[i]));
  if (o_.use_scale) scale = add_weight("scale", Shape{}, {.initializer = initializers::get("ones")});
  if (o_.score_mode == "concat")
    concat_score_weight = add_weight("concat_score_weight", Shape{}, {.initializer = initializers::get("ones")});
}

Tensor AttentionLayer::scores(const Tensor& q, const Tensor& k) const {
  if (o_.score_mode == "dot") {
    Tensor s = ops::matmul(q, k, false, true);
    return scale.defined() ? ops::multiply(s, scale) : s;
  }
  Tensor sum = ops::add(ops::expand_dims(q, -2), ops::expand_dims(k, -3));  // (batch, Tq, Tv, dim)
  if (scale.defined()) sum = ops::multiply(scale, sum);
  return ops::multiply(concat_score_weight, ops::sum(ops::tanh(sum), {-1}));
}

std::vector<Tensor> AttentionLayer::call(const std::vector<Tensor>& xs, const CallContext& ctx) {
  check_inputs_list(xs.size(), ctx.masks);
  const Tensor &q = xs[0], &v = xs[1];
  const Tensor& k = xs.size() > 2 ? xs[2] : v;
  if (q.shape()[q.rank() - 1] != k.shape()[k.rank() - 1] && o_.score_mode == "dot")
    throw std::invalid_argument(name() + ": expected query and key to have the same last axis, but received shapes " +
                                q.shape().str() + " and " + k.shape().str());
  const Tensor q_mask = ctx.mask(0), v_mask = ctx.mask(1);
  Tensor s = scores(q, k);  // (batch, Tq, Tv)
  // Where the value mask (and the causal mask) is false, the scores lose 1e9 (65504 in
  // float16, as Keras 3).
  Tensor keep;
  if (v_mask.defined()) keep = ops::expand_dims(as_bool(v_mask), -2);
  if (detail::bool_kwarg(name(), ctx.kwargs, "use_causal_mask")) {
    Tensor c = detail::causal_mask(s.shape()[s.rank() - 2], s.shape()[s.rank() - 1]);
    keep = keep.defined() ? ops::logical_and(keep, c) : c;
  }
  if (keep.defined()) {
    const double penalty = s.dtype() == DType::float16 ? 65504.0 : 1e9;
    s = ops::where(keep, s, ops::subtract(s, ops::scalar_like(s, penalty)));
  }
  Tensor weights = ops::softmax(s, -1);
  // The dropout computes in this layer's policy (which a loaded layer gets after construction).
  if (!(dropout_->sublayer_dtype_policy() == sublayer_dtype_policy())) dropout_->set_dtype_policy(sublayer_dtype_policy());
  Tensor dropped = o_.dropout > 0 ? (*dropout_)(weights, ctx.training) : weights;
  Tensor out = ops::matmul(dropped, v);
  if (q_mask.defined()) out = ops::where(ops::expand_dims(as_bool(q_mask), -1), out, ops::zeros_like(out));
  if (detail::bool_kwarg(name(), ctx.kwargs, "return_attention_scores")) return {out, weights};
  return {out};
}

std::vector<Tensor> AttentionLayer::compute_mask(const std::vector<Tensor>&, const std::vector<Tensor>& masks) {
  // The query's mask goes to the output (not to the scores).
  return {masks.empty() ? Tensor() : masks[0]};
}

Config AttentionLayer::get_config() const {
  Config c = base_config();
  c["use_scale"] = o_.use_scale;
  c["score_mode"] = o_.score_mode;
  c["dropout"] = o_.dropout;
  c["seed"] = o_.seed < 0 ? Value() : Value(static_cast<long long>(o_.seed));
  return c;
}

LayerPtr AttentionLayer::from_config(const Config& c) {
  const LayerOptions base = layer_options_from(c);
  const Value seed = c.get("seed", Value());
  return make<AttentionLayer>(AttentionOptions{.use_scale = c.get("use_scale", false).as_bool(),
                                               .score_mode = c.get("score_mode", "dot").as_string(),
                                               .dropout = c.get("dropout", 0.0).as_double(),
                                               .seed = seed.is_null() ? -1 : seed.as_int(),
                                               .name = base.name,
                                               .trainable = base.trainable});
}

Ref<AttentionLayer> Attention(const AttentionOptions& o) { return make<AttentionLayer>(o); }

}  // namespace keras::layers
