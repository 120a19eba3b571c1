// graph_run.cpp - running a graph: the execution plan (early host functions moved up,
// liveness, stages of independent nodes) and the executor.
#include <algorithm>
#include <atomic>
#include <cmath>

#include "core/autodiff.h"
#include "core/cpu/parallel.h"
#include "core/graph.h"
#include "core/ops.h"
#include "core/stateless_internal.h"

namespace keras::core::graph {
namespace {
std::atomic<int64_t> g_parallel_nodes{0};

bool ordered(const Node& n) {  // keeps its place among the other ordered nodes
  return n.kind == NodeKind::Op && (op_def(n.op).flags != kPure || !n.attrs.resources.empty());
}
// A node's estimated run time, in elements of memory traffic: what it reads and writes,
// plus the arithmetic of the GEMM and convolution ops at 30 flops per element (on one
// core here a float32 convolution runs about 4.5 ps per flop, a reduction about 0.13 ns
// per element read). Reading a variable or a view costs nothing.
double cost(const Graph& g, const Node& n) {
  if (n.kind != NodeKind::Op || n.op == OpId::ReadVariable || op_def(n.op).is_view) return 0;
  auto elems = [&](size_t input) { return double(g.values[size_t(n.inputs[input])].shape.num_elements()); };
  auto last_dim = [&](int value) {
    const Shape& s = g.values[size_t(value)].shape;
    return s.rank() > 0 ? std::max<double>(1, double(s[s.rank() - 1])) : 1.0;
  };
  double work = 0, flops = 0;
  for (int v : n.inputs) work += double(g.values[size_t(v)].shape.num_elements());
  for (int v : n.outputs) work += double(g.values[size_t(v)].shape.num_elements());
  if (n.outputs.empty() || n.inputs.size() < 2) return work;
  const double out = double(g.values[size_t(n.outputs[0])].shape.num_elements());
  switch (n.op) {
    case OpId::MatMul:
    case OpId::FusedMatMul:  // (m k) (k n) -> (m n): m k n multiply-adds
      flops = 2 * std::sqrt(elems(0) * elems(1) * out);
      break;
    case OpId::Conv:
    case OpId::FusedConv:  // each output: (kernel size / filters) multiply-adds
      flops = 2 * out * elems(1) / last_dim(n.inputs[1]);
      break;
    case OpId::ConvBackpropInput:  // {dy, kernel}
      flops = 2 * elems(0) * elems(1) / last_dim(n.inputs[1]);
      break;
    case OpId::ConvBackpropFilter:  // {x, dy} -> kernel
      flops = 2 * elems(1) * out / last_dim(n.inputs[1]);
      break;
    default: break;
  }
  return work + flops / 30;
}
// Enough work to be worth a thread of its own.
constexpr double kHeavy = 1 << 16;
}  // namespace

std::vector<Tensor> call_node(const Node& n, std::span<const Tensor> in) {
  const Attrs* attrs = &n.attrs;
  Attrs fresh;
  if (n.redraw_seed) {
    fresh = n.attrs;
    fresh.k = ops::draw_global_seed();
    attrs = &fresh;
  }
  auto out = dispatch_multi(n.op, in, *attrs);
  return std::vector<Tensor>(out.begin(), out.begin() + std::ptrdiff_t(n.outputs.size()));
}

int schedule_early(Graph& g) {
  // Each early node is anchored after the last maker of its inputs (or the previous early
  // node's anchor, so their order is kept), then the list is rebuilt: every other node in
  // order, each followed by the early nodes anchored on it.
  auto early = [](const Node& n) { return n.kind == NodeKind::Op && n.op == OpId::HostFunction && n.attrs.flag; };
  std::vector<int> maker(g.values.size(), -1), anchor(g.nodes.size(), -2);
  int previous = -1, moved = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (early(n)) {
      int a = previous;
      for (int v : n.inputs) a = std::max(a, maker[size_t(v)]);
      anchor[i] = previous = a;
      moved += a + 1 != int(i);
    }
    for (int v : n.outputs) maker[size_t(v)] = early(n) ? anchor[i] : int(i);
  }
  if (moved == 0) return 0;
  std::vector<std::vector<size_t>> after(g.nodes.size() + 1);  // [a + 1]: the early nodes anchored on node a
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (anchor[i] != -2) after[size_t(anchor[i] + 1)].push_back(i);
  std::vector<Node> nodes;
  nodes.reserve(g.nodes.size());
  for (size_t i : after[0]) nodes.push_back(std::move(g.nodes[i]));
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (anchor[i] != -2) continue;
    nodes.push_back(std::move(g.nodes[i]));
    for (size_t e : after[i + 1]) nodes.push_back(std::move(g.nodes[e]));
  }
  g.nodes = std::move(nodes);
  return moved;
}

void plan_memory(Graph& g) {
  std::vector<int> last(g.values.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (int v : g.nodes[i].inputs) last[size_t(v)] = int(i);
    for (int v : g.nodes[i].outputs) last[size_t(v)] = std::max(last[size_t(v)], int(i));
  }
  for (int v : g.outputs) last[size_t(v)] = int(g.nodes.size());  // returned: never dropped
  g.drops.assign(g.nodes.size(), {});
  for (size_t v = 0; v < last.size(); ++v)
    if (last[v] >= 0 && size_t(last[v]) < g.nodes.size()) g.drops[size_t(last[v])].push_back(int(v));
  plan_stages(g);
}

void plan_stages(Graph& g) {
  // A node's stage is one past the stages of the nodes it needs; nodes that read or change
  // state, draw random numbers or call C++ also follow the previous such node.
  std::vector<int> stage_of_value(g.values.size(), 0), stage(g.nodes.size(), 0);
  int last_ordered = -1, stages = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    int s = 0;
    for (int v : n.inputs) s = std::max(s, stage_of_value[size_t(v)] + 1);
    if (ordered(n)) {
      s = std::max(s, last_ordered + 1);
      last_ordered = s;
    }
    stage[i] = s;
    for (int v : n.outputs) stage_of_value[size_t(v)] = s;
    stages = std::max(stages, s + 1);
  }
  g.stages.assign(size_t(stages), {});
  for (size_t i = 0; i < g.nodes.size(); ++i) g.stages[size_t(stage[i])].push_back(int(i));
  // A value is dropped after the last stage that uses it (stages reorder the nodes).
  std::vector<int> last(g.values.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (int v : g.nodes[i].inputs) last[size_t(v)] = std::max(last[size_t(v)], stage[i]);
    for (int v : g.nodes[i].outputs) last[size_t(v)] = std::max(last[size_t(v)], stage[i]);
  }
  for (int v : g.outputs) last[size_t(v)] = stages;  // returned: never dropped
  g.stage_drops.assign(size_t(stages), {});
  for (size_t v = 0; v < last.size(); ++v)
    if (last[v] >= 0 && last[v] < stages) g.stage_drops[size_t(last[v])].push_back(int(v));
  g.stage_cost.assign(size_t(stages), {});
  bool any = false;
  for (size_t s = 0; s < g.stages.size(); ++s) {
    std::vector<int>& nodes = g.stages[s];
    std::vector<double> c(g.nodes.size(), 0);
    for (int i : nodes) c[size_t(i)] = cost(g, g.nodes[size_t(i)]);
    // Largest first: the executor hands the nodes out in this order (longest processing
    // time first); the traced order breaks ties, so a plan depends on the graph only.
    std::stable_sort(nodes.begin(), nodes.end(), [&](int a, int b) { return c[size_t(a)] > c[size_t(b)]; });
    Graph::StageCost& sc = g.stage_cost[s];
    for (int i : nodes)
      if (c[size_t(i)] >= kHeavy) {
        ++sc.heavy;
        sc.max = std::max(sc.max, c[size_t(i)]);
        sc.total += c[size_t(i)];
      }
    any = any || sc.heavy >= 2;
  }
  if (!any) g.stages.clear();  // nothing to overlap: run in the traced order
}

int64_t parallel_nodes_run() { return g_parallel_nodes.load(); }

std::vector<Tensor> run(const Graph& g, const std::vector<Tensor>& inputs) {
  std::vector<Tensor> vals(g.values.size());
  const bool planned = g.drops.size() == g.nodes.size();
  auto exec = [&](size_t i) {
    const Node& n = g.nodes[i];
    switch (n.kind) {
      case NodeKind::Input: vals[size_t(n.outputs[0])] = inputs.at(size_t(n.input_index)); break;
      case NodeKind::Constant: vals[size_t(n.outputs[0])] = n.constant; break;
      case NodeKind::Op: {
        std::vector<Tensor> out;
        {
          std::vector<Tensor> in;  // released before the next node: an in-place update may own its buffers
          in.reserve(n.inputs.size());
          for (int v : n.inputs) in.push_back(vals[size_t(v)]);
          out = call_node(n, in);
        }
        for (size_t k = 0; k < n.outputs.size(); ++k) vals[size_t(n.outputs[k])] = std::move(out[k]);
        break;
      }
    }
  };
  auto drop = [&](size_t i) {
    if (planned)
      for (int v : g.drops[i]) vals[size_t(v)] = Tensor();
  };
  // Independent heavy nodes run side by side on the engine's threads, when no tape or
  // trace on this thread needs to see the ops (those are per thread). A node running
  // beside others runs on one thread (the pool does not nest), so a stage runs in
  // parallel only when its heavy nodes can keep the threads evenly busy: at least half as
  // many heavy nodes as threads, and no node over 1.25 / threads of the stage's work
  // (else the large node runs alone on one thread while the others wait; run in turn, it
  // uses every thread). Threads take the next node, largest first, as they finish.
  const int threads = get_num_threads();
  // (nor when a StatelessScope, which is per thread too, must see the variables' ops)
  const bool overlap = !g.stages.empty() && threads > 1 && autodiff::t_recording == 0 && !tracing::t_tracer &&
                       !stateless::active();
  auto parallel = [&](const Graph::StageCost& sc) {
    const int used = std::min(threads, sc.heavy);
    return sc.heavy >= 2 && 2 * sc.heavy >= threads && sc.max * used <= 1.25 * sc.total;
  };
  if (!overlap) {
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      exec(i);
      drop(i);
    }
  } else {
    for (size_t s = 0; s < g.stages.size(); ++s) {
      const std::vector<int>& nodes = g.stages[s];
      if (parallel(g.stage_cost[s])) {
        std::atomic<size_t> next{0};
        cpu::parallel_for(std::min<int64_t>(threads, int64_t(nodes.size())), 1, [&](int64_t, int64_t) {
          for (size_t k = next++; k < nodes.size(); k = next++) exec(size_t(nodes[k]));
        });
        g_parallel_nodes += int64_t(nodes.size());
      } else {
        for (int i : nodes) exec(size_t(i));
      }
      for (int v : g.stage_drops[s]) vals[size_t(v)] = Tensor();
    }
  }
  std::vector<Tensor> result;
  for (int v : g.outputs) result.push_back(vals[size_t(v)]);
  return result;
}

}  // namespace keras::core::graph
