// archive_layer.cpp - ArchiveLayer (keras/layers/archive_layer.h): an archive endpoint
// called on the layer's weights.
#include "keras/layers/archive_layer.h"

#include "keras/layers/options_base.h"

namespace keras::layers {
namespace {
LayerOptions base_options(const ArchiveLayerOptions& o) {
  LayerOptions b = detail::layer_options_of(o);
  b.autocast = false;  // the endpoints take the dtypes they were exported with
  return b;
}

void check_endpoint(const core::LoadedArchive& a, const std::string& endpoint, const std::string& filepath,
                    const char* option) {
  if (a.has_endpoint(endpoint)) return;
  std::string names;
  for (const std::string& n : a.endpoint_names()) names += (names.empty() ? "'" : ", '") + n + "'";
  throw std::invalid_argument(std::string("ArchiveLayer: ") + option + " '" + endpoint + "' is not an endpoint of '" +
                              filepath + "'; it has " + names);
}
}  // namespace

ArchiveEndpointLayer::ArchiveEndpointLayer(std::string filepath, const ArchiveLayerOptions& o)
    : Layer("ArchiveLayer", base_options(o)),
      filepath_(std::move(filepath)),
      o_(o),
      archive_(std::make_shared<core::LoadedArchive>(core::load_archive(filepath_))) {
  check_endpoint(*archive_, o_.call_endpoint, filepath_, "call_endpoint");
  if (!o_.call_training_endpoint.empty())
    check_endpoint(*archive_, o_.call_training_endpoint, filepath_, "call_training_endpoint");
  for (const Variable& v : archive_->variables()) {
    Variable w = add_weight(v.name(), v.shape(),
                            {.initializer = initializers::get("zeros"), .trainable = v.trainable(), .dtype = v.dtype(),
                             .autocast = false});
    w.assign(v.current());
    variables_.push_back(w);
  }
  set_built();
}

std::vector<Tensor> ArchiveEndpointLayer::call(const std::vector<Tensor>& xs, const CallContext& ctx) {
  const std::string& endpoint =
      ctx.training && !o_.call_training_endpoint.empty() ? o_.call_training_endpoint : o_.call_endpoint;
  return archive_->call(endpoint, xs, variables_);
}

DType ArchiveEndpointLayer::output_dtype_of(size_t index) const {
  const std::vector<DType> dtypes = archive_->output_dtypes(o_.call_endpoint);
  return index < dtypes.size() ? dtypes[index] : dtypes.back();
}

Config ArchiveEndpointLayer::get_config() const {
  Config c = base_config();
  c["filepath"] = filepath_;
  c["call_endpoint"] = o_.call_endpoint;
  c["call_training_endpoint"] = o_.call_training_endpoint.empty() ? Value() : Value(o_.call_training_endpoint);
  return c;
}

LayerPtr ArchiveEndpointLayer::from_config(const Config& c) {
  ArchiveLayerOptions o;
  detail::read_base_options(c, o);
  o.call_endpoint = c.get("call_endpoint", "serve").as_string();
  const Value t = c.get("call_training_endpoint", Value());
  if (!t.is_null()) o.call_training_endpoint = t.as_string();
  return make<ArchiveEndpointLayer>(c.at("filepath").as_string(), o);
}

Ref<ArchiveEndpointLayer> ArchiveLayer(const std::string& filepath, const ArchiveLayerOptions& o) {
  return make<ArchiveEndpointLayer>(filepath, o);
}

}  // namespace keras::layers
