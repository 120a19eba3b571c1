// graph.cpp - the tracer (the dispatch hook that records op calls into a Graph), the
// graph passes and the executor.
#include "core/graph.h"
#include "core/stateless_internal.h"

#include "core/fusion.h"

#include <algorithm>
#include <functional>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace keras::core {
namespace tracing {

thread_local Tracer* t_tracer = nullptr;

Scope::Scope(Tracer& t, bool isolated) : saved_(t_tracer) {
  t.outer = isolated ? nullptr : t_tracer;
  if (isolated) t.capture_from = t_tracer;
  t_tracer = &t;
}
Scope::~Scope() { t_tracer = saved_; }

void Tracer::bind(const Tensor& t, int id) {
  ids[t.impl().get()] = id;
  keep.push_back(t);
}

void Tracer::add_input(const Tensor& t, int index) {
  graph::Node n;
  n.kind = graph::NodeKind::Input;
  n.input_index = index;
  const int id = g.add_value(t);
  n.outputs = {id};
  g.nodes.push_back(std::move(n));
  bind(t, id);
}

namespace {
// Whether x is a value of t or of a trace around it.
bool known_to(const Tracer* t, const Tensor& x) {
  if (!t) return false;
  if (t->ids.count(x.impl().get())) return true;
  return known_to(t->outer, x) || known_to(t->capture_from, x);
}
}  // namespace

int Tracer::value_of(const Tensor& t) {
  auto it = ids.find(t.impl().get());
  if (it != ids.end()) return it->second;
  if (known_to(capture_from, t)) {
    // A value of the enclosing trace: one more input of this subgraph.
    add_input(t, explicit_inputs + int(captures.size()));
    captures.push_back(t);
    return ids.at(t.impl().get());
  }
  graph::Node n;  // a tensor from outside the trace: captured as a constant
  n.kind = graph::NodeKind::Constant;
  n.constant = t;
  const int id = g.add_value(t);
  n.outputs = {id};
  g.nodes.push_back(std::move(n));
  bind(t, id);
  return id;
}

// Every active trace records the call: an inner function being traced is inlined into
// the traces around it.
void record(const OpCall& c) {
  // An update in place would change the variable when the graph runs, not the scope's value.
  if (stateless::active() && (op_def(c.op).flags & kWritesState) && !c.attrs.resources.empty() &&
      c.op != OpId::Cond && c.op != OpId::While && c.op != OpId::WhileGrad && c.op != OpId::HostFunction)
    throw std::invalid_argument(std::string(op_name(c.op)) +
                                " updates a variable in place, which cannot be traced inside a StatelessScope; "
                                "run it eagerly (outside keras::function) or outside the scope");
  for (Tracer* t = t_tracer; t; t = t->outer) {
    graph::Node n;
    n.op = c.op;
    n.attrs = c.attrs;
    for (const Tensor& in : c.inputs) n.inputs.push_back(t->value_of(in));
    for (int i = 0; i < c.num_outputs; ++i) {
      const Tensor& out = c.outputs[size_t(i)];
      const int id = t->g.add_value(out);
      t->bind(out, id);
      n.outputs.push_back(id);
    }
    n.redraw_seed = (op_def(c.op).flags & kRandom) && c.attrs.flag2;
    t->g.nodes.push_back(std::move(n));
    // Follow the variables' values: a read or an assignment gives the value later reads
    // use; any other change means the next read reads again.
    if (c.op == OpId::ReadVariable) t->variables[c.attrs.resources[0].get()] = c.outputs[0];
    else if (c.op == OpId::AssignVariable) t->variables[c.attrs.resources[0].get()] = c.in(0);
    else if (c.op == OpId::Cond || c.op == OpId::While || c.op == OpId::HostFunction)
      t->variables.clear();  // its branches, body or C++ may change any variable
    else if (op_def(c.op).flags & kWritesState)
      for (const auto& r : c.attrs.resources) t->variables.erase(r.get());
  }
}

void alias(const Tensor& from, const Tensor& to) {
  for (Tracer* t = t_tracer; t; t = t->outer) {
    auto it = t->ids.find(from.impl().get());
    if (it != t->ids.end()) t->bind(to, it->second);
  }
}

bool is_traced(const Tensor& t) { return t.defined() && known_to(t_tracer, t); }

void check_not_tracing(const char* what) {
  if (t_tracer)
    throw std::invalid_argument(std::string(what) +
                                " needs a concrete value, but it was called while tracing a function "
                                "(keras::function): a traced tensor has no value until the graph runs; "
                                "return the tensor from the function instead, or use "
                                "keras::ops::host_function");
}

std::shared_ptr<Subgraph> trace_subgraph(const std::vector<Tensor>& explicit_inputs,
                                         const std::function<std::vector<Tensor>(const std::vector<Tensor>&)>& fn,
                                         const char* what) {
  Tracer t;
  t.allow_variables = false;
  t.explicit_inputs = int(explicit_inputs.size());
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < explicit_inputs.size(); ++i) {
    Tensor h = view_as(explicit_inputs[i], explicit_inputs[i].shape());  // its own handle
    t.add_input(h, int(i));
    inputs.push_back(h);
  }
  std::vector<Tensor> out;
  {
    Scope scope(t, /*isolated=*/true);
    out = fn(inputs);
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (!out[i].defined())
      throw std::invalid_argument(std::string(what) + ": the function returned an undefined tensor (result " +
                                  std::to_string(i) + ")");
    t.g.outputs.push_back(t.value_of(out[i]));
  }
  auto sg = std::make_shared<Subgraph>();
  sg->g = std::move(t.g);
  sg->captures = std::move(t.captures);
  sg->explicit_inputs = t.explicit_inputs;
  sg->g.num_inputs = sg->explicit_inputs + int(sg->captures.size());
  graph::optimize(sg->g);
  return sg;
}

Tensor evaluate(const Tensor& t, const char* what) {
  Tracer* tr = t_tracer;
  if (!tr) return t;
  auto it = tr->ids.find(t.impl().get());
  if (it == tr->ids.end()) return t;  // not traced: it has its value
  if (!tr->concrete_inputs)
    throw std::invalid_argument(std::string(what) + ": its value depends on tensors of a nested traced function "
                                "or of a cond/while_loop branch; create it outside, or from values that do not");
  graph::Graph g = tr->g;
  g.outputs = {it->second};
  graph::prune(g, /*keep_state_changes=*/false);
  graph::plan_memory(g);
  t_tracer = nullptr;
  struct Restore {
    Tracer* t;
    ~Restore() { t_tracer = t; }
  } restore{tr};
  return graph::run(g, tr->input_values)[0];
}

const Tensor* variable_value(const Resource* r) {
  if (!t_tracer) return nullptr;
  auto it = t_tracer->variables.find(r);
  return it == t_tracer->variables.end() ? nullptr : &it->second;
}

bool variable_creation_allowed() {
  for (Tracer* t = t_tracer; t; t = t->outer)
    if (!t->allow_variables) return false;
  return true;
}

}  // namespace tracing

namespace graph {

int Graph::add_value(const Tensor& t) {
  values.push_back(ValueInfo{t.shape(), t.dtype(), t.device()});
  return int(values.size()) - 1;
}

int Graph::num_op_nodes() const {
  return int(std::count_if(nodes.begin(), nodes.end(), [](const Node& n) { return n.kind == NodeKind::Op; }));
}

std::string Graph::str() const {
  std::ostringstream os;
  auto ids = [&](const std::vector<int>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", %" : "%") + std::to_string(v[i]);
    return s;
  };
  auto info = [&](int v) { return std::string(dtype_name(values[size_t(v)].dtype)) + " " + values[size_t(v)].shape.str(); };
  for (const Node& n : nodes) {
    os << "  ";
    if (!n.outputs.empty()) os << ids(n.outputs) << " = ";
    if (n.kind == NodeKind::Input) {
      os << "input " << n.input_index;
    } else if (n.kind == NodeKind::Constant) {
      os << "constant";
    } else {
      os << op_name(n.op) << "(" << ids(n.inputs) << ")";
      if (n.op == OpId::Composite) os << " [" << n.attrs.resources[0]->key().substr(10) << "]";
      else if (!n.attrs.resources.empty()) os << " [state]";
    }
    if (!n.outputs.empty()) os << " : " << info(n.outputs[0]);
    os << "\n";
    for (const auto& r : n.attrs.resources)  // the branches and loop bodies, indented
      if (auto* sub = dynamic_cast<const tracing::Subgraph*>(r.get())) {
        std::istringstream lines(sub->g.str());
        for (std::string line; std::getline(lines, line);) os << "    | " << line << "\n";
      }
  }
  os << "  return " << ids(outputs) << "\n";
  return os.str();
}

namespace {
bool pure(const Node& n) {
  return n.kind == NodeKind::Op && op_def(n.op).flags == kPure && n.attrs.resources.empty();
}
bool writes_state(const Node& n) { return n.kind == NodeKind::Op && (op_def(n.op).flags & kWritesState); }

}  // namespace

bool same_attrs(const Attrs& a, const Attrs& b, bool compare_resources) {
  return a.axes == b.axes && a.shape == b.shape && a.begin == b.begin && a.end == b.end &&
         a.strides == b.strides && a.axis == b.axis && a.k == b.k && a.alpha == b.alpha &&
         a.beta == b.beta && a.gamma == b.gamma && a.keepdims == b.keepdims && a.flag == b.flag &&
         a.flag2 == b.flag2 && a.dtype == b.dtype && a.device == b.device &&
         (!compare_resources || a.resources == b.resources);
}

namespace {
bool same_tensor(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) == 0;
}

}  // namespace

// The first node where two traces differ (other than in value shapes), or -1.
int64_t first_difference(const Graph& a, const Graph& b) {
  const size_t n = std::min(a.nodes.size(), b.nodes.size());
  for (size_t i = 0; i < n; ++i) {
    const Node &x = a.nodes[i], &y = b.nodes[i];
    bool same = x.kind == y.kind && x.op == y.op && x.inputs == y.inputs && x.outputs == y.outputs &&
                x.input_index == y.input_index && same_attrs(x.attrs, y.attrs, false) &&
                x.attrs.resources.size() == y.attrs.resources.size();
    if (same && x.kind == NodeKind::Constant) same = same_tensor(x.constant, y.constant);
    for (size_t r = 0; same && r < x.attrs.resources.size(); ++r) {
      const Resource *rx = x.attrs.resources[r].get(), *ry = y.attrs.resources[r].get();
      if (rx == ry) continue;  // the same variable or callable
      auto *sx = dynamic_cast<const tracing::Subgraph*>(rx), *sy = dynamic_cast<const tracing::Subgraph*>(ry);
      auto *px = dynamic_cast<const ElementwiseProgram*>(rx), *py = dynamic_cast<const ElementwiseProgram*>(ry);
      if (sx && sy) {
        same = sx->captures.size() == sy->captures.size() && first_difference(sx->g, sy->g) < 0;
      } else if (px && py) {  // fused programs: the same code (their traced shapes may differ)
        same = px->num_inputs == py->num_inputs && px->dtype == py->dtype && px->code.size() == py->code.size() &&
               px->input_dtypes == py->input_dtypes && px->result_dtype == py->result_dtype;
        for (size_t k = 0; same && k < px->code.size(); ++k)
          same = px->code[k].op == py->code[k].op && px->code[k].args == py->code[k].args &&
                 same_attrs(px->code[k].attrs, py->code[k].attrs, true);
      } else {
        const std::string kx = rx->key();
        same = !kx.empty() && kx == ry->key();
      }
    }
    if (!same) return int64_t(i);
  }
  if (a.nodes.size() != b.nodes.size() || a.outputs != b.outputs) return int64_t(n);
  return -1;
}

void remove_nodes(Graph& g, const std::vector<char>& drop) {
  size_t j = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!drop[i]) {
      if (i != j) g.nodes[j] = std::move(g.nodes[i]);  // never onto itself: a self-move empties a node
      ++j;
    }
  g.nodes.resize(j);
}

int prune(Graph& g, bool keep_state_changes) {
  std::vector<char> live(g.values.size(), 0);
  for (int v : g.outputs) live[size_t(v)] = 1;
  std::vector<char> keep(g.nodes.size(), 0);
  for (size_t i = g.nodes.size(); i-- > 0;) {
    const Node& n = g.nodes[i];
    bool needed = (keep_state_changes && writes_state(n)) || n.kind == NodeKind::Input;
    for (int v : n.outputs) needed = needed || live[size_t(v)];
    if (!needed) continue;
    keep[i] = 1;
    for (int v : n.inputs) live[size_t(v)] = 1;
  }
  std::vector<char> drop(keep.size());
  int removed = 0;
  for (size_t i = 0; i < keep.size(); ++i) removed += drop[i] = !keep[i];
  remove_nodes(g, drop);
  return removed;
}

int fold_constants(Graph& g) {
  // Folding runs the ops now, eagerly, even when a trace around this graph is active.
  tracing::Tracer* const saved = tracing::t_tracer;
  tracing::t_tracer = nullptr;
  struct Restore {
    tracing::Tracer* t;
    ~Restore() { tracing::t_tracer = t; }
  } restore{saved};
  std::vector<const Tensor*> constant(g.values.size(), nullptr);
  int folded = 0;
  for (Node& n : g.nodes) {
    if (n.kind == NodeKind::Constant) {
      constant[size_t(n.outputs[0])] = &n.constant;
      continue;
    }
    if (!pure(n) || n.outputs.size() != 1) continue;
    std::vector<Tensor> in;
    for (int v : n.inputs) {
      if (!constant[size_t(v)]) break;
      in.push_back(*constant[size_t(v)]);
    }
    if (in.size() != n.inputs.size()) continue;
    Tensor value = call_node(n, in)[0];
    n = Node{NodeKind::Constant, OpId::kCount, Attrs{}, {}, n.outputs, -1, value, false};
    constant[size_t(n.outputs[0])] = &n.constant;
    ++folded;
  }
  return folded;
}

int eliminate_common(Graph& g) {
  std::vector<int> to(g.values.size());
  for (size_t v = 0; v < to.size(); ++v) to[v] = int(v);
  std::unordered_multimap<size_t, size_t> seen;  // hash -> node index
  int merged = 0;
  std::vector<char> drop(g.nodes.size(), 0);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    for (int& v : n.inputs) v = to[size_t(v)];
    if (!pure(n)) continue;
    size_t h = std::hash<int>()(int(n.op));
    for (int v : n.inputs) h = h * 1000003u ^ std::hash<int>()(v);
    bool found = false;
    auto [b, e] = seen.equal_range(h);
    for (auto it = b; it != e && !found; ++it) {
      const Node& m = g.nodes[it->second];
      if (m.op != n.op || m.inputs != n.inputs || m.outputs.size() != n.outputs.size() || !same_attrs(m.attrs, n.attrs, true))
        continue;
      for (size_t k = 0; k < n.outputs.size(); ++k) to[size_t(n.outputs[k])] = m.outputs[k];
      found = true;
    }
    if (found) {
      drop[i] = 1;
      ++merged;
    } else {
      seen.emplace(h, i);
    }
  }
  for (int& v : g.outputs) v = to[size_t(v)];
  remove_nodes(g, drop);
  return merged;
}

int cancel_transposes(Graph& g) {
  std::vector<int> to(g.values.size());
  for (size_t v = 0; v < to.size(); ++v) to[v] = int(v);
  std::vector<int> made_by(g.values.size(), -1);  // value -> the transpose node that made it
  std::vector<char> is_output(g.values.size(), 0);
  for (int v : g.outputs) is_output[size_t(v)] = 1;
  std::vector<char> drop(g.nodes.size(), 0);
  int changed = 0;
  auto normalized = [](std::vector<int64_t> p) {
    const int64_t r = int64_t(p.size());
    for (int64_t& a : p) a = a < 0 ? a + r : a;
    return p;
  };
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    for (int& v : n.inputs) v = to[size_t(v)];
    if (!pure(n) || n.op != OpId::Transpose || n.inputs.size() != 1 || n.outputs.size() != 1) continue;
    const int src = made_by[size_t(n.inputs[0])];
    if (src >= 0) {
      const Node& m = g.nodes[size_t(src)];
      const std::vector<int64_t> p = normalized(m.attrs.axes), q = normalized(n.attrs.axes);
      std::vector<int64_t> composed(q.size());
      bool identity = true;
      for (size_t k = 0; k < q.size(); ++k) {
        composed[k] = p[size_t(q[k])];  // output axis k reads m's input axis p[q[k]]
        identity = identity && composed[k] == int64_t(k);
      }
      const int out = n.outputs[0];
      if (identity && !is_output[size_t(out)]) {
        to[size_t(out)] = m.inputs[0];
        drop[i] = 1;
        ++changed;
        continue;
      }
      if (!identity) {
        n.inputs[0] = m.inputs[0];
        n.attrs.axes = composed;
        ++changed;
      }
    }
    made_by[size_t(n.outputs[0])] = int(i);
  }
  for (int& v : g.outputs) v = to[size_t(v)];
  remove_nodes(g, drop);
  return changed;
}

void optimize(Graph& g, bool fuse) {
  fold_constants(g);
  cancel_transposes(g);
  eliminate_common(g);
  prune(g);
  if (fuse) {
    fuse_matmul_epilogue(g);
    fuse_conv_epilogue(g);
    fuse_elementwise(g);
  }
  schedule_early(g);
  plan_memory(g);
}

}  // namespace graph
}  // namespace keras::core
