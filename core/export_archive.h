// export_archive.h - an archive of several exported functions sharing their variables
// (Keras's ExportArchive, TensorFlow's SavedModel with several signatures), and loading it
// back with no model code.
//
//   core::ExportArchive archive;
//   archive.add_endpoint("serve", [&](const std::vector<Tensor>& in) { return std::vector{f(in[0])}; },
//                        {{{-1, 784}, DType::float32}});       // -1: any size
//   archive.add_endpoint("features", ...);                    // the same variables, once
//   archive.write_out("model.karchive");
//   core::LoadedArchive a = core::load_archive("model.karchive");
//   std::vector<Tensor> out = a.call("serve", {x});
//
// Each endpoint is traced when it is added, as core::export_graph traces (state changes
// and host functions raise), except that its variable reads stay reads: the variables an
// endpoint reads are tracked automatically (track() adds others), written once with their
// values at write time, and loaded as Variables that every endpoint reads. Assigning one
// changes what every endpoint computes, and gradients flow to them (a GradientTape
// around a call, or layers::ArchiveLayer in a model).
//
// File: "KCPPARCH", format version (u32), payload size (u64), CRC-32 of the payload (u32),
// payload: the variables (name, trainable, value), the variable collections (name,
// indices), the endpoints (name, signature, the indices of the variables it reads, graph
// as in a graph file). Loading checks the header and checksum, every count, index, name
// and size against the bytes left, and each endpoint's graph by a trace; a bad file raises
// std::invalid_argument naming what is wrong.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/autodiff.h"
#include "core/export.h"

namespace keras::core {

/// An archive being assembled: endpoints (traced functions), the variables they share,
/// and named variable collections; write_out() writes it.
class ExportArchive {
 public:
  ExportArchive();
  ~ExportArchive();
  /// Moves the archive.
  ExportArchive(ExportArchive&&) noexcept;
  /// Moves the archive.
  ExportArchive& operator=(ExportArchive&&) noexcept;

  /// Adds variables to the archive (Keras's track(): those no endpoint reads are written
  /// too); a variable already tracked is skipped. Raises std::invalid_argument for an
  /// undefined variable.
  void track(const std::vector<Variable>& variables);
  /// Traces `fn` on inputs of `input_signature` (-1: any size) and adds it as endpoint
  /// `name`; the variables it reads are tracked. Raises std::invalid_argument for an
  /// empty, invalid (letters, digits, '_', not starting with a digit) or taken name, or a
  /// function that cannot be exported (core/export.h).
  void add_endpoint(const std::string& name, const ExportBody& fn, const std::vector<TensorSpec>& input_signature);
  /// Adds a named list of variables (tracked too), read back with
  /// LoadedArchive::variable_collection(name). Raises for a bad or taken name.
  void add_variable_collection(const std::string& name, const std::vector<Variable>& variables);
  /// The endpoints' names, in the order they were added.
  std::vector<std::string> endpoint_names() const;
  /// The tracked variables, in the order they were tracked.
  std::vector<Variable> variables() const;
  /// The archive's bytes, with the variables' current values; raises std::logic_error
  /// when no endpoint was added.
  std::string bytes() const;
  /// Writes bytes() to path atomically (a temporary file renamed over it).
  void write_out(const std::string& path) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// An archive read back: its endpoints callable by name on inputs matching their
/// signatures, and its variables (shared by the endpoints).
class LoadedArchive {
 public:
  LoadedArchive();
  ~LoadedArchive();
  /// Moves the archive.
  LoadedArchive(LoadedArchive&&) noexcept;
  /// Moves the archive.
  LoadedArchive& operator=(LoadedArchive&&) noexcept;

  /// Checks the inputs against endpoint's signature and runs it. Under a GradientTape the
  /// call is recorded (gradients reach the inputs and the variables); inside a traced
  /// function its ops join the trace. Raises std::invalid_argument for an unknown
  /// endpoint (listing those there are) or inputs that do not match.
  std::vector<Tensor> call(const std::string& endpoint, const std::vector<Tensor>& inputs) const;
  /// call() reading `variables` in place of the archive's own: one per variables(), in
  /// that order, of the same dtypes and shapes (a layer's weights made from them,
  /// layers::ArchiveLayer); raises std::invalid_argument naming the first that differs.
  std::vector<Tensor> call(const std::string& endpoint, const std::vector<Tensor>& inputs,
                           const std::vector<Variable>& variables) const;
  /// The endpoints' names, in the order they were added.
  std::vector<std::string> endpoint_names() const;
  /// Whether the archive has an endpoint of that name.
  bool has_endpoint(const std::string& endpoint) const;
  /// The input specs of an endpoint (-1: any size).
  const std::vector<TensorSpec>& signature(const std::string& endpoint) const;
  /// The dtypes of an endpoint's outputs.
  std::vector<DType> output_dtypes(const std::string& endpoint) const;
  /// An endpoint's graph as text (one node per line).
  std::string graph_str(const std::string& endpoint) const;
  /// Every variable, in the archive's order; names are the exported variables' paths.
  const std::vector<Variable>& variables() const;
  /// The trainable ones of variables().
  std::vector<Variable> trainable_variables() const;
  /// The non-trainable ones of variables().
  std::vector<Variable> non_trainable_variables() const;
  /// The variable of that name; raises std::invalid_argument naming it when there is none.
  Variable variable(const std::string& name) const;
  /// The names of the variable collections.
  std::vector<std::string> variable_collection_names() const;
  /// A collection's variables; raises std::invalid_argument for an unknown name.
  std::vector<Variable> variable_collection(const std::string& name) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  friend LoadedArchive load_archive_bytes(std::string_view bytes, const std::string& what);
};

/// Loads an archive from its bytes (a graph file written by export_graph loads too, as an
/// archive with one endpoint, "serve", and no variables); `what` names the source in
/// errors (std::invalid_argument for a bad or truncated file).
LoadedArchive load_archive_bytes(std::string_view bytes, const std::string& what = "load_archive");
/// Reads and loads an archive file (std::runtime_error when unreadable,
/// std::invalid_argument when malformed).
LoadedArchive load_archive(const std::string& path);

}  // namespace keras::core
