// composite.cpp - the Composite op: a sparse op on graph values run as one node (its
// stand-in trace, its eager run, and its gradient by the eager op's vector-Jacobian
// product).
#include "core/composite.h"

#include <stdexcept>

#include "core/autodiff.h"
#include "core/dispatch.h"
#include "core/function.h"
#include "core/ops.h"
#include "core/ragged_function.h"
#include "core/tensor_impl.h"

namespace keras::core {
namespace {

struct CompositeFn : Resource {
  std::string name, args;
  composite::EagerOp eager;
  bool unknown_last = false;
  std::string key() const override { return "composite:" + name + "(" + args + ")"; }
};

const CompositeFn& fn_of(const Attrs& a) {
  auto* f = a.resources.empty() ? nullptr : dynamic_cast<const CompositeFn*>(a.resources[0].get());
  if (!f) throw std::invalid_argument("composite: the op is missing");
  return *f;
}

// Set while an op runs on stand-ins at trace time (their entries are not the real ones).
thread_local bool t_probing = false;
thread_local int64_t t_made_up = 0;  // composite::made_up_sizes()

// What the op runs on at trace time: a traced sparse input as one with no entries (with
// one, at the origin, under ragged_function::SpreadStandIns when its dense shape has
// elements), a traced dense one as zeros; values known at trace time as they are.
Tensor stand_in(const Tensor& t, bool traced) {
  if (sparse::is_sparse(t)) {
    const SparseTensor sp = sparse::sparse_of(t);
    if (!sp.symbolic()) return t;
    bool one = ragged_function::spreading() && sp.rank() > 0;
    for (int64_t d : sp.shape()) one = one && d > 0;
    const int64_t n = one ? 1 : 0;
    const Tensor idx = ops::zeros(Shape{n, sp.rank()}, DType::int64);
    return SparseTensor(idx, ops::zeros(Shape{n}, sp.dtype()), sp.shape()).as_tensor();
  }
  return traced ? ops::zeros(t.shape(), t.dtype()) : t;
}

// A handle of its own for an output (an op may return one of its inputs).
Tensor own(const Tensor& out, std::span<const Tensor> inputs) {
  for (const Tensor& in : inputs)
    if (in.impl() == out.impl())
      return sparse::is_sparse(out) ? sparse::sparse_of(out).as_tensor() : view_as(out, out.shape());
  return out;
}

void infer_composite(OpCall& c) {
  const CompositeFn& f = fn_of(c.attrs);
  std::vector<Tensor> out;
  autodiff::PauseTapes pause;  // the node is recorded, not the ops it runs
  if (tracing::t_tracer) {
    std::vector<Tensor> stand_ins;
    std::vector<char> traced;  // asked here: under the InitScope below no value is traced
    for (const Tensor& t : c.inputs) traced.push_back(tracing::is_traced(t));
    {
      InitScope eager;
      struct Probing {
        bool was = t_probing;
        Probing() { t_probing = true; }
        ~Probing() { t_probing = was; }
      } probing;
      for (size_t i = 0; i < c.inputs.size(); ++i) stand_ins.push_back(stand_in(c.inputs[i], traced[i]));
      const Tensor* unknown = nullptr;  // an input whose dense shape holds a stand-in size
      for (const Tensor& t : c.inputs)
        if (sparse::is_sparse(t) && sparse::sparse_of(t).unknown_last_dim()) unknown = &t;
      try {
        out = f.eager(stand_ins);
      } catch (const std::invalid_argument& e) {
        if (!unknown) throw;
        throw std::invalid_argument(f.name + ": inside a traced function, the dense shape of a set operation's "
                                    "result (the last dimension known only when the graph runs) is not known at "
                                    "trace time, and " + f.name + " needs it (on a stand-in of dense shape " +
                                    unknown->shape().str() + ": " + e.what() + "); run this part eagerly");
      }
    }
    for (Tensor& o : out) {
      if (sparse::is_sparse(o)) {
        const SparseTensor sp = sparse::sparse_of(o);
        std::vector<int64_t> shape = sp.shape();
        if (f.unknown_last && !shape.empty()) {  // known when the graph runs
          shape.back() = ragged_function::spreading() ? 1 : 0;
          ++t_made_up;
        }
        o = SparseTensor::symbolic_value(shape, sp.dtype(), o.device(), f.unknown_last).as_tensor();
      } else {
        o = placeholder(o.shape(), o.dtype(), o.device());
      }
    }
  } else {
    out = f.eager(std::vector<Tensor>(c.inputs.begin(), c.inputs.end()));
    for (Tensor& o : out) o = own(o, c.inputs);
  }
  if (out.empty() || out.size() > size_t(kMaxOutputs))
    throw std::logic_error(f.name + ": a composite op returns 1 to 8 tensors");
  for (size_t i = 0; i < out.size(); ++i) {
    c.set_output(int(i), out[i].shape(), out[i].dtype());
    c.outputs[i] = out[i];
  }
}

// The vector-Jacobian product, as one more Composite node: it runs the op under a tape
// watching the wanted inputs (a sparse input's values) and returns their gradients (a
// sparse input's as its indices with the values' gradient).
std::vector<Tensor> composite_grad(const GradContext& g) {
  const CompositeFn& f = fn_of(g.attrs);
  const size_t n_in = g.inputs.size(), n_out = g.outputs.size();
  std::vector<char> wanted(n_in, 0), has_up(n_out, 0);
  std::vector<Tensor> args(g.inputs.begin(), g.inputs.end());
  std::string mask;
  for (size_t i = 0; i < n_in; ++i) {
    wanted[i] = g.needs(i) && is_floating(g.in(i).dtype());
    mask += wanted[i] ? '1' : '0';
  }
  mask += ';';
  for (size_t o = 0; o < n_out; ++o) {
    has_up[o] = g.grad(o).defined() && is_floating(g.out(o).dtype());
    mask += has_up[o] ? '1' : '0';
    if (has_up[o]) args.push_back(g.grad(o));
  }
  bool any_in = false, any_up = false;
  for (char w : wanted) any_in = any_in || w;
  for (char u : has_up) any_up = any_up || u;
  if (!any_in || !any_up) return {};
  auto eager = f.eager;
  composite::EagerOp vjp = [eager, n_in, wanted, has_up](const std::vector<Tensor>& a) {
    GradientTape tape;
    std::vector<Tensor> sources;
    for (size_t i = 0; i < n_in; ++i) {
      if (!wanted[i]) continue;
      sources.push_back(sparse::is_sparse(a[i]) ? sparse::sparse_of(a[i]).values() : a[i]);
      tape.watch(sources.back());
    }
    const std::vector<Tensor> outs = eager(std::vector<Tensor>(a.begin(), a.begin() + std::ptrdiff_t(n_in)));
    auto flat = [](const Tensor& t) { return sparse::is_sparse(t) ? sparse::sparse_of(t).values() : t; };
    Tensor target, up;
    size_t k = n_in;
    for (size_t o = 0; o < has_up.size(); ++o) {
      if (!has_up[o]) continue;
      const Tensor y = flat(outs.at(o));
      Tensor u = flat(a[k++]);
      // On stand-ins at trace time a sparse upstream has no entries: only shapes matter.
      if (t_probing && u.shape() != y.shape()) u = ops::zeros_like(y);
      if (!target.defined()) {
        target = y;
        up = u;
      } else {  // several outputs: one scalar whose gradient is the sum of their products
        if (up.defined()) target = ops::sum(ops::multiply(target, up)), up = Tensor();
        target = ops::add(target, ops::sum(ops::multiply(y, u)));
      }
    }
    const std::vector<Tensor> grads = tape.gradient(target, sources, up, UnconnectedGradients::zero);
    std::vector<Tensor> result;
    size_t s = 0;
    for (size_t i = 0; i < n_in; ++i) {
      if (!wanted[i]) continue;
      result.push_back(sparse::is_sparse(a[i]) ? sparse::sparse_of(a[i]).with_values(grads[s]).as_tensor() : grads[s]);
      ++s;
    }
    return result;
  };
  const std::vector<Tensor> out = composite::call("gradient of " + f.name, f.args + ";" + mask, args, vjp);
  std::vector<Tensor> result(n_in);
  size_t s = 0;
  for (size_t i = 0; i < n_in; ++i)
    if (wanted[i]) result[i] = out[s++];
  return result;
}

}  // namespace

void define_composite_op() {
  set_op_flags(OpId::Composite, kReadsState);  // prunable, never folded or merged; runs C++
  define_op(OpId::Composite, infer_composite, /*is_view=*/true);
  define_grad(OpId::Composite, composite_grad);
}

namespace composite {

bool needed(std::initializer_list<const SparseTensor*> sparse, std::initializer_list<const Tensor*> dense) {
  if (!tracing::t_tracer) return false;
  for (const SparseTensor* sp : sparse) {
    if (!sp->defined()) continue;
    if (sp->symbolic() || tracing::is_traced(sp->values()) || tracing::is_traced(sp->indices())) return true;
  }
  for (const Tensor* t : dense)
    if (tracing::is_traced(*t)) return true;
  return false;
}

Tensor graph_value(const SparseTensor& sp) {
  if (!sp.defined()) throw std::invalid_argument("sparse op: an undefined SparseTensor");
  if (sp.symbolic() || !tracing::t_tracer ||
      (!tracing::is_traced(sp.values()) && !tracing::is_traced(sp.indices())))
    return sp.as_tensor();
  const std::vector<int64_t> shape = sp.shape();
  return call1("sparse.SparseTensor", key(shape), {sp.indices(), sp.values()}, [shape](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{SparseTensor(in[0], in[1], shape).as_tensor()};
  });
}

std::vector<Tensor> call(const std::string& name, const std::string& args, const std::vector<Tensor>& inputs,
                         EagerOp eager, bool sparse_unknown_last) {
  for (const Tensor& t : inputs)
    if (!t.defined()) throw std::invalid_argument(name + ": an input is an undefined tensor");
  auto f = std::make_shared<CompositeFn>();
  f->name = name;
  f->args = args;
  f->eager = std::move(eager);
  f->unknown_last = sparse_unknown_last;
  Attrs a;
  a.resources = {f};
  auto out = dispatch_multi(OpId::Composite, inputs, a);
  std::vector<Tensor> result;
  for (const Tensor& t : out)
    if (t.defined()) result.push_back(t);
  return result;
}

Tensor add_gradients(const Tensor& a, const Tensor& b) {
  auto sum = [](const std::vector<Tensor>& v) {
    const SparseTensor x = sparse::sparse_of(v[0]), y = sparse::sparse_of(v[1]);
    return std::vector<Tensor>{x.with_values(ops::add(x.values(), y.values())).as_tensor()};
  };
  if (tracing::t_tracer && (tracing::is_traced(a) || tracing::is_traced(b)))
    return call("sparse.gradient_sum", "", {a, b}, sum)[0];
  return sum({a, b})[0];
}

std::string node_name(const Attrs& attrs) { return fn_of(attrs).name; }

bool probing() { return t_probing; }

int64_t made_up_sizes() { return t_made_up; }
void count_made_up_size() { ++t_made_up; }

std::string key(const std::vector<int64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

}  // namespace composite
}  // namespace keras::core
