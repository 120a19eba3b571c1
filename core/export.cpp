// export.cpp - export_graph and load_function (core/export.h): tracing for export,
// freezing variables, the batch-size check; the file format is in graph_file.cpp.
#include "core/export.h"
#include "core/composite.h"

#include <array>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/autodiff.h"
#include "core/fusion.h"
#include "core/graph.h"
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
Graph trace_once(const ExportBody& body, const std::vector<TensorSpec>& sig, int64_t batch) {
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
  if (out.empty()) fail("export: the function returned no tensors");
  for (const Tensor& o : out) {
    if (!o.defined()) fail("export: the function returned an undefined tensor");
    t.g.outputs.push_back(t.value_of(o));
  }
  return std::move(t.g);
}

// Variables become constants (their current values); state changes and host calls raise.
void freeze(Graph& g) {
  graph::unfuse_elementwise(g);  // subgraphs were fused when traced
  graph::unfuse_matmul_epilogue(g);
  graph::unfuse_conv_epilogue(g);
  for (const graph::ValueInfo& v : g.values)
    if (v.dtype == DType::string)
      fail("export: the function uses string tensors, which graph files do not hold (string ops run as C++ "
           "host nodes); export the numeric part");
  for (Node& n : g.nodes) {
    if (n.kind != NodeKind::Op) continue;
    if (n.op == OpId::ReadVariable) {
      Tensor value = Variable::from_resource(n.attrs.resources.at(0)).current();
      n = Node{NodeKind::Constant, OpId::kCount, Attrs{}, {}, n.outputs, -1, value, false};
      continue;
    }
    if (n.op == OpId::Composite)
      fail("export: the function uses " + composite::node_name(n.attrs) +
           " (a sparse or ragged op on graph values, run on the host), which graph files do not hold; export the dense part");
    if (n.op == OpId::HostFunction)
      fail("export: the function calls " + composite::host_name(n.attrs) +
           " (or a dynamic layer), which runs arbitrary C++ and cannot be saved in a graph file");
    if (n.op == OpId::Cond || n.op == OpId::While || n.op == OpId::WhileGrad) {
      for (auto& r : n.attrs.resources) {
        auto* s = dynamic_cast<Subgraph*>(r.get());
        if (!s) fail("export: a control-flow node without its subgraph");
        auto copy = std::make_shared<Subgraph>(*s);  // the function's own graph stays as it is
        freeze(copy->g);
        r = copy;
      }
      continue;
    }
    if (op_def(n.op).flags & kWritesState)
      fail(std::string("export: the function changes state (") + op_name(n.op) +
           "); export an inference function (for a model: its call with training = false)");
    if (!n.attrs.resources.empty()) fail(std::string("export: op ") + op_name(n.op) + " holds state that cannot be saved");
  }
}

void optimize_for_export(Graph& g) {
  graph::fold_constants(g);
  graph::eliminate_common(g);
  graph::prune(g);
}

std::string spec_str(const TensorSpec& s) {
  std::string out = std::string(dtype_name(s.dtype)) + " (";
  for (size_t i = 0; i < s.shape.size(); ++i)
    out += (i ? ", " : "") + (s.shape[i] < 0 ? std::string("None") : std::to_string(s.shape[i]));
  return out + (s.shape.size() == 1 ? ",)" : ")");
}

}  // namespace

std::string export_graph(const ExportBody& body, const std::vector<TensorSpec>& signature) {
  if (tracing::t_tracer) fail("export: cannot export while a function is being traced");
  bool any_unknown = false;
  for (const auto& s : signature)
    for (int64_t d : s.shape) {
      if (d < -1) fail("export: expected dimensions >= 0 or -1 (any size), but received " + std::to_string(d));
      any_unknown = any_unknown || d < 0;
    }
  Graph g = trace_once(body, signature, 2);
  freeze(g);
  optimize_for_export(g);
  if (any_unknown) {  // the same graph at another size of the -1 dimensions
    Graph other = trace_once(body, signature, 3);
    freeze(other);
    optimize_for_export(other);
    const int64_t at = graph::first_difference(g, other);
    if (at >= 0) {
      const Node& n = g.nodes[size_t(std::min<int64_t>(at, int64_t(g.nodes.size()) - 1))];
      fail(std::string("export: the graph depends on the size of the -1 dimensions (first at node ") +
           std::to_string(at) + ": " + (n.kind == NodeKind::Op ? op_name(n.op) : "a constant") +
           "); export with fixed dimensions");
    }
  }
  return graph_file::write(g, signature);
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
  const auto& sig = signature();
  if (inputs.size() != sig.size())
    fail("loaded function: expected " + std::to_string(sig.size()) + " inputs, but received " +
         std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    bool ok = x.defined() && x.dtype() == sig[i].dtype && x.rank() == int64_t(sig[i].shape.size());
    for (size_t d = 0; ok && d < sig[i].shape.size(); ++d) ok = sig[i].shape[d] < 0 || sig[i].shape[d] == x.shape()[int64_t(d)];
    if (!ok)
      fail("loaded function: expected input " + std::to_string(i) + " to be " + spec_str(sig[i]) + ", but received " +
           (x.defined() ? std::string(dtype_name(x.dtype())) + " " + x.shape().str() : std::string("an undefined tensor")));
  }
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
