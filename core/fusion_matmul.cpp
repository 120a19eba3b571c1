// fusion_matmul.cpp - the matmul epilogue pass (core/fusion.h): matmul -> add(bias) ->
// relu chains of a traced graph become one FusedMatMul node (TensorFlow's remapper makes
// _FusedMatMul the same way), and back for export.
#include <vector>

#include "core/fusion.h"

namespace keras::core::graph {
namespace {

struct Uses {
  std::vector<int> count, consumer;  // per value: how many uses; the last node using it
};

Uses uses_of(const Graph& g) {
  Uses u{std::vector<int>(g.values.size(), 0), std::vector<int>(g.values.size(), -1)};
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (int v : g.nodes[i].inputs) {
      ++u.count[size_t(v)];
      u.consumer[size_t(v)] = int(i);
    }
  for (int v : g.outputs) u.count[size_t(v)] += 2;  // a result is never fused away
  return u;
}

bool is_op(const Node& n, OpId op) { return n.kind == NodeKind::Op && n.op == op; }

// The node consuming value v when it is v's only use, else -1.
int only_consumer(const Uses& u, int v) { return u.count[size_t(v)] == 1 ? u.consumer[size_t(v)] : -1; }

}  // namespace

int fuse_matmul_epilogue(Graph& g) {
  const Uses u = uses_of(g);
  std::vector<char> drop(g.nodes.size(), 0);
  int removed = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& mm = g.nodes[i];
    if (!is_op(mm, OpId::MatMul) || drop[i]) continue;
    const ValueInfo& out = g.values[size_t(mm.outputs[0])];
    if ((out.dtype != DType::float32 && out.dtype != DType::float64) || !out.device.is_cpu() ||
        g.values[size_t(mm.inputs[0])].shape.rank() != 2 || g.values[size_t(mm.inputs[1])].shape.rank() != 2)
      continue;
    std::vector<size_t> chain = {i};
    int bias = -1, last = mm.outputs[0];
    int next = only_consumer(u, last);
    if (next >= 0 && is_op(g.nodes[size_t(next)], OpId::Add)) {
      const Node& add = g.nodes[size_t(next)];
      const int other = add.inputs[0] == last ? add.inputs[1] : add.inputs[0];
      const ValueInfo& b = g.values[size_t(other)];
      if (other != last && b.dtype == out.dtype && b.shape == Shape{out.shape[1]} &&
          g.values[size_t(add.outputs[0])].shape == out.shape) {
        bias = other;
        chain.push_back(size_t(next));
        last = add.outputs[0];
        next = only_consumer(u, last);
      }
    }
    const bool relu = next >= 0 && is_op(g.nodes[size_t(next)], OpId::Relu);
    if (relu) {
      chain.push_back(size_t(next));
      last = g.nodes[size_t(next)].outputs[0];
    }
    if (chain.size() < 2) continue;
    Node fused;
    fused.op = OpId::FusedMatMul;
    fused.attrs.flag = mm.attrs.flag;
    fused.attrs.flag2 = mm.attrs.flag2;
    fused.attrs.k = relu ? 1 : 0;
    fused.inputs = {mm.inputs[0], mm.inputs[1]};
    if (bias >= 0) fused.inputs.push_back(bias);
    fused.outputs = {last};
    for (size_t k = 0; k + 1 < chain.size(); ++k) drop[chain[k]] = 1;
    g.nodes[chain.back()] = std::move(fused);  // every input is made before this position
    removed += int(chain.size()) - 1;
  }
  remove_nodes(g, drop);
  return removed;
}

void unfuse_matmul_epilogue(Graph& g) {
  std::vector<Node> out;
  for (Node& n : g.nodes) {
    if (!is_op(n, OpId::FusedMatMul)) {
      out.push_back(std::move(n));
      continue;
    }
    const ValueInfo info = g.values[size_t(n.outputs[0])];
    const bool bias = n.inputs.size() == 3, relu = n.attrs.k == 1;
    // One primitive node; the last of the chain writes the fused node's output.
    auto step = [&](OpId op, Attrs attrs, std::vector<int> inputs, bool last) {
      Node m;
      m.op = op;
      m.attrs = std::move(attrs);
      m.inputs = std::move(inputs);
      if (!last) g.values.push_back(info);
      m.outputs = {last ? n.outputs[0] : int(g.values.size()) - 1};
      out.push_back(m);
      return m.outputs[0];
    };
    Attrs mm;
    mm.flag = n.attrs.flag;
    mm.flag2 = n.attrs.flag2;
    int v = step(OpId::MatMul, mm, {n.inputs[0], n.inputs[1]}, !bias && !relu);
    if (bias) v = step(OpId::Add, Attrs{}, {v, n.inputs[2]}, !relu);
    if (relu) step(OpId::Relu, Attrs{}, {v}, true);
  }
  g.nodes = std::move(out);
}

}  // namespace keras::core::graph
