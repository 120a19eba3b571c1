// export.h - keras::export_function, Model::export and keras::load_function: a traced
// inference function and its weights in one graph file (core/export.h has the format),
// loaded and run without the model's code or its registered custom classes.
//
//   model->export_graph("mlp.kgraph");                      // signature from the model's inputs
//   keras::LoadedFunction f = keras::load_function("mlp.kgraph");
//   keras::Tensor probs = f({x})[0];
//   model->export_graph("mlp.onnx", {.format = "onnx"});    // an ONNX model (opset 17)
#pragma once
#include <stdexcept>
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

class Model;

namespace saving {
/// Raised by the ONNX export for a layer it cannot write (a class with no ONNX mapping,
/// a subclass of a built-in layer, an option ONNX cannot express); layer_class() and
/// layer_name() name it.
class OnnxExportError : public std::invalid_argument {
 public:
  /// `what` is the whole message; the layer's class and name are kept apart too.
  OnnxExportError(std::string layer_class, std::string layer_name, const std::string& what);
  /// The Keras class name of the layer that cannot be written ("LSTM").
  const std::string& layer_class() const noexcept { return layer_class_; }
  /// The name of that layer in the model.
  const std::string& layer_name() const noexcept { return layer_name_; }

 private:
  std::string layer_class_, layer_name_;
};

/// The bytes of an ONNX model (IR version 8, opset 17) of model's inference function
/// (training = false), the weights stored as initializers. The graph's inputs are named
/// after the model's Input layers (their shapes from input_signature when given; the
/// batch axis is the symbolic dimension "batch"), its outputs after the layers that make
/// them. Model::export_graph(path, {.format = "onnx"}) writes these bytes atomically.
std::string export_onnx(const Model& model, const std::vector<TensorSpec>& input_signature = {});
}  // namespace saving

}  // namespace keras
