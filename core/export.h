// export.h - exporting a traced function as a self-contained graph file, and loading it
// back with no model code (TensorFlow's SavedModel signatures, in one small file).
//
//   std::string bytes = core::export_graph(
//       [&](const std::vector<Tensor>& in) { return std::vector<Tensor>{model(in[0], false)}; },
//       {{{-1, 784}, DType::float32}});                      // -1: any batch size
//   keras::export_function(...) / model.export(path) write such bytes to a file atomically.
//   core::LoadedFunction f = core::load_function("model.kgraph");
//   std::vector<Tensor> out = f({x});
//
// The body is traced as by core::function; variables are frozen to their current values
// (an inference graph), and the passes run. Exporting raises, naming the op, when the
// function changes state (assign_variable, an optimizer update) or calls a
// host_function (arbitrary C++ cannot be saved). With a -1 dimension, the function is
// traced at two sizes of it and must give the same graph: one that does not (a reshape
// to a fixed batch size) raises naming the first node that differs.
//
// File: "KCPPGRAF", format version (u32), payload size (u64), CRC-32 of the payload
// (u32), payload (signature, values, nodes, constants, subgraphs; all little-endian).
// Loading checks the magic, version, size and checksum, then every count, op name,
// value id, shape and byte size against what the file holds before allocating; a bad
// file raises std::invalid_argument naming what is wrong.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.h"

namespace keras::core {

/// The function to export: input tensors to output tensors.
using ExportBody = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;
/// Traces `body` on inputs of `signature` (-1: any size) and returns the graph file's bytes
/// (see the top of this header); raises std::invalid_argument when the function changes
/// state, calls a host_function, or its graph depends on a -1 size.
std::string export_graph(const ExportBody& body, const std::vector<TensorSpec>& signature);

/// A graph read back from an exported file: callable on inputs matching its signature, with
/// no model code.
class LoadedFunction {
 public:
  LoadedFunction();
  ~LoadedFunction();
  /// Moves the loaded graph.
  LoadedFunction(LoadedFunction&&) noexcept;
  /// Moves the loaded graph.
  LoadedFunction& operator=(LoadedFunction&&) noexcept;
  /// Checks the inputs against the signature, then runs the graph.
  std::vector<Tensor> operator()(const std::vector<Tensor>& inputs) const;
  /// The input specs the graph was exported with (-1: any size).
  const std::vector<TensorSpec>& signature() const;
  /// The graph as text (one node per line, as core::Function::graph_str).
  std::string graph_str() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  friend LoadedFunction load_function_bytes(std::string_view bytes, const std::string& what);
};

/// Loads an exported graph from its bytes; `what` names the source in errors
/// (std::invalid_argument for a bad or truncated file).
LoadedFunction load_function_bytes(std::string_view bytes, const std::string& what = "load_function");
/// Reads and loads an exported graph file (std::invalid_argument naming the path when it
/// cannot be opened, or naming what is wrong when it is malformed).
LoadedFunction load_function(const std::string& path);

}  // namespace keras::core
