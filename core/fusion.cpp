// fusion.cpp - the elementwise fusion pass (core/fusion.h).
#include "core/fusion.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/kernel_dtypes.h"

namespace keras::core {

namespace {
bool is_unary(OpId op) {
  switch (op) {
    case OpId::Neg: case OpId::Abs: case OpId::Square: case OpId::Relu: case OpId::Exp: case OpId::Log:
    case OpId::Sqrt: case OpId::Reciprocal: case OpId::Sin: case OpId::Cos: case OpId::Tanh:
    case OpId::Sign: case OpId::Round: case OpId::Floor: case OpId::Ceil:
      return true;
    default: return false;
  }
}
bool is_arith(OpId op) {
  return op == OpId::Add || op == OpId::Sub || op == OpId::Mul || op == OpId::Div || op == OpId::SquaredDifference;
}
bool is_compare(OpId op) {
  return op == OpId::Greater || op == OpId::GreaterEqual || op == OpId::Less || op == OpId::LessEqual ||
         op == OpId::Equal || op == OpId::NotEqual;
}
}  // namespace

bool cpu_fusible_only(OpId op) {
  switch (op) {
    case OpId::Round: case OpId::Floor: case OpId::Ceil: case OpId::Maximum: case OpId::Minimum:
    // the activations with a vector kernel on the CPU (core/cpu/isa.h's VecOp)
    case OpId::Rsqrt: case OpId::Sigmoid: case OpId::Gelu: case OpId::Silu: case OpId::Softplus:
    case OpId::Softsign: case OpId::Expm1: case OpId::Log1p: case OpId::Elu: case OpId::Selu:
    case OpId::LeakyRelu:
      return true;
    default: return false;
  }
}

bool fusible_op(OpId op) {
  return is_unary(op) || is_arith(op) || is_compare(op) || op == OpId::Cast || cpu_fusible_only(op);
}

FusedInput fused_input(const Shape& in, const Shape& out) {
  if (in == out) return {FusedInput::full, 1};
  if (in.num_elements() == 1) return {FusedInput::scalar, 1};
  if (in.rank() > out.rank()) return {};
  const int64_t r = out.rank(), pad = r - in.rank();
  auto dim = [&](int64_t a) { return a < pad ? int64_t(1) : in[a - pad]; };  // in, padded with leading ones
  int64_t p = 0;  // the prefix of ones (padding included) repeats the rest
  while (p < r && dim(p) == 1) ++p;
  bool row = true;
  for (int64_t a = p; a < r; ++a) row = row && dim(a) == out[a];
  if (row) return {FusedInput::row, 1};
  // A column: ones from axis s on, out's dimensions from p to s.
  int64_t s = r;
  while (s > p && dim(s - 1) == 1) --s;
  for (int64_t a = p; a < s; ++a)
    if (dim(a) != out[a]) return {};
  int64_t inner = 1;
  for (int64_t a = s; a < r; ++a) inner *= out[a];
  if (s == r || inner == 1) return {};
  return {FusedInput::column, inner};
}

namespace graph {
namespace {

constexpr size_t kMaxInstrs = 24, kMaxInputs = 8;

// An input fits a fused loop over `out` on `device` (fused_input: columns on the CPU only).
bool fits(const Shape& in, const Shape& out, Device::Kind device) {
  const FusedInput f = fused_input(in, out);
  return f.kind != FusedInput::none && (f.kind != FusedInput::column || device == Device::Kind::CPU);
}

bool float_type(DType d) { return d == DType::float32 || d == DType::float64; }

// The values the nodes read that none of them makes (a fused node's inputs).
size_t external_inputs(const Graph& g, const std::vector<size_t>& nodes) {
  std::set<int> made, read;
  for (size_t idx : nodes) made.insert(g.nodes[idx].outputs[0]);
  for (size_t idx : nodes)
    for (int v : g.nodes[idx].inputs)
      if (!made.count(v)) read.insert(v);
  return read.size();
}

}  // namespace

int fuse_elementwise(Graph& g) {
  // Uses of each value (graph outputs count as uses that cannot be fused away).
  std::vector<int> uses(g.values.size(), 0), producer(g.values.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (int v : g.nodes[i].inputs) ++uses[size_t(v)];
    for (int v : g.nodes[i].outputs) producer[size_t(v)] = int(i);
  }
  for (int v : g.outputs) uses[size_t(v)] += 2;

  // A node's role: a member of a group (by the group's last node) or none.
  struct Group {
    std::vector<size_t> nodes;  // in order
    Shape shape;
    DType dtype{};
    Device device;
    bool closed = false;  // ends with a cast to bfloat16: nothing joins after it
  };
  std::vector<Group> groups;
  std::map<int, size_t> group_of_value;  // value produced inside a group -> group index
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.kind != NodeKind::Op || !fusible_op(n.op) || n.outputs.size() != 1 || !n.attrs.resources.empty()) continue;
    const ValueInfo& out = g.values[size_t(n.outputs[0])];
    if (cpu_fusible_only(n.op) && out.device.kind != Device::Kind::CPU) continue;
    // Comparisons enter a group only through the cast of their result to the group's
    // dtype; a cast enters only after a comparison, or (CPU float32 groups) as a bfloat16
    // input's widening, which starts a group, or as the narrowing of its result to
    // bfloat16, which ends one.
    const bool compare = is_compare(n.op), cast = n.op == OpId::Cast;
    const DType in_dt = n.inputs.empty() ? out.dtype : g.values[size_t(n.inputs[0])].dtype;
    const bool cpu = out.device.kind == Device::Kind::CPU;
    const bool widen = cast && cpu && in_dt == DType::bfloat16 && out.dtype == DType::float32;
    const bool narrow = cast && cpu && in_dt == DType::float32 && out.dtype == DType::bfloat16;
    if (!compare && !narrow && !float_type(out.dtype)) continue;
    if (compare && !float_type(g.values[size_t(n.inputs[0])].dtype)) continue;
    // The fused op's kernel must exist for the values' device and dtype (supports()).
    const DType group_dt = compare || narrow ? in_dt : out.dtype;
    if (!kernel_supports(OpId::FusedElementwise, out.device.kind, group_dt)) continue;
    bool complex_in = false;  // complex ops (abs of complex64 is float32) run unfused
    for (int v : n.inputs) complex_in = complex_in || is_complex(g.values[size_t(v)].dtype);
    if (complex_in) continue;
    if (cast && !widen && !narrow) {
      auto it = group_of_value.find(n.inputs[0]);
      const int src = producer[size_t(n.inputs[0])];
      if (src < 0 || !is_compare(g.nodes[size_t(src)].op) || it == group_of_value.end() ||
          groups[it->second].dtype != out.dtype)
        continue;
    }
    bool ok = true;
    for (int v : n.inputs) ok = ok && fits(g.values[size_t(v)].shape, out.shape, out.device.kind);
    if (!ok) continue;
    // Join the group of an input made only for this node, when shapes and dtypes agree; the
    // groups of its other such inputs join too (a binary op of two chains, as a gradient's
    // dy * sign(y) or a bias add of two widened bfloat16 values), while the merged group
    // stays within the instruction and input limits. Each group stays a tree whose every
    // value but the last has its one use inside it.
    size_t target = groups.size();
    for (int v : n.inputs) {
      if (widen) break;  // (starts a group of its own)
      auto it = group_of_value.find(v);
      if (it == group_of_value.end() || uses[size_t(v)] != 1 || it->second == target) continue;
      const Group& gr = groups[it->second];
      if (!(gr.shape == out.shape && gr.dtype == group_dt && gr.device == out.device && !gr.closed)) continue;
      if (target == groups.size()) {
        if (gr.nodes.size() < kMaxInstrs) target = it->second;
        continue;
      }
      // (Not under a comparison: a group whose last node is a comparison left without its
      // cast loses that node at the end, which would leave the merged chains two results.)
      if (compare) continue;
      std::vector<size_t> merged = groups[target].nodes;
      merged.insert(merged.end(), gr.nodes.begin(), gr.nodes.end());
      merged.push_back(i);
      if (merged.size() > kMaxInstrs || external_inputs(g, merged) > kMaxInputs) continue;
      merged.pop_back();
      std::sort(merged.begin(), merged.end());  // node order is a topological order
      const size_t from = it->second;  // (it->second changes below)
      for (size_t idx : groups[from].nodes) group_of_value[g.nodes[idx].outputs[0]] = target;
      groups[from].nodes.clear();
      groups[target].nodes = std::move(merged);
    }
    if (cast && !widen && target == groups.size()) continue;  // a lone cast is no fusion
    if (target == groups.size()) {
      groups.push_back(Group{{}, out.shape, group_dt, out.device});
    }
    groups[target].nodes.push_back(i);
    groups[target].closed = narrow;
    group_of_value[n.outputs[0]] = target;
  }

  // Replace each group of two or more nodes by one node at its last member's position.
  std::vector<char> drop(g.nodes.size(), 0);
  int removed = 0;
  for (Group& gr : groups) {
    if (gr.nodes.size() < 2) continue;
    // A comparison must end up cast inside the group, and the last node must not be one.
    if (is_compare(g.nodes[gr.nodes.back()].op)) gr.nodes.pop_back();
    if (gr.nodes.size() < 2) continue;
    auto prog = std::make_shared<ElementwiseProgram>();
    prog->shape = gr.shape;
    prog->dtype = gr.dtype;
    std::map<int, int> reg;  // value id -> register
    std::vector<int> inputs;
    std::vector<int> produced;
    for (size_t idx : gr.nodes) produced.push_back(g.nodes[idx].outputs[0]);
    auto inside = [&](int v) { return std::find(produced.begin(), produced.end(), v) != produced.end(); };
    for (size_t idx : gr.nodes)
      for (int v : g.nodes[idx].inputs)
        if (!inside(v) && !reg.count(v)) {
          reg[v] = int(inputs.size());
          inputs.push_back(v);
        }
    if (inputs.size() > kMaxInputs) continue;
    prog->num_inputs = int(inputs.size());
    prog->result_dtype = g.values[size_t(g.nodes[gr.nodes.back()].outputs[0])].dtype;
    for (int v : inputs)
      if (g.values[size_t(v)].dtype != gr.dtype) {
        prog->input_dtypes.clear();
        for (int u : inputs) prog->input_dtypes.push_back(g.values[size_t(u)].dtype);
        break;
      }
    for (size_t idx : gr.nodes) {
      const Node& n = g.nodes[idx];
      ElementwiseProgram::Instr instr{n.op, {}, n.attrs};
      for (int v : n.inputs) instr.args.push_back(reg.at(v));
      reg[n.outputs[0]] = prog->num_inputs + int(prog->code.size());
      prog->code.push_back(std::move(instr));
    }
    Node fused;
    fused.op = OpId::FusedElementwise;
    fused.attrs.resources = {prog};
    fused.inputs = inputs;
    fused.outputs = {g.nodes[gr.nodes.back()].outputs[0]};
    for (size_t k = 0; k + 1 < gr.nodes.size(); ++k) drop[gr.nodes[k]] = 1;
    g.nodes[gr.nodes.back()] = std::move(fused);
    removed += int(gr.nodes.size()) - 1;
  }
  remove_nodes(g, drop);
  return removed;
}

void unfuse_elementwise(Graph& g) {
  std::vector<Node> out;
  for (Node& n : g.nodes) {
    if (n.kind != NodeKind::Op || n.op != OpId::FusedElementwise) {
      out.push_back(std::move(n));
      continue;
    }
    const auto& p = static_cast<const ElementwiseProgram&>(*n.attrs.resources.at(0));
    std::vector<int> reg = n.inputs;  // register -> value id
    for (size_t k = 0; k < p.code.size(); ++k) {
      const auto& instr = p.code[k];
      Node m;
      m.op = instr.op;
      m.attrs = instr.attrs;
      for (int r : instr.args) m.inputs.push_back(reg[size_t(r)]);
      int id = n.outputs[0];
      if (k + 1 < p.code.size()) {
        g.values.push_back(ValueInfo{p.shape, is_compare(instr.op) ? DType::bool_ : p.dtype,
                                     g.values[size_t(n.outputs[0])].device});
        id = int(g.values.size()) - 1;
      }
      m.outputs = {id};
      reg.push_back(id);
      out.push_back(std::move(m));
    }
  }
  g.nodes = std::move(out);
}

}  // namespace graph
}  // namespace keras::core
