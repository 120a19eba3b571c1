#include "keras/layers/layer_normalization.h"
#include "keras/layers/options_base.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/device_scope.h"
#include "core/layer_norm.h"
#include "core/ops.h"
#include "keras/layers/norm_axes_internal.h"

namespace keras::layers {
namespace ops = core::ops;

// ---- AxisArg ------------------------------------------------------------------------------
std::string AxisArg::str() const {
  if (form_ == Form::none) return "None";
  if (form_ == Form::single) return std::to_string(axes_.at(0));
  std::string r = "[";
  for (size_t i = 0; i < axes_.size(); ++i) r += (i ? ", " : "") + std::to_string(axes_[i]);
  return r + "]";
}

Value AxisArg::to_config() const {
  if (form_ == Form::none) return Value();
  if (form_ == Form::single) return Value(static_cast<long long>(axes_.at(0)));
  return Value(axes_);
}

AxisArg AxisArg::from_config(const Value& v) {
  switch (v.type()) {
    case Value::Type::null: return AxisArg(nullptr);
    case Value::Type::integer: return AxisArg(v.as_int());
    case Value::Type::list: {
      std::vector<int64_t> a;
      for (const Value& x : v.as_list()) a.push_back(x.as_int());
      return AxisArg(std::move(a));
    }
    default:
      throw std::invalid_argument(std::string("axis: expected an int, a list of ints or null, but received ") +
                                  v.type_name());
  }
}

// ---- LayerNormalization -------------------------------------------------------------------
LayerNormalizationLayer::LayerNormalizationLayer(const LayerNormalizationOptions& o)
    // Keras 3: autocast off (inputs and weights kept; it computes in at least float32).
    : Layer("LayerNormalization",
            detail::layer_options_of(o, {.autocast = false})),
      o_(o) {
  supports_masking_ = true;
  if (o.axis.is_none() || o.axis.axes().empty())
    throw std::invalid_argument(name() + ": expected an int or a non-empty list of ints for axis, but received " +
                                o.axis.str());
}

std::vector<int64_t> detail::normalized_axes(const std::string& layer, const AxisArg& axis, const ShapeSpec& s) {
  const int64_t r = static_cast<int64_t>(s.size());
  std::vector<int64_t> axes;
  for (int64_t a : axis.axes()) {
    if (a < -r || a >= r)
      throw std::invalid_argument(layer + ": expected axis in the range [" + std::to_string(-r) + ", " +
                                  std::to_string(r) + ") for input shape " + shape_str(s) +
                                  ", but received axis=" + axis.str());
    const int64_t p = a < 0 ? a + r : a;
    if (std::find(axes.begin(), axes.end(), p) != axes.end())
      throw std::invalid_argument(layer + ": axis " + axis.str() + " names axis " + std::to_string(p) +
                                  " of input shape " + shape_str(s) + " twice");
    if (s[static_cast<size_t>(p)] < 0)
      throw std::invalid_argument(layer + ": the normalized axes must have known sizes, but axis " +
                                  std::to_string(p) + " of input shape " + shape_str(s) + " is unknown");
    axes.push_back(p);
  }
  std::sort(axes.begin(), axes.end());
  return axes;
}

void LayerNormalizationLayer::build(const ShapeSpec& s) {
  const int64_t r = static_cast<int64_t>(s.size());
  axes_ = detail::normalized_axes(name(), o_.axis, s);
  std::vector<int64_t> pshape;
  bshape_.assign(static_cast<size_t>(r), 1);
  input_spec.ndim = r;
  input_spec.axes.clear();
  for (int64_t a : axes_) {
    const int64_t d = s[static_cast<size_t>(a)];
    pshape.push_back(d);
    bshape_[static_cast<size_t>(a)] = d;
    input_spec.axes[a] = d;
  }
  if (o_.scale || o_.rms_scaling)
    gamma = add_weight("gamma", Shape(pshape),
                       {.initializer = o_.gamma_initializer.ptr(), .regularizer = o_.gamma_regularizer.ptr(),
                        .constraint = o_.gamma_constraint.ptr(), .autocast = false});
  if (o_.center && !o_.rms_scaling)
    beta = add_weight("beta", Shape(pshape),
                      {.initializer = o_.beta_initializer.ptr(), .regularizer = o_.beta_regularizer.ptr(),
                       .constraint = o_.beta_constraint.ptr(), .autocast = false});
}

Tensor LayerNormalizationLayer::call(const Tensor& input, bool) {
  Tensor x = core::is_floating(input.dtype()) ? input : ops::cast(input, dtype());
  // Keras 3: half inputs (a mixed policy) are normalized in float32; the output is cast
  // to the compute dtype.
  if (core::is_half(x.dtype())) x = ops::cast(x, DType::float32);
  const DType dt = x.dtype();
  auto out = [&](const Tensor& y) {
    return core::is_floating(compute_dtype()) && y.dtype() != compute_dtype() ? ops::cast(y, compute_dtype()) : y;
  };
  const int64_t r = x.shape().rank();
  const bool last_only = axes_.size() == 1 && axes_[0] == r - 1;
  auto shaped = [&](const Variable& w) {
    Tensor t = w.value();
    if (t.dtype() != dt) t = ops::cast(t, dt);
    return last_only ? t : ops::reshape(t, bshape_);
  };
  const bool eps_ok = o_.epsilon >= 0 && std::isfinite(o_.epsilon);  // (else the composition's NaN, as Keras)
  if (last_only && !o_.rms_scaling && eps_ok && core::ops::fused_layer_norm_supported(x)) {  // one op each way
    const Shape c{x.shape()[r - 1]};
    auto filled = [&](double v) { return core::with_device(x.device(), [&] { return ops::full(c, v, dt); }); };
    return out(core::ops::fused_layer_norm(x, o_.scale ? shaped(gamma) : filled(1.0),
                                           o_.center ? shaped(beta) : filled(0.0), o_.epsilon)
                   .y);
  }
  Tensor variance = ops::variance(x, axes_, true);
  Tensor inv = ops::rsqrt(ops::add(variance, ops::scalar_like(variance, o_.epsilon)));
  if (o_.rms_scaling)  // Keras 3: x * rsqrt(variance + epsilon) * gamma, no centering
    return out(ops::multiply(ops::multiply(x, inv), shaped(gamma)));
  Tensor mean = ops::mean(x, axes_, true);
  if (o_.scale) inv = ops::multiply(inv, shaped(gamma));
  Tensor res = ops::neg(ops::multiply(mean, inv));
  if (o_.center) res = ops::add(res, shaped(beta));
  return out(ops::add(ops::multiply(x, inv), res));
}

std::vector<ShapeSpec> LayerNormalizationLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  return {shapes.at(0)};
}

Config LayerNormalizationLayer::get_config() const {
  Config c = base_config();
  c["axis"] = o_.axis.to_config();
  c["epsilon"] = o_.epsilon;
  c["center"] = o_.center;
  c["scale"] = o_.scale;
  c["rms_scaling"] = o_.rms_scaling;
  c["beta_initializer"] = to_config(o_.beta_initializer);
  c["gamma_initializer"] = to_config(o_.gamma_initializer);
  c["beta_regularizer"] = to_config(o_.beta_regularizer);
  c["gamma_regularizer"] = to_config(o_.gamma_regularizer);
  c["beta_constraint"] = to_config(o_.beta_constraint);
  c["gamma_constraint"] = to_config(o_.gamma_constraint);
  return c;
}

LayerPtr LayerNormalizationLayer::from_config(const Config& c) {
  LayerNormalizationOptions o;
  detail::read_base_options(c, o);
  o.axis = AxisArg::from_config(c.get("axis", -1));
  o.epsilon = c.get("epsilon", 1e-3).as_double();
  o.center = c.get("center", true).as_bool();
  o.scale = c.get("scale", true).as_bool();
  o.rms_scaling = c.get("rms_scaling", false).as_bool();
  o.beta_initializer = initializer_from(c.get("beta_initializer", "zeros"));
  o.gamma_initializer = initializer_from(c.get("gamma_initializer", "ones"));
  o.beta_regularizer = regularizer_from(c.get("beta_regularizer", Value()));
  o.gamma_regularizer = regularizer_from(c.get("gamma_regularizer", Value()));
  o.beta_constraint = constraint_from(c.get("beta_constraint", Value()));
  o.gamma_constraint = constraint_from(c.get("gamma_constraint", Value()));
  return make<LayerNormalizationLayer>(o);
}

Ref<LayerNormalizationLayer> LayerNormalization(const LayerNormalizationOptions& o) {
  return make<LayerNormalizationLayer>(o);
}

}  // namespace keras::layers
