// functional.cpp - keras.ops's functional control flow (core/functional_ops.h): scan,
// fori_loop, map, vectorized_map, switch and associative_scan on while_loop and cond.
// (vectorize and jvp: core/ops/functional_transforms.cpp.)
#include <algorithm>
#include <string>

#include "core/autodiff.h"
#include "core/control_flow.h"
#include "core/device_scope.h"
#include "core/dispatch.h"
#include "core/functional_ops.h"
#include "core/ops.h"

namespace keras::core::ops {
namespace {

constexpr size_t kMaxLoopVars = 8;  // while_loop's limit

void check_all_defined(const Tensors& ts, const char* op, const char* arg) {
  for (size_t k = 0; k < ts.size(); ++k)
    if (!ts[k].defined())
      throw_invalid(std::string(op) + ": " + arg + "[" + std::to_string(k) + "] is an undefined tensor");
}

// buf (n, ...) with row i (an int32 scalar tensor) replaced by y; the helper tensors and
// the counter on buf's device.
Tensor write_row(const Tensor& buf, const Tensor& i, const Tensor& y) {
  const int64_t n = buf.shape()[0];
  std::vector<int64_t> s(size_t(buf.rank()), 1);
  s[0] = n;
  DeviceScope on_input(buf.device());
  Tensor at = reshape(equal(range(int64_t{0}, n), i.to(buf.device())), s);
  return where(at, expand_dims(y, 0), buf);
}

// The rows of xs at i (an int32 scalar tensor, moved to each x's device).
Tensors rows_at(const Tensors& xs, const Tensor& i) {
  Tensors out;
  for (const Tensor& x : xs) out.push_back(gather(x, i.to(x.device()), 0));
  return out;
}

}  // namespace

ScanResult scan(const ScanFn& f, const Tensors& init, const Tensors& xs, std::optional<int64_t> length, bool reverse,
                int64_t unroll) {
  const std::string op = "scan";
  if (!f) throw_invalid(op + ": `f` is empty (expected a callable)");
  if (unroll < 1) throw_invalid(op + ": `unroll` must be a positive integer, but received " + std::to_string(unroll));
  check_all_defined(init, op.c_str(), "init");
  check_all_defined(xs, op.c_str(), "xs");
  if (xs.empty() && !length) throw_invalid(op + ": got no `xs` to scan over and `length` not provided");
  int64_t n = length.value_or(-1);
  for (const Tensor& x : xs) {
    if (x.rank() < 1) throw_invalid(op + ": expected every xs of rank >= 1, but received a scalar");
    if (n < 0) n = x.shape()[0];
    if (x.shape()[0] != n)
      throw_invalid(op + ": expected every xs with " + std::to_string(n) + " rows (length), but received shape " +
                    x.shape().str());
  }
  if (n < 0) throw_invalid(op + ": expected length >= 0, but received " + std::to_string(n));
  auto step = [&](const Tensors& carry, const Tensor& i) {
    auto [c, y] = f(carry, rows_at(xs, i));
    if (c.size() != carry.size())
      throw_invalid(op + ": f returned " + std::to_string(c.size()) + " carry tensors, but init has " +
                    std::to_string(carry.size()));
    check_all_defined(c, op.c_str(), "f's carry");
    for (size_t k = 0; k < c.size(); ++k)
      if (c[k].shape() != carry[k].shape() || c[k].dtype() != carry[k].dtype())
        throw_invalid(op + ": f changed carry " + std::to_string(k) + " from " + dtype_name(carry[k].dtype()) + " " +
                      carry[k].shape().str() + " to " + dtype_name(c[k].dtype()) + " " + c[k].shape().str());
    check_all_defined(y, op.c_str(), "f's y");
    return std::pair<Tensors, Tensors>{c, y};
  };
  if (n == 0) {  // f runs once on zero rows, unrecorded, for the ys' shapes and dtypes
    Tensors ys;
    {
      autodiff::SuspendRecording quiet;
      Tensors zero_rows;
      for (const Tensor& x : xs) {
        std::vector<int64_t> d(x.shape().dims().begin() + 1, x.shape().dims().end());
        DeviceScope on_input(x.device());  // on the input's device
        zero_rows.push_back(zeros(Shape(d), x.dtype()));
      }
      auto [c, y] = f(init, zero_rows);
      for (const Tensor& t : y) {
        std::vector<int64_t> d = t.shape().dims();
        d.insert(d.begin(), 0);
        DeviceScope on_input(t.device());  // on the device f's output is on
        ys.push_back(zeros(Shape(d), t.dtype()));
      }
    }
    return {init, ys};
  }
  // The first step runs outside the loop: it gives the ys' shapes (their buffers start
  // with its row) and the loop runs the other n - 1.
  const Tensor first = constant(int32_t(reverse ? n - 1 : 0));
  auto [carry1, y0] = step(init, first);
  Tensors bufs;
  for (const Tensor& y : y0) {
    std::vector<int64_t> d = y.shape().dims();
    d.insert(d.begin(), n);
    DeviceScope on_input(y.device());  // the buffer on the device f's output is on
    bufs.push_back(write_row(zeros(Shape(d), y.dtype()), first, y));
  }
  const size_t nc = init.size(), ny = bufs.size();
  if (1 + nc + ny > kMaxLoopVars)
    throw_invalid(op + ": expected at most " + std::to_string(kMaxLoopVars - 1) +
                  " carry and y tensors together (while_loop's limit), but received " + std::to_string(nc) +
                  " carry and " + std::to_string(ny) + " y tensors");
  if (n == 1) return {carry1, bufs};
  Tensors vars{constant(int32_t(reverse ? n - 2 : 1))};
  vars.insert(vars.end(), carry1.begin(), carry1.end());
  vars.insert(vars.end(), bufs.begin(), bufs.end());
  const Tensor one = constant(int32_t(1)), zero = constant(int32_t(0)), end = constant(int32_t(n));
  Tensors out = while_loop(
      [&](const Tensors& v) { return reverse ? greater_equal(v[0], zero) : less(v[0], end); },
      [&](const Tensors& v) {
        Tensors carry(v.begin() + 1, v.begin() + 1 + long(nc));
        auto [c, y] = step(carry, v[0]);
        if (y.size() != ny)
          throw_invalid(op + ": f returned " + std::to_string(y.size()) + " y tensors at one step and " +
                        std::to_string(ny) + " at another");
        Tensors next{reverse ? subtract(v[0], one) : add(v[0], one)};
        next.insert(next.end(), c.begin(), c.end());
        for (size_t k = 0; k < ny; ++k) next.push_back(write_row(v[1 + nc + k], v[0], y[k]));
        return next;
      },
      vars);
  return {Tensors(out.begin() + 1, out.begin() + 1 + long(nc)), Tensors(out.begin() + 1 + long(nc), out.end())};
}

std::pair<Tensor, Tensor> scan(const std::function<std::pair<Tensor, Tensor>(const Tensor&, const Tensor&)>& f,
                               const Tensor& init, const Tensor& xs, bool reverse) {
  ScanResult r = scan(
      [&](const Tensors& c, const Tensors& x) {
        auto [nc, y] = f(c[0], x[0]);
        return std::pair<Tensors, Tensors>{{nc}, {y}};
      },
      {init}, {xs}, std::nullopt, reverse);
  return {r.carry[0], r.ys[0]};
}

Tensors fori_loop(const Tensor& lower, const Tensor& upper,
                  const std::function<Tensors(const Tensor& i, const Tensors& val)>& body_fun, const Tensors& init_val) {
  const std::string op = "fori_loop";
  if (!lower.defined() || !upper.defined()) throw_invalid(op + ": `lower` or `upper` is an undefined tensor");
  if (lower.rank() != 0 || upper.rank() != 0 || !is_integer(lower.dtype()) || lower.dtype() != upper.dtype())
    throw_invalid(op + ": expected `lower` and `upper` integer scalars of one dtype, but received " +
                  dtype_name(lower.dtype()) + " " + lower.shape().str() + " and " + dtype_name(upper.dtype()) + " " +
                  upper.shape().str());
  check_all_defined(init_val, op.c_str(), "init_val");
  if (init_val.empty() || init_val.size() + 1 > kMaxLoopVars)
    throw_invalid(op + ": expected 1 to 7 tensors in init_val, but received " + std::to_string(init_val.size()));
  Tensors vars{lower};
  vars.insert(vars.end(), init_val.begin(), init_val.end());
  const Tensor one = scalar_like(lower, 1.0);
  Tensors out = while_loop([&](const Tensors& v) { return less(v[0], upper); },
                           [&](const Tensors& v) {
                             Tensors next{add(v[0], one)};
                             Tensors val = body_fun(v[0], Tensors(v.begin() + 1, v.end()));
                             next.insert(next.end(), val.begin(), val.end());
                             return next;
                           },
                           vars);
  return Tensors(out.begin() + 1, out.end());
}

Tensor fori_loop(int64_t lower, int64_t upper, const std::function<Tensor(const Tensor& i, const Tensor& val)>& body_fun,
                 const Tensor& init_val) {
  return fori_loop(constant(int32_t(lower)), constant(int32_t(upper)),
                   [&](const Tensor& i, const Tensors& v) { return Tensors{body_fun(i, v[0])}; }, {init_val})[0];
}

Tensors map(const std::function<Tensors(const Tensors&)>& f, const Tensors& xs) {
  if (xs.empty()) throw_invalid("map: expected at least one tensor in xs, but received none");
  return scan([&](const Tensors&, const Tensors& x) { return std::pair<Tensors, Tensors>{{}, f(x)}; }, {}, xs).ys;
}

Tensor map(const std::function<Tensor(const Tensor&)>& f, const Tensor& xs) {
  return map([&](const Tensors& x) { return Tensors{f(x[0])}; }, Tensors{xs})[0];
}

Tensors vectorized_map(const std::function<Tensors(const Tensors&)>& function, const Tensors& elements) {
  return map(function, elements);
}

Tensor vectorized_map(const std::function<Tensor(const Tensor&)>& function, const Tensor& elements) {
  return map(function, elements);
}

Tensors switch_(const Tensor& index, const std::vector<std::function<Tensors(const Tensors&)>>& branches,
                const Tensors& operands) {
  const std::string op = "switch";
  if (branches.empty()) throw_invalid(op + ": expected at least one branch, but received none");
  if (!index.defined() || index.rank() != 0 || !is_integer(index.dtype()))
    throw_invalid(op + ": expected an integer scalar `index`, but received " +
                  (index.defined() ? std::string(dtype_name(index.dtype())) + " " + index.shape().str()
                                   : std::string("an undefined tensor")));
  if (branches.size() == 1) return branches[0](operands);
  const Tensor idx = cast(index, DType::int64);
  // Branch k when idx <= k (idx clipped: below 0 takes the first, above the last).
  std::function<Tensors(size_t)> from = [&](size_t k) -> Tensors {
    if (k + 1 == branches.size()) return branches[k](operands);
    return cond(less_equal(idx, constant(int64_t(k))), std::function<Tensors()>([&, k] { return branches[k](operands); }),
                std::function<Tensors()>([&, k] { return from(k + 1); }));
  };
  return from(0);
}

Tensors associative_scan(const std::function<Tensors(const Tensors&, const Tensors&)>& f, const Tensors& elems,
                         bool reverse, int64_t axis) {
  const std::string op = "associative_scan";
  if (elems.empty()) throw_invalid(op + ": expected at least one tensor in elems, but received none");
  check_all_defined(elems, op.c_str(), "elems");
  const int64_t rank = elems[0].rank();
  if (rank < 1) throw_invalid(op + ": expected elems of rank >= 1, but received a scalar");
  const int64_t a = normalize_axis(axis, rank, op.c_str());
  const int64_t n = elems[0].shape()[a];
  for (const Tensor& e : elems)
    if (e.rank() != rank || e.shape()[a] != n)
      throw_invalid(op + ": expected every elems with " + std::to_string(n) + " entries along axis " +
                    std::to_string(axis) + ", but received shape " + e.shape().str());
  Tensors cur;
  for (const Tensor& e : elems) cur.push_back(reverse ? ops::reverse(e, {a}) : e);
  auto part = [&](const Tensor& t, int64_t begin, int64_t size) {
    std::vector<int64_t> b(size_t(rank), 0), s(size_t(rank), -1);
    b[size_t(a)] = begin;
    s[size_t(a)] = size;
    return slice(t, b, s);
  };
  // Hillis-Steele: after the step of distance d, entry i combines entries (i - 2d, i].
  for (int64_t d = 1; d < n; d *= 2) {
    Tensors left, right;
    for (const Tensor& t : cur) {
      left.push_back(part(t, 0, n - d));
      right.push_back(part(t, d, n - d));
    }
    Tensors comb = f(left, right);
    if (comb.size() != cur.size())
      throw_invalid(op + ": f returned " + std::to_string(comb.size()) + " tensors for " +
                    std::to_string(cur.size()) + " elems");
    for (size_t k = 0; k < cur.size(); ++k) cur[k] = concat({part(cur[k], 0, d), comb[k]}, a);
  }
  if (reverse)
    for (Tensor& t : cur) t = ops::reverse(t, {a});
  return cur;
}

Tensor associative_scan(const std::function<Tensor(const Tensor&, const Tensor&)>& f, const Tensor& elems, bool reverse,
                        int64_t axis) {
  return associative_scan([&](const Tensors& x, const Tensors& y) { return Tensors{f(x[0], y[0])}; }, Tensors{elems},
                          reverse, axis)[0];
}

}  // namespace keras::core::ops
