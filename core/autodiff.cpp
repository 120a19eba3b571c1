// autodiff.cpp - Variable and GradientTape: recording ops, the backward sweep, and
// undoing broadcasting in one place (DESIGN.md rule 6).
#include "core/autodiff.h"
#include "core/composite.h"
#include "core/sparse.h"

#include <algorithm>
#include <cstring>
#include <ostream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/tensor_impl.h"

namespace keras::core {

// ---- tape state -------------------------------------------------------------------------
namespace {

struct Node {
  OpId op;
  Attrs attrs;
  std::vector<Tensor> inputs, outputs;
  // custom_gradient and recorded calls: compute the input gradients from the output
  // gradients (one per output; undefined for an integer output) instead of the op's rule.
  autodiff::CustomGradient custom;
};

const TensorImpl* key(const Tensor& t) { return t.impl().get(); }

}  // namespace

struct GradientTape::Impl {
  Options options;
  bool recording = true;   // false inside stop_recording() and after stop()
  bool registered = false; // in t_tapes
  bool used = false;       // a non-persistent tape's gradient() was called
  std::vector<Node> nodes;
  std::unordered_set<const TensorImpl*> tracked;  // tensors that depend on a watched one
  std::vector<Tensor> keep;                       // watched tensors, kept alive
  std::vector<Variable> variables;                // watched variables

  bool tracks(const Tensor& t) const { return tracked.count(key(t)) != 0; }
  void track(const Tensor& t) {
    if (t.defined() && is_floating(t.dtype()) && tracked.insert(key(t)).second) keep.push_back(t);
  }
};

namespace {
thread_local std::vector<GradientTape::Impl*> t_tapes;  // alive tapes, oldest first
thread_local int t_suspended = 0;  // > 0 while assign/custom_gradient run their ops

void update_recording_count() {
  int n = 0;
  if (t_suspended == 0)
    for (auto* t : t_tapes) n += t->recording ? 1 : 0;
  autodiff::t_recording = n;
}

using Suspend = autodiff::SuspendRecording;

bool any_tracked_input(const GradientTape::Impl& tape, std::span<const Tensor> inputs) {
  for (const Tensor& t : inputs)
    if (tape.tracks(t)) return true;
  return false;
}
}  // namespace

namespace autodiff {
thread_local int t_recording = 0;
namespace {
thread_local GradRuleCounts* t_grad_rule_counts = nullptr;
}
void set_grad_rule_counts(GradRuleCounts* counts) { t_grad_rule_counts = counts; }

SuspendRecording::SuspendRecording() { ++t_suspended; update_recording_count(); }
SuspendRecording::~SuspendRecording() { --t_suspended; update_recording_count(); }

PauseTapes::PauseTapes() {
  for (auto* t : t_tapes) {
    paused_.emplace_back(t, t->recording);
    t->recording = false;
  }
  update_recording_count();
}
PauseTapes::~PauseTapes() {
  for (auto& [p, was] : paused_) {
    auto* t = static_cast<GradientTape::Impl*>(p);
    t->recording = was && t->registered;
  }
  update_recording_count();
}

bool any_tape_tracks(const std::vector<Tensor>& ts) {
  for (auto* tape : t_tapes)
    if (tape->recording && t_suspended == 0 && any_tracked_input(*tape, ts)) return true;
  return false;
}

void on_variable_read(const Variable& v, const Tensor& value) {
  if (t_tapes.empty() || !v.trainable() || !is_floating(value.dtype())) return;
  for (auto* tape : t_tapes)
    if (tape->recording && tape->options.watch_accessed_variables && !tape->tracks(value)) {
      tape->track(value);
      tape->variables.push_back(v);
    }
}

void record_call(const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs, const CustomGradient& grad) {
  for (auto* tape : t_tapes) {
    if (!tape->recording || t_suspended || !any_tracked_input(*tape, inputs)) continue;
    Node n{OpId::kCount, Attrs{}, inputs, outputs, grad};
    for (const Tensor& o : outputs) tape->track(o);
    tape->nodes.push_back(std::move(n));
  }
}

void record(const OpCall& c) {
  const OpDef& def = op_def(c.op);
  if (!def.grad) return;  // no gradient flows through this op
  for (auto* tape : t_tapes) {
    if (!tape->recording || !any_tracked_input(*tape, c.inputs)) continue;
    Node n{c.op, c.attrs, std::vector<Tensor>(c.inputs.begin(), c.inputs.end()), {}, {}};
    for (int i = 0; i < c.num_outputs; ++i) {
      n.outputs.push_back(c.outputs[static_cast<size_t>(i)]);
      tape->track(c.outputs[static_cast<size_t>(i)]);
    }
    tape->nodes.push_back(std::move(n));
  }
}
}  // namespace autodiff

// ---- GradientTape ----------------------------------------------------------------------
GradientTape::GradientTape() : GradientTape(Options{}) {}

GradientTape::GradientTape(const Options& options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->registered = true;
  t_tapes.push_back(impl_.get());
  update_recording_count();
}

GradientTape::~GradientTape() { stop(); }

void GradientTape::stop() {
  if (!impl_->registered) return;
  impl_->registered = false;
  impl_->recording = false;
  t_tapes.erase(std::remove(t_tapes.begin(), t_tapes.end(), impl_.get()), t_tapes.end());
  update_recording_count();
}

void GradientTape::watch(const Tensor& t) {
  if (!t.defined()) throw std::invalid_argument("GradientTape.watch: the tensor is undefined");
  impl_->track(t);  // integer and bool tensors are not differentiable: ignored
}

void GradientTape::watch(const Variable& v) {
  if (!v.defined()) throw std::invalid_argument("GradientTape.watch: the variable is undefined");
  const Tensor& t = v.current();
  if (!is_floating(t.dtype()) || impl_->tracks(t)) return;
  impl_->track(t);
  impl_->variables.push_back(v);
}

std::vector<Variable> GradientTape::watched_variables() const { return impl_->variables; }

void GradientTape::reset() {
  impl_->nodes.clear();
  impl_->tracked.clear();
  impl_->keep.clear();
  impl_->variables.clear();
  impl_->used = false;
}

GradientTape::StopRecording::StopRecording(GradientTape& t) : tape_(t), was_(t.impl_->recording) {
  tape_.impl_->recording = false;
  update_recording_count();
}
GradientTape::StopRecording::~StopRecording() {
  tape_.impl_->recording = was_ && tape_.impl_->registered;
  update_recording_count();
}

namespace {

// Sums a (broadcast) gradient back to the shape of x (read when the op runs, so that a
// traced gradient follows the batch size).
Tensor unbroadcast(const Tensor& g, const Tensor& x) {
  const Shape& shape = x.shape();
  if (g.shape() == shape) return g;
  const int64_t gr = g.rank(), r = shape.rank();
  std::vector<int64_t> axes;
  for (int64_t i = 0; i < gr; ++i) {
    int64_t j = i - (gr - r);
    if (j < 0 || (shape[j] == 1 && g.shape()[i] != 1)) axes.push_back(i);
  }
  Tensor s = axes.empty() ? g : ops::sum(g, axes, /*keepdims=*/true);
  return s.shape() == shape ? s : ops::reshape_like(s, x);
}

}  // namespace

std::vector<Tensor> GradientTape::gradient(const Tensor& target, const std::vector<Tensor>& sources,
                                           const Tensor& output_gradients,
                                           UnconnectedGradients unconnected) {
  Impl& tp = *impl_;
  if (tp.used)
    throw std::runtime_error(
        "GradientTape.gradient: a non-persistent tape can compute gradients only once; "
        "create the tape with {.persistent = true} to call gradient() several times");
  if (!target.defined()) throw std::invalid_argument("GradientTape.gradient: the target is undefined");
  for (size_t i = 0; i < sources.size(); ++i)
    if (!sources[i].defined())
      throw std::invalid_argument("GradientTape.gradient: source " + std::to_string(i) +
                                  " is undefined");
  if (output_gradients.defined() && (output_gradients.shape() != target.shape() ||
                                     output_gradients.dtype() != target.dtype()))
    throw std::invalid_argument(
        "GradientTape.gradient: expected output_gradients of shape " + target.shape().str() +
        " and dtype " + dtype_name(target.dtype()) + " (the target's), but received shape " +
        output_gradients.shape().str() + " and dtype " + dtype_name(output_gradients.dtype()));

  // The backward sweep runs core ops: it is not recorded on this tape, but other tapes
  // that are recording see it (higher-order gradients).
  bool was = tp.recording;
  tp.recording = false;
  update_recording_count();
  struct Restore {
    Impl& tp;
    bool was;
    ~Restore() {
      tp.recording = was && tp.registered;
      update_recording_count();
    }
  } restore{tp, was};

  std::unordered_map<const TensorImpl*, Tensor> grads;
  if (tp.tracks(target))
    grads[key(target)] = output_gradients.defined() ? output_gradients : ops::ones_like(target);

  for (auto it = tp.nodes.rbegin(); it != tp.nodes.rend(); ++it) {
    const Node& n = *it;
    bool any = false;
    std::vector<Tensor> out_grads;
    for (const Tensor& o : n.outputs) {
      auto g = grads.find(key(o));
      if (g != grads.end()) {
        any = true;
        out_grads.push_back(g->second);
      } else {
        out_grads.push_back(Tensor());
      }
    }
    if (!any) continue;
    for (size_t i = 0; i < out_grads.size(); ++i)
      if (!out_grads[i].defined())
        out_grads[i] = is_floating(n.outputs[i].dtype()) && !sparse::is_sparse(n.outputs[i])
                           ? ops::zeros_like(n.outputs[i])
                           : Tensor();  // (a sparse output: its rule takes an undefined gradient)
    std::vector<Tensor> in_grads;
    if (n.custom) {
      in_grads = n.custom(out_grads);
    } else {
      std::vector<char> needed(n.inputs.size());
      for (size_t i = 0; i < n.inputs.size(); ++i) needed[i] = tp.tracks(n.inputs[i]);
      GradContext gc{n.op, n.attrs, n.inputs, n.outputs, out_grads, needed};
      if (autodiff::t_grad_rule_counts) {  // counted before it runs: a rule that raises ran too
        auto op = static_cast<size_t>(n.op);
        ++autodiff::t_grad_rule_counts->ran[op];
        if (autodiff::t_recording > 0 &&
            (autodiff::any_tape_tracks(n.inputs) || autodiff::any_tape_tracks(out_grads)))
          ++autodiff::t_grad_rule_counts->recorded[op];
      }
      in_grads = op_def(n.op).grad(gc);
    }
    if (in_grads.size() > n.inputs.size())
      throw std::logic_error(std::string("gradient of ") + op_name(n.op) + ": too many gradients");
    for (size_t i = 0; i < in_grads.size(); ++i) {
      const Tensor& x = n.inputs[i];
      if (!in_grads[i].defined() || !tp.tracks(x)) continue;
      Tensor g = unbroadcast(in_grads[i], x);
      if (g.dtype() != x.dtype()) g = ops::cast(g, x.dtype());
      auto [pos, inserted] = grads.try_emplace(key(x), g);
      if (!inserted)  // (gradients of a sparse value: its indices with the values' gradients)
        pos->second = sparse::is_sparse(g) ? composite::add_gradients(pos->second, g) : ops::add(pos->second, g);
    }
  }

  std::vector<Tensor> result;
  for (const Tensor& s : sources) {
    auto g = grads.find(key(s));
    if (g != grads.end() && tp.tracks(s))
      result.push_back(g->second);
    else
      result.push_back(unconnected == UnconnectedGradients::zero && is_floating(s.dtype())
                           ? ops::zeros_like(s)
                           : Tensor());
  }
  if (!tp.options.persistent) {  // free what the tape held; watched_variables() stays
    tp.nodes.clear();
    tp.tracked.clear();
    tp.keep.clear();
    tp.used = true;
  }
  return result;
}

std::vector<Tensor> GradientTape::gradient(const Tensor& target, const std::vector<Variable>& sources,
                                           const Tensor& output_gradients,
                                           UnconnectedGradients unconnected) {
  std::vector<Tensor> ts;
  for (const Variable& v : sources) {
    if (!v.defined()) throw std::invalid_argument("GradientTape.gradient: a source variable is undefined");
    ts.push_back(v.current());
  }
  return gradient(target, ts, output_gradients, unconnected);
}

Tensor GradientTape::gradient(const Tensor& target, const Tensor& source,
                              UnconnectedGradients unconnected) {
  return gradient(target, std::vector<Tensor>{source}, Tensor(), unconnected)[0];
}

Tensor GradientTape::gradient(const Tensor& target, const Variable& source,
                              UnconnectedGradients unconnected) {
  return gradient(target, std::vector<Variable>{source}, Tensor(), unconnected)[0];
}

Tensor GradientTape::jacobian(const Tensor& target, const Tensor& source,
                              UnconnectedGradients unconnected) {
  if (!impl_->options.persistent)
    throw std::runtime_error("GradientTape.jacobian: needs a persistent tape "
                             "(GradientTape({.persistent = true}))");
  if (!target.defined() || !source.defined())
    throw std::invalid_argument("GradientTape.jacobian: the target or the source is undefined");
  const int64_t n = target.size();
  std::vector<Tensor> rows;
  bool connected = false;
  for (int64_t i = 0; i < n; ++i) {
    Tensor seed = ops::reshape(
        ops::one_hot(ops::fill({}, double(i), DType::int64), n, {.dtype = target.dtype()}),
        target.shape().dims());
    Tensor g = gradient(target, {source}, seed, UnconnectedGradients::none)[0];
    connected = connected || g.defined();
    rows.push_back(g.defined() ? g : ops::zeros_like(source));
  }
  std::vector<int64_t> dims = target.shape().dims();
  for (int64_t d : source.shape().dims()) dims.push_back(d);
  if (!connected && unconnected == UnconnectedGradients::none) return Tensor();
  if (n == 0) return ops::zeros(Shape(dims), source.dtype());
  return ops::reshape(ops::stack(rows, 0), dims);
}

Tensor GradientTape::batch_jacobian(const Tensor& target, const Tensor& source,
                                    UnconnectedGradients unconnected) {
  if (!impl_->options.persistent)
    throw std::runtime_error("GradientTape.batch_jacobian: needs a persistent tape "
                             "(GradientTape({.persistent = true}))");
  if (!target.defined() || !source.defined() || target.rank() < 1 || source.rank() < 1 ||
      target.shape()[0] != source.shape()[0])
    throw std::invalid_argument(
        "GradientTape.batch_jacobian: expected target and source with the same first (batch) "
        "axis, but received shapes " + (target.defined() ? target.shape().str() : "<undefined>") +
        " and " + (source.defined() ? source.shape().str() : "<undefined>"));
  const int64_t b = target.shape()[0], per = b ? target.size() / b : 0;
  std::vector<Tensor> cols;
  bool connected = false;
  for (int64_t j = 0; j < per; ++j) {
    // The seed selects element j of every row.
    Tensor row = ops::one_hot(ops::fill({}, double(j), DType::int64), per, {.dtype = target.dtype()});
    Tensor seed = ops::reshape(ops::broadcast_to(ops::reshape(row, {1, per}), Shape{b, per}),
                               target.shape().dims());
    Tensor g = gradient(target, {source}, seed, UnconnectedGradients::none)[0];
    connected = connected || g.defined();
    cols.push_back(g.defined() ? g : ops::zeros_like(source));
  }
  std::vector<int64_t> dims = target.shape().dims();
  for (int64_t i = 1; i < source.rank(); ++i) dims.push_back(source.shape()[i]);
  if (!connected && unconnected == UnconnectedGradients::none) return Tensor();
  if (per == 0) return ops::zeros(Shape(dims), source.dtype());
  return ops::reshape(ops::stack(cols, 1), dims);
}

// ---- stop_gradient, custom_gradient ----------------------------------------------------
Tensor stop_gradient(const Tensor& x) {
  if (!x.defined()) throw std::invalid_argument("stop_gradient: the tensor is undefined");
  Tensor out = view_as(x, x.shape());  // a new handle that no tape tracks
  if (tracing::t_tracer) tracing::alias(x, out);
  return out;
}

Tensor custom_gradient(
    const std::vector<Tensor>& inputs, const std::function<Tensor(const std::vector<Tensor>&)>& f,
    const std::function<std::vector<Tensor>(const std::vector<Tensor>&, const Tensor&,
                                            const Tensor&)>& grad_fn) {
  Tensor result;
  {
    Suspend no_record;
    result = f(inputs);
    if (!result.defined()) throw std::invalid_argument("custom_gradient: f returned an undefined tensor");
    result = stop_gradient(result);
  }
  for (auto* tape : t_tapes) {
    if (!tape->recording || t_suspended || !any_tracked_input(*tape, inputs)) continue;
    Node n{OpId::kCount, Attrs{}, inputs, {result}, {}};
    n.custom = [inputs, result, grad_fn](const std::vector<Tensor>& upstream) {
      std::vector<Tensor> g = grad_fn(inputs, result, upstream.at(0));
      if (g.size() != inputs.size())
        throw std::invalid_argument("custom_gradient: the gradient function returned " +
                                    std::to_string(g.size()) + " gradients for " +
                                    std::to_string(inputs.size()) + " inputs");
      return g;
    };
    tape->track(result);
    tape->nodes.push_back(std::move(n));
  }
  return result;
}

}  // namespace keras::core
