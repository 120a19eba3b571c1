#include "keras/layers/activation_layers.h"
#include "keras/layers/options_base.h"

#include <algorithm>
#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/core_layers_util.h"

namespace keras::layers {
namespace ops = core::ops;
using detail::num;

namespace {
std::vector<ShapeSpec> same_shape(const std::vector<ShapeSpec>& shapes) { return {shapes.at(0)}; }
}  // namespace

// ---- ReLU ---------------------------------------------------------------------------------
ReLULayer::ReLULayer(const ReLUOptions& o)
    : Layer("ReLU", detail::layer_options_of(o)), o_(o) {
  supports_masking_ = true;
  if (o.max_value && *o.max_value < 0.0)
    throw std::invalid_argument(name() + ": max_value of a ReLU layer cannot be a negative value; expected "
                                "max_value >= 0, but received max_value=" + num(*o.max_value));
  if (!(o.negative_slope >= 0.0))
    throw std::invalid_argument(name() + ": negative_slope of a ReLU layer cannot be a negative value; "
                                "expected negative_slope >= 0, but received negative_slope=" +
                                num(o.negative_slope));
  if (!(o.threshold >= 0.0))
    throw std::invalid_argument(name() + ": threshold of a ReLU layer cannot be a negative value; "
                                "expected threshold >= 0, but received threshold=" + num(o.threshold));
}

Tensor ReLULayer::call(const Tensor& x, bool) {
  return activations::relu(x, o_.negative_slope, o_.max_value, o_.threshold);
}

std::vector<ShapeSpec> ReLULayer::compute_output_shape(const std::vector<ShapeSpec>& s) { return same_shape(s); }

Config ReLULayer::get_config() const {
  Config c = base_config();
  c["max_value"] = o_.max_value ? Value(*o_.max_value) : Value();
  c["negative_slope"] = o_.negative_slope;
  c["threshold"] = o_.threshold;
  return c;
}

LayerPtr ReLULayer::from_config(const Config& c) {
  ReLUOptions o;
  detail::read_base_options(c, o);
  Value mv = c.get("max_value", Value());
  if (!mv.is_null()) o.max_value = mv.as_double();
  o.negative_slope = c.get("negative_slope", 0.0).as_double();
  o.threshold = c.get("threshold", 0.0).as_double();
  return make<ReLULayer>(o);
}

Ref<ReLULayer> ReLU(const ReLUOptions& o) { return make<ReLULayer>(o); }

// ---- LeakyReLU ----------------------------------------------------------------------------
LeakyReLULayer::LeakyReLULayer(double negative_slope, const LayerOptions& o)
    : Layer("LeakyReLU", o), negative_slope_(negative_slope) {
  supports_masking_ = true;
  if (!(negative_slope >= 0.0))
    throw std::invalid_argument(name() + ": the negative_slope of a LeakyReLU layer cannot be negative; "
                                "expected a float >= 0, but received negative_slope=" + num(negative_slope));
}

Tensor LeakyReLULayer::call(const Tensor& x, bool) { return activations::leaky_relu(x, negative_slope_); }

std::vector<ShapeSpec> LeakyReLULayer::compute_output_shape(const std::vector<ShapeSpec>& s) {
  return same_shape(s);
}

Config LeakyReLULayer::get_config() const {
  Config c = base_config();
  c["negative_slope"] = negative_slope_;
  return c;
}

LayerPtr LeakyReLULayer::from_config(const Config& c) {
  Value slope = c.get("negative_slope", c.get("alpha", 0.3));
  return make<LeakyReLULayer>(slope.as_double(), layer_options_from(c));
}

Ref<LeakyReLULayer> LeakyReLU(double negative_slope, const LayerOptions& o) {
  return make<LeakyReLULayer>(negative_slope, o);
}

// ---- PReLU --------------------------------------------------------------------------------
PReLULayer::PReLULayer(const PReLUOptions& o)
    : Layer("PReLU", detail::layer_options_of(o)), o_(o) {
  supports_masking_ = true;
  for (int64_t a : o.shared_axes)
    if (a < 1)
      throw std::invalid_argument(name() + ": expected shared_axes to hold 1-based axes >= 1 (the batch "
                                  "axis 0 cannot be shared), but received shared_axes=" +
                                  detail::list_str(o.shared_axes));
}

void PReLULayer::build(const ShapeSpec& s) {
  const int64_t r = static_cast<int64_t>(s.size());
  if (r < 1)
    throw std::invalid_argument(name() + ": expected an input with a batch axis, but received input with shape " +
                                shape_str(s));
  std::vector<bool> shared(static_cast<size_t>(r), false);
  for (int64_t a : o_.shared_axes) {
    if (a >= r)
      throw std::invalid_argument(name() + ": expected shared_axes in [1, " + std::to_string(r - 1) +
                                  "] for input shape " + shape_str(s) + ", but received shared_axes=" +
                                  detail::list_str(o_.shared_axes));
    shared[static_cast<size_t>(a)] = true;
  }
  std::vector<int64_t> param;
  std::map<int64_t, int64_t> axes;
  for (int64_t i = 1; i < r; ++i) {
    if (shared[static_cast<size_t>(i)]) {
      param.push_back(1);
      continue;
    }
    const int64_t d = s[static_cast<size_t>(i)];
    if (d < 0)
      throw std::invalid_argument(name() + ": axis " + std::to_string(i) +
                                  " of the input must be known (or listed in shared_axes) to build a PReLU "
                                  "layer, but received input shape " + shape_str(s));
    param.push_back(d);
    axes[i] = d;
  }
  alpha = add_weight("alpha", Shape(param),
                     {o_.alpha_initializer.ptr(), o_.alpha_regularizer.ptr(), o_.alpha_constraint.ptr()});
  input_spec.ndim = r;
  input_spec.axes = axes;
}

Tensor PReLULayer::call(const Tensor& x, bool) {
  Tensor pos = ops::relu(x);
  Tensor neg = ops::multiply(ops::neg(alpha.value()), ops::relu(ops::neg(x)));
  return ops::add(pos, neg);
}

std::vector<ShapeSpec> PReLULayer::compute_output_shape(const std::vector<ShapeSpec>& s) { return same_shape(s); }

Config PReLULayer::get_config() const {
  Config c = base_config();
  c["alpha_initializer"] = to_config(o_.alpha_initializer);
  c["alpha_regularizer"] = to_config(o_.alpha_regularizer);
  c["alpha_constraint"] = to_config(o_.alpha_constraint);
  c["shared_axes"] = o_.shared_axes.empty() ? Value() : Value(o_.shared_axes);
  return c;
}

LayerPtr PReLULayer::from_config(const Config& c) {
  PReLUOptions o;
  detail::read_base_options(c, o);
  o.alpha_initializer = initializer_from(c.get("alpha_initializer", "zeros"));
  o.alpha_regularizer = regularizer_from(c.get("alpha_regularizer", Value()));
  o.alpha_constraint = constraint_from(c.get("alpha_constraint", Value()));
  Value sa = c.get("shared_axes", Value());
  if (sa.type() == Value::Type::list) o.shared_axes = sa.as_ints();
  else if (!sa.is_null()) o.shared_axes = {sa.as_int()};
  return make<PReLULayer>(o);
}

Ref<PReLULayer> PReLU(const PReLUOptions& o) { return make<PReLULayer>(o); }

// ---- ELU ----------------------------------------------------------------------------------
ELULayer::ELULayer(double alpha, const LayerOptions& o) : Layer("ELU", o), alpha_(alpha) {
  supports_masking_ = true;
}

Tensor ELULayer::call(const Tensor& x, bool) { return activations::elu(x, alpha_); }

std::vector<ShapeSpec> ELULayer::compute_output_shape(const std::vector<ShapeSpec>& s) { return same_shape(s); }

Config ELULayer::get_config() const {
  Config c = base_config();
  c["alpha"] = alpha_;
  return c;
}

LayerPtr ELULayer::from_config(const Config& c) {
  return make<ELULayer>(c.get("alpha", 1.0).as_double(), layer_options_from(c));
}

Ref<ELULayer> ELU(double alpha, const LayerOptions& o) { return make<ELULayer>(alpha, o); }

// ---- Softmax ------------------------------------------------------------------------------
SoftmaxLayer::SoftmaxLayer(std::vector<int64_t> axes, const LayerOptions& o)
    : Layer("Softmax", o), axes_(std::move(axes)) {
  supports_masking_ = true;
  if (axes_.empty())
    throw std::invalid_argument(name() + ": expected axis to name at least one axis, but received an "
                                "empty list");
}

void SoftmaxLayer::build(const ShapeSpec& s) {
  const int64_t r = static_cast<int64_t>(s.size());
  for (int64_t a : axes_)
    if (a < -r || a >= r)
      throw std::invalid_argument(name() + ": expected axis in [" + std::to_string(-r) + ", " +
                                  std::to_string(r) + ") for input shape " + shape_str(s) +
                                  ", but received axis=" +
                                  (axes_.size() == 1 ? std::to_string(a) : detail::list_str(axes_)));
  input_spec.min_ndim = 0;
  for (int64_t a : axes_) input_spec.min_ndim = std::max(input_spec.min_ndim, a < 0 ? -a : a + 1);
}

Tensor SoftmaxLayer::call(const Tensor& x, bool) {
  if (axes_.size() == 1) return ops::softmax(x, axes_[0]);
  return ops::exp(ops::subtract(x, ops::logsumexp(x, axes_, true)));
}

std::vector<Tensor> SoftmaxLayer::call(const std::vector<Tensor>& xs, const CallContext& ctx) {
  const Tensor mask = ctx.mask(0);
  if (!mask.defined() || xs.size() != 1) return Layer::call(xs, ctx);
  const Tensor& x = xs[0];
  const Tensor keep = mask.dtype() == DType::bool_ ? mask : ops::greater(mask, ops::scalar_like(mask, 0.5));
  // Keras 3: positions masked everywhere along the axis get 0, not a uniform distribution.
  // Masked positions get -1e9 (-3e4 in float16, which has no -1e9), as Keras 3's.
  const double large_negative = x.dtype() == DType::float16 ? -3e4 : -1e9;
  const Tensor y = call(ops::where(keep, x, ops::scalar_like(x, large_negative)), ctx.training);
  return {ops::where(keep, y, ops::zeros_like(y))};
}

std::vector<ShapeSpec> SoftmaxLayer::compute_output_shape(const std::vector<ShapeSpec>& s) {
  return same_shape(s);
}

Config SoftmaxLayer::get_config() const {
  Config c = base_config();
  c["axis"] = axes_.size() == 1 ? Value(static_cast<long long>(axes_[0])) : Value(axes_);
  return c;
}

LayerPtr SoftmaxLayer::from_config(const Config& c) {
  Value ax = c.get("axis", -1);
  std::vector<int64_t> axes = ax.type() == Value::Type::list ? ax.as_ints() : std::vector<int64_t>{ax.as_int()};
  return make<SoftmaxLayer>(axes, layer_options_from(c));
}

Ref<SoftmaxLayer> Softmax(int64_t axis, const LayerOptions& o) {
  return make<SoftmaxLayer>(std::vector<int64_t>{axis}, o);
}
Ref<SoftmaxLayer> Softmax(std::vector<int64_t> axes, const LayerOptions& o) {
  return make<SoftmaxLayer>(std::move(axes), o);
}

}  // namespace keras::layers
