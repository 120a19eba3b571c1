#include "keras/layers/normalization.h"
#include "keras/layers/options_base.h"

#include <algorithm>
#include <stdexcept>

#include "core/function.h"
#include "core/ops.h"
#include "keras/settings.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {

Value values_to_config(const std::vector<double>& v) {
  if (v.empty()) return Value();
  if (v.size() == 1) return Value(v[0]);
  std::vector<Value> l;
  for (double x : v) l.emplace_back(x);
  return Value(std::move(l));
}

void flatten_into(const Value& v, std::vector<double>& out) {
  if (v.type() == Value::Type::list) {
    for (const Value& x : v.as_list()) flatten_into(x, out);
  } else {
    out.push_back(v.as_double());
  }
}

std::vector<double> values_from_config(const Value& v) {
  std::vector<double> out;
  if (!v.is_null()) flatten_into(v, out);
  return out;
}
}  // namespace

NormalizationLayer::NormalizationLayer(const NormalizationOptions& o)
    : Layer("Normalization", detail::layer_options_of(o)),
      o_(o) {
  supports_masking_ = true;  // passes its input's mask on, as Keras's
  if (o.mean.empty() != o.variance.empty())
    throw std::invalid_argument(name() + ": expected both mean and variance to be set (or neither), but received " +
                                std::to_string(o.mean.size()) + " mean values and " +
                                std::to_string(o.variance.size()) + " variance values");
  if (o.mean.size() != o.variance.size())
    throw std::invalid_argument(name() + ": expected mean and variance of the same size, but received " +
                                std::to_string(o.mean.size()) + " mean values and " +
                                std::to_string(o.variance.size()) + " variance values");
}

void NormalizationLayer::build(const ShapeSpec& s) {
  const int64_t r = static_cast<int64_t>(s.size());
  keep_.clear();
  for (int64_t a : o_.axis.axes()) {
    if (a < -r || a >= r)
      throw std::invalid_argument(name() + ": expected axis values in the range [" + std::to_string(-r) + ", " +
                                  std::to_string(r) + ") for input shape " + shape_str(s) +
                                  ", but received axis=" + o_.axis.str());
    const int64_t p = a < 0 ? a + r : a;
    if (std::find(keep_.begin(), keep_.end(), p) != keep_.end())
      throw std::invalid_argument(name() + ": axis " + o_.axis.str() + " names axis " + std::to_string(p) +
                                  " of input shape " + shape_str(s) + " twice");
    if (s[static_cast<size_t>(p)] < 0)
      throw std::invalid_argument(name() + ": the kept axes must have known sizes, but axis " +
                                  std::to_string(p) + " of input shape " + shape_str(s) + " is unknown (axis=" +
                                  o_.axis.str() + ")");
    keep_.push_back(p);
  }
  std::sort(keep_.begin(), keep_.end());
  reduce_.clear();
  bshape_.assign(static_cast<size_t>(r), 1);
  std::vector<int64_t> mvshape;
  input_spec.ndim = r;
  input_spec.axes.clear();
  for (int64_t a = 0; a < r; ++a) {
    if (std::find(keep_.begin(), keep_.end(), a) == keep_.end()) {
      reduce_.push_back(a);
      continue;
    }
    const int64_t d = s[static_cast<size_t>(a)];
    bshape_[static_cast<size_t>(a)] = d;
    mvshape.push_back(d);
    input_spec.axes[a] = d;
  }
  build_shape_ = s;

  if (o_.mean.empty()) {
    adapt_mean = add_weight("mean", Shape(mvshape), {.initializer = initializers::get("zeros"), .trainable = false});
    adapt_variance =
        add_weight("variance", Shape(mvshape), {.initializer = initializers::get("ones"), .trainable = false});
    count = add_weight("count", Shape{},
                       {.initializer = initializers::get("zeros"), .trainable = false, .dtype = DType::int64});
    return;
  }
  // Given values: one, one per index of the last kept axis, or one per kept index.
  const Shape target(bshape_);
  const int64_t n = static_cast<int64_t>(o_.mean.size());
  const int64_t total = Shape(mvshape).num_elements();
  std::vector<int64_t> vshape;
  if (n == total) {
    vshape = bshape_;
  } else if (n == 1) {
    vshape.assign(static_cast<size_t>(r), 1);
  } else if (!keep_.empty() && n == mvshape.back()) {
    vshape.assign(static_cast<size_t>(r), 1);
    vshape[static_cast<size_t>(keep_.back())] = n;
  } else {
    std::string counts = "1";
    if (!keep_.empty() && mvshape.back() != 1 && mvshape.back() != total)
      counts += ", " + std::to_string(mvshape.back());
    if (total != 1) counts += " or " + std::to_string(total);
    throw std::invalid_argument(name() + ": expected mean and variance with " + counts +
                                " values for input shape " + shape_str(s) +
                                " and axis=" + o_.axis.str() + " (kept shape " + shape_str(mvshape) +
                                "), but received " + std::to_string(n));
  }
  auto make_const = [&](const std::vector<double>& v) {
    Tensor t = ops::cast(core::constant(v, Shape(vshape)), dtype());
    return ops::broadcast_to(t, target);
  };
  mean_ = make_const(o_.mean);
  variance_ = make_const(o_.variance);
}

Tensor NormalizationLayer::call(const Tensor& input, bool) {
  Tensor x = core::is_floating(input.dtype()) ? input : ops::cast(input, dtype());
  const DType dt = x.dtype();
  Tensor mean = o_.mean.empty() ? ops::reshape(adapt_mean.value(), bshape_) : mean_;
  Tensor variance = o_.mean.empty() ? ops::reshape(adapt_variance.value(), bshape_) : variance_;
  if (mean.dtype() != dt) mean = ops::cast(mean, dt);
  if (variance.dtype() != dt) variance = ops::cast(variance, dt);
  Tensor scale = ops::maximum(ops::sqrt(variance), ops::scalar_like(variance, keras::config::epsilon()));
  if (o_.invert) return ops::add(mean, ops::multiply(x, scale));
  return ops::divide(ops::subtract(x, mean), scale);
}

void NormalizationLayer::adapt(const Tensor& data) {
  if (!o_.mean.empty())
    throw std::invalid_argument(name() + ": adapt() cannot change a layer created with given mean and variance");
  if (!data.defined()) throw std::invalid_argument(name() + ": adapt() received an undefined tensor");
  const ShapeSpec s = spec_of(data.shape());
  if (!built()) {
    build(s);
    set_built();
  } else {
    bool ok = s.size() == build_shape_.size();
    for (int64_t a : keep_) ok = ok && s[static_cast<size_t>(a)] == build_shape_[static_cast<size_t>(a)];
    if (!ok)
      throw std::invalid_argument(name() + ": the layer was built with input_shape=" + shape_str(build_shape_) +
                                  ", but adapt() received data with an incompatible shape " + shape_str(s));
  }
  int64_t n = 1;
  for (int64_t a : reduce_) n *= s[static_cast<size_t>(a)];
  if (n == 0)
    throw std::invalid_argument(name() + ": adapt() received data with no samples, of shape " + shape_str(s));
  // Statistics in float64, stored in the weights' dtype.
  Tensor x = ops::cast(data, DType::float64);
  Tensor mean = reduce_.empty() ? x : ops::mean(x, reduce_);
  Tensor variance = reduce_.empty() ? ops::zeros_like(x) : ops::variance(x, reduce_);
  adapt_mean.assign(ops::cast(mean, adapt_mean.dtype()));
  adapt_variance.assign(ops::cast(variance, adapt_variance.dtype()));
}

std::vector<ShapeSpec> NormalizationLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  return {shapes.at(0)};
}

Config NormalizationLayer::get_config() const {
  Config c = base_config();
  c["axis"] = o_.axis.to_config();
  c["invert"] = o_.invert;
  c["mean"] = values_to_config(o_.mean);
  c["variance"] = values_to_config(o_.variance);
  return c;
}

LayerPtr NormalizationLayer::from_config(const Config& c) {
  NormalizationOptions o;
  detail::read_base_options(c, o);
  o.axis = AxisArg::from_config(c.get("axis", -1));
  o.invert = c.get("invert", false).as_bool();
  o.mean = values_from_config(c.get("mean", Value()));
  o.variance = values_from_config(c.get("variance", Value()));
  return make<NormalizationLayer>(o);
}

Ref<NormalizationLayer> Normalization(const NormalizationOptions& o) { return make<NormalizationLayer>(o); }

}  // namespace keras::layers
