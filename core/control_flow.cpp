// control_flow.cpp - Cond, While and HostFunction: ops whose attributes carry traced
// subgraphs (or a C++ callable) and whose kernels run them. The same kernel serves every
// device: the subgraphs' own ops dispatch to the device's kernels.
//   Cond          resources {true graph, false graph}; inputs {pred, true captures...,
//                 false captures...}
//   While         resources {cond graph, body graph}; inputs {vars..., cond captures...,
//                 body captures...}; k = maximum_iterations (-1: none)
//   HostFunction  resources {the callable and output specs}; inputs {arguments...}
// While's gradient, the WhileGrad op, is in control_flow_grad.cpp.
#include "core/control_flow.h"
#include "core/composite.h"

#include <stdexcept>
#include <string>

#include "core/autodiff.h"
#include "core/control_flow_detail.h"
#include "core/dispatch.h"
#include "core/element_check.h"
#include "core/graph.h"
#include "core/ops.h"
#include "core/tensor_impl.h"

namespace keras::core {
namespace control_flow_detail {

const Subgraph& sub(const OpCall& c, size_t i) { return static_cast<const Subgraph&>(*c.attrs.resources.at(i)); }
const Subgraph& sub(const GradContext& c, size_t i) { return static_cast<const Subgraph&>(*c.attrs.resources.at(i)); }

std::string spec(const Tensor& t) { return std::string(dtype_name(t.dtype())) + " " + t.shape().str(); }

bool read_pred(const Tensor& p, const char* what) {
  if (p.dtype() != DType::bool_ || p.size() != 1)
    throw std::invalid_argument(std::string(what) + ": expected a bool scalar predicate, but received " + spec(p));
  return p.item<bool>();
}

std::vector<Tensor> slice(std::span<const Tensor> in, size_t b, size_t n) {
  return std::vector<Tensor>(in.begin() + std::ptrdiff_t(b), in.begin() + std::ptrdiff_t(b + n));
}

std::vector<Tensor> with(std::vector<Tensor> v, const std::vector<Tensor>& tail) {
  v.insert(v.end(), tail.begin(), tail.end());
  return v;
}

Tensor own_handle(const Tensor& t) { return view_as(t, t.shape()); }

std::vector<Tensor> run_sub(const Subgraph& s, std::vector<Tensor> in) {
  autodiff::SuspendRecording no_record;
  return graph::run(s.g, in);
}

void check_sub(const OpCall& c, const Subgraph& s, int explicit_inputs) {
  const size_t outs = s.g.outputs.size();
  if (s.explicit_inputs != explicit_inputs || s.g.num_inputs != s.explicit_inputs + int(s.captures.size()) || outs == 0 ||
      outs > size_t(kMaxOutputs))
    throw_invalid(std::string(c.name()) + ": a subgraph does not match the node (" + std::to_string(s.g.num_inputs) +
                  " inputs, " + std::to_string(outs) + " outputs)");
}
void check_inputs(const OpCall& c, size_t want) {
  if (c.inputs.size() != want)
    throw_invalid(std::string(c.name()) + ": expected " + std::to_string(want) + " inputs for its subgraphs, but received " +
                  std::to_string(c.inputs.size()));
}

std::vector<Tensor> subgraph_vjp(const Subgraph& s, const std::vector<Tensor>& in, std::span<const Tensor> upstream) {
  GradientTape tape(GradientTape::Options{.persistent = false, .watch_accessed_variables = false});
  for (const Tensor& x : in) tape.watch(x);
  std::vector<Tensor> out = graph::run(s.g, in);
  Tensor target;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!is_floating(out[i].dtype()) || !upstream[i].defined()) continue;
    Tensor term = ops::sum(ops::multiply(out[i], upstream[i]));
    target = target.defined() ? ops::add(target, term) : term;
  }
  std::vector<Tensor> g;
  if (target.defined()) g = tape.gradient(target, in, Tensor(), UnconnectedGradients::zero);
  else g.assign(in.size(), Tensor());
  for (size_t i = 0; i < g.size(); ++i)
    if (!g[i].defined()) g[i] = ops::zeros_like(in[i]);
  return g;
}

}  // namespace control_flow_detail

namespace {
using namespace control_flow_detail;

void check_count(size_t n, const char* what) {
  if (n == 0 || n > size_t(kMaxOutputs))
    throw std::invalid_argument(std::string(what) + ": expected 1 to " + std::to_string(kMaxOutputs) +
                                " tensors, but received " + std::to_string(n));
}

void set_outputs_from(OpCall& c, const graph::Graph& g) {
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const graph::ValueInfo& v = g.values[size_t(g.outputs[i])];
    c.set_output(int(i), v.shape, v.dtype);
  }
}

// ---- Cond ---------------------------------------------------------------------------------
void infer_cond(OpCall& c) {
  if (c.attrs.resources.size() != 2) throw_invalid("cond: expected two branches");
  const Subgraph &t = sub(c, 0), &f = sub(c, 1);
  check_sub(c, t, 0);
  check_sub(c, f, 0);
  check_inputs(c, 1 + t.captures.size() + f.captures.size());
  if (t.g.outputs.size() != f.g.outputs.size()) throw_invalid("cond: the branches have different numbers of results");
  set_outputs_from(c, t.g);
}

void cond_kernel(OpCall& c) {
  const Subgraph &t = sub(c, 0), &f = sub(c, 1);
  const bool p = read_pred(c.in(0), "cond");
  std::vector<Tensor> out = p ? run_sub(t, slice(c.inputs, 1, t.captures.size()))
                              : run_sub(f, slice(c.inputs, 1 + t.captures.size(), f.captures.size()));
  for (size_t i = 0; i < out.size(); ++i) c.outputs[i] = own_handle(out[i]);
}

std::vector<Tensor> cond_grad(const GradContext& gc) {
  const Subgraph &t = sub(gc, 0), &f = sub(gc, 1);
  const size_t nt = t.captures.size(), nf = f.captures.size();
  const std::vector<Tensor> in_t = slice(gc.inputs, 1, nt), in_f = slice(gc.inputs, 1 + nt, nf);
  std::vector<Tensor> up(gc.out_grads.begin(), gc.out_grads.end());
  // Each branch gives the gradients of every capture (zeros for the other branch's).
  auto branch = [&](bool taken_true) {
    return [&, taken_true]() -> std::vector<Tensor> {
      std::vector<Tensor> gt = taken_true ? subgraph_vjp(t, in_t, up) : std::vector<Tensor>{};
      std::vector<Tensor> gf = taken_true ? std::vector<Tensor>{} : subgraph_vjp(f, in_f, up);
      std::vector<Tensor> all;
      for (size_t i = 0; i < nt; ++i) all.push_back(taken_true ? gt[i] : ops::zeros_like(in_t[i]));
      for (size_t i = 0; i < nf; ++i) all.push_back(taken_true ? ops::zeros_like(in_f[i]) : gf[i]);
      return all;
    };
  };
  if (nt + nf == 0) return {};
  std::vector<Tensor> g = ops::cond(gc.in(0), branch(true), branch(false));
  g.insert(g.begin(), Tensor());  // the predicate has none
  return g;
}

// ---- While ----------------------------------------------------------------------------------
void infer_while(OpCall& c) {
  if (c.attrs.resources.size() != 2) throw_invalid("while_loop: expected a condition and a body");
  const Subgraph &cg = sub(c, 0), &bg = sub(c, 1);
  const int n = int(bg.g.outputs.size());
  check_sub(c, bg, n);
  check_sub(c, cg, n);
  if (cg.g.outputs.size() != 1) throw_invalid("while_loop: the condition must have one result");
  check_inputs(c, size_t(n) + cg.captures.size() + bg.captures.size());
  set_outputs_from(c, bg.g);
}

void while_kernel(OpCall& c) {
  const Subgraph &cg = sub(c, 0), &bg = sub(c, 1);
  const size_t n = bg.g.outputs.size();
  std::vector<Tensor> vars = slice(c.inputs, 0, n);
  const std::vector<Tensor> ccap = slice(c.inputs, n, cg.captures.size());
  const std::vector<Tensor> bcap = slice(c.inputs, n + cg.captures.size(), bg.captures.size());
  for (int64_t i = 0; c.attrs.k < 0 || i < c.attrs.k; ++i) {
    if (!read_pred(run_sub(cg, with(vars, ccap))[0], "while_loop")) break;
    vars = run_sub(bg, with(vars, bcap));
  }
  for (size_t i = 0; i < n; ++i) c.outputs[i] = own_handle(vars[i]);
}

// ---- HostFunction -----------------------------------------------------------------------------
struct HostFn : Resource {
  std::function<std::vector<Tensor>(const std::vector<Tensor>&)> f;
  std::vector<ops::TensorSpec> specs;
  std::string name;  // for errors; empty: plain host_function
};

void infer_host(OpCall& c) {
  const auto& h = static_cast<const HostFn&>(*c.attrs.resources.at(0));
  for (size_t i = 0; i < h.specs.size(); ++i) c.set_output(int(i), Shape(h.specs[i].shape), h.specs[i].dtype);
  c.num_outputs = int(h.specs.size());
}

void host_kernel(OpCall& c) {
  const auto& h = static_cast<const HostFn&>(*c.attrs.resources.at(0));
  std::vector<Tensor> out;
  {
    autodiff::SuspendRecording no_record;
    out = h.f(std::vector<Tensor>(c.inputs.begin(), c.inputs.end()));
  }
  if (out.size() != h.specs.size())
    throw std::invalid_argument("host_function: the function returned " + std::to_string(out.size()) +
                                " tensors, but output_specs has " + std::to_string(h.specs.size()));
  for (size_t i = 0; i < out.size(); ++i) {
    if (!out[i].defined() || out[i].shape() != Shape(h.specs[i].shape) || out[i].dtype() != h.specs[i].dtype)
      throw std::invalid_argument("host_function: result " + std::to_string(i) + " is " +
                                  (out[i].defined() ? spec(out[i]) : std::string("undefined")) +
                                  ", but output_specs says " + dtype_name(h.specs[i].dtype) + " " +
                                  Shape(h.specs[i].shape).str());
    c.outputs[i] = out[i];
  }
}

// host_function's node; `early`: graph::schedule_early moves it up (Attrs::flag).
std::vector<Tensor> host_node(const std::function<std::vector<Tensor>(const std::vector<Tensor>&)>& f,
                              const std::vector<Tensor>& inputs, const std::vector<TensorSpec>& output_specs, bool early,
                              const std::string& name = {}) {
  check_count(output_specs.size(), "host_function (output_specs)");
  for (const TensorSpec& s : output_specs)
    for (int64_t d : s.shape)
      if (d < 0)
        throw std::invalid_argument("host_function: output_specs need every dimension (>= 0), but received " +
                                    std::to_string(d));
  auto h = std::make_shared<HostFn>();
  h->f = f;
  h->specs = output_specs;
  h->name = name;
  Attrs a;
  a.resources = {h};
  a.flag = early;
  auto out = dispatch_multi(OpId::HostFunction, inputs, a);
  return std::vector<Tensor>(out.begin(), out.begin() + std::ptrdiff_t(output_specs.size()));
}

// ---- CheckElements ----------------------------------------------------------------------------
void infer_check(OpCall& c) {
  if (c.attrs.resources.size() != 1 || !dynamic_cast<const ElementCheck*>(c.attrs.resources[0].get()))
    throw_invalid("check_elements: the check is missing");
  c.num_outputs = 0;
}

}  // namespace

void check_elements_on_host(OpCall& c) {
  const auto& chk = static_cast<const ElementCheck&>(*c.attrs.resources[0]);
  std::vector<double> v;
  {
    autodiff::SuspendRecording no_record;
    Tensor x = c.in(0).dtype() == DType::float64 ? c.in(0) : ops::cast(c.in(0), DType::float64);
    v = x.to_vector<double>();
  }
  for (size_t i = 0; i < v.size(); ++i)
    if (!chk.ok(v[i])) throw std::invalid_argument(chk.message(v[i], int64_t(i), c.in(0).shape()));
}

std::string composite::host_name(const Attrs& attrs) {
  auto* h = attrs.resources.empty() ? nullptr : dynamic_cast<const HostFn*>(attrs.resources[0].get());
  return h && !h->name.empty() ? "host_function (" + h->name + ")" : "host_function";
}

void define_control_flow_ops() {
  set_op_flags(OpId::CheckElements, kWritesState);  // kept, and in its place
  define_op(OpId::CheckElements, infer_check);
  for (size_t k = 0; k < Device::kNumKinds; ++k) register_kernel(OpId::CheckElements, Device::Kind(k), check_elements_on_host);
  for (OpId op : {OpId::Cond, OpId::While, OpId::HostFunction}) set_op_flags(op, kWritesState | kRandom);
  define_op(OpId::Cond, infer_cond);
  define_op(OpId::While, infer_while);
  define_op(OpId::HostFunction, infer_host);
  define_grad(OpId::Cond, cond_grad);
  define_grad(OpId::While, while_grad);
  define_while_grad_op();
  for (size_t k = 0; k < Device::kNumKinds; ++k) {
    register_kernel(OpId::Cond, Device::Kind(k), cond_kernel);
    register_kernel(OpId::While, Device::Kind(k), while_kernel);
    register_kernel(OpId::HostFunction, Device::Kind(k), host_kernel);
  }
}

namespace ops {

std::vector<Tensor> cond(const Tensor& pred, const std::function<std::vector<Tensor>()>& true_fn,
                         const std::function<std::vector<Tensor>()>& false_fn) {
  if (!pred.defined()) throw std::invalid_argument("cond: the predicate is undefined");
  if (!tracing::t_tracer) {  // eager: C++ picks the branch
    std::vector<Tensor> out = read_pred(pred, "cond") ? true_fn() : false_fn();
    check_count(out.size(), "cond");
    return out;
  }
  if (pred.dtype() != DType::bool_ || pred.size() != 1)
    throw std::invalid_argument("cond: expected a bool scalar predicate, but received " + spec(pred));
  auto t = tracing::trace_subgraph({}, [&](const std::vector<Tensor>&) { return true_fn(); }, "cond (true_fn)");
  auto f = tracing::trace_subgraph({}, [&](const std::vector<Tensor>&) { return false_fn(); }, "cond (false_fn)");
  check_count(t->g.outputs.size(), "cond");
  if (t->g.outputs.size() != f->g.outputs.size())
    throw std::invalid_argument("cond: true_fn returned " + std::to_string(t->g.outputs.size()) +
                                " tensors but false_fn returned " + std::to_string(f->g.outputs.size()));
  for (size_t i = 0; i < t->g.outputs.size(); ++i) {
    const auto &a = t->g.values[size_t(t->g.outputs[i])], &b = f->g.values[size_t(f->g.outputs[i])];
    if (a.shape != b.shape || a.dtype != b.dtype)
      throw std::invalid_argument("cond: result " + std::to_string(i) + " is " + dtype_name(a.dtype) + " " +
                                  a.shape.str() + " in true_fn but " + dtype_name(b.dtype) + " " + b.shape.str() +
                                  " in false_fn");
  }
  if (t->captures.size() + f->captures.size() > size_t(kMaxOutputs))
    throw std::invalid_argument("cond: the branches use " + std::to_string(t->captures.size() + f->captures.size()) +
                                " tensors from outside; at most " + std::to_string(kMaxOutputs) +
                                " are supported (pass fewer, e.g. concatenate them)");
  std::vector<Tensor> in = {pred};
  in.insert(in.end(), t->captures.begin(), t->captures.end());
  in.insert(in.end(), f->captures.begin(), f->captures.end());
  Attrs a;
  a.resources = {t, f};
  auto out = dispatch_multi(OpId::Cond, in, a);
  return std::vector<Tensor>(out.begin(), out.begin() + std::ptrdiff_t(t->g.outputs.size()));
}

Tensor cond(const Tensor& pred, const std::function<Tensor()>& true_fn, const std::function<Tensor()>& false_fn) {
  return cond(pred, std::function<std::vector<Tensor>()>([&] { return std::vector<Tensor>{true_fn()}; }),
              std::function<std::vector<Tensor>()>([&] { return std::vector<Tensor>{false_fn()}; }))[0];
}

std::vector<Tensor> while_loop(const LoopCond& cond_fn, const LoopBody& body, const std::vector<Tensor>& loop_vars,
                               int64_t maximum_iterations) {
  check_count(loop_vars.size(), "while_loop");
  for (size_t i = 0; i < loop_vars.size(); ++i)
    if (!loop_vars[i].defined()) throw std::invalid_argument("while_loop: loop var " + std::to_string(i) + " is undefined");
  auto check_body = [&](const std::vector<Tensor>& out) {
    if (out.size() != loop_vars.size())
      throw std::invalid_argument("while_loop: body returned " + std::to_string(out.size()) + " tensors for " +
                                  std::to_string(loop_vars.size()) + " loop vars");
    for (size_t i = 0; i < out.size(); ++i)
      if (!out[i].defined() || out[i].shape() != loop_vars[i].shape() || out[i].dtype() != loop_vars[i].dtype())
        throw std::invalid_argument("while_loop: body changed loop var " + std::to_string(i) + " from " +
                                    spec(loop_vars[i]) + " to " + (out[i].defined() ? spec(out[i]) : "undefined"));
  };
  if (!tracing::t_tracer) {
    std::vector<Tensor> vars = loop_vars;
    for (int64_t i = 0; maximum_iterations < 0 || i < maximum_iterations; ++i) {
      if (!read_pred(cond_fn(vars), "while_loop")) break;
      std::vector<Tensor> next = body(vars);
      check_body(next);
      vars = std::move(next);
    }
    return vars;
  }
  auto cg = tracing::trace_subgraph(loop_vars, [&](const std::vector<Tensor>& v) { return std::vector<Tensor>{cond_fn(v)}; },
                                    "while_loop (cond)");
  auto bg = tracing::trace_subgraph(loop_vars, body, "while_loop (body)");
  const auto& pv = cg->g.values[size_t(cg->g.outputs.at(0))];
  if (pv.dtype != DType::bool_ || pv.shape.num_elements() != 1)
    throw std::invalid_argument("while_loop: expected cond to return a bool scalar, but it returned " +
                                std::string(dtype_name(pv.dtype)) + " " + pv.shape.str());
  if (bg->g.outputs.size() != loop_vars.size())
    throw std::invalid_argument("while_loop: body returned " + std::to_string(bg->g.outputs.size()) +
                                " tensors for " + std::to_string(loop_vars.size()) + " loop vars");
  for (size_t i = 0; i < loop_vars.size(); ++i) {
    const auto& v = bg->g.values[size_t(bg->g.outputs[i])];
    if (v.shape != loop_vars[i].shape() || v.dtype != loop_vars[i].dtype())
      throw std::invalid_argument("while_loop: body changed loop var " + std::to_string(i) + " from " +
                                  spec(loop_vars[i]) + " to " + dtype_name(v.dtype) + " " + v.shape.str());
  }
  std::vector<Tensor> in = loop_vars;
  in.insert(in.end(), cg->captures.begin(), cg->captures.end());
  in.insert(in.end(), bg->captures.begin(), bg->captures.end());
  Attrs a;
  a.resources = {cg, bg};
  a.k = maximum_iterations;
  auto out = dispatch_multi(OpId::While, in, a);
  return std::vector<Tensor>(out.begin(), out.begin() + std::ptrdiff_t(loop_vars.size()));
}

std::vector<Tensor> host_function(const std::function<std::vector<Tensor>(const std::vector<Tensor>&)>& f,
                                  const std::vector<Tensor>& inputs, const std::vector<TensorSpec>& output_specs,
                                  const std::string& name) {
  return host_node(f, inputs, output_specs, false, name);
}

}  // namespace ops

namespace graph {
std::vector<Tensor> early_host_function(const std::function<std::vector<Tensor>(const std::vector<Tensor>&)>& f,
                                        const std::vector<Tensor>& inputs, const std::vector<TensorSpec>& output_specs) {
  return host_node(f, inputs, output_specs, true);
}
}  // namespace graph

namespace ops {

namespace {
void add_check(const Tensor& x, std::shared_ptr<ElementCheck> chk) {
  if (!x.defined()) throw std::invalid_argument("check_elements: the tensor is undefined");
  Attrs a;
  a.resources = {chk};
  dispatch(OpId::CheckElements, {x}, a);
}
}  // namespace

void check_elements(const Tensor& x, std::function<bool(double)> ok,
                    std::function<std::string(double, int64_t, const Shape&)> message, std::string key) {
  auto chk = std::make_shared<ElementCheck>();
  chk->ok = std::move(ok);
  chk->message = std::move(message);
  chk->check_key = std::move(key);
  add_check(x, std::move(chk));
}

void check_range(const Tensor& x, const ElementRange& range,
                 std::function<std::string(double, int64_t, const Shape&)> message, std::string key) {
  auto chk = std::make_shared<ElementCheck>();
  chk->ok = [range](double v) { return in_range(range, v); };
  chk->range = range;
  chk->message = std::move(message);
  chk->check_key = std::move(key);
  add_check(x, std::move(chk));
}

}  // namespace ops
}  // namespace keras::core
