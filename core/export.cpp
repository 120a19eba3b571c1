// export.cpp - export_graph and load_function (core/export.h): tracing for export,
// freezing variables, the batch-size check; the file format is in graph_file.cpp.
#include "core/export.h"
#include "core/composite.h"

#include <array>
#include <map>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/autodiff.h"
#include "core/fusion.h"
#include "core/graph.h"
#include "core/export_trace.h"
#include "core/graph_codec.h"
#include "core/graph_file.h"
#include "core/tensor_impl.h"

namespace keras::core {
namespace {

using graph::Graph;
using graph::Node;
using graph::NodeKind;
using tracing::Subgraph;

[[noreturn]] void fail(const std::string& msg) { throw std::invalid_argument(msg); }

// ---- tracing for export ---------------------------------------------------------------------
Graph trace_once(const ExportBody& body, const std::vector<TensorSpec>& sig, int64_t batch, const std::string& who) {
  tracing::Tracer t;
  t.allow_variables = false;
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < sig.size(); ++i) {
    std::vector<int64_t> dims = sig[i].shape;
    for (int64_t& d : dims) d = d < 0 ? batch : d;
    Tensor h = placeholder(Shape(dims), sig[i].dtype);  // a trace reads no values
    t.add_input(h, int(i));
    inputs.push_back(h);
  }
  t.g.num_inputs = int(sig.size());
  std::vector<Tensor> out;
  {
    autodiff::PauseTapes pause;
    tracing::Scope scope(t, /*isolated=*/true);
    out = body(inputs);
  }
  if (out.empty()) fail(who + ": the function returned no tensors");
  for (const Tensor& o : out) {
    if (!o.defined()) fail(who + ": the function returned an undefined tensor");
    t.g.outputs.push_back(t.value_of(o));
  }
  return std::move(t.g);
}

// The top-level variable reads become graph inputs after the signature's, one per
// variable, in the order of first reads.
std::vector<Variable> lift_reads(Graph& g) {
  std::vector<Variable> vars;
  std::map<const Resource*, int> index;
  const int num_args = g.num_inputs;
  for (Node& n : g.nodes) {
    if (n.kind != NodeKind::Op || n.op != OpId::ReadVariable) continue;
    const auto& r = n.attrs.resources.at(0);
    auto [it, fresh] = index.try_emplace(r.get(), num_args + int(vars.size()));
    if (fresh) vars.push_back(Variable::from_resource(r));
    Node input;
    input.kind = NodeKind::Input;
    input.outputs = n.outputs;
    input.input_index = it->second;
    n = std::move(input);
  }
  g.num_inputs = num_args + int(vars.size());
  return vars;
}

// Variables left become constants (their current values) where `reads` allows it; state
// changes and host calls raise.
void freeze(Graph& g, export_trace::Reads reads, const std::string& who) {
  graph::unfuse_elementwise(g);  // subgraphs were fused when traced
  graph::unfuse_matmul_epilogue(g);
  graph::unfuse_conv_epilogue(g);
  for (const graph::ValueInfo& v : g.values)
    if (v.dtype == DType::string)
      fail(who + ": the function uses string tensors, which graph files do not hold (string ops run as C++ "
           "host nodes); export the numeric part");
  for (Node& n : g.nodes) {
    if (n.kind != NodeKind::Op) continue;
    if (n.op == OpId::ReadVariable) {
      Variable v = Variable::from_resource(n.attrs.resources.at(0));
      if (reads == export_trace::Reads::inputs)
        fail(who + ": the function reads variable '" + v.path() +
             "' inside a cond or while_loop body; an archive shares variables between endpoints, so read it "
             "outside the body and pass the value in");
      n = Node{NodeKind::Constant, OpId::kCount, Attrs{}, {}, n.outputs, -1, v.current(), false};
      continue;
    }
    if (n.op == OpId::Composite)
      fail(who + ": the function uses " + composite::node_name(n.attrs) +
           " (a sparse or ragged op on graph values, run on the host), which graph files do not hold; export the dense part");
    if (n.op == OpId::HostFunction)
      fail(who + ": the function calls " + composite::host_name(n.attrs) +
           " (or a dynamic layer), which runs arbitrary C++ and cannot be saved in a graph file");
    if (n.op == OpId::Cond || n.op == OpId::While || n.op == OpId::WhileGrad) {
      for (auto& r : n.attrs.resources) {
        auto* s = dynamic_cast<Subgraph*>(r.get());
        if (!s) fail(who + ": a control-flow node without its subgraph");
        auto copy = std::make_shared<Subgraph>(*s);  // the function's own graph stays as it is
        freeze(copy->g, reads, who);
        r = copy;
      }
      continue;
    }
    if (op_def(n.op).flags & kWritesState)
      fail(who + ": the function changes state (" + op_name(n.op) +
           "); export an inference function (for a model: its call with training = false)");
    if (!n.attrs.resources.empty()) fail(who + ": op " + op_name(n.op) + " holds state that cannot be saved");
  }
}

void optimize_for_export(Graph& g) {
  graph::fold_constants(g);
  graph::eliminate_common(g);
  graph::prune(g);
}

export_trace::Traced trace_at(const ExportBody& body, const std::vector<TensorSpec>& sig, export_trace::Reads reads,
                              const std::string& who, int64_t size) {
  export_trace::Traced t;
  t.g = trace_once(body, sig, size, who);
  if (reads == export_trace::Reads::inputs) t.variables = lift_reads(t.g);
  freeze(t.g, reads, who);
  optimize_for_export(t.g);
  return t;
}

}  // namespace

namespace export_trace {
Traced trace(const ExportBody& body, const std::vector<TensorSpec>& signature, Reads reads, const std::string& who) {
  if (tracing::t_tracer) fail(who + ": cannot export while a function is being traced");
  bool any_unknown = false;
  for (const auto& s : signature)
    for (int64_t d : s.shape) {
      if (d < -1) fail(who + ": expected dimensions >= 0 or -1 (any size), but received " + std::to_string(d));
      any_unknown = any_unknown || d < 0;
    }
  Traced t = trace_at(body, signature, reads, who, 2);
  if (any_unknown) {  // the same graph at another size of the -1 dimensions
    Traced other = trace_at(body, signature, reads, who, 3);
    int64_t at = graph::first_difference(t.g, other.g);
    if (at < 0 && other.variables.size() != t.variables.size()) at = 0;
    for (size_t i = 0; at < 0 && i < t.variables.size(); ++i)
      if (!t.variables[i].same_as(other.variables[i])) at = 0;
    if (at >= 0) {
      const Node& n = t.g.nodes[size_t(std::min<int64_t>(at, int64_t(t.g.nodes.size()) - 1))];
      fail(who + ": the graph depends on the size of the -1 dimensions (first at node " + std::to_string(at) + ": " +
           (n.kind == NodeKind::Op ? op_name(n.op) : "a constant") + "); export with fixed dimensions");
    }
  }
  return t;
}
}  // namespace export_trace

std::string export_graph(const ExportBody& body, const std::vector<TensorSpec>& signature) {
  return graph_file::write(export_trace::trace(body, signature, export_trace::Reads::constants, "export").g, signature);
}

// ---- LoadedFunction ---------------------------------------------------------------------------
struct LoadedFunction::Impl {
  std::vector<TensorSpec> signature;
  Graph g;
};

LoadedFunction::LoadedFunction() = default;
LoadedFunction::~LoadedFunction() = default;
LoadedFunction::LoadedFunction(LoadedFunction&&) noexcept = default;
LoadedFunction& LoadedFunction::operator=(LoadedFunction&&) noexcept = default;

const std::vector<TensorSpec>& LoadedFunction::signature() const {
  if (!impl_) fail("LoadedFunction: empty (nothing was loaded)");
  return impl_->signature;
}
std::string LoadedFunction::graph_str() const { return impl_ ? impl_->g.str() : std::string(); }

std::vector<Tensor> LoadedFunction::operator()(const std::vector<Tensor>& inputs) const {
  graph_codec::check_inputs(signature(), inputs, "loaded function");
  return graph::run(impl_->g, inputs);
}
LoadedFunction load_function_bytes(std::string_view bytes, const std::string& what) {
  graph_file::File file = graph_file::read(bytes, what);
  LoadedFunction f;
  f.impl_ = std::make_unique<LoadedFunction::Impl>();
  f.impl_->signature = std::move(file.signature);
  f.impl_->g = std::move(file.g);
  graph::optimize(f.impl_->g);
  return f;
}

LoadedFunction load_function(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("load_function: cannot open '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return load_function_bytes(ss.str(), "load_function('" + path + "')");
}

}  // namespace keras::core
