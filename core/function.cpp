// function.cpp - core::function: signatures, tracing into a graph, the cache of traced
// graphs, and running them.
#include "core/function.h"

#include <map>
#include <stdexcept>

#include "core/autodiff.h"
#include "core/graph.h"
#include "core/tensor_impl.h"

namespace core {

InitScope::InitScope() : saved_(tracing::t_tracer) { tracing::t_tracer = nullptr; }
InitScope::~InitScope() { tracing::t_tracer = static_cast<tracing::Tracer*>(saved_); }

bool is_tracing() { return tracing::t_tracer != nullptr; }

struct FunctionBase::Impl {
  FunctionOptions options;
  std::map<std::string, graph::Graph> cache;  // signature -> optimized graph
  int traces = 0;
  std::string last_traced, last_optimized;
  int traced_nodes = 0, optimized_nodes = 0;
};

FunctionBase::FunctionBase(FunctionOptions options) : impl_(std::make_shared<Impl>()) {
  impl_->options = std::move(options);
}

int FunctionBase::tracing_count() const { return impl_->traces; }
const FunctionOptions& FunctionBase::options() const { return impl_->options; }
std::string FunctionBase::graph_str(bool optimized) const {
  return optimized ? impl_->last_optimized : impl_->last_traced;
}
int FunctionBase::num_nodes(bool optimized) const { return optimized ? impl_->optimized_nodes : impl_->traced_nodes; }

std::vector<Tensor> FunctionBase::call_impl(const std::string& signature, const std::vector<Tensor>& tensors,
                                            const Body& body) {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!tensors[i].defined())
      throw std::invalid_argument(impl_->options.name + ": tensor argument " + std::to_string(i) + " is undefined");
  auto it = impl_->cache.find(signature);
  if (it != impl_->cache.end()) return graph::run(it->second, tensors);

  // Trace: run the body once with every op recorded. Tensor arguments are bound to the
  // graph's inputs (a second handle where one tensor is passed twice, so each argument
  // keeps its own input).
  tracing::Tracer t;
  t.allow_variables = impl_->traces == 0;
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < tensors.size(); ++i) {
    Tensor h = tensors[i];
    if (t.ids.count(h.impl().get())) {
      h = view_as(h, h.shape());
      tracing::alias(tensors[i], h);  // the traces around this one see the same value
    }
    graph::Node n;
    n.kind = graph::NodeKind::Input;
    n.input_index = int(i);
    const int id = t.g.add_value(h);
    n.outputs = {id};
    t.g.nodes.push_back(std::move(n));
    t.bind(h, id);
    inputs.push_back(h);
  }
  t.g.num_inputs = int(tensors.size());
  t.input_values = inputs;
  t.concrete_inputs = tracing::t_tracer == nullptr;  // not inside another trace
  std::vector<Tensor> out;
  {
    autodiff::PauseTapes pause;  // tapes outside see the graph's run, not the trace
    tracing::Scope scope(t);
    out = body(inputs);
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (!out[i].defined())
      throw std::invalid_argument(impl_->options.name + ": the traced function returned an undefined tensor (result " +
                                  std::to_string(i) + ")");
    t.g.outputs.push_back(t.value_of(out[i]));
  }
  ++impl_->traces;
  graph::Graph g = std::move(t.g);
  impl_->last_traced = g.str();
  impl_->traced_nodes = g.num_op_nodes();
  if (impl_->options.optimize) graph::optimize(g);
  else graph::plan_memory(g);
  impl_->last_optimized = g.str();
  impl_->optimized_nodes = g.num_op_nodes();
  const graph::Graph& stored = impl_->cache.emplace(signature, std::move(g)).first->second;
  return graph::run(stored, tensors);  // the trace only recorded: now the ops run
}

std::vector<Tensor> symbolic_call(const std::function<std::vector<Tensor>(const std::vector<Tensor>&)>& fn,
                                  const std::vector<Tensor>& inputs) {
  tracing::Tracer t;
  for (size_t i = 0; i < inputs.size(); ++i) {
    graph::Node n;
    n.kind = graph::NodeKind::Input;
    n.input_index = int(i);
    const int id = t.g.add_value(inputs[i]);
    n.outputs = {id};
    t.g.nodes.push_back(std::move(n));
    t.bind(inputs[i], id);
  }
  t.input_values = inputs;
  t.concrete_inputs = tracing::t_tracer == nullptr;
  autodiff::PauseTapes pause;
  tracing::Scope scope(t, /*isolated=*/true);
  return fn(inputs);
}

namespace detail {
std::string tensor_signature(const Tensor& t) {
  if (!t.defined()) return "T?;";
  return std::string("T") + dtype_name(t.dtype()) + t.shape().str() + t.device().str() + ";";
}
}  // namespace detail

}  // namespace core
