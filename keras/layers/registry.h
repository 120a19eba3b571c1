// registry.h - layer classes by name, so a config rebuilds the layer (Keras's
// serialization registry). Built-in layers are registered on first use; user classes
// with register_layer("MyLayer", MyLayer::from_config).
#pragma once
#include <functional>
#include <string>

#include "keras/layers/layer.h"

namespace keras::layers {

using LayerFactory = std::function<LayerPtr(const Config& config)>;
void register_layer(const std::string& class_name, LayerFactory factory);
bool is_registered(const std::string& class_name);
/// {"class_name": ..., "config": {...}} of a layer, and back.
Config serialize(const Layer& layer);
LayerPtr deserialize(const Config& c);
/// from_config(get_config()) for a layer's own class.
LayerPtr from_config(const std::string& class_name, const Config& config);

}  // namespace keras::layers
