// compile_config.h - (private to keras) a model's compile options as keras-cpp's own
// config (the "compile" section of its files), and back; clone_model uses them too.
#pragma once
#include <string>

#include "keras/config.h"
#include "keras/models/model.h"

namespace keras::saving::detail {

// How messages about a class that is not registered end.
inline constexpr const char* kRegisterHint =
    "register the class with keras::saving::register_serializable<T>(\"Name\") before loading, or pass it in "
    "LoadOptions::custom_objects";

// The optimizer, losses, metrics, loss weights and flags of a compiled model, each by its
// serialized config (so compile_from makes fresh objects).
Config compile_config(const Model& model);
// model.compile() with fresh objects from compile_config's form; a class that is not
// registered raises std::invalid_argument naming it (`source` starts the message).
void compile_from(Model& model, const Config& c, const std::string& source);

}  // namespace keras::saving::detail
