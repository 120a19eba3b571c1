// function.cpp - core::function: signatures, tracing into a graph, the cache of traced
// graphs, and running them.
#include "core/function.h"

#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>

#include "core/autodiff.h"
#include "core/composite.h"
#include "core/graph.h"
#include "core/ragged.h"
#include "core/sparse.h"
#include "core/tensor_impl.h"
#include "core/export.h"
#include "core/function_call.h"
#include "core/ragged_function.h"

namespace keras::core {

InitScope::InitScope() : saved_(tracing::t_tracer) { tracing::t_tracer = nullptr; }
InitScope::~InitScope() { tracing::t_tracer = static_cast<tracing::Tracer*>(saved_); }

bool is_tracing() { return tracing::t_tracer != nullptr; }

struct FunctionBase::Impl {
  FunctionOptions options;
  struct Entry {
    std::string structure;                   // dtypes, ranks and non-tensor values
    std::vector<std::vector<int64_t>> dims;  // per tensor argument; -1: any size
    graph::Graph g;
    // Its recorded form under a tape (core/function_call.h), made at the first such call;
    // null when the graph has none.
    std::shared_ptr<function_call::CallGraph> call;
    bool call_checked = false;
    // Per result: its ragged_rank (0: a dense tensor), when the function returns ragged
    // tensors (the graph returns their parts); empty otherwise.
    std::vector<int64_t> out_ragged{};
  };
  std::map<std::string, Entry> exact;  // structure + dims -> its graph
  std::vector<Entry> relaxed;          // graphs that serve any size of their -1 dims
  std::set<std::string> size_dependent;  // structures whose graph depends on the open sizes
  int traces = 0;
  std::string last_traced, last_optimized;
  int traced_nodes = 0, optimized_nodes = 0;
  std::vector<GraphNodeInfo> last_nodes;
  std::vector<int64_t> traced_out_ragged;  // out_ragged of the latest trace
  std::shared_ptr<function_call::Stats> call_stats = std::make_shared<function_call::Stats>();

  std::vector<Tensor> run(Entry& e, const std::vector<Tensor>& tensors);
  std::vector<Tensor> run_graph(Entry& e, const std::vector<Tensor>& tensors);
  // counted: a trace that tracing_count counts and graph_str shows (not the probe of a
  // ragged argument's open sizes).
  graph::Graph trace(const std::vector<Tensor>& tensors, const Body& body, bool counted = true);
  void check_signature(const std::vector<Tensor>& tensors) const;
};

FunctionBase::FunctionBase(FunctionOptions options) : impl_(std::make_shared<Impl>()) {
  impl_->options = std::move(options);
  for (const TensorSpec& s : impl_->options.input_signature)
    for (int64_t d : s.shape)
      if (d < -1)
        throw std::invalid_argument(impl_->options.name + ": input_signature dimensions must be >= 0 or -1 (any), but "
                                    "received " + std::to_string(d));
}

int FunctionBase::tracing_count() const { return impl_->traces; }
const FunctionOptions& FunctionBase::options() const { return impl_->options; }
std::string FunctionBase::graph_str(bool optimized) const {
  return optimized ? impl_->last_optimized : impl_->last_traced;
}
int FunctionBase::num_graphs() const { return int(impl_->exact.size() + impl_->relaxed.size()); }
int FunctionBase::num_nodes(bool optimized) const { return optimized ? impl_->optimized_nodes : impl_->traced_nodes; }
const std::vector<GraphNodeInfo>& FunctionBase::graph_nodes() const { return impl_->last_nodes; }
int FunctionBase::backward_tracing_count() const { return impl_->call_stats->backward_traces; }
std::string FunctionBase::backward_graph_str() const { return impl_->call_stats->last_backward; }

namespace {
std::vector<GraphNodeInfo> node_infos(const graph::Graph& g) {
  std::vector<GraphNodeInfo> out;
  std::map<int, std::string> producer;  // value id -> "name" or "name:k"
  std::map<std::string, int> counts;
  for (const graph::Node& n : g.nodes) {
    GraphNodeInfo info;
    if (n.kind == graph::NodeKind::Input) {
      info.name = "input_" + std::to_string(n.input_index);
      info.op = "Placeholder";
    } else {
      const std::string base = n.kind == graph::NodeKind::Constant ? "constant" : op_name(n.op);
      info.name = base + "_" + std::to_string(counts[base]++);
      info.op = n.kind == graph::NodeKind::Constant ? "Const" : base;
    }
    for (int v : n.inputs)
      if (auto it = producer.find(v); it != producer.end()) info.inputs.push_back(it->second);
    for (size_t k = 0; k < n.outputs.size(); ++k) {
      producer[n.outputs[k]] = k == 0 ? info.name : info.name + ":" + std::to_string(k);
      const graph::ValueInfo& v = g.values[size_t(n.outputs[k])];
      info.output_shapes.push_back(v.shape.dims());
      info.output_dtypes.push_back(v.dtype);
    }
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<std::vector<int64_t>> dims_of(const std::vector<Tensor>& ts) {
  std::vector<std::vector<int64_t>> d;
  for (const Tensor& t : ts) d.push_back(t.shape().dims());
  return d;
}
bool matches(const std::vector<std::vector<int64_t>>& pattern, const std::vector<std::vector<int64_t>>& dims) {
  if (pattern.size() != dims.size()) return false;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (pattern[i].size() != dims[i].size()) return false;
    for (size_t k = 0; k < dims[i].size(); ++k)
      if (pattern[i][k] >= 0 && pattern[i][k] != dims[i][k]) return false;
  }
  return true;
}
std::string dims_key(const std::vector<std::vector<int64_t>>& dims) {
  std::string k;
  for (const auto& d : dims) {
    k += "(";
    for (int64_t x : d) k += std::to_string(x) + ",";
    k += ")";
  }
  return k;
}
std::string spec_str(const std::vector<int64_t>& dims, DType dtype) {
  std::string s = std::string(dtype_name(dtype)) + " (";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + (dims[i] < 0 ? std::string("None") : std::to_string(dims[i]));
  return s + (dims.size() == 1 ? ",)" : ")");
}
}  // namespace

// jit_compile = true: every node must be one the compiler can fuse or run as a kernel; a
// host_function (C++ run at each call), also inside a cond or while_loop body, cannot.
static void check_compilable(const graph::Graph& g, const std::string& name) {
  for (const graph::Node& n : g.nodes) {
    if (n.kind != graph::NodeKind::Op) continue;
    if (n.op == OpId::Composite)
      throw std::invalid_argument(name + ": jit_compile=true cannot compile " + composite::node_name(n.attrs) +
                                  " (a sparse or ragged op, run on the host); trace with jit_compile unset or false");
    if (n.op == OpId::HostFunction)
      throw std::invalid_argument(name + ": jit_compile=true cannot compile a " + composite::host_name(n.attrs) + " node (C++ that runs "
                                  "at every call, such as a dynamic layer); remove it or trace with jit_compile "
                                  "unset or false");
    for (const auto& r : n.attrs.resources)
      if (auto* sub = dynamic_cast<const tracing::Subgraph*>(r.get())) check_compilable(sub->g, name);
  }
}

void FunctionBase::Impl::check_signature(const std::vector<Tensor>& tensors) const {
  const auto& sig = options.input_signature;
  if (sig.empty()) return;
  if (tensors.size() != sig.size())
    throw std::invalid_argument(options.name + ": input_signature has " + std::to_string(sig.size()) +
                                " tensors, but the call passed " + std::to_string(tensors.size()));
  for (size_t i = 0; i < sig.size(); ++i) {
    bool ok = tensors[i].dtype() == sig[i].dtype && tensors[i].rank() == int64_t(sig[i].shape.size());
    for (size_t k = 0; ok && k < sig[i].shape.size(); ++k)
      ok = sig[i].shape[k] < 0 || sig[i].shape[k] == tensors[i].shape()[int64_t(k)];
    if (!ok)
      throw std::invalid_argument(options.name + ": expected tensor argument " + std::to_string(i) + " to match " +
                                  spec_str(sig[i].shape, sig[i].dtype) + " (input_signature), but received " +
                                  dtype_name(tensors[i].dtype()) + " " + tensors[i].shape().str());
  }
}

// Traces body with every op recorded (not run) and returns the optimized graph. Tensor
// arguments are bound to the graph's inputs (a second handle where one tensor is passed
// twice, so each argument keeps its own input).
graph::Graph FunctionBase::Impl::trace(const std::vector<Tensor>& tensors, const Body& body, bool counted) {
  tracing::Tracer t;
  t.allow_variables = traces == 0;
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < tensors.size(); ++i) {
    Tensor h = tensors[i];
    if (sparse::is_sparse(h) && !sparse::sparse_of(h).symbolic() && !tracing::t_tracer) {
      // A sparse argument is a graph value of its dense shape: its entries (and their
      // number) are read when the graph runs, so they are not part of the signature.
      const SparseTensor sp = sparse::sparse_of(h);
      h = SparseTensor::symbolic_value(sp.shape(), sp.dtype(), h.device()).as_tensor();
    } else if (t.ids.count(h.impl().get())) {
      h = view_as(h, h.shape());
      tracing::alias(tensors[i], h);  // the traces around this one see the same value
    }
    t.add_input(h, int(i));
    inputs.push_back(h);
  }
  t.g.num_inputs = int(tensors.size());
  t.input_values = inputs;
  for (size_t i = 0; i < tensors.size(); ++i)
    if (sparse::is_sparse(tensors[i])) t.input_values[i] = tensors[i];  // the values, for evaluate()
  t.concrete_inputs = tracing::t_tracer == nullptr;  // not inside another trace
  std::vector<Tensor> out;
  {
    autodiff::PauseTapes pause;  // tapes outside see the graph's run, not the trace
    tracing::Scope scope(t);
    out = body(inputs);
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (!out[i].defined())
      throw std::invalid_argument(options.name + ": the traced function returned an undefined tensor (result " +
                                  std::to_string(i) + ")");
    t.g.outputs.push_back(t.value_of(out[i]));
  }
  if (counted) ++traces;
  graph::Graph g = std::move(t.g);
  if (counted) {  // graph_str and graph_nodes show the traces that count
    last_traced = g.str();
    traced_nodes = g.num_op_nodes();
  }
  if (options.jit_compile.value_or(false)) check_compilable(g, options.name);
  if (options.optimize) graph::optimize(g, options.jit_compile.value_or(true));
  else {
    graph::schedule_early(g);
    graph::plan_memory(g);
  }
  if (counted) {
    last_optimized = g.str();
    optimized_nodes = g.num_op_nodes();
    last_nodes = node_infos(g);
  }
  return g;
}

// Under a recording tape (and outside any trace), a graph that has a recorded form runs as
// one node on the tape; otherwise its ops run through dispatch (recorded one by one, or
// inlined into the trace around).
std::vector<Tensor> FunctionBase::Impl::run(Entry& e, const std::vector<Tensor>& tensors) {
  std::vector<Tensor> parts = run_graph(e, tensors);
  if (e.out_ragged.empty()) return parts;
  return ragged_function::assemble(parts, e.out_ragged);
}

std::vector<Tensor> FunctionBase::Impl::run_graph(Entry& e, const std::vector<Tensor>& tensors) {
  if (tracing::t_tracer || autodiff::t_recording == 0) return graph::run(e.g, tensors);
  if (!e.call_checked) {
    e.call = function_call::make(e.g, call_stats, options.name);
    e.call_checked = true;
  }
  return e.call ? function_call::run(e.call, tensors) : graph::run(e.g, tensors);
}

std::vector<Tensor> FunctionBase::call_impl(const std::string& dense_structure, const std::vector<Tensor>& args,
                                            const Body& args_body) {
  Impl& im = *impl_;
  for (size_t i = 0; i < args.size(); ++i)
    if (!args[i].defined())
      throw std::invalid_argument(im.options.name + ": tensor argument " + std::to_string(i) + " is undefined");
  // A RaggedTensor argument is its parts, graph inputs whose lengths (values, rows) are
  // not part of the signature (core/ragged_function.h).
  const ragged_function::Flattened flat = ragged_function::flatten_args(args, im.options.name);
  const std::vector<Tensor>& tensors = flat.parts;
  const std::string structure = dense_structure + flat.key;
  if (flat.any_ragged && !im.options.input_signature.empty())
    throw std::invalid_argument(im.options.name + ": input_signature does not describe RaggedTensor arguments; "
                                "leave it empty (a ragged argument's numbers of values and rows are open anyway)");
  Body body = [&](const std::vector<Tensor>& traced) {
    return ragged_function::flatten_results(args_body(ragged_function::assemble(traced, flat.layout)),
                                            im.traced_out_ragged);
  };
  const auto dims = dims_of(tensors);
  const std::string key = structure + dims_key(dims);
  if (auto it = im.exact.find(key); it != im.exact.end()) return im.run(it->second, tensors);
  for (auto& e : im.relaxed)
    if (e.structure == structure && matches(e.dims, dims)) return im.run(e, tensors);
  im.check_signature(tensors);

  const int64_t made_up = composite::made_up_sizes();
  graph::Graph g = im.trace(tensors, body);
  const std::vector<int64_t> out_ragged = im.traced_out_ragged;
  // A set operation's result has a last dimension, a symbolic sparse tensor's values a
  // length, known only when the graph runs: the trace stood in a size for it, and the
  // graph must not hold that size.
  if (composite::made_up_sizes() != made_up && !tracing::t_tracer)
    ragged_function::check_stand_in_sizes(g, [&] { return im.trace(tensors, body, /*counted=*/false); }, im.options.name);
  auto stored_entry = [&](Impl::Entry& e) -> Impl::Entry& {
    e.out_ragged = out_ragged;
    return e;
  };
  // Shape polymorphism: dimensions the signature leaves open (-1), or (reduce_retracing)
  // those in which this call differs from an earlier trace, are relaxed when a trace at
  // other sizes gives the same graph; one graph then serves every size.
  std::vector<std::vector<int64_t>> pattern;
  const graph::Graph* other = nullptr;
  std::string other_key;       // the exact graph a relaxed one replaces,
  int64_t other_relaxed = -1;  // or the relaxed graph a more relaxed one replaces
  graph::Graph probe;
  // A trace with the open dimensions one larger (placeholders: a trace runs nothing).
  auto probe_at = [&](const std::vector<std::vector<int64_t>>& open, bool counted) {
    std::vector<Tensor> alt;
    for (size_t i = 0; i < tensors.size(); ++i) {
      std::vector<int64_t> d = dims[i];
      for (size_t k = 0; k < d.size(); ++k) d[k] += open[i][k] < 0 ? 1 : 0;
      alt.push_back(sparse::is_sparse(tensors[i])
                        ? SparseTensor::symbolic_value(d, tensors[i].dtype(), tensors[i].device()).as_tensor()
                        : placeholder(Shape(d), tensors[i].dtype(), tensors[i].device()));
    }
    return im.trace(alt, body, counted);
  };
  // Called while another function traces, this graph is inlined into that one, whose own
  // probes cover the sizes (probing here would leave the probe's ops in the outer trace):
  // it serves these sizes.
  if (flat.any_ragged && !tracing::t_tracer) {
    // One graph for every number of values and rows of the ragged arguments, and for every
    // batch size of the dense arguments whose first dimension is their number of rows (a
    // batch of labels); else one for every number of values and rows; else (a dense
    // argument's size tied to the rows in another way: the probe raises) the numbers of
    // rows stay in the signature and only the numbers of values are open.
    using Open = ragged_function::Flattened::Open;
    std::vector<std::vector<int64_t>> probed;
    for (Open how : {Open::kRowsAndBatch, Open::kRows, Open::kValues}) {
      pattern = flat.open_dims(dims, how);
      if (pattern == probed) continue;  // (no dense argument of the rows' size)
      probed = pattern;
      try {
        probe = probe_at(pattern, /*counted=*/false);
      } catch (const std::invalid_argument&) {
        continue;
      }
      if (graph::first_difference(g, probe) < 0) {
        im.relaxed.push_back(Impl::Entry{structure, pattern, std::move(g)});
        return im.run(stored_entry(im.relaxed.back()), tensors);
      }
    }
    // The graph holds these sizes (an op's attributes baked them): it serves them alone,
    // as long as it holds none that the trace's stand-in partitions made up (a padded
    // length, the rows a gather picks), which a trace at the same sizes with other
    // stand-ins shows.
    {
      ragged_function::SpreadStandIns spread;
      probe = probe_at(dims, /*counted=*/false);
    }
    if (graph::first_difference(g, probe) >= 0)
      throw std::invalid_argument(im.options.name + ": the traced graph depends on the row lengths of a RaggedTensor "
                                  "argument (known only when the graph runs): an op's sizes come from a ragged op's "
                                  "result whose shape depends on the values (to_tensor without a full shape, gather, "
                                  "boolean_mask); give to_tensor a shape, or do not read such sizes as C++ numbers");
    Impl::Entry& exact = im.exact.emplace(key, Impl::Entry{structure, dims, std::move(g)}).first->second;
    return im.run(stored_entry(exact), tensors);
  }
  if (!im.options.input_signature.empty()) {
    for (const TensorSpec& s : im.options.input_signature) pattern.push_back(s.shape);
    if (pattern != dims && !im.size_dependent.count(structure)) {
      probe = probe_at(pattern, /*counted=*/true);
      other = &probe;
    }
  } else if (im.options.reduce_retracing) {
    // The first graph of this structure and ranks, exact or already relaxed, whose sizes
    // this call's generalize.
    auto candidate = [&](const Impl::Entry& e) {
      if (e.structure != structure || e.dims.size() != dims.size()) return false;
      for (size_t i = 0; i < dims.size(); ++i)
        if (e.dims[i].size() != dims[i].size()) return false;
      pattern = dims;
      for (size_t i = 0; i < dims.size(); ++i)
        for (size_t j = 0; j < dims[i].size(); ++j)
          if (e.dims[i][j] != dims[i][j]) pattern[i][j] = -1;
      other = &e.g;
      return true;
    };
    for (const auto& [k, e] : im.exact)
      if (candidate(e)) {
        other_key = k;
        break;
      }
    for (size_t r = 0; !other && r < im.relaxed.size(); ++r)
      if (candidate(im.relaxed[r])) other_relaxed = int64_t(r);
  }
  if (other) {
    if (graph::first_difference(g, *other) < 0) {
      // The relaxed graph serves the sizes of the one it was compared with, too.
      if (!other_key.empty()) im.exact.erase(other_key);
      if (other_relaxed >= 0) im.relaxed.erase(im.relaxed.begin() + other_relaxed);
      im.relaxed.push_back(Impl::Entry{structure, pattern, std::move(g)});
      return im.run(stored_entry(im.relaxed.back()), tensors);
    }
    if (!im.options.input_signature.empty()) im.size_dependent.insert(structure);  // probe it once only
  }
  Impl::Entry& stored = im.exact.emplace(key, Impl::Entry{structure, dims, std::move(g)}).first->second;
  return im.run(stored_entry(stored), tensors);  // the trace only recorded: now the ops run
}

std::vector<Tensor> symbolic_call(const std::function<std::vector<Tensor>(const std::vector<Tensor>&)>& fn,
                                  const std::vector<Tensor>& inputs) {
  tracing::Tracer t;
  for (size_t i = 0; i < inputs.size(); ++i) t.add_input(inputs[i], int(i));
  t.input_values = inputs;
  t.concrete_inputs = tracing::t_tracer == nullptr;
  autodiff::PauseTapes pause;
  tracing::Scope scope(t, /*isolated=*/true);
  return fn(inputs);
}

namespace detail {
std::string number_signature(long double v, bool floating) {
  char buf[64];
  if (floating) std::snprintf(buf, sizeof buf, "f%La;", v);  // hexadecimal: exact
  else std::snprintf(buf, sizeof buf, "n%.0Lf;", v);
  return buf;
}

std::string tensor_signature(const Tensor& t) {
  if (!t.defined()) return "T?;";
  return std::string(sparse::is_sparse(t) ? "S" : "T") + dtype_name(t.dtype()) + "r" + std::to_string(t.rank()) +
         t.device().str() + ";";
}
}  // namespace detail

}  // namespace keras::core
