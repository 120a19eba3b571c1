// export.h - keras::export_function, Model::export and keras::load_function: a traced
// inference function and its weights in one graph file (core/export.h has the format),
// loaded and run without the model's code or its registered custom classes.
//
//   model->export_graph("mlp.kgraph");                      // signature from the model's inputs
//   keras::LoadedFunction f = keras::load_function("mlp.kgraph");
//   keras::Tensor probs = f({x})[0];
#pragma once
#include <string>
#include <vector>

#include "core/export.h"

namespace keras {
using core::LoadedFunction;
using core::TensorSpec;

/// Traces body on inputs of the given specs (-1: any size) and writes the graph with the
/// variables' current values to path, atomically (a temporary file renamed over it).
void export_function(const core::ExportBody& body, const std::vector<TensorSpec>& signature, const std::string& path);
/// Loads a graph file written by export_function or Model::export_graph as a callable
/// LoadedFunction (core::load_function); no model code or registration is needed.
LoadedFunction load_function(const std::string& path);

}  // namespace keras
