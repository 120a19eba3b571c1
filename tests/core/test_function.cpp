// test_function.cpp - core::function (keras::function): tracing, TensorFlow's rules for
// traced functions, the graph passes, control flow and host functions.
#include <random>
#include <string>

#include "core/control_flow.h"
#include "core/function.h"
#include "core/graph.h"
#include "core/training.h"
#include "helpers.h"

using namespace th;
using core::GradientTape;
using core::Variable;

TEST_CASE("function: traces once per input signature (dtypes, shapes, non-tensor values)") {
  int traces = 0;
  auto f = core::function([&](const Tensor& x, double scale) {
    ++traces;  // a C++ side effect: runs only while tracing
    return ops::multiply(ops::relu(x), ops::scalar_like(x, scale));
  });
  check_values(f(core::constant({-1.0f, 2.0f}), 2.0), std::vector<float>{0, 4});
  check_values(f(core::constant({3.0f, -4.0f}), 2.0), std::vector<float>{6, 0});  // same signature
  CHECK(traces == 1);
  CHECK(f.tracing_count() == 1);
  check_values(f(core::constant({1.0f, 1.0f, 1.0f}), 2.0), std::vector<float>{2, 2, 2});  // new shape
  CHECK(f.tracing_count() == 2);
  check_values(f(core::constant({1.0, 2.0}, DType::float64), 2.0), std::vector<double>{2, 4});  // new dtype
  CHECK(f.tracing_count() == 3);
  check_values(f(core::constant({-1.0f, 2.0f}), 3.0), std::vector<float>{0, 6});  // new non-tensor value
  CHECK(f.tracing_count() == 4);
  check_values(f(core::constant({5.0f, 5.0f}), 3.0), std::vector<float>{15, 15});
  CHECK(traces == 4);
  check_values(f(core::constant({1.0f, 1.0f}), 3.0000001), std::vector<float>{3.0000001f, 3.0000001f});  // exact keys
  CHECK(traces == 5);
  // Vectors of tensors, strings and void functions.
  int calls = 0;
  auto g = core::function([&](const std::vector<Tensor>& xs, const std::string& mode) {
    ++calls;
    return mode == "sum" ? std::vector<Tensor>{ops::add(xs[0], xs[1])} : std::vector<Tensor>{xs[0], xs[1]};
  });
  using TV = std::vector<Tensor>;
  CHECK(g(TV{core::constant(1.0f), core::constant(2.0f)}, "sum").size() == 1);
  CHECK(g(TV{core::constant(1.0f), core::constant(2.0f)}, std::string("pair")).size() == 2);
  g(TV{core::constant(3.0f), core::constant(4.0f)}, "sum");
  CHECK(calls == 2);
}

TEST_CASE("function: the traced graph prints, and the passes prune, fold, merge") {
  Tensor k = core::constant({1.0f, 2.0f});
  auto f = core::function([&](const Tensor& x) {
    Tensor unused = ops::exp(x);                      // pruned: no output needs it
    Tensor folded = ops::multiply(k, ops::scalar_like(k, 3.0));  // constants only: folded
    Tensor a = ops::sin(x), b = ops::sin(x);          // merged (same op, same input)
    (void)unused;
    return ops::add(ops::add(a, b), folded);
  });
  check_values(f(core::constant({0.0f, 0.0f})), std::vector<float>{3, 6});
  const std::string before = f.graph_str(false), after = f.graph_str();
  CHECK(before.find("exp(") != std::string::npos);
  CHECK(after.find("exp(") == std::string::npos);
  CHECK(before.find("multiply(") != std::string::npos);
  CHECK(after.find("multiply(") == std::string::npos);
  auto count = [](const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
    return n;
  };
  CHECK(count(before, "sin(") == 2);
  CHECK(count(after, "sin(") == 1);
  CHECK(f.num_nodes(false) == 6);  // exp, multiply, sin, sin, add, add
  CHECK(f.num_nodes() == 2);       // sin, then the two adds fused into one pass
  CHECK(count(after, "fused_elementwise(") == 1);
  MESSAGE("traced:\n" << before << "optimized:\n" << after);
}

TEST_CASE("function: transposes of transposes compose, and cancel where they undo each other") {
  auto count = [](const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
    return n;
  };
  const Tensor x = ops::reshape(ops::cast(ops::range(24), DType::float32), {2, 3, 4});
  // Undone: the graph reads x itself.
  auto undo = core::function([](const Tensor& t) {
    return ops::sin(ops::transpose(ops::transpose(t, {0, 2, 1}), {0, 2, 1}));
  });
  check_values(undo(x), values(ops::sin(x)));
  CHECK(count(undo.graph_str(false), "transpose(") == 2);
  CHECK(count(undo.graph_str(), "transpose(") == 0);
  // Composed: one transpose with the product permutation (negative axes too).
  auto three = core::function([](const Tensor& t) {
    return ops::cos(ops::transpose(ops::transpose(ops::transpose(t, {1, 0, 2}), {0, -1, 1}), {2, 1, 0}));
  });
  check_values(three(x), values(ops::cos(ops::transpose(ops::transpose(ops::transpose(x, {1, 0, 2}), {0, 2, 1}),
                                                        {2, 1, 0}))));
  CHECK(count(three.graph_str(), "transpose(") == 1);
  // A transpose that is an output, or whose input has another use, keeps its value.
  auto kept = core::function([](const Tensor& t) {
    Tensor a = ops::transpose(t, {0, 2, 1});
    return std::vector<Tensor>{ops::exp(a), ops::transpose(a, {0, 2, 1})};
  });
  const std::vector<Tensor> out = kept(x);
  check_values(out[0], values(ops::exp(ops::transpose(x, {0, 2, 1}))));
  check_values(out[1], values(x));
  // Gradients through cancelled transposes are the same.
  Variable v(x);
  GradientTape tape;
  const Tensor g = tape.gradient(ops::sum(ops::square(undo(v.value()))), v);
  check_values(g, values(ops::multiply(ops::scalar_like(x, 2.0), ops::multiply(ops::sin(x), ops::cos(x)))), 1e-5);
}

TEST_CASE("function: a read before an in-place optimizer update keeps the old value in the graph") {
  // Two reads of one variable around apply_adam are two graph values (the second read used
  // to take the first one's place, so `before` saw the updated weights).
  Variable v(core::constant(std::vector<float>{1, 2, 3}), "v");
  Variable m(ops::zeros({3}), "m"), s(ops::zeros({3}), "s");
  const Tensor g = core::constant(std::vector<float>{1, -1, 2});
  const Tensor lr = core::constant(0.5f), it = core::constant(int64_t{1});
  auto step = core::function([&](const Tensor& keep_new) {
    const Tensor before = v.value();
    core::training::apply_adam(v, g, m, s, nullptr, lr, 0.9, 0.999, 1e-7, it);
    const Tensor after = v.value();
    v.assign(ops::where(keep_new, after, before));  // a skipped step, as a loss-scale optimizer's
    return std::vector<Tensor>{before, after};
  });
  for (int i = 0; i < 3; ++i) {
    const std::vector<Tensor> r = step(core::constant(false));
    check_values(r[0], std::vector<double>{1, 2, 3});
    check_values(v.value(), std::vector<double>{1, 2, 3});
    CHECK(values(r[1]) != values(r[0]));
  }
  step(core::constant(true));
  CHECK(values(v.value()) != std::vector<double>{1, 2, 3});
  CHECK(step.tracing_count() == 1);
}

TEST_CASE("function: variables are read when the graph runs; assignments run at every call") {
  Variable w(core::constant({1.0f, 2.0f}), "w");
  auto f = core::function([&](const Tensor& x) {
    w.assign_add(x);
    return ops::sum(w.value());  // reads the value just assigned
  });
  CHECK(f(core::constant({1.0f, 1.0f})).item<float>() == 5.0f);
  CHECK(f(core::constant({1.0f, 1.0f})).item<float>() == 7.0f);
  check_values(w.value(), std::vector<float>{3, 4});
  w.assign(core::constant({0.0f, 0.0f}));  // a change outside the function is seen
  CHECK(f(core::constant({2.0f, 0.0f})).item<float>() == 2.0f);
  CHECK(f.tracing_count() == 1);
  CHECK(f.graph_str().find("assign_variable") != std::string::npos);
}

TEST_CASE("function: variables may be created only on the first trace") {
  std::vector<Variable> made;
  auto f = core::function([&](const Tensor& x) {
    if (made.empty()) made.emplace_back(ops::zeros_like(x), "acc");  // state made on the first call
    made[0].assign_add(x);
    return made[0].value();
  });
  check_values(f(core::constant({1.0f, 2.0f})), std::vector<float>{1, 2});
  check_values(f(core::constant({1.0f, 2.0f})), std::vector<float>{2, 4});  // the assignment reruns
  auto g = core::function([&](const Tensor& x) {
    Variable v(x, "per_call");  // a new variable on every trace
    return v.value();
  });
  g(core::constant(1.0f));
  CHECK_THROWS_MSG(g(core::constant({1.0f, 2.0f})), std::invalid_argument,
                   "Variable 'per_call': a traced function may create variables only the first time it is traced");
}

TEST_CASE("function: C++ random numbers freeze at trace time; ops::random_uniform draws at every call") {
  std::mt19937 gen(3);
  auto f = core::function([&](const Tensor& x) {
    const float frozen = std::uniform_real_distribution<float>(0, 1)(gen);
    return std::vector<Tensor>{ops::add(x, ops::scalar_like(x, frozen)), ops::random_uniform({4})};
  });
  Tensor zero = core::constant(0.0f);
  auto a = f(zero), b = f(zero);
  CHECK(a[0].item<float>() == b[0].item<float>());
  CHECK(values(a[1]) != values(b[1]));
  // A seeded op with a counter derives its seed when it runs: reproducible, new each step.
  Variable counter(core::constant(int64_t{0}), "counter", false);
  auto g = core::function([&]() {
    Tensor c = counter.value();
    counter.assign_add(core::constant(int64_t{1}));
    return ops::random_uniform({3}, {.seed = 7, .counter = c});
  });
  auto r1 = values(g()), r2 = values(g());
  CHECK(r1 != r2);
  check_values(ops::random_uniform({3}, {.seed = 7, .counter = core::constant(int64_t{1})}), r2, 0);
}

TEST_CASE("function: reading a value inside a trace raises, naming what was called") {
  auto f = core::function([](const Tensor& x) {
    if (ops::sum(x).item<float>() > 0) return x;  // a Python-style branch on a value
    return ops::neg(x);
  });
  CHECK_THROWS_MSG(f(core::constant({1.0f})), std::invalid_argument,
                   "Tensor.item() needs a concrete value, but it was called while tracing a function");
  auto g = core::function([](const Tensor& x) {
    (void)x.str();
    return x;
  });
  CHECK_THROWS_MSG(g(core::constant({1.0f})), std::invalid_argument, "printing a tensor's values needs a concrete value");
  auto h = core::function([](const Tensor& x) {
    (void)x.to_vector<float>();
    return x;
  });
  CHECK_THROWS_MSG(h(core::constant({1.0f})), std::invalid_argument, "Tensor.to_vector() needs a concrete value");
}

TEST_CASE("function: functions nest (the inner graph is inlined into the outer one)") {
  int inner_traces = 0;
  auto inner = core::function([&](const Tensor& x) {
    ++inner_traces;
    return ops::square(x);
  });
  auto outer = core::function([&](const Tensor& x) { return ops::add(inner(x), inner(ops::neg(x))); },
                              {.optimize = false});  // the graph as traced
  check_values(outer(core::constant({1.0f, 2.0f})), std::vector<float>{2, 8});
  check_values(outer(core::constant({3.0f, 0.0f})), std::vector<float>{18, 0});
  CHECK(inner_traces == 1);  // traced once (inside the outer trace), then its graph replayed
  CHECK(outer.tracing_count() == 1);
  CHECK(outer.graph_str().find("square(") != std::string::npos);
}

TEST_CASE("function: a call under a GradientTape is differentiable, to second order") {
  auto f = core::function([](const Tensor& x) { return ops::multiply(ops::sin(x), x); });
  Tensor x = core::constant({0.5, 1.5}, DType::float64);
  for (int call = 0; call < 2; ++call) {  // the tracing call and a graph run
    GradientTape outer;
    outer.watch(x);
    Tensor g;
    {
      GradientTape inner;
      inner.watch(x);
      g = inner.gradient(ops::sum(f(x)), x);  // sin x + x cos x
    }
    Tensor h = outer.gradient(ops::sum(g), x);  // 2 cos x - x sin x
    std::vector<double> xv = values(x), gv, hv;
    for (double v : xv) {
      gv.push_back(std::sin(v) + v * std::cos(v));
      hv.push_back(2 * std::cos(v) - v * std::sin(v));
    }
    check_values(g, gv, 1e-12);
    check_values(h, hv, 1e-12);
  }
}

TEST_CASE("function: variables read inside a function are watched by a tape around the call") {
  Variable w(core::constant({2.0f, 3.0f}), "w");
  auto f = core::function([&](const Tensor& x) { return ops::sum(ops::multiply(w.value(), x)); });
  const Tensor x = core::constant({1.0f, 5.0f});
  for (int call = 0; call < 2; ++call) {  // the tracing call and a graph run
    GradientTape tape;
    Tensor g = tape.gradient(f(x), w);
    REQUIRE(g.defined());
    check_values(g, std::vector<float>{1, 5});
    CHECK(tape.watched_variables().size() == 1);
  }
}

TEST_CASE("function: a traced optimizer step updates its variable in place (the memory plan frees reads)") {
  Variable w(core::constant({1.0f, -2.0f, 3.0f}), "w");
  Variable m(ops::zeros({3}), "m", false), v(ops::zeros({3}), "v", false);
  Variable it(core::constant(int64_t{0}), "it", false);
  auto step = core::function([&](const Tensor& x) {
    Tensor g;
    {
      GradientTape tape;
      g = tape.gradient(ops::sum(ops::square(ops::multiply(w.value(), x))), w);
    }
    core::training::apply_adam(w, g, m, v, nullptr, core::constant(0.1f), 0.9, 0.999, 1e-7, it.value());
    it.assign_add(core::constant(int64_t{1}));
  });
  Tensor x = core::constant({1.0f, 1.0f, 1.0f});
  step(x);
  const void* before = w.current().raw_data();
  step(x);
  step(x);
  CHECK(w.current().raw_data() == before);
  CHECK(it.value().item<int64_t>() == 3);
  // Adam moves each weight by about lr per step against the gradient's sign.
  check_values(w.value(), std::vector<float>{0.7f, -1.7f, 2.7f}, 1e-3);
}

TEST_CASE("cond: eager and traced, with the taken branch's side effects only") {
  Variable hits(core::constant(0.0f), "hits", false);
  auto pick = [&](const Tensor& x) {
    return ops::cond(
        ops::greater(ops::sum(x), ops::scalar_like(x, 0.0)),
        [&] {
          hits.assign_add(core::constant(1.0f));
          return ops::multiply(x, ops::scalar_like(x, 2.0));
        },
        [&] { return ops::neg(x); });
  };
  check_values(pick(core::constant({1.0f, 2.0f})), std::vector<float>{2, 4});  // eager
  check_values(pick(core::constant({-1.0f, -2.0f})), std::vector<float>{1, 2});
  CHECK(hits.value().item<float>() == 1.0f);
  auto f = core::function(pick);
  check_values(f(core::constant({-1.0f, -2.0f})), std::vector<float>{1, 2});
  CHECK(hits.value().item<float>() == 1.0f);  // tracing ran neither branch's assignment
  check_values(f(core::constant({3.0f, 1.0f})), std::vector<float>{6, 2});
  CHECK(hits.value().item<float>() == 2.0f);
  CHECK(f.tracing_count() == 1);
  CHECK(f.graph_str().find("cond(") != std::string::npos);
  CHECK_THROWS_MSG(ops::cond(core::constant(1.0f), [] { return core::constant(1.0f); }, [] { return core::constant(2.0f); }),
                   std::invalid_argument, "cond: expected a bool scalar predicate, but received float32 ()");
  auto bad = core::function([](const Tensor& x) {
    return ops::cond(ops::greater(x, ops::scalar_like(x, 0.0)), [&] { return x; }, [&] { return ops::stack({x, x}); });
  });
  CHECK_THROWS_MSG(bad(core::constant(1.0f)), std::invalid_argument,
                   "cond: result 0 is float32 () in true_fn but float32 (2,) in false_fn");
}

TEST_CASE("cond: a variable read before a cond that assigns it is read again after it") {
  Variable v(core::constant({1.0f, 2.0f}), "v", false);
  auto f = core::function([&](const Tensor& p) {
    Tensor before = v.value();
    ops::cond(p, [&] { v.assign_add(core::constant({10.0f, 10.0f})); return core::constant(0.0f); },
              [&] { return core::constant(0.0f); });
    return std::vector<Tensor>{before, v.value()};
  });
  auto r = f(core::constant(true));
  check_values(r[0], std::vector<float>{1, 2});
  check_values(r[1], std::vector<float>{11, 12});  // (the read after the cond, not the one before)
  r = f(core::constant(false));
  check_values(r[0], std::vector<float>{11, 12});
  check_values(r[1], std::vector<float>{11, 12});
}

TEST_CASE("cond: gradients through a traced cond (a tape inside the function, and outside)") {
  auto f = core::function([](const Tensor& x) {
    GradientTape tape;
    tape.watch(x);
    Tensor y = ops::cond(ops::greater(ops::sum(x), ops::scalar_like(x, 0.0)), [&] { return ops::square(x); },
                         [&] { return ops::sin(x); });
    return tape.gradient(ops::sum(y), x);
  });
  check_values(f(core::constant({1.0, 2.0}, DType::float64)), std::vector<double>{2, 4}, 1e-12);
  check_values(f(core::constant({-1.0, -2.0}, DType::float64)), std::vector<double>{std::cos(-1.0), std::cos(-2.0)},
               1e-12);
  CHECK(f.tracing_count() == 1);
}

TEST_CASE("while_loop: eager and traced; the number of iterations depends on a tensor") {
  auto count_to = [](const Tensor& n) {
    auto out = ops::while_loop([&](const std::vector<Tensor>& v) { return ops::less(v[0], n); },
                               [](const std::vector<Tensor>& v) {
                                 return std::vector<Tensor>{ops::add(v[0], core::constant(1)),
                                                            ops::add(v[1], ops::cast(v[0], DType::float32))};
                               },
                               {core::constant(0), core::constant(0.0f)});
    return out[1];  // 0 + 1 + ... + (n - 1)
  };
  CHECK(count_to(core::constant(5)).item<float>() == 10.0f);
  auto f = core::function(count_to);
  CHECK(f(core::constant(5)).item<float>() == 10.0f);
  CHECK(f(core::constant(101)).item<float>() == 5050.0f);  // same signature: no retrace
  CHECK(f.tracing_count() == 1);
  auto capped = ops::while_loop([](const std::vector<Tensor>&) { return core::constant(true); },
                                [](const std::vector<Tensor>& v) { return std::vector<Tensor>{ops::add(v[0], core::constant(2))}; },
                                {core::constant(0)}, /*maximum_iterations=*/4);
  CHECK(capped[0].item<int32_t>() == 8);
  CHECK_THROWS_MSG(ops::while_loop([](const std::vector<Tensor>& v) { return ops::less(v[0], core::constant(3)); },
                                   [](const std::vector<Tensor>& v) { return std::vector<Tensor>{ops::stack({v[0], v[0]})}; },
                                   {core::constant(0)}),
                   std::invalid_argument, "while_loop: body changed loop var 0 from int32 () to int32 (2,)");
  // Eagerly the loop is differentiable (the tape sees every iteration).
  Tensor x = core::constant(1.5, DType::float64);
  GradientTape tape;
  tape.watch(x);
  auto r = ops::while_loop([](const std::vector<Tensor>& v) { return ops::less(v[1], core::constant(3)); },
                           [](const std::vector<Tensor>& v) {
                             return std::vector<Tensor>{ops::multiply(v[0], v[0]), ops::add(v[1], core::constant(1))};
                           },
                           {x, core::constant(0)});
  CHECK(tape.gradient(r[0], x).item<double>() == doctest::Approx(8 * std::pow(1.5, 7)));  // d x^8
}

TEST_CASE("host_function: runs C++ at every call, eagerly and in a graph") {
  int runs = 0;
  auto twice = [&](const std::vector<Tensor>& in) {
    ++runs;
    std::vector<float> v = in[0].to_vector<float>();  // any C++ on the values
    for (float& e : v) e *= 2;
    return std::vector<Tensor>{core::constant(v)};
  };
  const std::vector<core::TensorSpec> spec = {{{2}, DType::float32}};
  check_values(ops::host_function(twice, {core::constant({1.0f, 2.0f})}, spec)[0], std::vector<float>{2, 4});
  auto f = core::function([&](const Tensor& x) { return ops::host_function(twice, {ops::add(x, x)}, spec)[0]; });
  check_values(f(core::constant({1.0f, 2.0f})), std::vector<float>{4, 8});
  check_values(f(core::constant({0.5f, 0.0f})), std::vector<float>{2, 0});
  CHECK(runs == 3);
  CHECK(f.graph_str().find("host_function(") != std::string::npos);
  CHECK_THROWS_MSG(ops::host_function(twice, {core::constant({1.0f})}, spec), std::invalid_argument,
                   "host_function: result 0 is float32 (1,), but output_specs says float32 (2,)");
}

TEST_CASE("early host functions run right after their inputs are made, in their own order (graph::schedule_early)") {
  std::vector<std::string> order;  // what ran, in order
  auto note = [&](const char* what) {
    return [&order, what](const std::vector<Tensor>& in) {
      order.push_back(what);
      return std::vector<Tensor>{in[0]};
    };
  };
  const std::vector<core::TensorSpec> spec = {{{2, 2}, DType::float32}};
  auto body = [&](const Tensor& x) {
    Tensor a = ops::matmul(x, x);
    Tensor b = ops::matmul(a, a);  // traced after a, before the early nodes
    Tensor c = ops::matmul(b, b);
    Tensor late = ops::host_function(note("plain"), {c}, spec)[0];  // keeps its place: the early ones pass it
    Tensor ea = core::graph::early_host_function(note("early a"), {a}, spec)[0];
    Tensor ec = core::graph::early_host_function(note("early c"), {c}, spec)[0];
    Tensor eb = core::graph::early_host_function(note("early b"), {b}, spec)[0];  // after "early c": order kept
    return ops::add(ops::add(late, ea), ops::add(ec, eb));
  };
  auto f = core::function(body);
  auto unoptimized = core::function(body, {.optimize = false});
  const Tensor x = core::constant({{0.5f, -1.0f}, {0.25f, 2.0f}});
  CHECK(values(f(x)) == values(body(x)));
  CHECK(values(unoptimized(x)) == values(body(x)));
  order.clear();
  f(x);
  CHECK(order == std::vector<std::string>{"early a", "early c", "early b", "plain"});
  const auto& nodes = f.graph_nodes();
  std::vector<std::string> ops_in_order;
  for (const auto& n : nodes)
    if (n.op == "matmul" || n.op == "host_function") ops_in_order.push_back(n.op);
  // a, early a, b, c, early c, early b, plain: "early a" moved before b and c.
  CHECK(ops_in_order == std::vector<std::string>{"matmul", "host_function", "matmul", "matmul", "host_function",
                                                 "host_function", "host_function"});
  order.clear();
  unoptimized(x);  // without the other passes, early nodes are scheduled too
  CHECK(order == std::vector<std::string>{"early a", "early c", "early b", "plain"});
}

TEST_CASE("elementwise fusion: a chain runs as one node with the same bits and the same gradients") {
  const Tensor bias = make(uniform(5, -1, 1, 4), Shape{5});
  auto body = [&](const Tensor& x, const Tensor& y) {
    Tensor h = ops::relu(ops::add(ops::multiply(x, y), bias));  // row-broadcast bias
    Tensor mask = ops::cast(ops::greater(x, ops::scalar_like(x, 0.0)), DType::float32);
    return ops::subtract(ops::multiply(ops::tanh(h), mask), ops::square(ops::divide(y, ops::scalar_like(y, 3.0))));
  };
  auto fused = core::function(body);
  auto plain = core::function(body, {.optimize = false});
  const Tensor x = make(uniform(4 * 5, -2, 2, 1), Shape{4, 5}), y = make(uniform(4 * 5, -2, 2, 2), Shape{4, 5});
  CHECK(values(fused(x, y)) == values(plain(x, y)));  // bit for bit
  CHECK(values(fused(x, y)) == values(body(x, y)));
  const std::string g = fused.graph_str();
  CHECK(g.find("fused_elementwise(") != std::string::npos);
  CHECK(g.find("tanh(") == std::string::npos);
  CHECK(fused.num_nodes() < plain.num_nodes());
  MESSAGE("fused graph:\n" << g);
  // Gradients through the fused node (its rule replays the original ops).
  auto grads = [&](auto& f) {
    GradientTape tape;
    tape.watch(x);
    tape.watch(y);
    return tape.gradient(ops::sum(f(x, y)), std::vector<Tensor>{x, y});
  };
  auto gf = grads(fused), gp = grads(plain);
  for (size_t i = 0; i < 2; ++i) check_values(gf[i], values(gp[i]), 1e-6);
  // Large inputs take the parallel, blocked path.
  const Tensor bx = make(uniform(300 * 200, -2, 2, 5), Shape{300, 200}), by = make(uniform(300 * 200, -2, 2, 6), Shape{300, 200});
  auto big_f = core::function([](const Tensor& a, const Tensor& b) { return ops::sqrt(ops::add(ops::square(a), ops::square(b))); });
  auto big_p = core::function([](const Tensor& a, const Tensor& b) { return ops::sqrt(ops::add(ops::square(a), ops::square(b))); },
                              {.optimize = false});
  CHECK(values(big_f(bx, by)) == values(big_p(bx, by)));
}

TEST_CASE("function: input_signature checks calls; an open (-1) size serves every size with one graph") {
  int traces = 0;
  auto f = core::function(
      [&](const Tensor& x) {
        ++traces;
        return ops::sum(ops::multiply(x, x), {1});
      },
      {.input_signature = {{{-1, 3}, DType::float32}}});
  check_values(f(ops::ones({2, 3})), std::vector<float>{3, 3});
  CHECK(f.tracing_count() == 2);  // at the call's size and at another, to compare the graphs
  check_values(f(ops::fill({5, 3}, 2.0)), std::vector<float>{12, 12, 12, 12, 12});
  f(ops::ones({1, 3}));
  CHECK(f.tracing_count() == 2);  // every batch size runs the one graph
  CHECK(traces == 2);
  CHECK_THROWS_MSG(f(ops::ones({2, 4})), std::invalid_argument,
                   "function: expected tensor argument 0 to match float32 (None, 3) (input_signature), but received "
                   "float32 (2, 4)");
  CHECK_THROWS_MSG(f(ops::ones({2, 3}, DType::float64)), std::invalid_argument, "but received float64 (2, 3)");
  // A function whose graph depends on the size traces per size.
  auto g = core::function([](const Tensor& x) { return ops::reshape(x, {x.shape()[0] * 3}); },
                          {.input_signature = {{{-1, 3}, DType::float32}}});
  CHECK(g(ops::ones({2, 3})).shape() == Shape{6});
  CHECK(g(ops::ones({4, 3})).shape() == Shape{12});
  CHECK(g.tracing_count() == 3);  // (2, 3) and its probe, then (4, 3)
}

TEST_CASE("function: reduce_retracing relaxes the sizes in which calls differ") {
  auto f = core::function([](const Tensor& x) { return ops::relu(ops::subtract(x, ops::scalar_like(x, 1.0))); },
                          {.reduce_retracing = true});
  f(ops::ones({2, 3}));
  f(ops::ones({4, 3}));  // a new size: traced once more, and the sizes relaxed
  check_values(f(ops::fill({7, 3}, 3.0)), std::vector<float>(21, 2.0f));
  f(ops::ones({9, 3}));
  CHECK(f.tracing_count() == 2);
  f(ops::ones({9, 2}));  // the graphs agree in the other axis too: (None, None)
  CHECK(f.tracing_count() == 3);
  f(ops::ones({3, 5}));
  CHECK(f.tracing_count() == 3);
  auto plain = core::function([](const Tensor& x) { return ops::relu(x); });
  plain(ops::ones({2}));
  plain(ops::ones({3}));
  plain(ops::ones({4}));
  CHECK(plain.tracing_count() == 3);
}

TEST_CASE("function: independent heavy nodes run in parallel on the engine's threads, with the same results" *
          doctest::test_suite("threads")) {
  const int saved = core::get_num_threads();
  core::set_num_threads(2);
  const Tensor a = make(uniform(128 * 96, -1, 1, 3), Shape{128, 96}), b = make(uniform(96 * 64, -1, 1, 4), Shape{96, 64});
  const Tensor c = make(uniform(128 * 96, -1, 1, 5), Shape{128, 96});
  auto body = [](const Tensor& x, const Tensor& w, const Tensor& z) {
    // Two matmuls that need nothing of each other, then one that joins them.
    return ops::add(ops::matmul(x, w), ops::matmul(z, w));
  };
  auto f = core::function(body);
  const int64_t before = core::graph::parallel_nodes_run();
  const std::vector<double> got = values(f(a, b, c)), again = values(f(a, b, c));
  CHECK(core::graph::parallel_nodes_run() - before >= 4);  // two nodes in each of two runs
  CHECK(got == values(body(a, b, c)));  // each matmul is the same computation
  CHECK(again == got);
  {  // under a tape the call is one recorded node: its graph still runs in parallel
    GradientTape tape;
    tape.watch(a);
    const int64_t mid = core::graph::parallel_nodes_run();
    Tensor y = f(a, b, c);
    CHECK(core::graph::parallel_nodes_run() - mid >= 2);
    Tensor g = tape.gradient(ops::sum(y), a);
    GradientTape eager;
    eager.watch(a);
    Tensor g_eager = eager.gradient(ops::sum(body(a, b, c)), a);
    check_values(g, values(g_eager), 1e-12);
  }
  {  // a stage whose largest node is most of its work runs in turn (that node then uses every
     // thread): a large matmul beside a small one, and a large matmul beside a variable read
    const Tensor big = make(uniform(384 * 384, -1, 1, 6), Shape{384, 384});
    auto uneven = core::function([](const Tensor& x, const Tensor& w, const Tensor& z, const Tensor& large) {
      return std::vector<Tensor>{ops::matmul(x, w), ops::matmul(large, large)};
    });
    Variable v(make(uniform(384 * 384, -1, 1, 7), Shape{384, 384}), "v");
    auto with_read = core::function([&](const Tensor& large) { return ops::add(ops::matmul(large, large), v.value()); });
    uneven(a, b, c, big);
    with_read(big);
    const int64_t mid = core::graph::parallel_nodes_run();
    const std::vector<Tensor> got2 = uneven(a, b, c, big);
    const Tensor got3 = with_read(big);
    CHECK(core::graph::parallel_nodes_run() == mid);
    CHECK(values(got2[1]) == values(ops::matmul(big, big)));
    CHECK(values(got3) == values(ops::add(ops::matmul(big, big), v.value())));
  }
  {  // a graph whose ops a tape records one by one (it changes state) keeps the traced order
    core::Variable calls(core::constant(0.0f), "calls", false);
    auto stateful = core::function([&](const Tensor& x, const Tensor& w, const Tensor& z) {
      calls.assign_add(core::constant(1.0f));
      return body(x, w, z);
    });
    stateful(a, b, c);
    GradientTape tape;
    tape.watch(a);
    const int64_t mid = core::graph::parallel_nodes_run();
    Tensor y = stateful(a, b, c);
    CHECK(core::graph::parallel_nodes_run() == mid);
    CHECK(tape.gradient(ops::sum(y), a).defined());
  }
  core::set_num_threads(saved);
}
