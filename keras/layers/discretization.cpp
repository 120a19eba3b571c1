#include "keras/layers/discretization.h"
#include "keras/layers/options_base.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "core/ops.h"
#include "keras/data/dataset.h"
#include "keras/layers/args.h"
#include "keras/layers/categorical_encode.h"

namespace keras::layers {
namespace ops = core::ops;

namespace {
// Keras's quantile summary (keras/src/layers/preprocessing/discretization.py): columns of
// (value, weight), compressed to about 1/epsilon columns by interpolating the cumulative
// weights, in the same precisions (float32 summaries, float64 interpolation).
struct Summary {
  std::vector<float> v, w;
};

// numpy.interp for increasing xp.
double interp(double x, const std::vector<double>& xp, const std::vector<double>& fp) {
  const size_t n = xp.size();
  if (x >= xp[n - 1]) return fp[n - 1];
  if (x < xp[0]) return fp[0];
  const size_t j = static_cast<size_t>(std::upper_bound(xp.begin(), xp.end(), x) - xp.begin()) - 1;
  const double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
  return slope * (x - xp[j]) + fp[j];
}

Summary compress(const Summary& s, double epsilon) {
  if (static_cast<double>(s.v.size()) * epsilon < 1) return s;
  const auto count = static_cast<size_t>(std::ceil(1.0 / epsilon));  // len(np.arange(0, 1, epsilon))
  std::vector<double> cum(s.w.size()), cum_pct(s.w.size()), values(s.v.begin(), s.v.end());
  float acc = 0;
  for (size_t i = 0; i < s.w.size(); ++i) cum[i] = acc += s.w[i];  // float32 cumsum
  for (size_t i = 0; i < cum.size(); ++i) cum_pct[i] = static_cast<float>(static_cast<float>(cum[i]) / acc);
  Summary out;
  double prev = 0;
  for (size_t i = 0; i < count; ++i) {
    const double pct = epsilon + static_cast<double>(i) * epsilon;
    const double cw = interp(pct, cum_pct, cum);
    out.v.push_back(static_cast<float>(interp(pct, cum_pct, values)));
    out.w.push_back(static_cast<float>(cw - prev));
    prev = cw;
  }
  return out;
}

Summary summarize(std::vector<float> values, double epsilon) {
  std::sort(values.begin(), values.end());
  const double increment = static_cast<double>(values.size()) / (1.0 / epsilon);
  const double step = std::max(increment, 1.0);
  const auto istep = static_cast<size_t>(step);
  Summary s;
  for (size_t i = static_cast<size_t>(step - 1); i < values.size(); i += istep) {
    s.v.push_back(values[i]);
    s.w.push_back(static_cast<float>(step));
  }
  return s;
}
}  // namespace

DiscretizationLayer::DiscretizationLayer(const DiscretizationOptions& o)
    : Layer("Discretization", detail::layer_options_of(o, {.dynamic = true})),
      o_(o),
      boundaries_(o.bin_boundaries),
      have_boundaries_(!o.bin_boundaries.empty()) {
  if (o.output_mode != "int" && o.output_mode != "one_hot" && o.output_mode != "multi_hot" && o.output_mode != "count")
    throw std::invalid_argument(name() + ": unknown value for output_mode; expected one of 'int', 'one_hot', "
                                "'multi_hot', 'count', but received output_mode=" + o.output_mode);
  if (o.sparse && o.output_mode == "int")
    throw std::invalid_argument(name() + ": sparse=true may only be used if output_mode is 'one_hot', 'multi_hot' "
                                "or 'count', but received output_mode=int");
  if (o.num_bins < -1)
    throw std::invalid_argument(name() + ": num_bins must be greater than or equal to 0, but received num_bins=" +
                                std::to_string(o.num_bins));
  if (o.num_bins != -1 && !o.bin_boundaries.empty())
    throw std::invalid_argument(name() + ": both num_bins and bin_boundaries should not be set, but received "
                                "num_bins=" + std::to_string(o.num_bins) + " and " +
                                std::to_string(o.bin_boundaries.size()) + " bin_boundaries");
  if (o.num_bins == -1 && o.bin_boundaries.empty())
    throw std::invalid_argument(name() + ": you need to set either num_bins or bin_boundaries");
  if (!std::is_sorted(boundaries_.begin(), boundaries_.end()))
    throw std::invalid_argument(name() + ": expected sorted bin_boundaries");
}

void DiscretizationLayer::update(const Tensor& batch) {
  if (!core::is_integer(batch.dtype()) && !core::is_floating(batch.dtype()))
    throw std::invalid_argument(name() + ": adapt() expects numbers, but received dtype " +
                                core::dtype_name(batch.dtype()));
  Summary next = summarize(ops::cast(batch, DType::float32).to_vector<float>(), o_.epsilon);
  // merge_summaries(next, previous): concatenated, sorted by value, compressed.
  std::vector<size_t> order(next.v.size() + summary_values_.size());
  next.v.insert(next.v.end(), summary_values_.begin(), summary_values_.end());
  next.w.insert(next.w.end(), summary_weights_.begin(), summary_weights_.end());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return next.v[a] < next.v[b]; });
  Summary merged;
  for (size_t i : order) {
    merged.v.push_back(next.v[i]);
    merged.w.push_back(next.w[i]);
  }
  merged = compress(merged, o_.epsilon);
  summary_values_ = merged.v;
  summary_weights_ = merged.w;
}

void DiscretizationLayer::adapt(const Tensor& data) {
  if (o_.num_bins == -1)
    throw std::invalid_argument(name() + ": cannot adapt a Discretization layer that has been initialized with "
                                "bin_boundaries; use num_bins instead");
  if (o_.num_bins == 0) throw std::invalid_argument(name() + ": adapt() needs num_bins >= 1, but num_bins=0");
  if (!data.defined()) throw std::invalid_argument(name() + ": adapt() received an undefined tensor");
  summary_values_.clear();
  summary_weights_.clear();
  update(data);
  Summary s = compress({summary_values_, summary_weights_}, 1.0 / static_cast<double>(o_.num_bins));
  boundaries_.assign(s.v.begin(), s.v.empty() ? s.v.end() : s.v.end() - 1);
  have_boundaries_ = true;
}

void DiscretizationLayer::adapt(const data::Dataset& ds) {
  if (o_.num_bins == -1)
    throw std::invalid_argument(name() + ": cannot adapt a Discretization layer that has been initialized with "
                                "bin_boundaries; use num_bins instead");
  if (o_.num_bins == 0) throw std::invalid_argument(name() + ": adapt() needs num_bins >= 1, but num_bins=0");
  summary_values_.clear();
  summary_weights_.clear();
  for (const data::Element& e : ds) {
    if (e.size() != 1)
      throw std::invalid_argument(name() + ": adapt() expects a dataset of single tensors, but received elements " +
                                  e.spec());
    update(e[0]);
  }
  Summary s = compress({summary_values_, summary_weights_}, 1.0 / static_cast<double>(o_.num_bins));
  boundaries_.assign(s.v.begin(), s.v.empty() ? s.v.end() : s.v.end() - 1);
  have_boundaries_ = true;
}

Tensor DiscretizationLayer::call(const Tensor& x, bool) {
  if (!have_boundaries_)
    throw std::invalid_argument(name() + ": you need to either pass the bin_boundaries argument at construction "
                                "time or call adapt(dataset) before you can start using the layer");
  if (!core::is_integer(x.dtype()) && !core::is_floating(x.dtype()))
    throw std::invalid_argument(name() + ": expected numeric input, but received dtype " + core::dtype_name(x.dtype()));
  // x arrives in the compute dtype when it is floating (the layer autocasts it); the
  // boundaries are float32, as Keras's digitize holds them (TensorFlow's Bucketize).
  const std::vector<double> v = ops::cast(x, DType::float64).to_vector<double>();
  std::vector<double> bounds(boundaries_.size());
  for (size_t i = 0; i < bounds.size(); ++i) bounds[i] = static_cast<float>(boundaries_[i]);
  std::vector<int64_t> idx(v.size());
  for (size_t i = 0; i < v.size(); ++i)
    idx[i] = std::upper_bound(bounds.begin(), bounds.end(), v[i]) - bounds.begin();
  const auto depth = static_cast<int64_t>(boundaries_.size()) + 1;
  if (o_.output_mode == "int") return ops::cast(core::constant(idx, x.shape()), DType::int32);
  detail::EncodeArgs a{o_.output_mode, depth, compute_dtype(), o_.sparse, nullptr, nullptr, name()};
  return detail::encode_categorical(idx, x.shape(), a);
}

std::vector<ShapeSpec> DiscretizationLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  if (o_.output_mode == "int") return {shapes.at(0)};
  const int64_t depth = have_boundaries_ ? static_cast<int64_t>(boundaries_.size()) + 1 : o_.num_bins;
  return {detail::encoded_shape(shapes.at(0), o_.output_mode, depth)};
}

Config DiscretizationLayer::get_config() const {
  Config c = base_config();
  std::vector<Value> b;
  for (double x : boundaries_) b.emplace_back(x);
  c["bin_boundaries"] = have_boundaries_ ? Value(b) : Value();
  c["num_bins"] = o_.num_bins == -1 ? Value() : Value(static_cast<long long>(o_.num_bins));
  c["epsilon"] = o_.epsilon;
  c["output_mode"] = o_.output_mode;
  c["sparse"] = o_.sparse;
  return c;
}

LayerPtr DiscretizationLayer::from_config(const Config& c) {
  DiscretizationOptions o;
  detail::read_base_options(c, o);
  const Value nb = c.get("num_bins", Value());
  o.num_bins = nb.is_null() ? -1 : nb.as_int();
  o.epsilon = c.get("epsilon", 0.01).as_double();
  o.output_mode = c.get("output_mode", "int").as_string();
  o.sparse = c.get("sparse", false).as_bool();
  std::vector<double> b;
  const Value bv = c.get("bin_boundaries", Value());
  if (!bv.is_null())
    for (const Value& x : bv.as_list()) b.push_back(x.as_double());
  // An adapted layer's config has both (as Keras's from_config, the boundaries are set after).
  if (o.num_bins == -1) o.bin_boundaries = b;
  auto layer = make<DiscretizationLayer>(o);
  if (o.num_bins != -1 && !bv.is_null()) {
    layer->boundaries_ = b;
    layer->have_boundaries_ = true;
  }
  return layer;
}

Ref<DiscretizationLayer> Discretization(const DiscretizationOptions& o) { return make<DiscretizationLayer>(o); }

}  // namespace keras::layers
