// function_call.cpp - a traced function's call recorded on tapes as one node with a
// traced backward graph (core/function_call.h).
#include "core/function_call.h"

#include <map>
#include <mutex>

#include "core/autodiff.h"
#include "core/control_flow_detail.h"
#include "core/tensor_impl.h"

namespace keras::core::function_call {

struct CallGraph {
  tracing::Subgraph fwd;  // arguments, then the variables read, as inputs
  size_t num_args = 0;
  std::vector<std::shared_ptr<Resource>> variables;
  std::shared_ptr<Stats> stats;
  std::string name;
  std::mutex mu;  // guards backward
  std::map<std::string, std::shared_ptr<const graph::Graph>> backward;  // by the inputs' shapes
};

std::shared_ptr<CallGraph> make(const graph::Graph& g, std::shared_ptr<Stats> stats, std::string name) {
  auto call = std::make_shared<CallGraph>();
  call->fwd.g = g;
  call->num_args = size_t(g.num_inputs);
  std::map<const Resource*, int> index;
  for (graph::Node& n : call->fwd.g.nodes) {
    if (n.kind != graph::NodeKind::Op) continue;
    if (n.op != OpId::ReadVariable) {
      if (op_def(n.op).flags != kPure) return nullptr;
      continue;
    }
    const auto& r = n.attrs.resources.at(0);
    auto [it, fresh] = index.try_emplace(r.get(), int(call->num_args + call->variables.size()));
    if (fresh) call->variables.push_back(r);
    graph::Node input;
    input.kind = graph::NodeKind::Input;
    input.outputs = n.outputs;
    input.input_index = it->second;
    n = std::move(input);
  }
  call->fwd.g.num_inputs = int(call->num_args + call->variables.size());
  call->fwd.explicit_inputs = call->fwd.g.num_inputs;
  call->stats = std::move(stats);
  call->name = std::move(name);
  return call;
}

namespace {
std::string shapes_key(const std::vector<Tensor>& ts) {
  std::string k;
  for (const Tensor& t : ts) k += t.shape().str() + dtype_name(t.dtype()) + ";";
  return k;
}

// The vector-Jacobian product of the forward graph, traced at the inputs' shapes: inputs
// (forward inputs, then one gradient per floating output), outputs (one gradient per
// forward input).
std::shared_ptr<const graph::Graph> trace_backward(CallGraph& call, const std::vector<Tensor>& in,
                                                   const std::vector<Tensor>& upstream) {
  std::vector<size_t> floating;
  for (size_t i = 0; i < call.fwd.g.outputs.size(); ++i)
    if (is_floating(call.fwd.g.values[size_t(call.fwd.g.outputs[i])].dtype)) floating.push_back(i);
  tracing::Tracer t;
  t.allow_variables = false;
  std::vector<Tensor> args;
  for (const Tensor& x : in) args.push_back(placeholder(x.shape(), x.dtype(), x.device()));
  for (size_t i : floating) {
    const Tensor& u = upstream.at(i);
    args.push_back(placeholder(u.shape(), u.dtype(), u.device()));
  }
  for (size_t i = 0; i < args.size(); ++i) t.add_input(args[i], int(i));
  t.g.num_inputs = int(args.size());
  t.input_values = args;
  std::vector<Tensor> grads;
  {
    autodiff::PauseTapes pause;
    tracing::Scope scope(t);
    std::vector<Tensor> fwd_in(args.begin(), args.begin() + std::ptrdiff_t(in.size()));
    std::vector<Tensor> up(call.fwd.g.outputs.size());
    for (size_t k = 0; k < floating.size(); ++k) up[floating[k]] = args[in.size() + k];
    grads = control_flow_detail::subgraph_vjp(call.fwd, fwd_in, up);
  }
  for (const Tensor& g : grads) t.g.outputs.push_back(t.value_of(g));
  graph::Graph g = std::move(t.g);
  graph::optimize(g);
  ++call.stats->backward_traces;
  call.stats->last_backward = g.str();
  return std::make_shared<const graph::Graph>(std::move(g));
}
}  // namespace

std::vector<Tensor> run(const std::shared_ptr<CallGraph>& call, const std::vector<Tensor>& args) {
  std::vector<Tensor> in = args;
  for (const auto& r : call->variables) in.push_back(Variable::from_resource(r).value());  // tapes watch them
  std::vector<Tensor> out;
  {
    autodiff::SuspendRecording no_record;
    out = graph::run(call->fwd.g, in);
  }
  if (!autodiff::any_tape_tracks(in)) return out;
  for (Tensor& o : out) o = control_flow_detail::own_handle(o);  // not an input's handle
  autodiff::record_call(in, out, [call, in](const std::vector<Tensor>& upstream) {
    std::shared_ptr<const graph::Graph> bwd;
    {
      std::lock_guard lock(call->mu);
      auto& slot = call->backward[shapes_key(in)];
      if (!slot) slot = trace_backward(*call, in, upstream);
      bwd = slot;
    }
    std::vector<Tensor> bin = in;
    for (size_t i = 0; i < upstream.size(); ++i)
      if (is_floating(call->fwd.g.values[size_t(call->fwd.g.outputs[i])].dtype)) bin.push_back(upstream[i]);
    return graph::run(*bwd, bin);  // recorded by tapes that differentiate the gradient
  });
  return out;
}

}  // namespace keras::core::function_call
