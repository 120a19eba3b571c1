// control_flow_grad.cpp - the gradient of a traced while_loop.
//
// While's gradient rule emits one WhileGrad node (time and memory linear in the
// iterations):
//   WhileGrad  resources {cond graph, body graph, the body's VJP graph}; inputs {vars...,
//              cond captures..., body captures..., upstream gradients of the vars...};
//              k = maximum_iterations (-1: none); outputs {gradients of the vars...,
//              gradients of the body captures...}
// Its kernel runs the loop forward again, keeping the vars each iteration starts from,
// then walks the iterations backwards through the body's VJP graph (traced once, when
// the rule runs), summing the captures' gradients over the iterations. Running the loop
// again is exact only when the condition and the body give the same results the second
// time: the rule refuses a loop that changes state, draws random numbers or calls
// host_function.
//
// WhileGrad's own gradient (second and higher orders) differentiates the same
// computation written with differentiable ops: a while_loop counting the iterations, then
// one walking them backwards whose body recomputes the vars of each iteration with an
// inner while_loop from the initial ones (quadratic in the iterations, for higher orders
// only).
#include <memory>
#include <stdexcept>
#include <string>

#include "core/autodiff.h"
#include "core/control_flow.h"
#include "core/control_flow_detail.h"
#include "core/dispatch.h"
#include "core/graph.h"
#include "core/ops.h"

namespace keras::core {
namespace control_flow_detail {
namespace {

// A While (or WhileGrad) node's inputs by role.
struct Parts {
  const Subgraph *cg, *bg;
  size_t n, nc, nb;
  std::vector<Tensor> vars, ccaps, bcaps;
};

Parts parts(const Attrs& a, std::span<const Tensor> in) {
  Parts p;
  p.cg = &static_cast<const Subgraph&>(*a.resources.at(0));
  p.bg = &static_cast<const Subgraph&>(*a.resources.at(1));
  p.n = p.bg->g.outputs.size();
  p.nc = p.cg->captures.size();
  p.nb = p.bg->captures.size();
  p.vars = slice(in, 0, p.n);
  p.ccaps = slice(in, p.n, p.nc);
  p.bcaps = slice(in, p.n + p.nc, p.nb);
  return p;
}

// Whether running g again could give other results or change state: state writes, random
// draws, host calls (nested control flow is looked into; element checks only raise).
bool replay_unsafe(const graph::Graph& g) {
  for (const graph::Node& nd : g.nodes) {
    if (nd.kind != graph::NodeKind::Op || nd.op == OpId::CheckElements) continue;
    if (nd.op == OpId::Cond || nd.op == OpId::While || nd.op == OpId::WhileGrad) {
      for (const auto& r : nd.attrs.resources)
        if (auto* s = dynamic_cast<const Subgraph*>(r.get()); s && replay_unsafe(s->g)) return true;
      continue;
    }
    if (op_def(nd.op).flags & (kWritesState | kRandom)) return true;
  }
  return false;
}

Tensor int64_scalar(int64_t v) { return constant(v); }

// The body's VJP as a subgraph: (vars..., body captures..., upstream...) -> (gradients of
// the vars..., gradients of the captures...).
std::shared_ptr<Subgraph> body_vjp(const Parts& p, const std::vector<Tensor>& upstream) {
  return tracing::trace_subgraph(
      with(with(p.vars, p.bcaps), upstream),
      [&](const std::vector<Tensor>& in) {
        return subgraph_vjp(*p.bg, slice(in, 0, p.n + p.nb), std::span<const Tensor>(in).subspan(p.n + p.nb, p.n));
      },
      "while_loop (the gradient of the body)");
}

void infer_while_grad(OpCall& c) {
  if (c.attrs.resources.size() != 3) throw_invalid("while_grad: expected a condition, a body and the body's gradient");
  const Subgraph &cg = sub(c, 0), &bg = sub(c, 1), &vg = sub(c, 2);
  const int n = int(bg.g.outputs.size());
  check_sub(c, bg, n);
  check_sub(c, cg, n);
  const size_t nc = cg.captures.size(), nb = bg.captures.size();
  check_inputs(c, 2 * size_t(n) + nc + nb);
  if (vg.explicit_inputs != 2 * n + int(nb) || !vg.captures.empty() || vg.g.num_inputs != vg.explicit_inputs ||
      vg.g.outputs.size() != size_t(n) + nb || vg.g.outputs.size() > size_t(kMaxOutputs))
    throw_invalid("while_grad: the body's gradient does not match the node");
  for (int i = 0; i < n; ++i) c.set_output(i, c.in(size_t(i)).shape(), c.in(size_t(i)).dtype());
  for (size_t j = 0; j < nb; ++j) {
    const Tensor& x = c.in(size_t(n) + nc + j);
    c.set_output(n + int(j), x.shape(), x.dtype());
  }
}

void while_grad_kernel(OpCall& c) {
  const Subgraph &cg = sub(c, 0), &bg = sub(c, 1), &vg = sub(c, 2);
  const size_t n = bg.g.outputs.size(), nc = cg.captures.size(), nb = bg.captures.size();
  std::vector<Tensor> vars = slice(c.inputs, 0, n);
  const std::vector<Tensor> ccap = slice(c.inputs, n, nc), bcap = slice(c.inputs, n + nc, nb);
  std::vector<Tensor> g = slice(c.inputs, n + nc + nb, n);
  std::vector<std::vector<Tensor>> states;  // the vars each iteration starts from
  for (int64_t i = 0; c.attrs.k < 0 || i < c.attrs.k; ++i) {
    if (!read_pred(run_sub(cg, with(vars, ccap))[0], "while_loop")) break;
    states.push_back(vars);
    vars = run_sub(bg, with(vars, bcap));
  }
  autodiff::SuspendRecording no_record;
  std::vector<Tensor> gcap;
  for (const Tensor& x : bcap) gcap.push_back(ops::zeros_like(x));
  for (size_t k = states.size(); k-- > 0;) {
    std::vector<Tensor> out = graph::run(vg.g, with(with(states[k], bcap), g));
    g.assign(out.begin(), out.begin() + std::ptrdiff_t(n));
    for (size_t j = 0; j < nb; ++j) gcap[j] = ops::add(gcap[j], out[n + j]);
    states[k].clear();  // freed as the walk goes
  }
  for (size_t i = 0; i < n; ++i) c.outputs[i] = own_handle(g[i]);
  for (size_t j = 0; j < nb; ++j) c.outputs[n + j] = gcap[j];
}

// WhileGrad's outputs computed with while_loops (see the top): differentiable again.
std::vector<Tensor> while_grad_by_loops(const Parts& p, const std::vector<Tensor>& upstream, int64_t max_iterations) {
  const size_t n = p.n, nb = p.nb;
  auto body_of = [&](const std::vector<Tensor>& v) { return graph::run(p.bg->g, with(v, p.bcaps)); };
  auto cond_of = [&](const std::vector<Tensor>& v) { return graph::run(p.cg->g, with(v, p.ccaps))[0]; };
  const Tensor zero = int64_scalar(0), one = int64_scalar(1);
  auto step = [&](const std::vector<Tensor>& v) { return with({ops::add(v[0], one)}, body_of(slice(v, 1, n))); };
  const Tensor count = ops::while_loop([&](const std::vector<Tensor>& v) { return cond_of(slice(v, 1, n)); }, step,
                                       with({zero}, p.vars), max_iterations)[0];
  std::vector<Tensor> init = with({count}, upstream);
  for (const Tensor& x : p.bcaps) init.push_back(ops::zeros_like(x));
  auto back = ops::while_loop(
      [&](const std::vector<Tensor>& v) { return ops::greater(v[0], zero); },
      [&](const std::vector<Tensor>& v) {
        const Tensor j = ops::subtract(v[0], one);
        auto at_j = ops::while_loop([&](const std::vector<Tensor>& u) { return ops::less(u[0], j); }, step,
                                    with({zero}, p.vars));
        std::vector<Tensor> d = subgraph_vjp(*p.bg, with(slice(at_j, 1, n), p.bcaps), slice(v, 1, n));
        std::vector<Tensor> next = with({j}, slice(d, 0, n));
        for (size_t k = 0; k < nb; ++k) next.push_back(ops::add(v[1 + n + k], d[n + k]));
        return next;
      },
      init);
  return slice(back, 1, n + nb);
}

std::vector<Tensor> while_grad_grad(const GradContext& gc) {
  const Parts p = parts(gc.attrs, gc.inputs);
  const std::vector<Tensor> in(gc.inputs.begin(), gc.inputs.end());
  GradientTape tape(GradientTape::Options{.persistent = false, .watch_accessed_variables = false});
  for (const Tensor& x : in) tape.watch(x);
  std::vector<Tensor> out = while_grad_by_loops(p, slice(in, p.n + p.nc + p.nb, p.n), gc.attrs.k);
  Tensor target;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!is_floating(out[i].dtype()) || !gc.out_grads[i].defined()) continue;
    Tensor term = ops::sum(ops::multiply(out[i], gc.out_grads[i]));
    target = target.defined() ? ops::add(target, term) : term;
  }
  if (!target.defined()) return std::vector<Tensor>(in.size());
  std::vector<Tensor> g = tape.gradient(target, in);
  for (size_t i = 0; i < g.size(); ++i)
    if (!is_floating(in[i].dtype())) g[i] = Tensor();
  return g;
}

}  // namespace

std::vector<Tensor> while_grad(const GradContext& gc) {
  const Parts p = parts(gc.attrs, gc.inputs);
  if (replay_unsafe(p.cg->g) || replay_unsafe(p.bg->g))
    throw std::invalid_argument(
        "while_loop: cannot differentiate a traced loop whose condition or body changes state, draws random numbers "
        "or calls host_function (its gradient runs the loop again); write it as a C++ loop, which unrolls at trace "
        "time, or run it eagerly");
  if (p.n + p.nb > size_t(kMaxOutputs))
    throw std::invalid_argument("while_loop: a traced loop's gradient takes at most " + std::to_string(kMaxOutputs) +
                                " loop vars and tensors the body reads from outside together, but the loop has " +
                                std::to_string(p.n) + " loop vars and " + std::to_string(p.nb) +
                                " such tensors (pass fewer, e.g. concatenate them)");
  std::vector<Tensor> upstream;
  for (size_t i = 0; i < p.n; ++i)
    upstream.push_back(gc.out_grads[i].defined() && is_floating(p.vars[i].dtype()) ? gc.out_grads[i]
                                                                                    : ops::zeros_like(p.vars[i]));
  Attrs a;
  a.resources = {gc.attrs.resources.at(0), gc.attrs.resources.at(1), body_vjp(p, upstream)};
  a.k = gc.attrs.k;
  auto out = dispatch_multi(OpId::WhileGrad, with(std::vector<Tensor>(gc.inputs.begin(), gc.inputs.end()), upstream), a);
  std::vector<Tensor> grads(gc.inputs.size());
  for (size_t i = 0; i < p.n; ++i)
    if (is_floating(p.vars[i].dtype())) grads[i] = out[i];
  for (size_t j = 0; j < p.nb; ++j)
    if (is_floating(p.bcaps[j].dtype())) grads[p.n + p.nc + j] = out[p.n + j];
  return grads;
}

void define_while_grad_op() {
  set_op_flags(OpId::WhileGrad, kWritesState | kRandom);  // like While: its subgraphs run in place
  define_op(OpId::WhileGrad, infer_while_grad);
  define_grad(OpId::WhileGrad, while_grad_grad);
  for (size_t k = 0; k < Device::kNumKinds; ++k) register_kernel(OpId::WhileGrad, Device::Kind(k), while_grad_kernel);
}

}  // namespace control_flow_detail
}  // namespace keras::core
