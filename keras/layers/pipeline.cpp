// pipeline.cpp - Pipeline: its layers in order.
#include "keras/layers/pipeline.h"

#include <stdexcept>

#include "keras/layers/registry.h"

namespace keras::layers {

PipelineLayer::PipelineLayer(std::vector<LayerPtr> layers, const PipelineOptions& o)
    : Layer("Pipeline", LayerOptions{.name = o.name}), layers_(std::move(layers)) {
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (!layers_[i])
      throw std::invalid_argument(name() + ": layer " + std::to_string(i) + " of the pipeline is null");
    track_layer(layers_[i]);
  }
}

void PipelineLayer::build(const ShapeSpec& input_shape) {
  ShapeSpec s = input_shape;
  for (const LayerPtr& l : layers_) {
    l->build_if_needed({s});
    s = l->compute_output_shape({s}).at(0);
  }
}

Tensor PipelineLayer::call(const Tensor& x, bool training) {
  Tensor y = x;
  for (const LayerPtr& l : layers_) y = (*l)(y, training);
  return y;
}

std::vector<ShapeSpec> PipelineLayer::compute_output_shape(const std::vector<ShapeSpec>& shapes) {
  std::vector<ShapeSpec> s = shapes;
  for (const LayerPtr& l : layers_) s = l->compute_output_shape(s);
  return s;
}

Config PipelineLayer::get_config() const {
  Config c = Config::object();
  std::vector<Value> entries;
  for (const LayerPtr& l : layers_) entries.push_back(serialize(*l));
  c["layers"] = Value(entries);
  c["name"] = name();
  return c;
}

LayerPtr PipelineLayer::from_config(const Config& c) {
  const Value* list = c.find("layers");
  if (!list || list->type() != Value::Type::list)
    throw std::invalid_argument("Pipeline: the config must hold \"layers\", a list of serialized layers");
  std::vector<LayerPtr> layers;
  for (const Value& e : list->as_list()) layers.push_back(deserialize(e));
  return make<PipelineLayer>(std::move(layers), PipelineOptions{.name = c.get("name", "").as_string()});
}

Ref<PipelineLayer> Pipeline(std::vector<LayerPtr> layers, const PipelineOptions& o) {
  return make<PipelineLayer>(std::move(layers), o);
}

}  // namespace keras::layers
