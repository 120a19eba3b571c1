// archive_file.h - (engine-internal) the file format of archives (core/export_archive.h
// describes it): write() makes the bytes, read() checks them (every count, index, name and
// size, then each endpoint's graph by a trace) and raises std::invalid_argument naming
// what is wrong.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/export.h"
#include "core/graph.h"

namespace keras::core::archive_file {

/// One variable as written: its name, whether it is trainable, its value.
struct Var {
  std::string name;
  bool trainable = true;
  Tensor value;
};
/// A named list of variable indices.
struct Collection {
  std::string name;
  std::vector<int> variables;
};
/// An endpoint: its graph takes the signature's inputs, then the values of `variables`.
struct Endpoint {
  std::string name;
  std::vector<TensorSpec> signature;
  std::vector<int> variables;
  graph::Graph g;
};
/// A whole archive.
struct Archive {
  std::vector<Var> variables;
  std::vector<Collection> collections;
  std::vector<Endpoint> endpoints;
};

std::string write(const Archive& a);
Archive read(std::string_view bytes, const std::string& what);

/// Whether `name` is an endpoint or collection name: letters, digits and '_', not
/// starting with a digit, at most 256 characters.
bool valid_name(const std::string& name);

}  // namespace keras::core::archive_file
