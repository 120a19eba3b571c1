// feature_space.cpp - FeatureSpace: Keras 3's feature types, adapt(), crosses and merge,
// one pipeline for tensors and for symbolic tensors (get_encoded_features).
#include "keras/utils/feature_space.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "core/ops.h"
#include "keras/layers/category_encoding.h"
#include "keras/layers/discretization.h"
#include "keras/layers/hashed_crossing.h"
#include "keras/layers/hashing.h"
#include "keras/layers/identity.h"
#include "keras/layers/integer_lookup.h"
#include "keras/layers/merge.h"
#include "keras/layers/normalization.h"
#include "keras/layers/registry.h"
#include "keras/layers/rescaling.h"
#include "keras/layers/string_lookup.h"
#include "keras/models/model.h"

namespace keras::utils {
namespace ops = core::ops;
using layers::LayerPtr;

namespace {
[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument("FeatureSpace: " + what); }

void check_output_mode(const std::string& mode) {
  if (mode != "float" && mode != "one_hot" && mode != "int")
    fail("expected a feature output_mode \"float\", \"one_hot\" or \"int\", but received \"" + mode + "\"");
}

// The size of a preprocessor's output space, for one_hot (none: not known).
std::optional<int64_t> cardinality(const LayerPtr& p) {
  if (auto* l = dynamic_cast<layers::IntegerLookupLayer*>(p.get())) return l->vocabulary_size();
  if (auto* l = dynamic_cast<layers::StringLookupLayer*>(p.get())) return l->vocabulary_size();
  if (auto* d = dynamic_cast<layers::DiscretizationLayer*>(p.get())) return int64_t(d->bin_boundaries().size()) + 1;
  if (auto* h = dynamic_cast<layers::HashingLayer*>(p.get())) return h->num_bins();
  if (auto* c = dynamic_cast<layers::HashedCrossingLayer*>(p.get())) return c->num_bins();
  if (auto* e = dynamic_cast<layers::CategoryEncodingLayer*>(p.get())) return e->num_tokens();
  return std::nullopt;
}

// Whether a preprocessor still needs adapt().
bool needs_adapt(const LayerPtr& p) {
  // Keras: a Normalization adapts unless created with a mean and variance (an unadapted one
  // passes its input through, so nothing else tells).
  if (auto* n = dynamic_cast<layers::NormalizationLayer*>(p.get())) return n->options().mean.empty();
  if (auto* l = dynamic_cast<layers::IntegerLookupLayer*>(p.get())) return !l->has_vocabulary();
  if (auto* l = dynamic_cast<layers::StringLookupLayer*>(p.get())) return !l->has_vocabulary();
  if (auto* d = dynamic_cast<layers::DiscretizationLayer*>(p.get())) return d->bin_boundaries().empty();
  return false;
}

void adapt_one(const LayerPtr& p, const Tensor& column) {
  if (auto* n = dynamic_cast<layers::NormalizationLayer*>(p.get())) n->adapt(column);
  else if (auto* l = dynamic_cast<layers::IntegerLookupLayer*>(p.get())) l->adapt(column);
  else if (auto* s = dynamic_cast<layers::StringLookupLayer*>(p.get())) s->adapt(column);
  else if (auto* d = dynamic_cast<layers::DiscretizationLayer*>(p.get())) d->adapt(column);
}

bool is_int(DType d) { return d != DType::string && d != DType::bool_ && !core::is_floating(d); }
}  // namespace

std::string Cross::name() const {
  std::string n;
  for (size_t i = 0; i < feature_names.size(); ++i) n += (i ? "_X_" : "") + feature_names[i];
  return n;
}

struct FeatureSpace::Impl {
  std::map<std::string, Feature> features;  // sorted by name: Keras's merge order
  std::vector<Cross> crosses;               // sorted by name
  std::map<std::string, LayerPtr> crossers, encoders;
  FeatureSpaceOptions options;
  bool adapted = false;
  LayerPtr concat;
  std::map<std::string, KerasTensor> inputs;
  std::vector<KerasTensor> encoded;

  void check_adapted() {
    if (adapted) return;
    for (const auto& [name, f] : features)
      if (needs_adapt(f.preprocessor))
        fail("You need to call `.adapt(dataset)` on the FeatureSpace before you can start using it (feature '" +
             name + "' is not adapted)");
    adapted = true;
  }

  // The encoder of an output (one_hot: CategoryEncoding over its preprocessor's space),
  // made at the first use after adapt(); null for float and int outputs.
  LayerPtr encoder(const std::string& name, const std::string& mode, const LayerPtr& pre, DType out) {
    if (mode != "one_hot") return LayerPtr();
    if (auto it = encoders.find(name); it != encoders.end()) return it->second;
    if (!is_int(out))
      fail("Feature '" + name + "' has `output_mode='one_hot'`. Thus its preprocessor should return an integer "
           "dtype. Instead it returns a " + std::string(dtype_name(out)) + " dtype.");
    const std::optional<int64_t> n = cardinality(pre);
    if (!n)
      fail("Feature '" + name + "' has `output_mode='one_hot'`. However it isn't a standard feature and the "
           "dimensionality of its output space is not known, thus it cannot be one-hot encoded. Try using "
           "`output_mode='int'`.");
    return encoders[name] = layers::CategoryEncoding(*n, {.output_mode = "multi_hot"});
  }

  // The pipeline, for tensors (T = Tensor) and symbolic tensors (T = KerasTensor):
  // preprocess, cross, encode; the outputs in output order.
  template <class T>
  std::vector<std::pair<std::string, T>> run(const std::map<std::string, T>& in) {
    std::map<std::string, T> pre;
    for (const auto& [name, f] : features) pre.emplace(name, (*f.preprocessor)(in.at(name)));
    std::vector<std::pair<std::string, T>> out;
    auto add = [&](const std::string& name, const std::string& mode, const LayerPtr& layer, const T& value) {
      if (LayerPtr e = encoder(name, mode, layer, value.dtype())) out.emplace_back(name, (*e)(value));
      else out.emplace_back(name, value);
      const DType d = out.back().second.dtype();
      if (options.output_mode == "concat" && (is_int(d) || d == DType::string))
        fail("Cannot concatenate features because feature '" + name + "' has not been encoded (it has dtype " +
             std::string(dtype_name(d)) + "). Consider using `output_mode='dict'`.");
    };
    for (const auto& [name, f] : features) add(name, f.output_mode, f.preprocessor, pre.at(name));
    for (const Cross& c : crosses) {
      std::vector<T> parts;
      for (const std::string& n : c.feature_names) parts.push_back(pre.at(n));
      const LayerPtr& crosser = crossers.at(c.name());
      add(c.name(), c.output_mode, crosser, (*crosser)(parts).at(0));
    }
    return out;
  }
};

FeatureSpace::FeatureSpace(const std::map<std::string, FeatureArg>& features, const FeatureSpaceOptions& o)
    : impl_(std::make_shared<Impl>()) {
  Impl& im = *impl_;
  im.options = o;
  if (features.empty()) fail("The `features` argument cannot be None or empty.");
  if (o.output_mode != "concat" && o.output_mode != "dict")
    fail("Invalid value for argument `output_mode`. Expected one of {'dict', 'concat'}. Received: output_mode=" +
         o.output_mode);
  for (const auto& [name, arg] : features) {
    Feature f;
    if (arg.feature) f = *arg.feature;
    else if (arg.type == "float") f = float_();
    else if (arg.type == "float_normalized") f = float_normalized();
    else if (arg.type == "float_rescaled") f = float_rescaled();
    else if (arg.type == "float_discretized") f = float_discretized(o.num_discretization_bins);
    else if (arg.type == "integer_categorical") f = integer_categorical();
    else if (arg.type == "string_categorical") f = string_categorical();
    else if (arg.type == "integer_hashed") f = integer_hashed(o.hashing_dim);
    else if (arg.type == "string_hashed") f = string_hashed(o.hashing_dim);
    else fail("Invalid feature type: " + arg.type + " (feature '" + name + "')");
    if (!f.preprocessor) fail("feature '" + name + "' has no preprocessor");
    im.features.emplace(name, std::move(f));
  }
  im.crosses = o.crosses;
  std::sort(im.crosses.begin(), im.crosses.end(), [](const Cross& a, const Cross& b) { return a.name() < b.name(); });
  for (const Cross& c : im.crosses) {
    for (const std::string& n : c.feature_names)
      if (!im.features.count(n))
        fail("All features referenced in the `crosses` argument should be present in the `features` dict. "
             "Received unknown features: " + c.name());
    if (c.feature_names.size() < 2) fail("a cross needs 2 or more features, but '" + c.name() + "' has fewer");
    check_output_mode(c.output_mode);
    if (c.output_mode == "float") fail("a cross' output_mode is \"one_hot\" or \"int\", not \"float\"");
    im.crossers[c.name()] = layers::HashedCrossing(c.crossing_dim, {.name = c.name()});
  }
  if (o.output_mode == "concat") im.concat = layers::Concatenate(-1);
}

Feature FeatureSpace::float_() { return {DType::float32, layers::Identity(), "float"}; }
Feature FeatureSpace::float_rescaled(double scale, double offset) {
  return {DType::float32, layers::Rescaling(scale, offset), "float"};
}
Feature FeatureSpace::float_normalized() { return {DType::float32, layers::Normalization({.axis = {-1}}), "float"}; }
Feature FeatureSpace::float_discretized(int64_t num_bins, std::vector<double> bin_boundaries, std::string output_mode) {
  check_output_mode(output_mode);
  layers::DiscretizationOptions d;
  if (bin_boundaries.empty()) d.num_bins = num_bins;
  else d.bin_boundaries = std::move(bin_boundaries);
  return {DType::float32, layers::Discretization(d), std::move(output_mode)};
}
Feature FeatureSpace::integer_categorical(const CategoricalOptions& o) {
  check_output_mode(o.output_mode);
  return {DType::int32, layers::IntegerLookup({.max_tokens = o.max_tokens, .num_oov_indices = o.num_oov_indices}),
          o.output_mode};
}
Feature FeatureSpace::string_categorical(const CategoricalOptions& o) {
  check_output_mode(o.output_mode);
  return {DType::string, layers::StringLookup({.max_tokens = o.max_tokens, .num_oov_indices = o.num_oov_indices}),
          o.output_mode};
}
Feature FeatureSpace::string_hashed(int64_t num_bins, std::string output_mode) {
  check_output_mode(output_mode);
  return {DType::string, layers::Hashing(num_bins), std::move(output_mode)};
}
Feature FeatureSpace::integer_hashed(int64_t num_bins, std::string output_mode) {
  check_output_mode(output_mode);
  return {DType::int32, layers::Hashing(num_bins), std::move(output_mode)};
}
Feature FeatureSpace::feature(DType dtype, LayerPtr preprocessor, std::string output_mode) {
  check_output_mode(output_mode);
  if (!preprocessor) fail("feature(): the preprocessor is null");
  return {dtype, std::move(preprocessor), std::move(output_mode)};
}
Cross FeatureSpace::cross(std::vector<std::string> feature_names, int64_t crossing_dim, std::string output_mode) {
  return {std::move(feature_names), crossing_dim, std::move(output_mode)};
}

namespace {
// A column as (rows, 1): a scalar is one row, a vector one value per row.
Tensor as_column(const std::string& name, const Tensor& x) {
  if (!x.defined()) fail("feature '" + name + "' is an undefined tensor");
  if (x.rank() == 0) return ops::reshape(x, {1, 1});
  if (x.rank() == 1) return ops::expand_dims(x, -1);
  return x;
}
}  // namespace

void FeatureSpace::adapt(const std::map<std::string, Tensor>& columns) {
  for (const auto& [name, f] : impl_->features) {
    if (!needs_adapt(f.preprocessor)) continue;
    auto it = columns.find(name);
    if (it == columns.end()) fail("adapt(): the data has no column '" + name + "'");
    Tensor col = as_column(name, it->second);
    if (f.dtype == DType::float32 && col.dtype() != DType::float32) col = ops::cast(col, DType::float32);
    adapt_one(f.preprocessor, col);
  }
  impl_->adapted = true;
}

void FeatureSpace::mark_adapted() { impl_->adapted = true; }

void FeatureSpace::adapt(const data::Dataset& dataset) {
  std::map<std::string, std::vector<Tensor>> parts;
  for (const data::Element& e : dataset) {
    if (!e.named()) fail("adapt(): expected a dataset of dicts (named components), but received " + e.spec());
    for (const auto& [name, f] : impl_->features)
      if (needs_adapt(f.preprocessor)) {
        if (!e.contains(name)) fail("adapt(): the dataset's elements " + e.spec() + " have no '" + name + "'");
        parts[name].push_back(as_column(name, e[name]));
      }
  }
  std::map<std::string, Tensor> columns;
  for (auto& [name, list] : parts) columns[name] = ops::concatenate(list, 0);
  adapt(columns);
}

data::Element FeatureSpace::operator()(const std::map<std::string, Tensor>& features) {
  Impl& im = *impl_;
  im.check_adapted();
  std::map<std::string, Tensor> in;
  bool one_row = false;
  for (const auto& [name, f] : im.features) {
    auto it = features.find(name);
    if (it == features.end()) fail("the data has no feature '" + name + "'");
    one_row = one_row || it->second.rank() == 0;
    Tensor col = as_column(name, it->second);
    if (f.dtype == DType::float32 && col.dtype() != DType::float32) col = ops::cast(col, DType::float32);
    in.emplace(name, col);
  }
  auto out = im.run(in);
  auto unbatch = [&](const Tensor& t) { return one_row && t.rank() >= 1 && t.shape()[0] == 1 ? ops::squeeze(t, {0}) : t; };
  if (im.options.output_mode == "concat") {
    std::vector<Tensor> parts;
    for (auto& [n, t] : out) parts.push_back(t);
    Tensor merged = parts.size() == 1 ? parts[0] : (*im.concat)(parts).at(0);
    return data::Element(unbatch(merged));
  }
  std::map<std::string, Tensor> named;
  for (auto& [n, t] : out) named[n] = unbatch(t);
  std::vector<Tensor> components;
  std::vector<std::string> names;
  for (auto& [n, t] : out) {  // output order
    names.push_back(n);
    components.push_back(named[n]);
  }
  return data::Element(std::move(components), std::move(names));
}

data::Element FeatureSpace::operator()(const data::Element& features) {
  if (!features.named()) fail("A FeatureSpace can only be called with a dict. Received: " + features.spec());
  std::map<std::string, Tensor> m;
  for (const std::string& n : features.names()) m.emplace(n, features[n]);
  return (*this)(m);
}

Tensor FeatureSpace::encode(const std::map<std::string, Tensor>& features) {
  if (impl_->options.output_mode != "concat")
    fail("encode() gives the concat output, but output_mode is \"" + impl_->options.output_mode + "\"; call the "
         "FeatureSpace for its dict");
  return (*this)(features)[0];
}

std::map<std::string, KerasTensor> FeatureSpace::get_inputs() {
  Impl& im = *impl_;
  if (im.inputs.empty())
    for (const auto& [name, f] : im.features) im.inputs.emplace(name, Input({1}, {.dtype = f.dtype, .name = name}));
  return im.inputs;
}

std::vector<KerasTensor> FeatureSpace::get_encoded_features() {
  Impl& im = *impl_;
  im.check_adapted();
  if (im.encoded.empty()) {
    auto out = im.run(get_inputs());
    std::vector<KerasTensor> parts;
    for (auto& [n, t] : out) parts.push_back(t);
    if (im.options.output_mode == "concat" && parts.size() > 1) parts = {(*im.concat)(parts).at(0)};
    im.encoded = parts;
  }
  return im.encoded;
}

std::vector<std::string> FeatureSpace::output_names() const {
  std::vector<std::string> n;
  for (const auto& [name, f] : impl_->features) n.push_back(name);
  for (const Cross& c : impl_->crosses) n.push_back(c.name());
  return n;
}

LayerPtr FeatureSpace::preprocessor(const std::string& feature) const {
  auto it = impl_->features.find(feature);
  if (it == impl_->features.end()) throw std::out_of_range("FeatureSpace: no feature '" + feature + "'");
  return it->second.preprocessor;
}

Config FeatureSpace::get_config() const {
  const Impl& im = *impl_;
  Config features = Config::object();
  for (const auto& [name, f] : im.features) {
    Config c = Config::object();
    c["dtype"] = std::string(dtype_name(f.dtype));
    c["preprocessor"] = layers::serialize(*f.preprocessor);
    c["output_mode"] = f.output_mode;
    features[name] = c;
  }
  std::vector<Value> crosses;
  for (const Cross& x : im.crosses) {
    Config c = Config::object();
    std::vector<Value> names(x.feature_names.begin(), x.feature_names.end());
    c["feature_names"] = Value(names);
    c["crossing_dim"] = x.crossing_dim;
    c["output_mode"] = x.output_mode;
    crosses.push_back(c);
  }
  Config c = Config::object();
  c["features"] = features;
  c["output_mode"] = im.options.output_mode;
  c["crosses"] = Value(crosses);
  c["crossing_dim"] = im.options.crossing_dim;
  c["hashing_dim"] = im.options.hashing_dim;
  c["num_discretization_bins"] = im.options.num_discretization_bins;
  return c;
}

}  // namespace keras::utils
