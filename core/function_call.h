// function_call.h - (engine-internal) a traced function called under a GradientTape,
// recorded as one node: the forward graph runs without recording, and the node's gradient
// runs a backward graph traced from the forward one (its vector-Jacobian product), once
// per input shape, then optimized like any traced graph.
//
// Variable reads become inputs of the forward graph, read at each call, so tapes watch
// the variables as an eager read would, and their gradients come out of the backward
// graph like any other. A graph that changes state, draws random numbers or runs C++
// (an optimizer step, dropout, a host_function, a cond or while_loop node) has no
// recorded form: it runs op by op under the tape, as before.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/graph.h"

namespace keras::core::function_call {

// Counts and the latest backward graph, shared by every call graph of one function.
struct Stats {
  int backward_traces = 0;
  std::string last_backward;
};

struct CallGraph;

// The recorded form of a traced graph, or null when the graph has none (see above).
std::shared_ptr<CallGraph> make(const graph::Graph& g, std::shared_ptr<Stats> stats, std::string name);

// Runs the call and records it on the tapes that track its inputs or read variables.
std::vector<Tensor> run(const std::shared_ptr<CallGraph>& call, const std::vector<Tensor>& args);

}  // namespace keras::core::function_call
