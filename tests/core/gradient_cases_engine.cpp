// gradient_cases_engine.cpp - the gradient-check cases of the engine's primitives
// (unary, binary, reductions, matmul, nn, shapes, control flow, convolution, image,
// linear algebra, einsum): a function of some inputs and the primitive whose rule it
// exercises (gradient_cases.h); test_gradients.cpp runs them.
#include <functional>
#include <memory>

#include "core/conv_variants.h"
#include "core/dispatch.h"
#include "core/function.h"
#include "core/sparse.h"
#include "gradient_cases.h"
#include "core/remat.h"
#include "helpers.h"

namespace gradcheck {

using namespace th;

std::vector<Case> unary_cases() {
  std::vector<Case> cs;
  auto add = [&](std::string name, std::function<Tensor(const Tensor&)> f, double lo, double hi,
                 bool away = false) {
    for (Shape s : {Shape{}, Shape{5}, Shape{2, 3}})
      cs.push_back({name, [f](const std::vector<Tensor>& x) { return f(x[0]); },
                    {Input{s, lo, hi, away, {}}}});
  };
  add("neg", [](auto& x) { return ops::neg(x); }, -2, 2);
  add("abs", [](auto& x) { return ops::abs(x); }, -2, 2, true);
  add("exp", [](auto& x) { return ops::exp(x); }, -2, 2);
  add("expm1", [](auto& x) { return ops::expm1(x); }, -2, 2);
  add("log", [](auto& x) { return ops::log(x); }, 0.3, 3);
  add("log1p", [](auto& x) { return ops::log1p(x); }, -0.5, 3);
  add("sqrt", [](auto& x) { return ops::sqrt(x); }, 0.3, 3);
  add("rsqrt", [](auto& x) { return ops::rsqrt(x); }, 0.3, 3);
  add("square", [](auto& x) { return ops::square(x); }, -2, 2);
  add("reciprocal", [](auto& x) { return ops::reciprocal(x); }, 0.3, 3);
  add("sin", [](auto& x) { return ops::sin(x); }, -3, 3);
  add("cos", [](auto& x) { return ops::cos(x); }, -3, 3);
  add("tanh", [](auto& x) { return ops::tanh(x); }, -2, 2);
  add("sigmoid", [](auto& x) { return ops::sigmoid(x); }, -4, 4);
  add("relu", [](auto& x) { return ops::relu(x); }, -2, 2, true);
  add("relu6", [](auto& x) { return ops::relu6(x); }, -3, 5, true);
  add("leaky_relu", [](auto& x) { return ops::leaky_relu(x, 0.1); }, -2, 2, true);
  add("elu", [](auto& x) { return ops::elu(x, 0.7); }, -2, 2, true);
  add("selu", [](auto& x) { return ops::selu(x); }, -2, 2, true);
  add("gelu", [](auto& x) { return ops::gelu(x, true); }, -3, 3);
  add("gelu", [](auto& x) { return ops::gelu(x, false); }, -3, 3);
  add("silu", [](auto& x) { return ops::silu(x); }, -3, 3);
  add("softplus", [](auto& x) { return ops::softplus(x); }, -3, 3);
  add("softsign", [](auto& x) { return ops::softsign(x); }, -2, 2, true);
  for (Shape s : {Shape{}, Shape{4}, Shape{2, 2}}) {
    Case c{"cast",
           [](const std::vector<Tensor>& x) {
             return ops::cast(ops::square(ops::cast(x[0], DType::float32)), DType::float64);
           },
           {Input{s, -2, 2, false, {}}}};
    c.eps = 1e-3;
    c.tol = 1e-4;
    cs.push_back(c);
  }
  return cs;
}

std::vector<Case> binary_cases() {
  std::vector<Case> cs;
  auto add = [&](std::string name, std::function<Tensor(const Tensor&, const Tensor&)> f,
                 double alo, double ahi, double blo, double bhi) {
    for (auto [sa, sb] : std::vector<std::pair<Shape, Shape>>{
             {Shape{3}, Shape{3}}, {Shape{2, 3}, Shape{3}}, {Shape{2, 1}, Shape{1, 3}}, {Shape{}, Shape{2, 2}}})
      cs.push_back({name, [f](const std::vector<Tensor>& x) { return f(x[0], x[1]); },
                    {Input{sa, alo, ahi, false, {}}, Input{sb, blo, bhi, false, {}}}});
  };
  add("add", [](auto& a, auto& b) { return ops::add(a, b); }, -2, 2, -2, 2);
  add("subtract", [](auto& a, auto& b) { return ops::subtract(a, b); }, -2, 2, -2, 2);
  add("multiply", [](auto& a, auto& b) { return ops::multiply(a, b); }, -2, 2, -2, 2);
  add("divide", [](auto& a, auto& b) { return ops::divide(a, b); }, -2, 2, 0.5, 2);
  add("mod", [](auto& a, auto& b) { return ops::mod(a, b); }, 2.2, 2.8, 1.0, 1.05);
  add("power", [](auto& a, auto& b) { return ops::power(a, b); }, 0.5, 2, -1, 2);
  add("maximum", [](auto& a, auto& b) { return ops::maximum(a, b); }, -2, 2, -2, 2);
  add("minimum", [](auto& a, auto& b) { return ops::minimum(a, b); }, -2, 2, -2, 2);
  add("squared_difference", [](auto& a, auto& b) { return ops::squared_difference(a, b); }, -2, 2, -2, 2);
  Tensor cond = core::constant({{true, false, true}, {false, false, true}});
  cs.push_back({"where", [](const std::vector<Tensor>& x) { return ops::where(x[0], x[1], x[2]); },
                {Input{{}, 0, 0, false, cond}, Input{Shape{2, 3}}, Input{Shape{3}}}});
  cs.push_back({"where", [](const std::vector<Tensor>& x) { return ops::where(x[0], x[1], x[2]); },
                {Input{{}, 0, 0, false, core::constant({true, false})}, Input{Shape{}}, Input{Shape{2}}}});
  cs.push_back({"where", [](const std::vector<Tensor>& x) { return ops::where(x[0], x[1], x[2]); },
                {Input{{}, 0, 0, false, core::constant({{true}, {false}})}, Input{Shape{1, 3}}, Input{Shape{2, 1}}}});
  return cs;
}

std::vector<Case> reduce_cases() {
  std::vector<Case> cs;
  auto add = [&](std::string name, std::function<Tensor(const Tensor&, const ops::Axes&, bool)> f,
                 double lo, double hi) {
    std::vector<std::tuple<Shape, ops::Axes, bool>> v = {
        {Shape{5}, {}, false}, {Shape{2, 3}, {1}, false}, {Shape{2, 3, 2}, {0, 2}, true}, {Shape{3, 2}, {0}, true}};
    for (auto& [s, axes, keep] : v)
      cs.push_back({name, [f, axes, keep](const std::vector<Tensor>& x) { return f(x[0], axes, keep); },
                    {Input{s, lo, hi, false, {}}}});
  };
  add("sum", [](auto& x, auto& a, bool k) { return ops::sum(x, a, k); }, -2, 2);
  add("mean", [](auto& x, auto& a, bool k) { return ops::mean(x, a, k); }, -2, 2);
  add("max", [](auto& x, auto& a, bool k) { return ops::max(x, a, k); }, -2, 2);
  add("min", [](auto& x, auto& a, bool k) { return ops::min(x, a, k); }, -2, 2);
  add("prod", [](auto& x, auto& a, bool k) { return ops::prod(x, a, k); }, 0.5, 1.5);
  // logsumexp, variance, std are compositions; checked through their primitives here.
  cs.push_back({"sum", [](const std::vector<Tensor>& x) { return ops::logsumexp(x[0], {1}); }, {Input{Shape{2, 4}}}});
  cs.push_back({"mean", [](const std::vector<Tensor>& x) { return ops::variance(x[0], {0}); }, {Input{Shape{3, 2}}}});
  cs.push_back({"mean", [](const std::vector<Tensor>& x) { return ops::std(x[0]); }, {Input{Shape{4}}}});
  return cs;
}

std::vector<Case> matmul_cases() {
  std::vector<Case> cs;
  auto add = [&](Shape sa, Shape sb, bool ta, bool tb) {
    cs.push_back({"matmul", [ta, tb](const std::vector<Tensor>& x) { return ops::matmul(x[0], x[1], ta, tb); },
                  {Input{sa}, Input{sb}}});
  };
  add(Shape{2, 3}, Shape{3, 4}, false, false);
  add(Shape{3, 2}, Shape{3, 4}, true, false);
  add(Shape{2, 3}, Shape{4, 3}, false, true);
  add(Shape{3, 2}, Shape{4, 3}, true, true);
  add(Shape{2, 2, 3}, Shape{3, 2}, false, false);     // broadcast batch
  add(Shape{2, 1, 2, 3}, Shape{3, 3, 2}, false, false);
  add(Shape{3}, Shape{3, 2}, false, false);           // vector on the left
  add(Shape{2, 3}, Shape{3}, false, false);           // vector on the right
  cs.push_back({"matmul", [](const std::vector<Tensor>& x) { return ops::tensordot(x[0], x[1], 1); },
                {Input{Shape{2, 3}}, Input{Shape{3, 2}}}});
  // fused_matmul: with a bias and relu (inputs kept away from relu's kink), and each
  // transpose; without a bias.
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      cs.push_back({"fused_matmul",
                    [ta, tb](const std::vector<Tensor>& x) { return ops::fused_matmul(x[0], x[1], x[2], true, ta, tb); },
                    {Input{ta ? Shape{3, 2} : Shape{2, 3}, 0.2, 1.0}, Input{tb ? Shape{4, 3} : Shape{3, 4}, 0.2, 1.0},
                     Input{Shape{4}, 0.1, 0.5}}});
  cs.push_back({"fused_matmul", [](const std::vector<Tensor>& x) { return ops::fused_matmul(x[0], x[1], x[2], true); },
                {Input{Shape{2, 3}, 0.2, 1.0}, Input{Shape{3, 4}, -1.0, -0.2}, Input{Shape{4}, -0.5, 0.1}}});  // relu closed
  cs.push_back({"fused_matmul", [](const std::vector<Tensor>& x) { return ops::fused_matmul(x[0], x[1]); },
                {Input{Shape{2, 3}}, Input{Shape{3, 2}}}});
  return cs;
}

std::vector<Case> nn_cases() {
  std::vector<Case> cs;
  for (int64_t axis : {-1, 0})
    for (Shape s : {Shape{4}, Shape{2, 3}, Shape{2, 3, 2}}) {
      cs.push_back({"softmax", [axis](const std::vector<Tensor>& x) { return ops::softmax(x[0], axis); }, {Input{s}}});
      cs.push_back({"log_softmax", [axis](const std::vector<Tensor>& x) { return ops::log_softmax(x[0], axis); }, {Input{s}}});
    }
  auto sparse = [](const std::vector<Tensor>& x) { return ops::sparse_softmax_cross_entropy_with_logits(x[0], x[1]); };
  cs.push_back({"sparse_softmax_cross_entropy_with_logits", sparse,
                {Input{{}, 0, 0, false, core::constant({2, 0, 1})}, Input{Shape{3, 4}}}});
  cs.push_back({"sparse_softmax_cross_entropy_with_logits", sparse,
                {Input{{}, 0, 0, false, core::constant(int64_t{1})}, Input{Shape{3}}}});
  cs.push_back({"sparse_softmax_cross_entropy_with_logits", sparse,
                {Input{{}, 0, 0, false, core::constant({{0, 1}, {2, 2}})}, Input{Shape{2, 2, 3}}}});
  auto dense = [](const std::vector<Tensor>& x) {
    return ops::softmax_cross_entropy_with_logits(ops::softmax(x[0]), x[1]);
  };
  for (Shape s : {Shape{3}, Shape{2, 4}, Shape{2, 2, 3}})
    cs.push_back({"softmax_cross_entropy_with_logits", dense, {Input{s}, Input{s}}});
  // ctc_loss (of logits): a repeated label, shorter label and logit lengths, another blank.
  auto ctc = [](int64_t blank) {
    return [blank](const std::vector<Tensor>& x) { return ops::ctc_loss(x[0], x[1], x[2], x[3], blank); };
  };
  auto fixed = [](Tensor t) { return Input{{}, 0, 0, false, std::move(t)}; };
  cs.push_back({"ctc_loss", ctc(0),
                {fixed(core::constant({{1, 2, 0}, {2, 2, 1}})), Input{Shape{2, 5, 3}},
                 fixed(core::constant({int64_t{2}, int64_t{3}})), fixed(core::constant({int64_t{5}, int64_t{4}}))}});
  cs.push_back({"ctc_loss", ctc(2),
                {fixed(core::constant({{0, 1}})), Input{Shape{1, 3, 3}}, fixed(core::constant({int64_t{2}})),
                 fixed(core::constant({int64_t{3}}))}});
  cs.push_back({"ctc_loss", [](const std::vector<Tensor>& x) { return ops::ctc_loss(x[0], x[1], x[2], x[3]); },
                {fixed(core::constant({{1, 0}})), Input{Shape{1, 3, 2}}, fixed(core::constant({int64_t{0}})),
                 fixed(core::constant({int64_t{3}}))}});
  return cs;
}

std::vector<Case> shape_cases() {
  std::vector<Case> cs;
  auto one = [&](std::string name, std::function<Tensor(const Tensor&)> f, std::vector<Shape> shapes) {
    for (const Shape& s : shapes)
      cs.push_back({name, [f](const std::vector<Tensor>& x) { return f(x[0]); }, {Input{s}}});
  };
  one("reshape", [](auto& x) { return ops::reshape(x, {-1}); }, {Shape{}, Shape{2, 3}, Shape{2, 1, 2}});
  one("reshape", [](auto& x) { return ops::squeeze(ops::expand_dims(x, 0)); }, {Shape{3}});
  one("transpose", [](auto& x) { return ops::transpose(x); }, {Shape{2, 3}, Shape{2, 3, 2}});
  one("transpose", [](auto& x) { return ops::transpose(x, {1, 2, 0}); }, {Shape{2, 3, 2}});
  one("strided_slice", [](auto& x) { return ops::strided_slice(x, {1}, {4}); }, {Shape{5}, Shape{6, 2}});
  one("strided_slice", [](auto& x) { return ops::strided_slice(x, {-1, 0}, {INT64_MIN, 3}, {-2, 2}); },
      {Shape{5, 3}, Shape{4, 4}});
  one("strided_slice", [](auto& x) { return ops::reverse(x, {0}); }, {Shape{4}, Shape{3, 2}});
  one("broadcast_to", [](auto& x) { return ops::broadcast_to(x, Shape{2, 3, 4}); }, {Shape{4}, Shape{3, 1}, Shape{}});
  one("tile", [](auto& x) { return ops::tile(x, {2, 3}); }, {Shape{2, 1}, Shape{1, 3}, Shape{2, 2}});
  one("pad", [](auto& x) { return ops::pad(x, {{1, 2}, {0, 1}}); }, {Shape{2, 2}, Shape{1, 3}, Shape{3, 1}});
  // (core/remat.h) the identity for x, no gradient for the dependency
  cs.push_back({"optimization_barrier",
                [](const std::vector<Tensor>& x) { return ops::multiply(ops::optimization_barrier(x[0], x[1]), x[0]); },
                {Input{Shape{2, 3}}, Input{Shape{2}, -2, 2, false, keras::core::constant({1.0, 2.0})}}});
  cs.push_back({"concatenate", [](const std::vector<Tensor>& x) { return ops::concat({x[0], x[1]}, 1); },
                {Input{Shape{2, 1}}, Input{Shape{2, 3}}}});
  cs.push_back({"concatenate", [](const std::vector<Tensor>& x) { return ops::stack({x[0], x[1], x[0]}, 0); },
                {Input{Shape{3}}, Input{Shape{3}}}});
  // split is a strided_slice per part (its gradient rule is strided_slice's).
  cs.push_back({"strided_slice", [](const std::vector<Tensor>& x) { return ops::split(x[0], 2, 0)[1]; },
                {Input{Shape{4, 2}}}});
  auto gather = [](int64_t axis) {
    return [axis](const std::vector<Tensor>& x) { return ops::gather(x[0], x[1], axis); };
  };
  cs.push_back({"gather", gather(0), {Input{Shape{4, 2}}, Input{{}, 0, 0, false, core::constant({3, 0, 3})}}});
  cs.push_back({"gather", gather(1), {Input{Shape{2, 3, 2}}, Input{{}, 0, 0, false, core::constant({{2, 2}, {0, 1}})}}});
  cs.push_back({"gather", gather(0), {Input{Shape{5}}, Input{{}, 0, 0, false, core::constant(int64_t{4})}}});
  cs.push_back({"take_along_axis", [](const std::vector<Tensor>& x) { return ops::take_along_axis(x[0], x[1], 1); },
                {Input{Shape{2, 3}}, Input{{}, 0, 0, false, core::constant({{2, 2}, {0, -1}})}}});
  cs.push_back({"take_along_axis", [](const std::vector<Tensor>& x) { return ops::take_along_axis(x[0], x[1], 0); },
                {Input{Shape{3, 2}}, Input{{}, 0, 0, false, core::constant({{1, 0}, {1, 1}, {2, 0}})}}});
  cs.push_back({"take_along_axis", [](const std::vector<Tensor>& x) { return ops::take_along_axis(x[0], x[1], -1); },
                {Input{Shape{4}}, Input{{}, 0, 0, false, core::constant({3, 3, 0})}}});
  auto seg = [](const std::vector<Tensor>& x) { return ops::unsorted_segment_sum(x[0], x[1], 3); };
  cs.push_back({"unsorted_segment_sum", seg, {Input{Shape{2, 2, 2}}, Input{{}, 0, 0, false, core::constant({2, 2})}}});
  cs.push_back({"unsorted_segment_sum", seg, {Input{Shape{4}}, Input{{}, 0, 0, false, core::constant({2, 0, 2, 1})}}});
  cs.push_back({"unsorted_segment_sum", seg, {Input{Shape{3, 2}}, Input{{}, 0, 0, false, core::constant({0, 0, 1})}}});
  one("sort", [](auto& x) { return ops::sort(x); }, {Shape{5}, Shape{2, 4}});
  one("sort", [](auto& x) { return ops::sort(x, 0, true); }, {Shape{3, 2}});
  one("top_k", [](auto& x) { return ops::top_k(x, 2).values; }, {Shape{5}, Shape{3, 4}, Shape{2, 2, 3}});
  return cs;
}

// cond's rule runs when a traced function's Cond node is recorded on a tape: the case
// calls a traced function (its branches use both inputs, or one).
std::vector<Case> control_flow_cases() {
  auto traced = std::make_shared<core::Function<Fn>>(
      Fn([](const std::vector<Tensor>& x) {
        return ops::cond(ops::greater(ops::sum(x[0]), ops::scalar_like(x[0], 0.0)),
                         [&] { return ops::multiply(ops::sin(x[0]), x[1]); }, [&] { return ops::exp(x[0]); });
      }),
      core::FunctionOptions{.name = "cond_case"});
  Fn f = [traced](const std::vector<Tensor>& x) { return (*traced)(x); };
  // An elementwise chain, fused into one node by the graph passes (a row-broadcast input).
  // The function also counts its calls in a variable: a graph that changes state has its
  // ops recorded one by one under a tape (core/function_call.h), so the fused node's own
  // gradient rule runs, to second order.
  auto calls = std::make_shared<core::Variable>(core::constant(0.0), "calls", false);
  auto chain = std::make_shared<core::Function<Fn>>(Fn([calls](const std::vector<Tensor>& x) {
    calls->assign_add(core::constant(1.0));
    return ops::subtract(ops::tanh(ops::add(ops::multiply(x[0], x[1]), x[0])), ops::square(x[1]));
  }));
  Fn fused = [chain](const std::vector<Tensor>& x) { return (*chain)(x); };
  // A traced while_loop: an int counter, a float var and a capture (x[1]); its rule emits
  // a while_grad node, whose own rule runs in the second-order check and in the case
  // below, which differentiates a function that computes the loop's gradient.
  auto loop = [](const std::vector<Tensor>& x) {
    return ops::while_loop([](const std::vector<Tensor>& v) { return ops::less(v[0], core::constant(3)); },
                           [&](const std::vector<Tensor>& v) {
                             return std::vector<Tensor>{ops::add(v[0], core::constant(1)),
                                                        ops::add(ops::multiply(ops::sin(v[1]), x[1]), ops::multiply(v[1], v[1]))};
                           },
                           {core::constant(0), x[0]})[1];
  };
  auto traced_loop = std::make_shared<core::Function<Fn>>(Fn(loop), core::FunctionOptions{.name = "while_case"});
  Fn w = [traced_loop](const std::vector<Tensor>& x) { return (*traced_loop)(x); };
  auto traced_grad = std::make_shared<core::Function<Fn>>(Fn([loop](const std::vector<Tensor>& x) {
    core::GradientTape tape;
    for (const Tensor& t : x) tape.watch(t);
    auto g = tape.gradient(ops::sum(ops::square(loop(x))), x);
    return ops::add(g[0], ops::multiply(g[1], g[1]));
  }), core::FunctionOptions{.name = "while_grad_case"});
  Fn wg = [traced_grad](const std::vector<Tensor>& x) { return (*traced_grad)(x); };
  // Sparse ops on traced values are composite nodes (core/composite.h): the values of a
  // SparseTensor built in the trace (x[0]) and a dense operand (x[1]); the node's rule
  // emits another composite node (the eager op's vector-Jacobian product).
  auto traced_sparse = std::make_shared<core::Function<Fn>>(Fn([](const std::vector<Tensor>& x) {
    const core::SparseTensor sp(core::constant({{0, 1}, {1, 0}, {1, 4}, {3, 2}}, DType::int64), x[0], {4, 5});
    return ops::add(core::sparse::sparse_dense_matmul(sp, x[1]),
                    ops::sum(ops::square(core::sparse::to_dense(sp))));
  }), core::FunctionOptions{.name = "composite_case"});
  Fn sp = [traced_sparse](const std::vector<Tensor>& x) { return (*traced_sparse)(x); };
  return {{"while_loop", w, {Input{Shape{3}, -0.6, 0.6}, Input{Shape{3}, -0.8, 0.8}}},
          {"while_loop", w, {Input{Shape{2, 2}, -0.6, 0.6}, Input{Shape{2}, -0.8, 0.8}}},
          {"while_grad", wg, {Input{Shape{2}, -0.5, 0.5}, Input{Shape{2}, -0.7, 0.7}}},
          {"composite", sp, {Input{Shape{4}}, Input{Shape{5, 3}}}},
          {"cond", f, {Input{Shape{3}, 0.1, 2}, Input{Shape{3}}}},
          {"cond", f, {Input{Shape{2, 2}, -2, -0.1}, Input{Shape{2, 2}}}},
          {"fused_elementwise", fused, {Input{Shape{2, 3}}, Input{Shape{2, 3}}}},
          {"fused_elementwise", fused, {Input{Shape{2, 3}}, Input{Shape{3}}}}};
}

// Convolution and pooling (float64: the direct loops of core/cpu/conv.cpp and pool.cpp).
std::vector<Case> conv_cases() {
  std::vector<Case> cs;
  auto conv = [&](Shape x, Shape k, ops::SpatialArg strides, std::string padding, ops::SpatialArg dilation) {
    cs.push_back({"conv",
                  [=](const std::vector<Tensor>& in) {
                    return ops::conv(in[0], in[1], strides, padding, "channels_last", dilation);
                  },
                  {Input{x}, Input{k}}});
  };
  conv(Shape{2, 5, 2}, Shape{3, 2, 3}, 1, "same", 1);
  conv(Shape{1, 6, 2}, Shape{2, 1, 2}, 1, "causal", 2);          // groups 2, dilation
  conv(Shape{1, 4, 5, 2}, Shape{2, 3, 2, 2}, {2, 1}, "same", 1);
  conv(Shape{1, 3, 3, 2, 2}, Shape{2, 2, 1, 1, 2}, 1, "valid", 1);  // groups 2
  cs.push_back({"conv",  // channels_first (batch, channels, h, w): between transposes
                [](const std::vector<Tensor>& in) { return ops::conv(in[0], in[1], 2, "same", "channels_first"); },
                {Input{Shape{1, 2, 4, 5}}, Input{Shape{2, 2, 2, 3}}}});
  cs.push_back({"max_pool",  // channels_first
                [](const std::vector<Tensor>& in) { return ops::max_pool(in[0], 2, 1, "valid", "channels_first"); },
                {Input{Shape{1, 2, 3, 4}}}});
  // fused_conv: bias and relu (inputs kept away from relu's kink: every output positive,
  // or every one negative), a bias alone with strides and groups, neither.
  auto fused = [&](Shape x, Shape k, bool bias, bool relu, ops::SpatialArg strides, std::string padding,
                   ops::SpatialArg dilation, double lo, double hi, double klo, double khi) {
    std::vector<Input> in{Input{x, lo, hi}, Input{k, klo, khi}};
    if (bias) in.push_back(Input{Shape{k[k.rank() - 1]}, klo * 0.5, khi * 0.5});
    cs.push_back({"fused_conv",
                  [=](const std::vector<Tensor>& v) {
                    return ops::fused_conv(v[0], v[1], bias ? v[2] : Tensor(), relu, strides, padding, dilation);
                  },
                  in});
  };
  fused(Shape{2, 4, 3, 2}, Shape{3, 3, 2, 3}, true, true, 1, "same", 1, 0.2, 1.0, 0.2, 1.0);      // relu open
  fused(Shape{1, 4, 3, 2}, Shape{2, 2, 2, 2}, true, true, 1, "valid", 1, 0.2, 1.0, -1.0, -0.2);   // relu closed
  fused(Shape{2, 6, 2}, Shape{2, 1, 4}, true, false, 2, "same", 1, -2.0, 2.0, -2.0, 2.0);         // groups 2
  fused(Shape{1, 6, 2}, Shape{2, 2, 2}, false, true, 1, "causal", 2, 0.2, 1.0, 0.2, 1.0);          // dilation
  fused(Shape{1, 3, 3, 2, 2}, Shape{2, 2, 1, 2, 2}, false, false, 1, "valid", 1, -2.0, 2.0, -2.0, 2.0);
  const ops::WindowGeometry g{{2, 1}, {0, 1}, {1, 1}, {1, 1}};     // x (1, 4, 3, 2), kernel (2, 3, 2, 3)
  cs.push_back({"conv_backprop_input",
                [g](const std::vector<Tensor>& in) { return ops::conv_backprop_input(in[0], in[1], Shape{1, 4, 3, 2}, g); },
                {Input{Shape{1, 2, 3, 3}}, Input{Shape{2, 3, 2, 3}}}});
  cs.push_back({"conv_backprop_filter",
                [g](const std::vector<Tensor>& in) { return ops::conv_backprop_filter(in[0], in[1], Shape{2, 3, 2, 3}, g); },
                {Input{Shape{1, 4, 3, 2}}, Input{Shape{1, 2, 3, 3}}}});
  // conv_transpose (run as conv_backprop_input) with output_padding and dilation;
  // depthwise_conv (conv with groups = channels) with strides and dilation together;
  // separable_conv (depthwise_conv then a 1x1 conv).
  auto transpose = [&](Shape x, Shape k, ops::SpatialArg strides, std::string padding,
                       std::optional<ops::SpatialArg> output_padding, ops::SpatialArg dilation) {
    cs.push_back({"conv_backprop_input",
                  [=](const std::vector<Tensor>& in) {
                    return ops::conv_transpose(in[0], in[1], strides, padding, output_padding, "channels_last", dilation);
                  },
                  {Input{x}, Input{k}}});
  };
  transpose(Shape{1, 3, 2}, Shape{3, 2, 2}, 2, "valid", ops::SpatialArg{1}, 1);
  transpose(Shape{1, 2, 3, 2}, Shape{3, 2, 3, 2}, {2, 1}, "same", std::nullopt, 1);
  transpose(Shape{1, 3, 2, 1}, Shape{2, 2, 2, 1}, 1, "valid", std::nullopt, {2, 1});
  transpose(Shape{1, 2, 2, 2, 1}, Shape{2, 1, 2, 2, 1}, 2, "same", ops::SpatialArg{1, 0, 1}, 1);
  cs.push_back({"conv",
                [](const std::vector<Tensor>& in) { return ops::depthwise_conv(in[0], in[1], 2, "same", "channels_last", 2); },
                {Input{Shape{1, 7, 2}}, Input{Shape{2, 2, 2}}}});
  cs.push_back({"conv",
                [](const std::vector<Tensor>& in) { return ops::separable_conv(in[0], in[1], in[2], {2, 1}, "valid"); },
                {Input{Shape{1, 5, 4, 2}}, Input{Shape{2, 2, 2, 1}}, Input{Shape{1, 1, 2, 3}}}});
  auto pool = [&](std::string name, Shape x, ops::SpatialArg size, ops::SpatialArg strides, std::string padding) {
    auto f = name == "max_pool" ? ops::max_pool : ops::average_pool;
    cs.push_back({name, [=](const std::vector<Tensor>& in) { return f(in[0], size, strides, padding, "channels_last"); },
                  {Input{x}}});
  };
  pool("max_pool", Shape{1, 4, 4, 2}, 2, 1, "valid");
  pool("max_pool", Shape{2, 5, 2}, 3, 2, "same");
  pool("average_pool", Shape{1, 4, 5, 2}, 2, {2, 2}, "same");
  pool("average_pool", Shape{1, 3, 2, 3, 1}, 2, 1, "valid");
  cs.push_back({"average_pool_grad",
                [](const std::vector<Tensor>& in) {
                  return ops::average_pool_grad(in[0], Shape{1, 5, 2}, {3}, {{2}, {1}, {1}, {1}});
                },
                {Input{Shape{1, 3, 2}}}});
  return cs;
}

// keras.ops.image: compositions, checked through gather (the pixels' reads), in float64.
std::vector<Case> image_cases() {
  std::vector<Case> cs;
  auto resize = [&](Shape x, std::vector<int64_t> size, std::string interp) {
    // bilinear and nearest read pixels with gather; the others are weight matrices (matmul)
    const char* op = interp == "bilinear" || interp == "nearest" ? "gather" : "matmul";
    cs.push_back({op, [=](const std::vector<Tensor>& in) {
                    return ops::image::resize(in[0], size, {.interpolation = interp});
                  }, {Input{x}}});
  };
  resize(Shape{1, 4, 6, 2}, {7, 3}, "bilinear");
  resize(Shape{2, 3, 3, 1}, {5, 2}, "nearest");
  resize(Shape{1, 4, 5, 2}, {7, 3}, "bicubic");
  resize(Shape{1, 6, 4, 1}, {4, 6}, "area");
  resize(Shape{1, 5, 4, 1}, {3, 7}, "lanczos3");
  Tensor t = core::constant(std::vector<double>{0.9, -0.4, 1.2, 0.5, 0.8, -0.7, 0.02, -0.01}, Shape{8});
  for (std::string fill : {"reflect", "constant"})
    cs.push_back({"gather", [=](const std::vector<Tensor>& in) {
                    return ops::image::affine_transform(in[0], in[1], {.fill_mode = fill, .fill_value = 0.5});
                  }, {Input{Shape{1, 4, 5, 2}}, Input{Shape{8}, 0, 0, false, t}}});
  return cs;
}

// Linear algebra: well-conditioned inputs (x + 3I), symmetric ones (x x^T + 3I, x + x^T) for
// cholesky and eigh, and every output of the decompositions in one flat tensor.
std::vector<Case> linalg_cases() {
  std::vector<Case> cs;
  auto shift = [](const Tensor& x) {
    const int64_t n = x.shape()[x.rank() - 1];
    return ops::add(x, ops::multiply(ops::eye(n, std::nullopt, DType::float64), ops::scalar_like(x, 3.0)));
  };
  auto flat = [](std::vector<Tensor> ts) {
    for (auto& t : ts) t = ops::reshape(t, {-1});
    return ops::concat(ts, 0);
  };
  auto one = [&](std::string name, std::function<Tensor(const Tensor&)> f, std::vector<Shape> shapes, double lo = -1,
                 double hi = 1) {
    for (const Shape& s : shapes)
      cs.push_back({name, [f](const std::vector<Tensor>& x) { return f(x[0]); }, {Input{s, lo, hi, false, {}}}});
  };
  one("inv", [=](auto& x) { return ops::inv(shift(x)); }, {Shape{3, 3}, Shape{2, 2, 2}});
  one("det", [=](auto& x) { return ops::det(shift(x)); }, {Shape{3, 3}, Shape{2, 2, 2}});
  one("slogdet", [=](auto& x) { return ops::slogdet(shift(x)).logabsdet; }, {Shape{3, 3}, Shape{2, 2, 2}});
  one("slogdet", [=](auto& x) { return ops::slogdet(ops::neg(shift(x))).logabsdet; }, {Shape{3, 3}});
  auto solve2 = [&](std::string name, std::function<Tensor(const Tensor&, const Tensor&)> f, Shape sa, Shape sb) {
    cs.push_back({name, [f](const std::vector<Tensor>& x) { return f(x[0], x[1]); },
                  {Input{sa, -1, 1, false, {}}, Input{sb}}});
  };
  solve2("solve", [=](auto& a, auto& b) { return ops::solve(shift(a), b); }, Shape{3, 3}, Shape{3, 2});
  solve2("solve", [=](auto& a, auto& b) { return ops::solve(shift(a), b); }, Shape{2, 2, 2}, Shape{2, 2, 1});
  solve2("solve", [=](auto& a, auto& b) { return ops::solve(shift(a), b); }, Shape{3, 3}, Shape{3});
  for (bool lower : {true, false})
    solve2("solve_triangular", [=](auto& a, auto& b) { return ops::solve_triangular(shift(a), b, lower); },
           Shape{3, 3}, Shape{3, 2});
  auto spd = [=](const Tensor& x) { return shift(ops::matmul(x, x, false, true)); };
  one("cholesky", [=](auto& x) { return ops::cholesky(spd(x)); }, {Shape{3, 3}, Shape{2, 2, 2}});
  one("cholesky", [=](auto& x) { return ops::cholesky(spd(x), true); }, {Shape{3, 3}});
  one("qr", [=](auto& x) { auto d = ops::qr(x); return flat({d.q, d.r}); }, {Shape{4, 3}, Shape{3, 3}, Shape{3, 5}, Shape{2, 3, 2}});
  one("qr", [=](auto& x) { auto d = ops::qr(x, "complete"); return flat({d.q, d.r}); }, {Shape{2, 4}});
  one("svd", [=](auto& x) { return ops::svd(x, true, false).s; }, {Shape{3, 2}, Shape{2, 2, 3}});
  one("svd", [=](auto& x) { auto d = ops::svd(x, false); return flat({d.u, d.s, d.vh}); },
      {Shape{4, 3}, Shape{3, 3}, Shape{2, 4}});
  one("svd", [=](auto& x) { auto d = ops::svd(x, true); return flat({d.u, d.s, d.vh}); }, {Shape{3, 2}, Shape{2, 3}});
  one("eigh", [=](auto& x) { auto d = ops::eigh(ops::add(x, ops::transpose(x))); return flat({d.eigenvalues, d.eigenvectors}); },
      {Shape{3, 3}, Shape{2, 2, 2}});
  // Compositions, checked through their primitives.
  one("svd", [=](auto& x) { return ops::norm(x, "nuc"); }, {Shape{3, 2}});
  one("svd", [=](auto& x) { return ops::pinv(x); }, {Shape{3, 2}});
  solve2("svd", [=](auto& a, auto& b) { return ops::lstsq(a, b); }, Shape{4, 2}, Shape{4, 2});
  one("gather", [=](auto& x) { return ops::trace(x, 1, 0, 2); }, {Shape{3, 2, 4}});
  one("unsorted_segment_sum", [=](auto& x) { return ops::diag(x, -1); }, {Shape{3}});
  return cs;
}

// einsum, a composition: checked through the rules it runs (einsum_matmul, matmul,
// transpose, reshape, sum, broadcast_to).
std::vector<Case> einsum_cases() {
  std::vector<Case> cs;
  auto e = [&](std::string label, std::string eq, std::vector<Shape> shapes) {
    std::vector<Input> in;
    for (auto& s : shapes) in.push_back(Input{s});
    cs.push_back({label, [eq](const std::vector<Tensor>& x) { return ops::einsum(eq, x); }, in});
  };
  // Attention's contractions, and a product with its output's matrix transposed in
  // memory: einsum_matmul over the operands' own layouts.
  e("einsum_matmul", "aecd,abcd->acbe", {Shape{2, 3, 2, 2}, Shape{2, 2, 2, 2}});
  e("einsum_matmul", "acbe,aecd->abcd", {Shape{2, 2, 3, 4}, Shape{2, 4, 2, 3}});
  e("einsum_matmul", "mbk,bkn->bmn", {Shape{3, 2, 4}, Shape{2, 4, 3}});
  e("einsum_matmul", "bmk,nbk->mbn", {Shape{2, 3, 4}, Shape{2, 2, 4}});
  e("matmul", "aecd,abcd->ebca", {Shape{2, 3, 2, 2}, Shape{2, 2, 2, 2}});  // a batch axis last: transposes
  e("matmul", "...ij,...jk", {Shape{2, 1, 2, 3}, Shape{2, 3, 2}});
  e("matmul", "ab,bc,cd->da", {Shape{2, 3}, Shape{3, 2}, Shape{2, 2}});
  e("broadcast_to", "ab,ab->b", {Shape{1, 3}, Shape{2, 3}});
  e("sum", "abc,cd->d", {Shape{2, 2, 3}, Shape{3, 2}});
  return cs;
}

}  // namespace gradcheck
