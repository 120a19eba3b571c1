#include "keras/layers/attention_core.h"

#include <stdexcept>

#include "core/attention.h"
#include "core/ops.h"
#include "keras/layers/attention.h"

namespace keras::layers::detail {
namespace ops = core::ops;

namespace {
Tensor as_bool(const Tensor& m) { return m.dtype() == DType::bool_ ? m : ops::cast(m, DType::bool_); }
Tensor and_mask(const Tensor& a, const Tensor& b) { return a.defined() ? ops::logical_and(a, b) : b; }
}  // namespace

void check_attention_inputs(const std::string& layer, size_t n) {
  if (n < 2 || n > 4)
    throw std::invalid_argument(layer + ": expected the inputs [query, value], [query, value, key] or [query, value, "
                                "key, attention_mask], but received " + std::to_string(n) + " inputs");
}

void check_sliding_window(const std::string& layer, std::optional<int64_t> window) {
  if (window && *window <= 0)
    throw std::invalid_argument(layer + ": `sliding_window` must be `None` or a positive integer. Received: "
                                "sliding_window=" + std::to_string(*window));
}

Tensor attention_mask(const std::string& layer, const std::vector<Tensor>& xs, const CallContext& ctx,
                      std::optional<int64_t> sliding_window) {
  check_attention_inputs(layer, xs.size());
  const Tensor &query = xs[0], &value = xs[1];
  Tensor mask;
  if (ctx.mask(0).defined()) mask = ops::expand_dims(as_bool(ctx.mask(0)), -1);
  if (ctx.mask(1).defined()) mask = and_mask(mask, ops::expand_dims(as_bool(ctx.mask(1)), -2));
  if (xs.size() > 2 && ctx.mask(2).defined()) mask = and_mask(mask, ops::expand_dims(as_bool(ctx.mask(2)), -2));
  const int64_t tq = query.shape()[1], tv = value.shape()[1];
  if (bool_kwarg(layer, ctx.kwargs, "use_causal_mask")) mask = and_mask(mask, causal_mask(tq, tv));
  if (sliding_window) {
    Tensor rows = ops::reshape(ops::range(tq), {1, tq, 1}), cols = ops::reshape(ops::range(tv), {1, 1, tv});
    mask = and_mask(mask, ops::less(ops::abs(ops::subtract(rows, cols)), ops::scalar_like(rows, double(*sliding_window))));
  }
  if (xs.size() > 3) {
    const Tensor& am = xs[3];
    if (am.rank() < 2 || am.rank() > query.rank())
      throw std::invalid_argument(layer + ": expected attention_mask of shape (batch, Tq, Tv), but received shape " +
                                  am.shape().str());
    mask = mask.defined() ? ops::logical_and(as_bool(am), mask) : as_bool(am);
  }
  return mask;
}

void check_flash_attention(const std::string& layer, std::optional<bool> flash, double dropout, bool return_scores) {
  if (!flash.value_or(false)) return;
  if (dropout > 0)
    throw std::invalid_argument(layer +
                                ": Dropout is not supported when flash attention is enabled. Please set "
                                "dropout to 0.0 to use flash attention (received dropout=" +
                                std::to_string(dropout) + ")");
  if (return_scores)
    throw std::invalid_argument(layer +
                                ": Returning attention scores is not supported when flash attention is "
                                "enabled. Please disable flash attention to access attention scores.");
}

Attended attend(const Tensor& query, const Tensor& key, const Tensor& value, Tensor mask, const AttendSpec& s) {
  // The fused path on one op where it has kernels (core/attention.h): (B, T, N, H)
  // projections attended over T; the weights are never made (nothing returns them here).
  const bool one_op = s.fused_path && s.attention_axes == 1 && query.rank() == 4;
  if (one_op && s.flash && !ops::flash_attention_supported(query))
    throw std::invalid_argument(
        "flash_attention: kernels for float32 and float64, but the projections are " +
        std::string(core::dtype_name(query.dtype())) + " on " + query.device().str());
  if (one_op && (s.flash || (!core::is_half(query.dtype()) && ops::fused_attention_supported(query)))) {
    const int64_t b = query.shape()[0], t = query.shape()[1], src = key.shape()[1];
    if (mask.defined()) {
      while (mask.rank() < 4) mask = ops::expand_dims(mask, -3);
      mask = ops::broadcast_to(mask, {mask.shape()[0] == 1 ? 1 : b, mask.shape()[1], t, src});
    }
    if (s.flash) return {ops::flash_attention(query, key, value, mask, s.scale, -1e9).out, Tensor()};
    return {ops::fused_attention(query, key, value, mask, s.scale, -1e9).out, Tensor()};
  }
  const Tensor k = s.kv_repeats > 1 ? ops::repeat(key, s.kv_repeats, 2) : key;
  const Tensor v = s.kv_repeats > 1 ? ops::repeat(value, s.kv_repeats, 2) : value;
  // Half precision on the fused path, as Keras 3's dot_product_attention: the half
  // product's logits are scaled, masked and normalized in float32, then cast back.
  const bool float32_softmax = s.fused_path && core::is_half(query.dtype());
  Tensor q = float32_softmax ? query : ops::multiply(query, ops::scalar_like(query, s.scale));
  Tensor scores = s.key_first ? ops::einsum(s.scores_equation, k, q) : ops::einsum(s.scores_equation, q, k);
  if (float32_softmax) {
    scores = ops::cast(scores, DType::float32);
    scores = ops::multiply(scores, ops::scalar_like(scores, s.scale));
  }
  if (mask.defined()) {
    // Broadcast the mask over the heads (and any other axes before the attention axes).
    const int64_t at = -s.attention_axes * 2 - 1;
    for (int64_t i = mask.rank(); i < scores.rank(); ++i) mask = ops::expand_dims(mask, at);
  }
  Tensor weights;
  if (float32_softmax) {
    if (mask.defined()) scores = ops::where(mask, scores, ops::scalar_like(scores, -0.7 * 3.38953e38));
    weights = ops::cast(ops::softmax(scores, -1), q.dtype());
  } else if (s.fused_path && mask.defined()) {
    weights = ops::softmax(ops::where(mask, scores, ops::scalar_like(scores, -1e9)), -1);
  } else {
    weights = (*s.softmax)(std::vector<Tensor>{scores}, CallArgs{.masks = {mask}})[0];
  }
  Tensor dropped = s.dropout ? (*s.dropout)(weights, s.training) : weights;
  return {ops::einsum(s.combine_equation, dropped, v), weights};
}

}  // namespace keras::layers::detail
