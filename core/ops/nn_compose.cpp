// nn_compose.cpp - keras.ops.nn's losses, normalizations, encodings, psnr and attention
// (core/ops_nn.h), composed of core ops as Keras's TensorFlow backend composes them.
#include <algorithm>
#include <cmath>
#include <string>

#include "core/attention.h"
#include "core/device_scope.h"
#include "core/dispatch.h"
#include "core/fuzz.h"
#include "core/layer_norm.h"
#include "core/ops.h"
#include "core/ops_nn.h"

namespace keras::core::ops {
namespace {


void check_defined(const Tensor& t, const char* op, const char* arg) {
  if (!t.defined()) throw_invalid(std::string(op) + ": argument `" + arg + "` is an undefined tensor");
}

void check_float(const Tensor& t, const char* op, const char* arg) {
  check_defined(t, op, arg);
  if (!is_floating(t.dtype()))
    throw_invalid(std::string(op) + ": expected `" + arg + "` of a floating dtype (float32, float64), but received " +
                  dtype_name(t.dtype()) + " with shape " + t.shape().str());
}

// target and output: same shape, same floating dtype.
void check_pair(const Tensor& target, const Tensor& output, const char* op) {
  check_float(output, op, "output");
  check_defined(target, op, "target");
  if (target.shape() != output.shape())
    throw_invalid(std::string(op) + ": expected `target` and `output` of the same shape, but received target.shape=" +
                  target.shape().str() + ", output.shape=" + output.shape().str());
  if (target.dtype() != output.dtype())
    throw_invalid(std::string(op) + ": expected `target` of output's dtype " + dtype_name(output.dtype()) +
                  ", but received " + dtype_name(target.dtype()));
}

// The axes of x named by `axis` (one or several), normalized and sorted, without repeats.
std::vector<int64_t> norm_axes(const std::vector<int64_t>& axis, int64_t rank, const char* op) {
  if (axis.empty()) throw_invalid(std::string(op) + ": expected at least one axis, but received none");
  std::vector<int64_t> out;
  for (int64_t a : axis) out.push_back(normalize_axis(a, rank, op));
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end())
    throw_invalid(std::string(op) + ": expected distinct axes, but an axis repeats");
  return out;
}

// keras.ops computes these in at least float32: integers become float32.
DType compute_dtype(DType d) { return is_floating(d) ? d : DType::float32; }

}  // namespace

Tensor binary_crossentropy(const Tensor& target, const Tensor& output, bool from_logits) {
  check_pair(target, output, "binary_crossentropy");
  if (from_logits)  // tf.nn.sigmoid_cross_entropy_with_logits, in its smooth form
    return add(multiply(target, softplus(neg(output))),
               multiply(subtract(scalar_like(target, 1.0), target), softplus(output)));
  Tensor p = clip(output, fuzz_factor(), 1.0 - fuzz_factor());
  Tensor bce = add(multiply(target, log(p)),
                   multiply(subtract(scalar_like(target, 1.0), target), log(subtract(scalar_like(p, 1.0), p))));
  return neg(bce);
}

Tensor categorical_crossentropy(const Tensor& target, const Tensor& output, bool from_logits, int64_t axis) {
  const char* op = "categorical_crossentropy";
  check_pair(target, output, op);
  if (output.rank() < 1)
    throw_invalid(std::string(op) + ": expected `target` and `output` of rank >= 1, but received shape " +
                  output.shape().str());
  const int64_t a = normalize_axis(axis, output.rank(), op);
  if (from_logits) {
    if (a == output.rank() - 1) return softmax_cross_entropy_with_logits(target, output);
    Axes perm;
    for (int64_t i = 0; i < output.rank(); ++i)
      if (i != a) perm.push_back(i);
    perm.push_back(a);
    return softmax_cross_entropy_with_logits(transpose(target, perm), transpose(output, perm));
  }
  Tensor p = divide(output, sum(output, {a}, true));
  p = clip(p, fuzz_factor(), 1.0 - fuzz_factor());
  return neg(sum(multiply(target, log(p)), {a}));
}

Tensor sparse_categorical_crossentropy(const Tensor& target, const Tensor& output, bool from_logits,
                                       int64_t axis) {
  const std::string op = "sparse_categorical_crossentropy";
  check_float(output, op.c_str(), "output");
  check_defined(target, op.c_str(), "target");
  if (output.rank() < 1)
    throw_invalid(op + ": expected `output` of rank >= 1, but received shape " + output.shape().str());
  if (axis != -1 && axis != output.rank() - 1)
    throw_invalid(op + ": only axis=-1 is supported (as Keras), but received axis=" + std::to_string(axis));
  if (target.dtype() == DType::bool_)
    throw_invalid(op + ": expected integer class ids in `target`, but received " + dtype_name(target.dtype()));
  Tensor t = target.dtype() == DType::int32 || target.dtype() == DType::int64 ? target : cast(target, DType::int64);
  if (t.rank() == output.rank() && t.rank() > 0 && t.shape()[t.rank() - 1] == 1) t = squeeze(t, {-1});
  bool ok = t.rank() == output.rank() - 1;
  for (int64_t i = 0; ok && i < t.rank(); ++i) ok = t.shape()[i] == output.shape()[i];
  if (!ok)
    throw_invalid(op + ": expected `target` of output's shape without its last axis, but received target.shape=" +
                  target.shape().str() + ", output.shape=" + output.shape().str());
  Tensor logits = from_logits ? output : log(clip(output, fuzz_factor(), 1.0 - fuzz_factor()));
  return sparse_softmax_cross_entropy_with_logits(t, logits);
}

Moments moments(const Tensor& x, const std::vector<int64_t>& axes, bool keepdims, bool /*synchronized*/) {
  check_defined(x, "moments", "x");
  if (x.dtype() == DType::bool_)
    throw_invalid(std::string("moments: expected a numeric `x`, but received ") + dtype_name(x.dtype()));
  std::vector<int64_t> ax;
  for (int64_t a : axes) ax.push_back(normalize_axis(a, x.rank(), "moments"));
  Tensor m = mean(x, ax, true);
  // The variance around the mean. (tf.nn.moments stops the mean's gradient there, which
  // changes no first derivative but makes second derivatives wrong: not done here.)
  Tensor v = mean(squared_difference(x, m), ax, true);
  if (!keepdims) {
    m = ax.empty() ? reshape(m, {}) : squeeze(m, ax);
    v = ax.empty() ? reshape(v, {}) : squeeze(v, ax);
  }
  return {m, v};
}

Tensor batch_normalization(const Tensor& x, const Tensor& mean_, const Tensor& variance, int64_t axis,
                           const Tensor& offset, const Tensor& scale, double epsilon) {
  const std::string op = "batch_normalization";
  check_float(x, op.c_str(), "x");
  check_defined(mean_, op.c_str(), "mean");
  check_defined(variance, op.c_str(), "variance");
  auto shaped = [&](const Tensor& t, const char* arg) -> Tensor {
    if (!t.defined()) return t;
    if (t.dtype() != x.dtype())
      throw_invalid(op + ": expected `" + arg + "` of x's dtype " + dtype_name(x.dtype()) + ", but received " +
                    dtype_name(t.dtype()));
    if (axis == -1) return t;
    const int64_t a = normalize_axis(axis, x.rank(), op.c_str());
    if (t.rank() != 1 || t.shape()[0] != x.shape()[a])
      throw_invalid(op + ": expected `" + arg + "` of shape (" + std::to_string(x.shape()[a]) + ",) (x's axis " +
                    std::to_string(axis) + "), but received shape " + t.shape().str() + " for x of shape " +
                    x.shape().str());
    std::vector<int64_t> s(size_t(x.rank()), 1);
    s[size_t(a)] = t.shape()[0];
    return reshape(t, s);
  };
  Tensor m = shaped(mean_, "mean"), v = shaped(variance, "variance"), o = shaped(offset, "offset"),
         sc = shaped(scale, "scale");
  Tensor inv = rsqrt(add(v, scalar_like(v, epsilon)));
  if (sc.defined()) inv = multiply(inv, sc);
  Tensor shift = neg(multiply(m, inv));
  if (o.defined()) shift = add(o, shift);
  return add(multiply(x, inv), shift);
}

Tensor layer_normalization(const Tensor& x, const Tensor& gamma, const Tensor& beta, const std::vector<int64_t>& axis,
                           std::optional<double> epsilon) {
  const char* op = "layer_normalization";
  check_defined(x, op, "x");
  const DType original = x.dtype();
  Tensor xc = cast(x, compute_dtype(original));
  std::vector<int64_t> ax = norm_axes(axis, x.rank(), op);
  std::vector<int64_t> bshape(size_t(x.rank()), 1);
  for (int64_t a : ax) bshape[size_t(a)] = x.shape()[a];
  auto param = [&](const Tensor& p) -> Tensor {
    if (!p.defined()) return p;
    Tensor q = cast(p, xc.dtype());
    if (q.rank() != x.rank() && !(ax.size() == 1 && ax[0] == x.rank() - 1)) q = reshape(q, bshape);
    return q;
  };
  Tensor g = param(gamma), b = param(beta);
  const Shape c{x.rank() > 0 ? x.shape()[x.rank() - 1] : 1};
  auto fits = [&](const Tensor& p) { return !p.defined() || p.shape() == c; };
  const double eps = epsilon.value_or(fuzz_factor());
  if (ax.size() == 1 && ax[0] == x.rank() - 1 && fits(g) && fits(b) && eps >= 0 && std::isfinite(eps) &&
      fused_layer_norm_supported(xc)) {  // one op each way
    if (!g.defined()) g = with_device(xc.device(), [&] { return ones(c, xc.dtype()); });
    if (!b.defined()) b = with_device(xc.device(), [&] { return zeros(c, xc.dtype()); });
    return cast(fused_layer_norm(xc, g, b, eps).y, original);
  }
  Moments mv = moments(xc, ax, true);
  Tensor inv = rsqrt(add(mv.variance, scalar_like(xc, epsilon.value_or(fuzz_factor()))));
  if (g.defined()) inv = multiply(inv, g);
  Tensor res = multiply(neg(mv.mean), inv);
  if (b.defined()) res = add(res, b);
  return cast(add(multiply(xc, inv), res), original);
}

Tensor rms_normalization(const Tensor& x, const Tensor& scale, const std::vector<int64_t>& axis,
                         std::optional<double> epsilon) {
  const char* op = "rms_normalization";
  check_defined(x, op, "x");
  const DType original = x.dtype();
  Tensor xc = cast(x, compute_dtype(original));
  if (xc.rank() == 0) xc = expand_dims(xc, 0);
  std::vector<int64_t> ax = norm_axes(axis, xc.rank(), op);
  Tensor rrms = rsqrt(add(mean(square(xc), ax, true), scalar_like(xc, epsilon.value_or(fuzz_factor()))));
  Tensor out = multiply(xc, rrms);
  if (scale.defined()) out = multiply(out, cast(scale, xc.dtype()));
  return cast(out, original);
}

Tensor normalize(const Tensor& x, int64_t axis, int64_t order, std::optional<double> epsilon) {
  const std::string op = "normalize";
  if (order < 1) throw_invalid(op + ": expected `order` an int >= 1, but received order=" + std::to_string(order));
  check_float(x, op.c_str(), "x");
  Tensor xe = x.rank() == 0 ? expand_dims(x, 0) : x;
  const double eps = epsilon.value_or(fuzz_factor());
  const int64_t a = normalize_axis(axis, xe.rank(), op.c_str());
  if (order == 2) {
    Tensor inv = minimum(rsqrt(sum(square(xe), {a}, true)), scalar_like(xe, 1.0 / eps));
    return multiply(xe, inv);
  }
  Tensor n = norm(xe, double(order), {a}, true);
  return divide(xe, maximum(n, scalar_like(n, eps)));
}

Tensor multi_hot(const Tensor& inputs, int64_t num_classes, int64_t axis, DType dtype) {
  const std::string op = "multi_hot";
  check_defined(inputs, op.c_str(), "inputs");
  if (!is_integer(inputs.dtype()))
    throw_invalid(op + ": expected integer class ids in `inputs`, but received " + dtype_name(inputs.dtype()));
  if (num_classes < 1) throw_invalid(op + ": expected num_classes >= 1, but received " + std::to_string(num_classes));
  if (inputs.rank() < 1)
    throw_invalid(op + ": expected `inputs` of rank >= 1, but received shape " + inputs.shape().str());
  const int64_t reduction_axis = inputs.rank() > 1 ? 1 : 0;
  const DType hot = dtype == DType::bool_ ? DType::float32 : dtype;
  Tensor oh = one_hot(inputs, num_classes, {.axis = axis, .dtype = hot});
  Tensor out = max(oh, {reduction_axis});
  return dtype == DType::bool_ ? cast(out, DType::bool_) : out;
}

Tensor in_top_k(const Tensor& targets, const Tensor& predictions, int64_t k) {
  const std::string op = "in_top_k";
  check_defined(targets, op.c_str(), "targets");
  check_float(predictions, op.c_str(), "predictions");
  if (predictions.rank() != 2 || targets.rank() != 1 || targets.shape()[0] != predictions.shape()[0])
    throw_invalid(op + ": expected `targets` (batch,) and `predictions` (batch, classes), but received "
                       "targets.shape=" + targets.shape().str() + ", predictions.shape=" + predictions.shape().str());
  if (targets.dtype() != DType::int32 && targets.dtype() != DType::int64)
    throw_invalid(op + ": expected int32 or int64 `targets`, but received " + dtype_name(targets.dtype()));
  const int64_t classes = predictions.shape()[1];
  Tensor valid = logical_and(greater_equal(targets, scalar_like(targets, 0.0)),
                             less(targets, scalar_like(targets, double(classes))));
  Tensor idx = cast(where(valid, targets, zeros_like(targets)), DType::int64);
  Tensor target_pred = take_along_axis(predictions, expand_dims(idx, 1), 1);  // (batch, 1)
  Tensor more = sum(cast(greater(predictions, target_pred), DType::int64), {1});
  Tensor in = less(more, scalar_like(more, double(k)));
  return logical_and(logical_and(valid, all(isfinite(predictions), {1})), in);
}

Tensor psnr(const Tensor& x1, const Tensor& x2, double max_val) {
  const std::string op = "psnr";
  check_defined(x1, op.c_str(), "x1");
  check_defined(x2, op.c_str(), "x2");
  if (x1.shape() != x2.shape())
    throw_invalid(op + ": expected inputs of the same shape, but received " + x1.shape().str() + " and " +
                  x2.shape().str());
  if (x1.dtype() != x2.dtype())
    throw_invalid(op + ": expected inputs of the same dtype, but received " + dtype_name(x1.dtype()) + " and " +
                  dtype_name(x2.dtype()));
  const DType dt = compute_dtype(x1.dtype());
  Tensor a = cast(x1, dt), b = cast(x2, dt);
  Tensor mse = mean(squared_difference(a, b));
  const double inv_ln10 = 1.0 / std::log(10.0);
  Tensor peak = multiply(scalar_like(mse, 20.0 * inv_ln10), log(scalar_like(mse, max_val)));
  return subtract(peak, multiply(scalar_like(mse, 10.0 * inv_ln10), log(mse)));
}

Tensor dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                             const DotProductAttentionOptions& o) {
  const std::string op = "dot_product_attention";
  check_float(query, op.c_str(), "query");
  check_float(key, op.c_str(), "key");
  check_float(value, op.c_str(), "value");
  if (query.rank() != 4 || key.rank() != 4 || value.rank() != 4)
    throw_invalid(op + ": only supports 4D inputs (batch, seq, heads, head_dim), but received query.shape=" +
                  query.shape().str() + ", key.shape=" + key.shape().str() + ", value.shape=" + value.shape().str());
  if (key.dtype() != query.dtype() || value.dtype() != query.dtype())
    throw_invalid(op + ": expected query, key and value of one dtype, but received " + dtype_name(query.dtype()) +
                  ", " + dtype_name(key.dtype()) + ", " + dtype_name(value.dtype()));
  const int64_t n = query.shape()[2], kh = key.shape()[2];
  if (key.shape() != value.shape() || key.shape()[0] != query.shape()[0] || key.shape()[3] != query.shape()[3] ||
      kh < 1 || n % kh != 0)
    throw_invalid(op + ": expected key and value (batch, S, K, head_dim) with query's batch and head_dim and K "
                       "dividing query's heads, but received query.shape=" + query.shape().str() + ", key.shape=" +
                  key.shape().str() + ", value.shape=" + value.shape().str());
  // Keras computes the default scale in float32.
  const double scale =
      o.scale ? *o.scale : double(1.0f / std::sqrt(static_cast<float>(query.shape()[3])));
  const double mask_value = -0.7 * 3.38953e38;
  const int64_t b = query.shape()[0], t = query.shape()[1], s = key.shape()[1];
  // The positions kept: the mask's and the causal one's, (..., T, S) broadcastable.
  Tensor keep;
  if (o.mask.defined()) {
    if (o.mask.dtype() != DType::bool_)
      throw_invalid(op + ": expected a bool `mask`, but received " + std::string(dtype_name(o.mask.dtype())));
    keep = o.mask;
  }
  // The mask as the fused kernels take it: (B or 1, N or 1, T, S).
  auto kernel_mask = [&](const Tensor& m) {
    if (!m.defined()) return m;
    if (m.rank() > 4)
      throw_invalid(op + ": expected a mask broadcastable to " + Shape{b, n, t, s}.str() + ", but received shape " +
                    m.shape().str());
    std::vector<int64_t> d(size_t(4 - m.rank()), 1);
    for (int64_t x : m.shape().dims()) d.push_back(x);
    Tensor r = reshape(m, d);
    return broadcast_to(r, {r.shape()[0] == 1 ? 1 : b, r.shape()[1] == 1 ? 1 : n, t, s});
  };
  if (o.flash_attention.value_or(false)) {  // by tiles, the causal mask made in the kernel
    if (o.bias.defined()) throw_invalid(op + ": flash_attention=true does not take a `bias`");
    if (!flash_attention_supported(query))
      throw_invalid(op + ": flash_attention=true has kernels for float32 and float64, but received " +
                    std::string(dtype_name(query.dtype())) + " on " + query.device().str());
    return flash_attention(query, key, value, kernel_mask(keep), scale, mask_value, o.is_causal).out;
  }
  if (o.is_causal) {
    DeviceScope on_input(query.device());  // the causal mask on the inputs' device
    Tensor causal = greater_equal(reshape(range(int64_t{0}, t), {t, 1}), reshape(range(int64_t{0}, s), {1, s}));
    keep = keep.defined() ? logical_and(keep, causal) : causal;
  }
  if (!o.bias.defined() && fused_attention_supported(query)) {
    // One pass per (batch, head) (core/attention.h).
    return fused_attention(query, key, value, kernel_mask(keep), scale, mask_value).out;  // grouped heads as they are
  }
  Tensor k = key, v = value;
  if (n != kh) {  // grouped-query attention: each key/value head serves n / kh query heads
    std::vector<int64_t> heads;
    for (int64_t h = 0; h < n; ++h) heads.push_back(h / (n / kh));
    Tensor idx = from_buffer(heads.data(), DType::int64, Shape{n}, DType::int64);
    k = gather(k, idx, 2);
    v = gather(v, idx, 2);
  }
  Tensor logits = multiply(einsum("BTNH,BSNH->BNTS", query, k), scalar_like(query, scale));
  if (o.bias.defined()) logits = add(logits, cast(o.bias, logits.dtype()));
  if (keep.defined()) logits = where(broadcast_to(keep, logits.shape()), logits, scalar_like(logits, mask_value));
  return einsum("BNTS,BSNH->BTNH", softmax(logits, -1), v);
}

}  // namespace keras::core::ops
