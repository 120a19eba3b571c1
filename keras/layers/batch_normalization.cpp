#include "keras/layers/batch_normalization.h"
#include "keras/layers/options_base.h"

#include <cmath>
#include <stdexcept>

#include "core/autodiff.h"
#include "core/batch_norm.h"
#include "core/ops.h"

namespace keras::layers {
namespace ops = core::ops;

BatchNormalizationLayer::BatchNormalizationLayer(const BatchNormalizationOptions& o)
    : Layer("BatchNormalization", detail::layer_options_of(o)),
      o_(o) {
  supports_masking_ = true;
  input_spec.min_ndim = 1;
}

void BatchNormalizationLayer::build(const ShapeSpec& s) {
  const int64_t r = static_cast<int64_t>(s.size());
  if (o_.axis < -r || o_.axis >= r)
    throw std::invalid_argument(name() + ": expected axis in the range [" + std::to_string(-r) + ", " +
                                std::to_string(r) + ") for input shape " + shape_str(s) +
                                ", but received axis=" + std::to_string(o_.axis));
  axis_ = o_.axis < 0 ? o_.axis + r : o_.axis;
  const int64_t dim = s[static_cast<size_t>(axis_)];
  if (dim < 0)
    throw std::invalid_argument(name() + ": axis " + std::to_string(o_.axis) +
                                " of the input must have a known size to build the layer, but received "
                                "input shape " + shape_str(s));
  const Shape shape{dim};
  if (o_.scale)
    gamma = add_weight("gamma", shape,
                       {.initializer = o_.gamma_initializer.ptr(), .regularizer = o_.gamma_regularizer.ptr(),
                        .constraint = o_.gamma_constraint.ptr(), .autocast = false});
  if (o_.center)
    beta = add_weight("beta", shape,
                      {.initializer = o_.beta_initializer.ptr(), .regularizer = o_.beta_regularizer.ptr(),
                       .constraint = o_.beta_constraint.ptr(), .autocast = false});
  // Keras: BatchNormalization's weights are not autocast (it computes in float32).
  moving_mean = add_weight("moving_mean", shape,
                           {.initializer = o_.moving_mean_initializer.ptr(), .trainable = false, .autocast = false});
  moving_variance = add_weight("moving_variance", shape,
                               {.initializer = o_.moving_variance_initializer.ptr(), .trainable = false, .autocast = false});
  input_spec.min_ndim = -1;
  input_spec.ndim = r;
  input_spec.axes = {{axis_, dim}};
  reduce_.clear();
  bshape_.assign(static_cast<size_t>(r), 1);
  bshape_[static_cast<size_t>(axis_)] = dim;
  for (int64_t a = 0; a < r; ++a)
    if (a != axis_) reduce_.push_back(a);
}

Tensor BatchNormalizationLayer::call(const Tensor& input, bool training) { return normalize(input, training, {}); }

std::vector<Tensor> BatchNormalizationLayer::call(const std::vector<Tensor>& xs, const CallContext& ctx) {
  const Tensor mask = ctx.mask(0);
  if (!mask.defined() || xs.size() != 1) return Layer::call(xs, ctx);
  if (mask.rank() != xs[0].rank() - 1)
    throw std::invalid_argument(name() + ": expected a mask with one dimension less than the inputs, but received "
                                "mask shape " + mask.shape().str() + " and inputs shape " + xs[0].shape().str());
  return {normalize(xs[0], ctx.training, mask)};
}

Tensor BatchNormalizationLayer::normalize(const Tensor& input, bool training, const Tensor& mask) {
  Tensor x = core::is_floating(input.dtype()) ? input : ops::cast(input, dtype());
  // Keras 3: half-precision inputs (a mixed policy) are normalized in float32, which does
  // not overflow, and the output is cast back to the compute dtype.
  if (core::is_half(x.dtype())) x = ops::cast(x, DType::float32);
  const DType dt = x.dtype();
  // The weights in the input's dtype, shaped to broadcast against it.
  const bool last = axis_ == x.shape().rank() - 1;
  auto shaped = [&](const Tensor& w) {
    Tensor t = w.dtype() == dt ? w : ops::cast(w, dt);
    return last ? t : ops::reshape(t, bshape_);
  };
  const bool batch_stats = training && trainable() && x.size() > 0;
  // The moving averages: computed from values the tapes do not see through, and
  // assigned (not recorded) - they are state, not part of the differentiated graph.
  const Shape flat{bshape_[static_cast<size_t>(axis_)]};
  auto update = [&](Variable& moving, const Tensor& batch) {
    Tensor b = ops::reshape(core::stop_gradient(batch), flat.dims());
    if (b.dtype() != moving.dtype()) b = ops::cast(b, moving.dtype());
    Tensor m = core::stop_gradient(moving.value());
    moving.assign(ops::add(ops::multiply(m, ops::scalar_like(m, o_.momentum)),
                           ops::multiply(b, ops::scalar_like(b, 1.0 - o_.momentum))));
  };
  // The last axis (channels_last) with a usable epsilon: one fused op each way
  // (core/batch_norm.h), whose backward pass is one op too.
  if (last && o_.epsilon >= 0.0 && std::isfinite(o_.epsilon) && !(batch_stats && mask.defined())) {
    const Tensor g = o_.scale ? shaped(gamma.value()) : ops::ones(flat, dt);
    const Tensor b = o_.center ? shaped(beta.value()) : ops::zeros(flat, dt);
    Tensor y;
    if (batch_stats) {
      auto r = ops::fused_batch_norm(x, g, b, o_.epsilon);
      update(moving_mean, r.mean);
      update(moving_variance, r.variance);  // the population (biased) variance, as Keras
      y = r.y;
    } else {
      y = ops::fused_batch_norm_inference(x, g, b, shaped(moving_mean.value()), shaped(moving_variance.value()),
                                          o_.epsilon);
    }
    return core::is_floating(compute_dtype()) && y.dtype() != compute_dtype() ? ops::cast(y, compute_dtype()) : y;
  }
  Tensor mean, variance;
  // An empty batch has no statistics: the moving averages stay as they are (its mean
  // would be NaN and poison them), and the output is empty.
  if (batch_stats && mask.defined()) {
    // Keras 3's masked moments: the mask gains the last axis, positions where it is false
    // count for nothing, and the sums are divided by (count + 1e-7).
    const Tensor keep = ops::expand_dims(mask.dtype() == DType::bool_ ? mask : ops::cast(mask, DType::bool_), -1);
    const Tensor zero = ops::zeros_like(x);
    auto rsum = [&](const Tensor& t) { return reduce_.empty() ? t : ops::sum(t, reduce_, true); };
    Tensor count = rsum(ops::where(keep, ops::ones_like(x), zero));
    count = ops::add(count, ops::scalar_like(count, 1e-7));
    mean = ops::divide(rsum(ops::where(keep, x, zero)), count);
    variance = ops::divide(rsum(ops::square(ops::where(keep, ops::subtract(x, mean), zero))), count);
    update(moving_mean, mean);
    update(moving_variance, variance);
  } else if (batch_stats) {
    if (reduce_.empty()) {  // rank-1 input: nothing to reduce (an empty list means "all")
      mean = x;
      variance = ops::zeros_like(x);
    } else {
      mean = ops::mean(x, reduce_, true);          // bshape_
      variance = ops::variance(x, reduce_, true);  // population variance, bshape_
    }
    update(moving_mean, mean);
    update(moving_variance, variance);
  } else {
    mean = shaped(moving_mean.value());
    variance = shaped(moving_variance.value());
  }
  // y = x * inv + (beta - mean * inv), inv = gamma / sqrt(variance + epsilon)
  Tensor inv = ops::rsqrt(ops::add(variance, ops::scalar_like(variance, o_.epsilon)));
  if (o_.scale) inv = ops::multiply(inv, shaped(gamma.value()));
  Tensor res = ops::neg(ops::multiply(mean, inv));
  if (o_.center) res = ops::add(res, shaped(beta.value()));
  Tensor y = ops::add(ops::multiply(x, inv), res);
  return core::is_floating(compute_dtype()) && y.dtype() != compute_dtype() ? ops::cast(y, compute_dtype()) : y;
}

std::vector<ShapeSpec> BatchNormalizationLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  return {shapes.at(0)};
}

Config BatchNormalizationLayer::get_config() const {
  Config c = base_config();
  c["axis"] = static_cast<long long>(o_.axis);
  c["momentum"] = o_.momentum;
  c["epsilon"] = o_.epsilon;
  c["center"] = o_.center;
  c["scale"] = o_.scale;
  c["beta_initializer"] = to_config(o_.beta_initializer);
  c["gamma_initializer"] = to_config(o_.gamma_initializer);
  c["moving_mean_initializer"] = to_config(o_.moving_mean_initializer);
  c["moving_variance_initializer"] = to_config(o_.moving_variance_initializer);
  c["beta_regularizer"] = to_config(o_.beta_regularizer);
  c["gamma_regularizer"] = to_config(o_.gamma_regularizer);
  c["beta_constraint"] = to_config(o_.beta_constraint);
  c["gamma_constraint"] = to_config(o_.gamma_constraint);
  c["synchronized"] = false;
  return c;
}

LayerPtr BatchNormalizationLayer::from_config(const Config& c) {
  BatchNormalizationOptions o;
  detail::read_base_options(c, o);
  o.axis = c.get("axis", -1).as_int();
  o.momentum = c.get("momentum", 0.99).as_double();
  o.epsilon = c.get("epsilon", 1e-3).as_double();
  o.center = c.get("center", true).as_bool();
  o.scale = c.get("scale", true).as_bool();
  o.beta_initializer = initializer_from(c.get("beta_initializer", "zeros"));
  o.gamma_initializer = initializer_from(c.get("gamma_initializer", "ones"));
  o.moving_mean_initializer = initializer_from(c.get("moving_mean_initializer", "zeros"));
  o.moving_variance_initializer = initializer_from(c.get("moving_variance_initializer", "ones"));
  o.beta_regularizer = regularizer_from(c.get("beta_regularizer", Value()));
  o.gamma_regularizer = regularizer_from(c.get("gamma_regularizer", Value()));
  o.beta_constraint = constraint_from(c.get("beta_constraint", Value()));
  o.gamma_constraint = constraint_from(c.get("gamma_constraint", Value()));
  if (c.get("synchronized", false).as_bool())
    throw std::invalid_argument("BatchNormalization.from_config: synchronized=true (cross-replica batch "
                                "statistics) is not supported, but the config sets it");
  return make<BatchNormalizationLayer>(o);
}

Ref<BatchNormalizationLayer> BatchNormalization(const BatchNormalizationOptions& o) {
  return make<BatchNormalizationLayer>(o);
}

}  // namespace keras::layers
