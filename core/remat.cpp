// remat.cpp - remat_call (core/remat.h): one tape node whose gradient runs the function
// again, the access log and keyed random draws that make the second run see what the
// first saw, and the optimization_barrier op that keeps a traced recomputation apart.
#include "core/remat.h"

#include <stdexcept>
#include <string>
#include <unordered_set>

#include "core/dispatch.h"
#include "core/init.h"
#include "core/ops.h"
#include "core/remat_internal.h"
#include "core/stateless_internal.h"
#include "core/stateless_scope.h"
#include "core/tensor_impl.h"

namespace keras::core {

namespace remat {
struct AccessLog {
  struct Entry {
    Variable variable;
    Tensor value;  // when first read or assigned
    bool scoped;   // read from a StatelessScope (tapes watch such values only when told)
  };
  std::vector<Entry> entries;
  std::unordered_set<const Resource*> seen;
};
thread_local AccessLog* t_log = nullptr;

void note_access(const Variable& v, const Tensor& value) {
  const Resource* r = v.resource().get();
  if (!t_log->seen.insert(r).second) return;
  const bool scoped = stateless::active() && stateless::find(r) != nullptr;
  t_log->entries.push_back({v, value, scoped});
}

struct KeyedDraws {
  std::shared_ptr<Tensor> base;  // an int64 scalar drawn from the global generator, once
  int64_t k = 0;                 // draws so far
};
thread_local KeyedDraws* t_keyed = nullptr;

namespace {
constexpr int64_t kKeyedSeed = 0x52454d4154;  // the seed of every keyed draw
constexpr int64_t kDrawsPerKey = int64_t{1} << 20;

// Sets a thread-local pointer for a block.
template <class T>
struct Set {
  T*& slot;
  T* saved;
  Set(T*& s, T* value) : slot(s), saved(s) { slot = value; }
  ~Set() { slot = saved; }
  Set(const Set&) = delete;
  Set& operator=(const Set&) = delete;
};
}  // namespace

std::pair<int64_t, Tensor> next_keyed_draw() {
  KeyedDraws& d = *t_keyed;
  if (!d.base->defined()) {  // the first unseeded draw: one draw of the global generator
    Set<KeyedDraws> plain(t_keyed, nullptr);
    autodiff::SuspendRecording no_record;
    const Tensor u = ops::random_uniform({}, {.dtype = DType::float64});
    *d.base = ops::cast(ops::floor(ops::multiply(u, ops::scalar_like(u, 1099511627776.0))), DType::int64);
  }
  if (d.k >= kDrawsPerKey)
    throw std::runtime_error("remat: more than " + std::to_string(kDrawsPerKey) +
                             " unseeded random ops in one rematerialized call");
  autodiff::SuspendRecording no_record;
  const Tensor counter = ops::add(ops::multiply(*d.base, constant(kDrawsPerKey)), constant(d.k++));
  return {kKeyedSeed, counter};
}
}  // namespace remat

namespace {
// The gradient of one rematerialized call: f run again on the inputs, with every variable
// it touched mapped to the value it had then, differentiated against the upstream
// gradients.
struct Recompute {
  RematFunction f;
  std::vector<Tensor> inputs;
  std::vector<Variable> variables;
  std::vector<Tensor> values;  // the variables' values when f first touched them
  std::shared_ptr<Tensor> key_base;
  int64_t key_start = 0;
  size_t num_outputs = 0;

  std::vector<Tensor> operator()(const std::vector<Tensor>& upstream) const {
    Tensor dep;
    for (const Tensor& u : upstream)
      if (u.defined()) {
        dep = u;
        break;
      }
    std::vector<Tensor> xs = inputs, vals = values;
    if (tracing::t_tracer && dep.defined()) {  // the recomputation waits for the gradient
      for (Tensor& x : xs)
        if (x.defined()) x = ops::optimization_barrier(x, dep);
      for (Tensor& v : vals) v = ops::optimization_barrier(v, dep);
    }
    StatelessScope::Mapping mapping;
    for (size_t i = 0; i < variables.size(); ++i) mapping.emplace_back(variables[i], vals[i]);
    StatelessScope scope(mapping);
    remat::KeyedDraws replay{key_base, key_start};
    remat::Set<remat::KeyedDraws> keyed(remat::t_keyed, &replay);
    remat::Set<remat::AccessLog> no_log(remat::t_log, nullptr);

    GradientTape tape(GradientTape::Options{.persistent = false, .watch_accessed_variables = false});
    std::vector<Tensor> sources;
    for (const Tensor& x : xs) {
      if (x.defined()) tape.watch(x);
      sources.push_back(x);
    }
    for (const Variable& v : variables) {
      const Tensor s = scope.get_current_value(v);
      tape.watch(s);
      sources.push_back(s);
    }
    const std::vector<Tensor> outs = f(xs);
    if (outs.size() != num_outputs)
      throw std::logic_error("remat: the function returned " + std::to_string(outs.size()) +
                             " outputs when run again for the gradient, but " + std::to_string(num_outputs) +
                             " the first time; a rematerialized function must compute the same thing every run");
    std::vector<size_t> flowing;
    for (size_t i = 0; i < outs.size(); ++i)
      if (i < upstream.size() && upstream[i].defined() && outs[i].defined() && is_floating(outs[i].dtype()))
        flowing.push_back(i);
    if (flowing.empty()) return std::vector<Tensor>(sources.size());
    // Undefined sources (an input that was undefined) are left out of gradient().
    std::vector<Tensor> defined_sources;
    for (const Tensor& s : sources)
      if (s.defined()) defined_sources.push_back(s);
    std::vector<Tensor> g;
    if (flowing.size() == 1) {
      const size_t i = flowing[0];
      const Tensor up = upstream[i].dtype() == outs[i].dtype() ? upstream[i] : ops::cast(upstream[i], outs[i].dtype());
      g = tape.gradient(outs[i], defined_sources, up);
    } else {  // d/dx sum_i <out_i, upstream_i>
      Tensor target;
      for (size_t i : flowing) {
        const Tensor up = upstream[i].dtype() == outs[i].dtype() ? upstream[i] : ops::cast(upstream[i], outs[i].dtype());
        Tensor term = ops::sum(ops::cast(ops::multiply(outs[i], up), DType::float64));
        target = target.defined() ? ops::add(target, term) : term;
      }
      g = tape.gradient(target, defined_sources);
    }
    std::vector<Tensor> out;
    size_t j = 0;
    for (const Tensor& s : sources) out.push_back(s.defined() ? g[j++] : Tensor());
    return out;
  }
};
}  // namespace

bool tape_is_recording() { return autodiff::t_recording > 0; }

std::vector<Tensor> remat_call(const RematFunction& f, const std::vector<Tensor>& inputs) {
  if (!f) throw std::invalid_argument("remat: expected a function, but received an empty one");
  if (autodiff::t_recording == 0) return f(inputs);  // nothing would keep the intermediates

  // The first run: not recorded, its variable accesses logged, its unseeded draws keyed.
  remat::AccessLog log;
  remat::KeyedDraws own{std::make_shared<Tensor>(), 0};
  remat::KeyedDraws* keyed = remat::t_keyed ? remat::t_keyed : &own;  // an outer call's keys continue
  Recompute grad{f, inputs, {}, {}, keyed->base, keyed->k, 0};
  remat::AccessLog* outer_log = remat::t_log;
  std::vector<Tensor> outputs;
  {
    remat::Set<remat::AccessLog> logging(remat::t_log, &log);
    remat::Set<remat::KeyedDraws> keys(remat::t_keyed, keyed);
    autodiff::SuspendRecording no_record;
    outputs = f(inputs);
  }
  grad.num_outputs = outputs.size();
  for (Tensor& o : outputs)  // fresh handles: the node's outputs are not its inputs
    if (o.defined()) o = stop_gradient(o);

  std::vector<Tensor> node_inputs = inputs;
  for (const remat::AccessLog::Entry& e : log.entries) {
    if (outer_log) remat::note_access(e.variable, e.value);  // (t_log is outer_log again)
    grad.variables.push_back(e.variable);
    grad.values.push_back(e.value);
    node_inputs.push_back(e.value);
    if (!e.scoped) autodiff::on_variable_read(e.variable, e.value);  // as f's own read would have
  }
  autodiff::record_call(node_inputs, outputs, grad);
  return outputs;
}

// ---- optimization_barrier -----------------------------------------------------------------
namespace {
void infer_barrier(OpCall& c) {
  const Tensor& x = c.in(0);
  c.set_output(0, x.shape(), x.dtype());
  c.outputs[0] = view_as(x, x.shape());
}
std::vector<Tensor> grad_barrier(const GradContext& c) { return {c.grad(0), Tensor()}; }
}  // namespace

void define_remat_ops() {
  define_op(OpId::OptimizationBarrier, infer_barrier, /*is_view=*/true);
  define_grad(OpId::OptimizationBarrier, grad_barrier);
  set_op_flags(OpId::OptimizationBarrier, kBarrier);
}

namespace ops {
Tensor optimization_barrier(const Tensor& x, const Tensor& dep) {
  if (!x.defined() || !dep.defined())
    throw std::invalid_argument(std::string("optimization_barrier: the ") + (x.defined() ? "dependency" : "tensor") +
                                " is undefined");
  return dispatch(OpId::OptimizationBarrier, {x, dep}, Attrs{});
}
}  // namespace ops

}  // namespace keras::core
