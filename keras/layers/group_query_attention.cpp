#include "keras/layers/group_query_attention.h"
#include "keras/layers/options_base.h"

#include <cmath>
#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/attention.h"
#include "keras/layers/attention_core.h"
#include "keras/layers/kernel_bias_config.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
std::string positive(const char* arg, int64_t v) {
  return std::string("received an invalid value for argument `") + arg + "`, expected a positive integer. Received: " +
         arg + "=" + std::to_string(v);
}
}  // namespace

GroupQueryAttentionLayer::GroupQueryAttentionLayer(int64_t head_dim, int64_t num_query_heads,
                                                       int64_t num_key_value_heads,
                                                       const GroupQueryAttentionOptions& o)
    // Keras writes the class as GroupQueryAttention (its export name) and names the
    // layers after its Python class, GroupedQueryAttention.
    : Layer("GroupQueryAttention",
            detail::layer_options_of(o, {.name = unique_name("grouped_query_attention")})),
      head_dim_(head_dim),
      num_query_heads_(num_query_heads),
      num_key_value_heads_(num_key_value_heads),
      o_(o) {
  supports_masking_ = true;
  if (head_dim <= 0) throw std::invalid_argument(name() + ": " + positive("head_dim", head_dim));
  if (num_query_heads <= 0) throw std::invalid_argument(name() + ": " + positive("num_query_heads", num_query_heads));
  if (num_key_value_heads <= 0)
    throw std::invalid_argument(name() + ": " + positive("num_key_value_heads", num_key_value_heads));
  if (num_query_heads % num_key_value_heads != 0)
    throw std::invalid_argument(name() + ": `num_query_heads` must be divisible by `num_key_value_heads`. Received: "
                                "num_query_heads=" + std::to_string(num_query_heads) +
                                ", num_key_value_heads=" + std::to_string(num_key_value_heads));
  detail::check_sliding_window(name(), o.sliding_window);
  detail::check_flash_attention(name(), o.flash_attention, o.dropout);
  dropout_ = Dropout(o.dropout, {.seed = o.seed});
}

void GroupQueryAttentionLayer::build(const std::vector<ShapeSpec>& shapes) {
  detail::check_attention_inputs(name(), shapes.size());
  if (output_dense && output_dense->built()) return;  // build() was called directly before this call
  const ShapeSpec &q = shapes[0], &v = shapes[1];
  const ShapeSpec& k = shapes.size() > 2 ? shapes[2] : v;
  if (q.size() != 3 || v.size() != 3 || k.size() != 3)
    throw std::invalid_argument(name() + ": expected query, value and key of rank 3 (batch, T, dim), but received "
                                "shapes " + shape_str(q) + ", " + shape_str(v) + ", " + shape_str(k));
  if (v[1] != k[1])
    throw std::invalid_argument(name() + ": all dimensions of `value` and `key`, except the last one, must be equal. "
                                "Received: value_shape=" + shape_str(v) + " and key_shape=" + shape_str(k));
  auto dense = [&](const char* equation, int64_t heads, const char* bias_axes, const char* nm, bool sigmoid = false) {
    EinsumDenseOptions opt{.kernel_initializer = o_.kernel_initializer,
                           .bias_initializer = o_.bias_initializer,
                           .kernel_regularizer = o_.kernel_regularizer,
                           .bias_regularizer = o_.bias_regularizer,
                           .activity_regularizer = o_.activity_regularizer,
                           .kernel_constraint = o_.kernel_constraint,
                           .bias_constraint = o_.bias_constraint,
                           .name = nm,
                           .trainable = trainable()};
    if (o_.use_bias) opt.bias_axes = bias_axes;
    if (sigmoid) opt.activation = "sigmoid";
    const ShapeSpec out = heads > 0 ? ShapeSpec{-1, heads, head_dim_} : ShapeSpec{-1, q.back()};
    Ref<EinsumDenseLayer> d = EinsumDense(equation, out, opt);
    d->set_dtype_policy(sublayer_dtype_policy());  // Keras makes the sublayers with the layer's policy
    return track(d);
  };
  // Keras's build order (the weights' order): query, key, gate, value, attention_output.
  query_dense = dense("bqm,muh->bquh", num_query_heads_, "uh", "query");
  query_dense->build(q);
  key_dense = dense("bkm,mvh->bkvh", num_key_value_heads_, "vh", "key");
  key_dense->build(k);
  if (o_.use_gate) {
    gate_dense = dense("bqm,muh->bquh", num_query_heads_, "uh", "gate", true);
    gate_dense->build(q);
  }
  value_dense = dense("bkm,mvh->bkvh", num_key_value_heads_, "vh", "value");
  value_dense->build(v);
  softmax_ = Softmax(std::vector<int64_t>{-1});
  softmax_->set_dtype_policy(sublayer_dtype_policy());
  dropout_->set_dtype_policy(sublayer_dtype_policy());
  output_dense = dense("bquh,uhm->bqm", 0, "m", "attention_output");
  output_dense->build({-1, -1, num_query_heads_, head_dim_});
}

std::vector<Tensor> GroupQueryAttentionLayer::call(const std::vector<Tensor>& xs, const CallContext& ctx) {
  const Tensor mask = detail::attention_mask(name(), xs, ctx, o_.sliding_window);
  const Tensor &query = xs[0], &value = xs[1];
  const Tensor& key = xs.size() > 2 ? xs[2] : value;
  auto project = [](const Ref<EinsumDenseLayer>& d, const Tensor& x) {
    return (*d)(std::vector<Tensor>{x}, CallArgs{.masks = {Tensor()}})[0];
  };
  Tensor q = project(query_dense, query);
  // Each key-value head serves num_query_heads / num_key_value_heads query heads.
  const int64_t repeats = num_query_heads_ / num_key_value_heads_;
  const Tensor k = project(key_dense, key), v = project(value_dense, value);
  const bool return_scores = detail::bool_kwarg(name(), ctx.kwargs, "return_attention_scores");
  detail::check_flash_attention(name(), o_.flash_attention, o_.dropout, return_scores);
  const detail::Attended a = detail::attend(q, k, v, mask,
                                            {.scores_equation = "bquh,bkuh->buqk",
                                             .key_first = false,
                                             .combine_equation = "buqk,bkuh->bquh",
                                             .attention_axes = 1,
                                             .scale = 1.0 / std::sqrt(double(head_dim_)),
                                             .kv_repeats = repeats,
                                             .fused_path = o_.dropout == 0 && !return_scores,
                                             .flash = o_.flash_attention.value_or(false),
                                             .softmax = softmax_.get(),
                                             .dropout = o_.dropout > 0 ? dropout_.get() : nullptr,
                                             .training = ctx.training});
  Tensor out = a.output;
  if (o_.use_gate) out = ops::multiply(out, project(gate_dense, query));
  out = project(output_dense, out);
  if (return_scores) return {out, a.weights};
  return {out};
}

std::vector<Tensor> GroupQueryAttentionLayer::compute_mask(const std::vector<Tensor>&,
                                                             const std::vector<Tensor>& masks) {
  return {masks.empty() ? Tensor() : masks[0]};  // the query's mask, on the output only
}

Config GroupQueryAttentionLayer::get_config() const {
  Config c = base_config();
  c["head_dim"] = static_cast<long long>(head_dim_);
  c["num_query_heads"] = static_cast<long long>(num_query_heads_);
  c["num_key_value_heads"] = static_cast<long long>(num_key_value_heads_);
  c["use_gate"] = o_.use_gate;
  c["sliding_window"] = o_.sliding_window ? Value(static_cast<long long>(*o_.sliding_window)) : Value();
  c["dropout"] = o_.dropout;
  detail::write_kernel_bias_config(c, o_);
  c["seed"] = o_.seed < 0 ? Value() : Value(static_cast<long long>(o_.seed));
  return c;
}

LayerPtr GroupQueryAttentionLayer::from_config(const Config& c) {
  const LayerOptions base = layer_options_from(c);
  GroupQueryAttentionOptions o;
  o.dropout = c.get("dropout", 0.0).as_double();
  o.use_gate = c.get("use_gate", false).as_bool();
  const Value window = c.get("sliding_window", Value());
  if (!window.is_null()) o.sliding_window = window.as_int();
  detail::read_kernel_bias_config(c, o);
  const Value seed = c.get("seed", Value());
  o.seed = seed.is_null() ? -1 : seed.as_int();
  const Value flash = c.get("flash_attention", Value());  // Keras does not write it, but takes it
  if (!flash.is_null()) o.flash_attention = flash.as_bool();
  o.name = base.name;
  o.trainable = base.trainable;
  return make<GroupQueryAttentionLayer>(c.at("head_dim").as_int(), c.at("num_query_heads").as_int(),
                                          c.at("num_key_value_heads").as_int(), o);
}

Ref<GroupQueryAttentionLayer> GroupQueryAttention(int64_t head_dim, int64_t num_query_heads,
                                                      int64_t num_key_value_heads,
                                                      const GroupQueryAttentionOptions& o) {
  return make<GroupQueryAttentionLayer>(head_dim, num_query_heads, num_key_value_heads, o);
}

}  // namespace keras::layers
