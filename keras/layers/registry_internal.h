// registry_internal.h - (keras-internal) what the layer registry knows beyond
// keras/layers/registry.h: whether a class is one of keras-cpp's own.
#pragma once
#include <string>

namespace keras::layers::detail {

/// Whether `class_name` names a built-in layer or model class (not one a user registered).
bool is_builtin(const std::string& class_name);

}  // namespace keras::layers::detail
