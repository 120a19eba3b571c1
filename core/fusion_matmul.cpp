// fusion_matmul.cpp - the epilogue passes (core/fusion.h): matmul -> add(bias) -> relu
// chains of a traced graph become one FusedMatMul node, conv -> add(bias) -> relu chains
// one FusedConv node (TensorFlow's remapper makes _FusedMatMul and _FusedConv2D the same
// way), and back for export.
#include <vector>

#include "core/fusion.h"
#include "core/kernel_dtypes.h"

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

// A head node's epilogue: the add of a bias (its output's last dimension) and a relu that
// follow it, each using the value before it as its only use.
struct Chain {
  std::vector<size_t> nodes;  // the head, then the add and the relu that were found
  int bias = -1;              // the bias's value, or -1
  bool relu = false;
  int last = -1;              // the chain's result
};

Chain epilogue_after(const Graph& g, const Uses& u, size_t head) {
  const ValueInfo& out = g.values[size_t(g.nodes[head].outputs[0])];
  Chain c{{head}, -1, false, g.nodes[head].outputs[0]};
  int next = only_consumer(u, c.last);
  if (next >= 0 && is_op(g.nodes[size_t(next)], OpId::Add)) {
    const Node& add = g.nodes[size_t(next)];
    const int other = add.inputs[0] == c.last ? add.inputs[1] : add.inputs[0];
    const ValueInfo& b = g.values[size_t(other)];
    if (other != c.last && b.dtype == out.dtype && b.shape == Shape{out.shape[out.shape.rank() - 1]} &&
        g.values[size_t(add.outputs[0])].shape == out.shape) {
      c.bias = other;
      c.nodes.push_back(size_t(next));
      c.last = add.outputs[0];
      next = only_consumer(u, c.last);
    }
  }
  c.relu = next >= 0 && is_op(g.nodes[size_t(next)], OpId::Relu);
  if (c.relu) {
    c.nodes.push_back(size_t(next));
    c.last = g.nodes[size_t(next)].outputs[0];
  }
  return c;
}

// Whether a `fused` node may hold a value like v: a float dtype whose device has the
// fused op's kernel for it (supports()); elsewhere the nodes stay as they are.
bool fusible_value(OpId fused, const ValueInfo& v) {
  return (v.dtype == DType::float32 || v.dtype == DType::float64) && kernel_supports(fused, v.device.kind, v.dtype);
}

// Every `head` node accepted by `fits` with an epilogue becomes one `fused` node (the
// head's attributes, Attrs.k = 1 for relu) at the chain's last position, where every
// input is made; returns how many nodes were removed.
template <class Fits>
int fuse_epilogue(Graph& g, OpId head, OpId fused_op, Fits fits) {
  const Uses u = uses_of(g);
  std::vector<char> drop(g.nodes.size(), 0);
  int removed = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& h = g.nodes[i];
    if (!is_op(h, head) || drop[i] || !fits(h)) continue;
    const Chain c = epilogue_after(g, u, i);
    if (c.nodes.size() < 2) continue;
    Node fused;
    fused.op = fused_op;
    fused.attrs = h.attrs;
    fused.attrs.k = c.relu ? 1 : 0;
    fused.inputs = {h.inputs[0], h.inputs[1]};
    if (c.bias >= 0) fused.inputs.push_back(c.bias);
    fused.outputs = {c.last};
    for (size_t k = 0; k + 1 < c.nodes.size(); ++k) drop[c.nodes[k]] = 1;
    g.nodes[c.nodes.back()] = std::move(fused);
    removed += int(c.nodes.size()) - 1;
  }
  remove_nodes(g, drop);
  return removed;
}

// Each `fused_op` node back as head -> add(bias) -> relu.
void unfuse_epilogue(Graph& g, OpId fused_op, OpId head) {
  std::vector<Node> out;
  for (Node& n : g.nodes) {
    if (!is_op(n, fused_op)) {
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
    Attrs a = n.attrs;
    a.k = 0;
    int v = step(head, a, {n.inputs[0], n.inputs[1]}, !bias && !relu);
    if (bias) v = step(OpId::Add, Attrs{}, {v, n.inputs[2]}, !relu);
    if (relu) step(OpId::Relu, Attrs{}, {v}, true);
  }
  g.nodes = std::move(out);
}

}  // namespace

int fuse_matmul_epilogue(Graph& g) {
  return fuse_epilogue(g, OpId::MatMul, OpId::FusedMatMul, [&](const Node& mm) {
    return fusible_value(OpId::FusedMatMul, g.values[size_t(mm.outputs[0])]) && g.values[size_t(mm.inputs[0])].shape.rank() == 2 &&
           g.values[size_t(mm.inputs[1])].shape.rank() == 2;
  });
}

void unfuse_matmul_epilogue(Graph& g) { unfuse_epilogue(g, OpId::FusedMatMul, OpId::MatMul); }

int fuse_conv_epilogue(Graph& g) {
  return fuse_epilogue(g, OpId::Conv, OpId::FusedConv,
                       [&](const Node& conv) { return fusible_value(OpId::FusedConv, g.values[size_t(conv.outputs[0])]); });
}

void unfuse_conv_epilogue(Graph& g) { unfuse_epilogue(g, OpId::FusedConv, OpId::Conv); }

}  // namespace keras::core::graph
