// graph_file.h - (engine-internal) the file format of exported graphs (core/export.h
// describes it): write() makes the bytes of a frozen graph and its signature; read()
// checks them and the graph (see graph_file.cpp) and raises std::invalid_argument naming
// what is wrong.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/export.h"
#include "core/graph.h"

namespace keras::core::graph_file {

struct File {
  std::vector<TensorSpec> signature;
  graph::Graph g;
};

std::string write(const graph::Graph& g, const std::vector<TensorSpec>& signature);
File read(std::string_view bytes, const std::string& what);
/// Whether the bytes start with the graph file magic ("KCPPGRAF").
bool is_graph_file(std::string_view bytes);

}  // namespace keras::core::graph_file
