// export_trace.h - (engine-internal) tracing a function for export (core/export.h,
// core/export_archive.h): traced on placeholders of its signature (twice, at two sizes,
// when a dimension is -1, and the two graphs must agree), state changes and host calls
// refused, variable reads frozen to constants or made graph inputs, then the
// export passes (constant folding, common subexpressions, pruning).
#pragma once
#include <string>
#include <vector>

#include "core/autodiff.h"
#include "core/export.h"
#include "core/graph.h"

namespace keras::core::export_trace {

/// What a variable read becomes in the exported graph.
enum class Reads {
  constants,  ///< the variable's current value (export_graph: a frozen inference graph)
  inputs      ///< a graph input after the signature's (an archive's shared variables)
};

/// A traced, checked and optimized graph.
struct Traced {
  graph::Graph g;
  /// With Reads::inputs: the variables whose values the inputs after the signature's take,
  /// in order.
  std::vector<Variable> variables;
};

/// Traces body for export; raises std::invalid_argument, prefixed by `who`, when it
/// cannot be exported (see core/export.h). With Reads::inputs, a variable read inside a
/// cond or while_loop body raises too.
Traced trace(const ExportBody& body, const std::vector<TensorSpec>& signature, Reads reads, const std::string& who);

}  // namespace keras::core::export_trace
