// functional_transforms.cpp - function transforms of keras.ops (core/functional_ops.h):
// vectorize (numpy.vectorize's generalized-ufunc signatures, on map) and jvp (forward
// mode from two reverse-mode passes on nested GradientTapes).
#include <string>

#include "core/autodiff.h"
#include "core/dispatch.h"
#include "core/functional_ops.h"
#include "core/ops.h"

namespace keras::core::ops {
namespace {

// "(m,n),(n)->(m)": the core axis names of each input and of the one output.
struct Signature {
  std::vector<std::vector<std::string>> inputs;
  std::vector<std::string> output;
};

std::vector<std::vector<std::string>> parse_groups(const std::string& s, const std::string& whole) {
  std::vector<std::vector<std::string>> groups;
  size_t i = 0;
  auto bad = [&] { throw_invalid("vectorize: invalid signature \"" + whole + "\" (expected e.g. \"(m,n),(n)->(m)\")"); };
  while (i < s.size()) {
    if (s[i] != '(') bad();
    size_t close = s.find(')', i);
    if (close == std::string::npos) bad();
    std::vector<std::string> names;
    std::string cur;
    for (size_t j = i + 1; j <= close; ++j) {
      char c = s[j];
      if (c == ',' || c == ')') {
        if (!cur.empty()) names.push_back(cur);
        else if (c == ',') bad();
        cur.clear();
      } else if (c != ' ') {
        cur += c;
      }
    }
    groups.push_back(names);
    i = close + 1;
    if (i < s.size()) {
      if (s[i] != ',') bad();
      ++i;
    }
  }
  return groups;
}

Signature parse_signature(const std::string& sig) {
  size_t arrow = sig.find("->");
  if (arrow == std::string::npos)
    throw_invalid("vectorize: invalid signature \"" + sig + "\" (expected e.g. \"(m,n),(n)->(m)\")");
  Signature s;
  s.inputs = parse_groups(sig.substr(0, arrow), sig);
  auto outs = parse_groups(sig.substr(arrow + 2), sig);
  if (outs.size() != 1)
    throw_invalid("vectorize: expected one output in the signature, but \"" + sig + "\" has " +
                  std::to_string(outs.size()));
  s.output = outs[0];
  return s;
}

}  // namespace

VectorizedFn vectorize(const std::function<Tensor(const Tensors&)>& pyfunc, const std::vector<int64_t>& excluded,
                       const std::string& signature) {
  if (!pyfunc) throw_invalid("vectorize: `pyfunc` is empty (expected a callable)");
  std::optional<Signature> sig;
  if (!signature.empty()) sig = parse_signature(signature);
  return [pyfunc, excluded, sig](const Tensors& args) -> Tensor {
    const std::string op = "vectorize";
    auto is_excluded = [&](size_t k) {
      for (int64_t e : excluded)
        if (e == int64_t(k)) return true;
      return false;
    };
    size_t vectorized = 0;
    for (size_t k = 0; k < args.size(); ++k) vectorized += !is_excluded(k);
    if (sig && sig->inputs.size() != vectorized)
      throw_invalid(op + ": the signature has " + std::to_string(sig->inputs.size()) + " inputs, but the call passes " +
                    std::to_string(vectorized) + " (not excluded)");
    // Core ranks, the named axes' sizes, and the broadcast loop shape.
    std::vector<int64_t> core_rank(args.size(), 0);
    std::vector<std::pair<std::string, int64_t>> sizes;
    Shape loop;
    size_t g = 0;
    for (size_t k = 0; k < args.size(); ++k) {
      if (is_excluded(k)) continue;
      const Tensor& a = args[k];
      if (!a.defined()) throw_invalid(op + ": argument " + std::to_string(k) + " is an undefined tensor");
      if (sig) {
        const auto& names = sig->inputs[g++];
        core_rank[k] = int64_t(names.size());
        if (a.rank() < core_rank[k])
          throw_invalid(op + ": argument " + std::to_string(k) + " needs rank >= " + std::to_string(core_rank[k]) +
                        " for its core axes, but received shape " + a.shape().str());
        for (size_t j = 0; j < names.size(); ++j) {
          const int64_t d = a.shape()[a.rank() - core_rank[k] + int64_t(j)];
          bool found = false;
          for (auto& [name, size] : sizes)
            if (name == names[j]) {
              found = true;
              if (size != d)
                throw_invalid(op + ": core axis '" + name + "' has size " + std::to_string(size) +
                              " and " + std::to_string(d) + " in different arguments");
            }
          if (!found) sizes.push_back({names[j], d});
        }
      }
      std::vector<int64_t> lead(a.shape().dims().begin(), a.shape().dims().end() - core_rank[k]);
      loop = broadcast_shapes(loop, Shape(lead), "vectorize");
    }
    if (loop.rank() == 0) return pyfunc(args);  // nothing to loop over
    const int64_t rows = loop.num_elements();
    Tensors flat;
    for (size_t k = 0; k < args.size(); ++k) {
      if (is_excluded(k)) continue;
      std::vector<int64_t> core(args[k].shape().dims().end() - core_rank[k], args[k].shape().dims().end());
      std::vector<int64_t> full = loop.dims(), shaped{rows};
      full.insert(full.end(), core.begin(), core.end());
      shaped.insert(shaped.end(), core.begin(), core.end());
      flat.push_back(reshape(broadcast_to(args[k], Shape(full)), shaped));
    }
    Tensor ys = map(
        [&](const Tensors& row) {
          Tensors call;
          size_t r = 0;
          for (size_t k = 0; k < args.size(); ++k) call.push_back(is_excluded(k) ? args[k] : row[r++]);
          Tensor y = pyfunc(call);
          if (sig && y.rank() != int64_t(sig->output.size()))
            throw_invalid(op + ": pyfunc returned shape " + y.shape().str() + " where the signature's output has " +
                          std::to_string(sig->output.size()) + " core axes");
          return Tensors{y};
        },
        flat)[0];
    std::vector<int64_t> out = loop.dims();
    out.insert(out.end(), ys.shape().dims().begin() + 1, ys.shape().dims().end());
    return reshape(ys, out);
  };
}

JvpResult jvp(const std::function<Tensors(const Tensors&)>& fun, const Tensors& primals, const Tensors& tangents,
              bool has_aux) {
  const std::string op = "jvp";
  if (!fun) throw_invalid(op + ": `fun` is empty (expected a callable)");
  if (primals.size() != tangents.size())
    throw_invalid(op + ": expected one tangent per primal, but received " + std::to_string(primals.size()) +
                  " primals and " + std::to_string(tangents.size()) + " tangents");
  for (size_t k = 0; k < primals.size(); ++k) {
    const Tensor &p = primals[k], &t = tangents[k];
    if (!p.defined() || !t.defined()) throw_invalid(op + ": primal or tangent " + std::to_string(k) + " is undefined");
    if (!is_floating(p.dtype()) || p.dtype() != t.dtype() || p.shape() != t.shape())
      throw_invalid(op + ": expected tangent " + std::to_string(k) + " of its primal's floating dtype and shape " +
                    std::string(dtype_name(p.dtype())) + " " + p.shape().str() + ", but received " +
                    dtype_name(t.dtype()) + " " + t.shape().str());
  }
  // J t = d/du <J^T u, t>: u stands for the outputs' cotangents (its value does not
  // matter: J^T u is linear in u).
  GradientTape outer;
  GradientTape inner;
  for (const Tensor& p : primals) inner.watch(p);
  Tensors outs = fun(primals);
  JvpResult r;
  if (has_aux) {
    if (outs.empty()) throw_invalid(op + ": has_aux=true, but fun returned no outputs");
    r.aux.push_back(outs.back());
    outs.pop_back();
  }
  Tensors us;
  Tensor total;
  for (size_t k = 0; k < outs.size(); ++k) {
    const Tensor& y = outs[k];
    if (!y.defined() || !is_floating(y.dtype()))
      throw_invalid(op + ": expected floating outputs of fun, but output " + std::to_string(k) + " is " +
                    (y.defined() ? std::string(dtype_name(y.dtype())) : std::string("undefined")));
    Tensor u = zeros_like(y);
    outer.watch(u);
    us.push_back(u);
    Tensor part = sum(multiply(y, u));
    total = total.defined() ? add(total, cast(part, total.dtype())) : part;
  }
  r.primals_out = outs;
  if (outs.empty()) return r;
  Tensors vjp = inner.gradient(total, primals, Tensor(), UnconnectedGradients::zero);
  Tensor dot;
  for (size_t k = 0; k < vjp.size(); ++k) {
    Tensor part = sum(multiply(vjp[k], tangents[k]));
    dot = dot.defined() ? add(dot, cast(part, dot.dtype())) : part;
  }
  r.tangents_out = outer.gradient(dot, us, Tensor(), UnconnectedGradients::zero);
  return r;
}

}  // namespace keras::core::ops
