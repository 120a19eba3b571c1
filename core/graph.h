// graph.h - (engine-internal) the graph IR of traced functions, the tracer that builds
// it at the dispatch point, its passes and its executor.
//
// A Graph is a list of nodes in execution order. Every node is an op call (OpId with
// its Attrs), an input placeholder or a captured constant; values are numbered, each
// made by one node. Nodes of ops that change state (kWritesState) keep their relative
// order and are never removed; the passes (prune, fold_constants, eliminate_common,
// plan_memory) never move a node before one it depends on.
#pragma once
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/dispatch.h"

namespace keras::core::graph {

enum class NodeKind { Input, Constant, Op };

struct Node {
  NodeKind kind = NodeKind::Op;
  OpId op = OpId::kCount;
  Attrs attrs;
  std::vector<int> inputs;   // value ids
  std::vector<int> outputs;  // value ids
  int input_index = -1;      // Input: which argument
  Tensor constant;           // Constant: the captured tensor
  bool redraw_seed = false;  // a random op whose seed came from the global generator
};

struct ValueInfo {
  Shape shape;   // as traced
  DType dtype{};
  Device device{};
};

struct Graph {
  std::vector<Node> nodes;
  std::vector<ValueInfo> values;
  std::vector<int> outputs;      // value ids of the function's results
  std::vector<std::vector<int>> drops;  // per node, the values dropped after it
  // plan_stages: nodes grouped so that each stage needs only earlier ones (empty: run in
  // order), each stage's nodes ordered by estimated cost (largest first), and what the
  // executor decides from at run time (core/graph_run.cpp): how many of a stage's nodes
  // are worth a thread of their own, the cost of the largest and of all of those.
  struct StageCost {
    int heavy = 0;
    double max = 0, total = 0;
  };
  std::vector<std::vector<int>> stages;
  std::vector<StageCost> stage_cost;
  std::vector<std::vector<int>> stage_drops;  // per stage, the values dropped after it
  int num_inputs = 0;

  int add_value(const Tensor& t);
  // Counts of op nodes (what the passes change), and a readable listing:
  //   %3 = matmul(%0, %2) : float32 (32, 10)
  int num_op_nodes() const;
  std::string str() const;
};

// Whether two nodes' attributes are equal (resources: the same objects, when compared).
bool same_attrs(const Attrs& a, const Attrs& b, bool compare_resources);

// The first node where two graphs differ, other than in the shapes of values (two traces
// of one function at different sizes of a dimension), or -1 when none does.
int64_t first_difference(const Graph& a, const Graph& b);

// Removes the nodes marked in `drop`, keeping the others' order.
void remove_nodes(Graph& g, const std::vector<char>& drop);

// ---- passes (each returns how many nodes it changed) -------------------------------------
// Drops nodes no output (and, with keep_state_changes, no state change) needs.
int prune(Graph& g, bool keep_state_changes = true);
int fold_constants(Graph& g);   // runs pure ops on constants once, at trace time
int eliminate_common(Graph& g); // merges pure nodes with the same op, attributes and inputs
// transpose(transpose(x, p), q) becomes transpose(x, p o q), and the value itself where
// that is the identity (a channels_first layer's move back, then the next one's move in).
int cancel_transposes(Graph& g);
void plan_memory(Graph& g);     // drops each value after its last use (buffers are reused); plans stages
void plan_stages(Graph& g);     // independent nodes for the executor to overlap
// Moves each early host function node (early_host_function, Attrs::flag) to right after
// the last node that makes one of its inputs, keeping the early nodes' order among
// themselves.
int schedule_early(Graph& g);

// ops::host_function (core/control_flow.h) whose node a traced graph runs as soon as its
// inputs exist, not in its traced place among the nodes that change state: for a call
// that only starts work on its inputs (a gradient all-reduce started during the backward
// pass) and touches no state that the nodes it moves past use.
std::vector<Tensor> early_host_function(const std::function<std::vector<Tensor>(const std::vector<Tensor>&)>& f,
                                        const std::vector<Tensor>& inputs, const std::vector<TensorSpec>& output_specs);
// Runs one node's op (a random op with a drawn seed draws anew).
std::vector<Tensor> call_node(const Node& n, std::span<const Tensor> in);
// How many nodes ran in parallel stages so far (all graphs; for tests and benchmarks).
int64_t parallel_nodes_run();
// fuse_elementwise (core/fusion.h) runs between pruning and the memory plan.
void optimize(Graph& g, bool fuse = true);  // all of the above, in order (fusion optional), then schedule_early

// Runs the graph on `inputs` (one per Input node). Ops go through dispatch, so tapes
// record them and an enclosing trace inlines them. With several threads and no tape or
// trace to feed, the independent heavy nodes of a stage run in parallel on the engine's
// thread pool (each node's own kernel then runs on one thread).
std::vector<Tensor> run(const Graph& g, const std::vector<Tensor>& inputs);

}  // namespace keras::core::graph

namespace keras::core::tracing {

struct Tracer {
  graph::Graph g;
  // A branch or loop body traced on its own (isolated: nothing is recorded in the traces
  // around it): tensors of `capture_from` it uses become extra inputs, listed in captures.
  Tracer* capture_from = nullptr;
  std::vector<Tensor> captures;
  int explicit_inputs = 0;
  // The arguments bound to the Input nodes hold values (a trace at the top level).
  std::vector<Tensor> input_values;
  bool concrete_inputs = false;
  std::unordered_map<const TensorImpl*, int> ids;  // traced tensor -> value id
  std::vector<Tensor> keep;  // every traced tensor, alive so its address is not reused
  bool allow_variables = true;
  Tracer* outer = nullptr;
  // Per variable, the traced tensor holding its value at this point of the trace.
  std::unordered_map<const Resource*, Tensor> variables;

  int value_of(const Tensor& t);  // its id; an unknown tensor is captured as a constant
  void bind(const Tensor& t, int id);
  void add_input(const Tensor& t, int index);  // an Input node for argument `index`, bound to t
};

// Installs a tracer on this thread for its lifetime (nested traces stack; an isolated
// one records alone and captures what it uses from the trace around it).
class Scope {
 public:
  explicit Scope(Tracer& t, bool isolated = false);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  Tracer* saved_;
};

// The value of a traced tensor now (the part of the trace it depends on, run eagerly):
// for state made while tracing, such as a variable's initial value.
Tensor evaluate(const Tensor& t, const char* what);

// A traced branch or loop body: its graph takes the explicit inputs, then the captures.
struct Subgraph : Resource {
  graph::Graph g;
  std::vector<Tensor> captures;  // tensors of the enclosing trace it reads
  int explicit_inputs = 0;
};
// Traces fn(explicit inputs) into a Subgraph while a trace is active.
std::shared_ptr<Subgraph> trace_subgraph(const std::vector<Tensor>& explicit_inputs,
                                         const std::function<std::vector<Tensor>(const std::vector<Tensor>&)>& fn,
                                         const char* what);

}  // namespace keras::core::tracing
