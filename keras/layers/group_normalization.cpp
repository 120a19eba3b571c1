#include "keras/layers/group_normalization.h"
#include "keras/layers/options_base.h"

#include <stdexcept>

#include "core/ops.h"

namespace keras::layers {
namespace ops = core::ops;

GroupNormalizationLayer::GroupNormalizationLayer(const GroupNormalizationOptions& o)
    : Layer("GroupNormalization", detail::layer_options_of(o)),
      o_(o) {
  supports_masking_ = true;
  if (o.groups <= 0 && o.groups != -1)
    throw std::invalid_argument(name() + ": expected a positive integer for groups (or -1 for instance "
                                "normalization), but received groups=" + std::to_string(o.groups));
}

void GroupNormalizationLayer::build(const ShapeSpec& s) {
  const int64_t r = static_cast<int64_t>(s.size());
  if (o_.axis < -r || o_.axis >= r)
    throw std::invalid_argument(name() + ": expected axis in the range [" + std::to_string(-r) + ", " +
                                std::to_string(r) + ") for input shape " + shape_str(s) +
                                ", but received axis=" + std::to_string(o_.axis));
  axis_ = o_.axis < 0 ? o_.axis + r : o_.axis;
  if (axis_ == 0)
    throw std::invalid_argument(name() + ": axis " + std::to_string(o_.axis) + " is the batch axis of input shape " +
                                shape_str(s) + "; expected a channel axis");
  const int64_t dim = s[size_t(axis_)];
  if (dim < 0)
    throw std::invalid_argument(name() + ": axis " + std::to_string(o_.axis) +
                                " of the input should have a defined dimension, but the layer received an "
                                "input with shape " + shape_str(s));
  if (o_.groups == -1) o_.groups = dim;
  if (dim < o_.groups)
    throw std::invalid_argument(name() + ": the number of groups (" + std::to_string(o_.groups) +
                                ") cannot be more than the number of channels (" + std::to_string(dim) +
                                ") of input shape " + shape_str(s));
  if (dim % o_.groups != 0)
    throw std::invalid_argument(name() + ": the number of channels (" + std::to_string(dim) +
                                ") of input shape " + shape_str(s) + " must be a multiple of the number of groups (" +
                                std::to_string(o_.groups) + ")");
  input_spec.ndim = r;
  input_spec.axes.clear();
  input_spec.axes[axis_] = dim;
  if (o_.scale)
    gamma = add_weight("gamma", Shape({dim}),
                       {o_.gamma_initializer.ptr(), o_.gamma_regularizer.ptr(), o_.gamma_constraint.ptr(), true,
                        std::nullopt, /*autocast=*/false});
  if (o_.center)
    beta = add_weight("beta", Shape({dim}),
                      {o_.beta_initializer.ptr(), o_.beta_regularizer.ptr(), o_.beta_constraint.ptr(), true,
                       std::nullopt, /*autocast=*/false});
}

Tensor GroupNormalizationLayer::call(const Tensor& input, bool) {
  Tensor x = core::is_floating(input.dtype()) ? input : ops::cast(input, dtype());
  // Keras 3: half inputs (a mixed policy) are normalized in float32, with the float32
  // weights as they are (not autocast); the result is cast back to the compute dtype.
  if (core::is_half(x.dtype())) x = ops::cast(x, DType::float32);
  const DType dt = x.dtype();
  const std::vector<int64_t> dims = x.shape().dims();
  const int64_t r = int64_t(dims.size()), g = o_.groups, per = dims[size_t(axis_)] / g;
  // (..., C, ...) -> (..., G, C/G, ...): statistics over every axis but the batch and G.
  std::vector<int64_t> grouped = dims, bshape(size_t(r) + 1, 1);
  grouped[size_t(axis_)] = per;
  grouped.insert(grouped.begin() + axis_, g);
  bshape[size_t(axis_)] = g;
  bshape[size_t(axis_) + 1] = per;
  std::vector<int64_t> axes;
  for (int64_t a = 1; a <= r; ++a)
    if (a != axis_) axes.push_back(a);
  Tensor xg = ops::reshape(x, grouped);
  auto shaped = [&](const Variable& w) {
    Tensor t = w.value();
    return ops::reshape(t.dtype() != dt ? ops::cast(t, dt) : t, bshape);
  };
  Tensor mean = ops::mean(xg, axes, true);
  Tensor variance = ops::variance(xg, axes, true);
  Tensor inv = ops::rsqrt(ops::add(variance, ops::scalar_like(variance, o_.epsilon)));
  if (o_.scale) inv = ops::multiply(inv, shaped(gamma));
  Tensor res = ops::neg(ops::multiply(mean, inv));
  if (o_.center) res = ops::add(res, shaped(beta));
  Tensor out = ops::reshape(ops::add(ops::multiply(xg, inv), res), dims);
  const DType compute = compute_dtype();
  return core::is_floating(compute) && out.dtype() != compute ? ops::cast(out, compute) : out;
}

std::vector<ShapeSpec> GroupNormalizationLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  const ShapeSpec& s = shapes.at(0);
  const int64_t r = int64_t(s.size());
  if (o_.axis < -r || o_.axis >= r)
    throw std::invalid_argument(name() + ": axis " + std::to_string(o_.axis) + " is out of bounds for input shape " +
                                shape_str(s));
  return {s};
}

Config GroupNormalizationLayer::get_config() const {
  Config c = base_config();
  c["groups"] = static_cast<long long>(o_.groups);
  c["axis"] = static_cast<long long>(o_.axis);
  c["epsilon"] = o_.epsilon;
  c["center"] = o_.center;
  c["scale"] = o_.scale;
  c["beta_initializer"] = to_config(o_.beta_initializer);
  c["gamma_initializer"] = to_config(o_.gamma_initializer);
  c["beta_regularizer"] = to_config(o_.beta_regularizer);
  c["gamma_regularizer"] = to_config(o_.gamma_regularizer);
  c["beta_constraint"] = to_config(o_.beta_constraint);
  c["gamma_constraint"] = to_config(o_.gamma_constraint);
  return c;
}

LayerPtr GroupNormalizationLayer::from_config(const Config& c) {
  GroupNormalizationOptions o;
  detail::read_base_options(c, o);
  o.groups = c.get("groups", 32).as_int();
  o.axis = c.get("axis", -1).as_int();
  o.epsilon = c.get("epsilon", 1e-3).as_double();
  o.center = c.get("center", true).as_bool();
  o.scale = c.get("scale", true).as_bool();
  o.beta_initializer = initializer_from(c.get("beta_initializer", "zeros"));
  o.gamma_initializer = initializer_from(c.get("gamma_initializer", "ones"));
  o.beta_regularizer = regularizer_from(c.get("beta_regularizer", Value()));
  o.gamma_regularizer = regularizer_from(c.get("gamma_regularizer", Value()));
  o.beta_constraint = constraint_from(c.get("beta_constraint", Value()));
  o.gamma_constraint = constraint_from(c.get("gamma_constraint", Value()));
  return make<GroupNormalizationLayer>(o);
}

Ref<GroupNormalizationLayer> GroupNormalization(const GroupNormalizationOptions& o) {
  return make<GroupNormalizationLayer>(o);
}

}  // namespace keras::layers
