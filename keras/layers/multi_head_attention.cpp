#include "keras/layers/multi_head_attention.h"
#include "keras/layers/options_base.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/attention.h"
#include "keras/layers/attention_core.h"
#include "keras/layers/kernel_bias_config.h"
#include "keras/layers/core_layers_util.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
char letter(int64_t i) { return char('a' + i); }

// Keras's _build_proj_equation: free axes pass through, bound axes are contracted with
// the kernel, output axes come from the kernel (and carry the bias).
struct Projection {
  std::string equation, bias_axes;
  int64_t output_rank;
};
Projection projection(int64_t free_dims, int64_t bound_dims, int64_t output_dims) {
  std::string in, kernel, out, bias;
  int64_t l = 0;
  for (int64_t i = 0; i < free_dims; ++i, ++l) in += letter(l), out += letter(l);
  for (int64_t i = 0; i < bound_dims; ++i, ++l) in += letter(l), kernel += letter(l);
  for (int64_t i = 0; i < output_dims; ++i, ++l) kernel += letter(l), out += letter(l), bias += letter(l);
  return {in + "," + kernel + "->" + out, bias, int64_t(out.size())};
}

// Keras's _get_output_shape: unknown (-1) axes, then the known last ones.
ShapeSpec partial_shape(int64_t rank, const ShapeSpec& last) {
  ShapeSpec s(size_t(std::max<int64_t>(0, rank - int64_t(last.size()))), -1);
  s.insert(s.end(), last.begin(), last.end());
  return s;
}

// Keras 3 makes an attention layer's sublayers with its dtype policy.
template <class L>
Ref<L> with_policy(Ref<L> layer, const mixed_precision::DTypePolicy& policy) {
  layer->set_dtype_policy(policy);
  return layer;
}
}  // namespace

MultiHeadAttentionLayer::MultiHeadAttentionLayer(int64_t num_heads, int64_t key_dim, const MultiHeadAttentionOptions& o)
    : Layer("MultiHeadAttention", detail::layer_options_of(o)),
      num_heads_(num_heads),
      key_dim_(key_dim),
      value_dim_(o.value_dim.value_or(key_dim)),
      o_(o) {
  supports_masking_ = true;
  if (num_heads <= 0)
    throw std::invalid_argument(name() + ": received an invalid value for argument `num_heads`, expected a positive "
                                "integer. Received: num_heads=" + std::to_string(num_heads));
  if (key_dim <= 0)
    throw std::invalid_argument(name() + ": received an invalid value for argument `key_dim`, expected a positive "
                                "integer. Received: key_dim=" + std::to_string(key_dim));
  if (value_dim_ <= 0)
    throw std::invalid_argument(name() + ": received an invalid value for argument `value_dim`, expected a positive "
                                "integer or `None`. Received: value_dim=" + std::to_string(value_dim_));
  detail::check_sliding_window(name(), o.sliding_window);
  for (int64_t d : o.output_shape)
    if (d <= 0)
      throw std::invalid_argument(name() + ": invalid `output_shape`: " + shape_str(o.output_shape) +
                                  " (expected positive sizes)");
  detail::check_flash_attention(name(), o.flash_attention, o.dropout);
  dropout_ = Dropout(o.dropout, {.seed = o.seed});
}

void MultiHeadAttentionLayer::build(const std::vector<ShapeSpec>& shapes) {
  detail::check_attention_inputs(name(), shapes.size());
  if (output_dense && output_dense->built()) return;  // build() was called directly before this call
  const ShapeSpec &q = shapes[0], &v = shapes[1];
  const ShapeSpec& k = shapes.size() > 2 ? shapes[2] : v;
  if (q.size() < 3 || v.size() < 3 || k.size() < 3)
    throw std::invalid_argument(name() + ": expected query, value and key of rank >= 3 (batch, T, ..., dim), but "
                                "received shapes " + shape_str(q) + ", " + shape_str(v) + ", " + shape_str(k));
  if (!std::equal(v.begin() + 1, v.end() - 1, k.begin() + 1, k.end() - 1) || v.size() != k.size())
    throw std::invalid_argument(name() + ": all dimensions of `value` and `key`, except the last one, must be equal. "
                                "Received: value_shape=" + shape_str(v) + " and key_shape=" + shape_str(k));
  const EinsumDenseOptions common{.kernel_initializer = o_.kernel_initializer,
                                  .bias_initializer = o_.bias_initializer,
                                  .kernel_regularizer = o_.kernel_regularizer,
                                  .bias_regularizer = o_.bias_regularizer,
                                  .activity_regularizer = o_.activity_regularizer,
                                  .kernel_constraint = o_.kernel_constraint,
                                  .bias_constraint = o_.bias_constraint,
                                  .trainable = trainable()};
  auto dense = [&](const ShapeSpec& in, int64_t bound, const ShapeSpec& last, const char* nm) {
    const Projection p = projection(int64_t(in.size()) - 1, bound, int64_t(last.size()));
    EinsumDenseOptions opt = common;
    opt.name = nm;
    if (std::string(nm) == "gate") opt.activation = "sigmoid";
    if (o_.use_bias) opt.bias_axes = p.bias_axes;
    return track(with_policy(EinsumDense(p.equation, partial_shape(p.output_rank - 1, last), opt), sublayer_dtype_policy()));
  };
  query_dense = dense(q, 1, {num_heads_, key_dim_}, "query");
  query_dense->build(q);
  key_dense = dense(k, 1, {num_heads_, key_dim_}, "key");
  key_dense->build(k);
  if (o_.use_gate) {  // Keras's weight order: query, key, gate, value, attention_output
    gate_dense = dense(q, 1, {num_heads_, value_dim_}, "gate");
    gate_dense->build(q);
  }
  value_dense = dense(v, 1, {num_heads_, value_dim_}, "value");
  value_dense->build(v);

  // Keras's _build_attention_equation over the projected rank (batch, T..., heads, dim).
  const int64_t rank = int64_t(v.size()) + 1;
  attention_axes_.clear();
  if (o_.attention_axes.empty()) {
    for (int64_t i = 1; i < rank - 2; ++i) attention_axes_.push_back(i);
  } else {
    for (int64_t a : o_.attention_axes) {
      const int64_t r = a >= 0 ? a : rank - 1 + a;
      if (r <= 0 || r >= rank - 2)
        throw std::invalid_argument(name() + ": attention_axes " + detail::list_str(o_.attention_axes) +
                                    " must name axes between the batch axis and the heads for inputs of rank " +
                                    std::to_string(rank - 1));
      attention_axes_.push_back(r);
    }
  }
  std::string target, source, product;
  for (int64_t i = 0; i < rank; ++i) target += letter(i);
  auto is_attn = [&](int64_t i) { return std::count(attention_axes_.begin(), attention_axes_.end(), i) > 0; };
  int64_t next = rank;
  for (int64_t i = 0; i < rank; ++i) source += (is_attn(i) && i != rank - 1) ? letter(next++) : target[size_t(i)];
  for (int64_t i = 0; i < rank; ++i)
    if (!is_attn(i) && i != rank - 1) product += target[size_t(i)];
  for (int64_t a : attention_axes_) product += target[size_t(a)];
  for (int64_t a : attention_axes_) product += source[size_t(a)];
  dot_product_equation_ = source + "," + target + "->" + product;
  combine_equation_ = product + "," + source + "->" + target;
  const int64_t scores_rank = int64_t(product.size()), n_attn = int64_t(attention_axes_.size());
  std::vector<int64_t> norm_axes;
  for (int64_t i = scores_rank - n_attn; i < scores_rank; ++i) norm_axes.push_back(i);
  softmax_ = with_policy(Softmax(norm_axes), sublayer_dtype_policy());
  // The policy now, not at construction (a loaded layer gets its config's policy after).
  dropout_->set_dtype_policy(sublayer_dtype_policy());

  const ShapeSpec out_last = o_.output_shape.empty() ? ShapeSpec{q.back()} : o_.output_shape;
  {
    const Projection p = projection(int64_t(q.size()) - 1, 2, int64_t(out_last.size()));
    EinsumDenseOptions opt = common;
    opt.name = "attention_output";
    if (o_.use_bias) opt.bias_axes = p.bias_axes;
    output_dense =
        track(with_policy(EinsumDense(p.equation, partial_shape(p.output_rank - 1, out_last), opt), sublayer_dtype_policy()));
  }
  ShapeSpec out_in = query_dense->compute_output_shape({q}).at(0);
  out_in.back() = value_dim_;
  output_dense->build(out_in);
}

std::vector<Tensor> MultiHeadAttentionLayer::call(const std::vector<Tensor>& xs, const CallContext& ctx) {
  const Tensor mask = detail::attention_mask(name(), xs, ctx, o_.sliding_window);
  const Tensor &query = xs[0], &value = xs[1];
  const Tensor& key = xs.size() > 2 ? xs[2] : value;
  // Projections (the inputs' masks are used above, not passed on).
  auto project = [](const Ref<EinsumDenseLayer>& d, const Tensor& x) {
    return (*d)(std::vector<Tensor>{x}, CallArgs{.masks = {Tensor()}})[0];
  };
  Tensor q = project(query_dense, query), k = project(key_dense, key), v = project(value_dense, value);
  // Keras takes two paths: without dropout or scores and with one attention axis
  // (ops.dot_product_attention), rows masked everywhere get uniform weights; otherwise
  // (its masked Softmax layer) zeros.
  const bool return_scores = detail::bool_kwarg(name(), ctx.kwargs, "return_attention_scores");
  detail::check_flash_attention(name(), o_.flash_attention, o_.dropout, return_scores);
  const detail::Attended a = detail::attend(q, k, v, mask,
                                            {.scores_equation = dot_product_equation_,
                                             .key_first = true,
                                             .combine_equation = combine_equation_,
                                             .attention_axes = int64_t(attention_axes_.size()),
                                             .scale = 1.0 / std::sqrt(double(key_dim_)),
                                             .fused_path = o_.dropout == 0 && !return_scores && q.rank() == 4,
                                             .flash = o_.flash_attention.value_or(false),
                                             .softmax = softmax_.get(),
                                             .dropout = o_.dropout > 0 ? dropout_.get() : nullptr,
                                             .training = ctx.training});
  const Tensor& weights = a.weights;
  Tensor out = a.output;
  if (o_.use_gate) out = ops::multiply(out, project(gate_dense, query));
  out = (*output_dense)(std::vector<Tensor>{out}, CallArgs{.masks = {Tensor()}})[0];
  if (return_scores) return {out, weights};
  return {out};
}

std::vector<Tensor> MultiHeadAttentionLayer::compute_mask(const std::vector<Tensor>&, const std::vector<Tensor>& masks) {
  return {masks.empty() ? Tensor() : masks[0]};  // the query's mask, on the output only
}

Config MultiHeadAttentionLayer::get_config() const {
  Config c = base_config();
  c["num_heads"] = static_cast<long long>(num_heads_);
  c["key_dim"] = static_cast<long long>(key_dim_);
  c["value_dim"] = static_cast<long long>(value_dim_);
  c["dropout"] = o_.dropout;
  c["use_gate"] = o_.use_gate;
  c["output_shape"] = o_.output_shape.empty() ? Value() : Value(o_.output_shape);
  c["attention_axes"] = o_.attention_axes.empty() ? Value() : Value(o_.attention_axes);
  c["sliding_window"] = o_.sliding_window ? Value(static_cast<long long>(*o_.sliding_window)) : Value();
  detail::write_kernel_bias_config(c, o_);
  c["seed"] = o_.seed < 0 ? Value() : Value(static_cast<long long>(o_.seed));
  return c;
}

LayerPtr MultiHeadAttentionLayer::from_config(const Config& c) {
  const LayerOptions base = layer_options_from(c);
  MultiHeadAttentionOptions o;
  o.use_gate = c.get("use_gate", false).as_bool();
  const Value window = c.get("sliding_window", Value());
  if (!window.is_null()) o.sliding_window = window.as_int();
  const Value vd = c.get("value_dim", Value());
  if (!vd.is_null()) o.value_dim = vd.as_int();
  o.dropout = c.get("dropout", 0.0).as_double();
  const Value os = c.get("output_shape", Value());
  if (!os.is_null()) o.output_shape = os.type() == Value::Type::list ? os.as_ints() : ShapeSpec{os.as_int()};
  const Value ax = c.get("attention_axes", Value());
  if (!ax.is_null()) o.attention_axes = ax.type() == Value::Type::list ? ax.as_ints() : std::vector<int64_t>{ax.as_int()};
  detail::read_kernel_bias_config(c, o);
  const Value seed = c.get("seed", Value());
  o.seed = seed.is_null() ? -1 : seed.as_int();
  const Value flash = c.get("flash_attention", Value());  // Keras does not write it, but takes it
  if (!flash.is_null()) o.flash_attention = flash.as_bool();
  o.name = base.name;
  o.trainable = base.trainable;
  return make<MultiHeadAttentionLayer>(c.at("num_heads").as_int(), c.at("key_dim").as_int(), o);
}

Ref<MultiHeadAttentionLayer> MultiHeadAttention(int64_t num_heads, int64_t key_dim,
                                                const MultiHeadAttentionOptions& o) {
  return make<MultiHeadAttentionLayer>(num_heads, key_dim, o);
}

}  // namespace keras::layers
