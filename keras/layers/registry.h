// registry.h - layer classes by name, so a config rebuilds the layer (Keras's
// serialization registry). Built-in layers are registered on first use; user classes
// with register_layer("MyLayer", MyLayer::from_config).
#pragma once
#include <functional>
#include <string>

#include "keras/layers/layer.h"

namespace keras::layers {

/// Rebuilds a layer from its config (a class's from_config).
using LayerFactory = std::function<LayerPtr(const Config& config)>;
/// Registers a layer class under its Keras class name (replacing an earlier one); throws
/// std::invalid_argument for an empty factory.
void register_layer(const std::string& class_name, LayerFactory factory);
/// Whether a layer class (built-in or registered) is known under that name.
bool is_registered(const std::string& class_name);
///@{
/// {"class_name": ..., "config": {...}} of a layer, and back; deserialize throws
/// std::invalid_argument for an unregistered class.
Config serialize(const Layer& layer);
LayerPtr deserialize(const Config& c);
///@}
/// from_config(get_config()) for a layer's own class.
LayerPtr from_config(const std::string& class_name, const Config& config);

}  // namespace keras::layers
