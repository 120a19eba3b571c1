// all.h - every built-in layer.
#pragma once
#include <functional>
#include <map>
#include <string>

#include "keras/layers/dense.h"
#include "keras/layers/merge.h"
// core layers:
// normalization layers:

namespace keras::layers {
// Registers the from_config of every built-in layer (called once by the registry).
void register_builtin_layers(std::map<std::string, std::function<LayerPtr(const Config&)>>& f);
}  // namespace keras::layers
