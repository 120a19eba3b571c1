// The fused attention ops (core/attention.h) against their composition from einsum,
// where and softmax (keras.ops.dot_product_attention's arithmetic): values and lse, first-
// and second-order gradients (the gradient that flows into lse included), masks of every
// broadcast form, rows masked everywhere, empty sequences, the thread count, bad
// arguments, and keras::ops::dot_product_attention and MultiHeadAttention running it as
// one node in a traced step. The float64 finite-difference checks are in
// gradient_cases_ops.cpp.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/attention.h"
#include "core/autodiff.h"
#include "core/function.h"
#include "helpers.h"
#include "keras/keras.h"

using namespace th;

namespace {

Tensor rand(const Shape& s, DType dt, uint64_t seed, double lo = -2, double hi = 2) {
  return make(uniform(s.num_elements(), lo, hi, seed), s, dt);
}

// The composition: out and lse.
ops::FusedAttention composite(const Tensor& q, const Tensor& key, const Tensor& value, const Tensor& mask,
                              double scale, double mask_value) {
  const int64_t g = q.shape()[2] / key.shape()[2];  // grouped key/value heads, repeated
  const Tensor k = g > 1 ? ops::repeat(key, g, 2) : key, v = g > 1 ? ops::repeat(value, g, 2) : value;
  Tensor l = ops::multiply(ops::einsum("BTNH,BSNH->BNTS", q, k), ops::scalar_like(q, scale));
  if (mask.defined()) l = ops::where(mask, l, ops::scalar_like(l, mask_value));
  const Tensor p = ops::softmax(l, -1);
  return {ops::einsum("BNTS,BSNH->BTNH", p, v), ops::logsumexp(l, {-1}), p};
}

// A random bool mask of `shape` (about a quarter false).
Tensor rand_mask(const Shape& s, uint64_t seed) {
  return ops::greater(rand(s, DType::float32, seed, 0, 1), ops::scalar_like(ops::zeros({}), 0.25));
}

struct Case {
  Shape q, k, v, mask;  // mask: an empty shape for none
};
const Case kCases[] = {
    {Shape{2, 5, 3, 4}, Shape{2, 7, 3, 4}, Shape{2, 7, 3, 6}, Shape{}},
    {Shape{2, 5, 3, 4}, Shape{2, 7, 3, 4}, Shape{2, 7, 3, 4}, Shape{2, 1, 5, 7}},
    {Shape{1, 4, 2, 8}, Shape{1, 4, 2, 8}, Shape{1, 4, 2, 8}, Shape{1, 2, 4, 4}},
    {Shape{3, 6, 2, 5}, Shape{3, 6, 2, 5}, Shape{3, 6, 2, 3}, Shape{3, 2, 6, 6}},
    {Shape{4, 28, 4, 16}, Shape{4, 28, 4, 16}, Shape{4, 28, 4, 16}, Shape{1, 1, 28, 28}},
    // Grouped key/value heads: 2 of 4, 1 of 6 (multi-query).
    {Shape{2, 5, 4, 4}, Shape{2, 7, 2, 4}, Shape{2, 7, 2, 3}, Shape{2, 4, 5, 7}},
    {Shape{1, 6, 6, 8}, Shape{1, 6, 1, 8}, Shape{1, 6, 1, 8}, Shape{}},
    // Products above the kernel's small-product bound (80 x 80 x 48): BLAS's GEMM.
    {Shape{1, 80, 1, 48}, Shape{1, 80, 1, 48}, Shape{1, 80, 1, 48}, Shape{1, 1, 80, 80}},
};

// A scalar of both outputs, weighted so that each output's gradient matters.
Tensor weigh(const ops::FusedAttention& r, uint64_t seed) {
  const DType dt = r.out.dtype();
  return ops::add(ops::sum(ops::multiply(r.out, rand(r.out.shape(), dt, seed))),
                  ops::sum(ops::multiply(r.lse, rand(r.lse.shape(), dt, seed + 1))));
}

}  // namespace

TEST_CASE("fused_attention equals the composition: out and lse, the same bits at 1 and 2 threads") {
  const int saved = core::get_num_threads();
  for (DType dt : {DType::float32, DType::float64})
    for (const Case& c : kCases) {
      CAPTURE(c.q.str());
      CAPTURE(c.mask.str());
      CAPTURE(std::string(core::dtype_name(dt)));
      Tensor q = rand(c.q, dt, 1), k = rand(c.k, dt, 2), v = rand(c.v, dt, 3);
      Tensor m = c.mask.rank() ? rand_mask(c.mask, 4) : Tensor();
      std::vector<Tensor> runs[2];
      for (int threads : {1, 2}) {
        core::set_num_threads(threads);
        auto r = ops::fused_attention(q, k, v, m, 0.4, -1e9);
        runs[threads - 1] = {r.out, r.lse, r.probs};
      }
      core::set_num_threads(saved);
      for (size_t i = 0; i < 3; ++i) CHECK(values(runs[0][i]) == values(runs[1][i]));
      auto want = composite(q, k, v, m, 0.4, -1e9);
      const double tol = dt == DType::float32 ? 1e-5 : 1e-12;
      CHECK(runs[0][0].shape() == want.out.shape());
      CHECK(runs[0][1].shape() == want.lse.shape());
      check_values(runs[0][0], values(want.out), tol);
      check_values(runs[0][1], values(want.lse), dt == DType::float32 ? 1e-4 : 1e-9);
      check_values(runs[0][2], values(want.probs), tol);
    }
}

TEST_CASE("fused_attention: gradients equal the composition's, lse's included") {
  for (DType dt : {DType::float32, DType::float64})
    for (const Case& c : kCases) {
      CAPTURE(c.q.str());
      CAPTURE(c.mask.str());
      CAPTURE(std::string(core::dtype_name(dt)));
      Tensor q = rand(c.q, dt, 11), k = rand(c.k, dt, 12), v = rand(c.v, dt, 13);
      Tensor m = c.mask.rank() ? rand_mask(c.mask, 14) : Tensor();
      auto grads = [&](bool fused) {
        core::GradientTape tape;
        for (const Tensor& t : {q, k, v}) tape.watch(t);
        auto r = fused ? ops::fused_attention(q, k, v, m, 0.3, -1e9) : composite(q, k, v, m, 0.3, -1e9);
        return tape.gradient(weigh(r, 20), {q, k, v});
      };
      auto f = grads(true), e = grads(false);
      const double tol = dt == DType::float32 ? 1e-4 : 1e-10;
      for (size_t i = 0; i < 3; ++i) {
        CAPTURE(i);
        check_values(f[i], values(e[i]), tol);
      }
    }
}

TEST_CASE("fused_attention: second-order gradients equal the composition's (float64)") {
  const DType dt = DType::float64;
  for (const Case& c : {kCases[0], kCases[1], kCases[5]}) {
    CAPTURE(c.mask.str());
    Tensor q = rand(c.q, dt, 41), k = rand(c.k, dt, 42), v = rand(c.v, dt, 43), u = rand(c.q, dt, 44);
    Tensor m = c.mask.rank() ? rand_mask(c.mask, 45) : Tensor();
    auto second = [&](bool fused) {
      core::GradientTape outer;
      for (const Tensor& t : {q, k, v}) outer.watch(t);
      Tensor inner_norm;
      {
        core::GradientTape inner;
        for (const Tensor& t : {q, k, v}) inner.watch(t);
        auto r = fused ? ops::fused_attention(q, k, v, m, 0.5, -1e9) : composite(q, k, v, m, 0.5, -1e9);
        auto d = inner.gradient(weigh(r, 50), {q, k, v});
        inner_norm = ops::add(ops::sum(ops::multiply(d[0], u)),
                              ops::add(ops::sum(ops::square(d[1])), ops::sum(ops::multiply(d[2], d[2]))));
      }
      return outer.gradient(inner_norm, {q, k, v});
    };
    auto f = second(true), e = second(false);
    for (size_t i = 0; i < 3; ++i) {
      CAPTURE(i);
      check_values(f[i], values(e[i]), 1e-8);
    }
  }
}

TEST_CASE("fused_attention: rows masked everywhere get uniform weights, empty sequences, NaN stays in its row") {
  Tensor q = rand(Shape{1, 2, 1, 3}, DType::float32, 61), k = rand(Shape{1, 4, 1, 3}, DType::float32, 62);
  Tensor v = rand(Shape{1, 4, 1, 2}, DType::float32, 63);
  Tensor m = core::constant({true, false, true, true, false, false, false, false});
  m = ops::reshape(m, {1, 1, 2, 4});
  auto r = ops::fused_attention(q, k, v, m, 1.0, -1e9);
  check_values(ops::slice(r.out, {0, 1, 0, 0}, {1, 1, 1, 2}), values(ops::mean(v, {1})), 1e-6);
  check_values(r.out, values(composite(q, k, v, m, 1.0, -1e9).out), 1e-6);
  // The second row's gradient reaches v only (uniformly), never q or k.
  core::GradientTape tape;
  for (const Tensor& t : {q, k, v}) tape.watch(t);
  auto g = tape.gradient(ops::sum(ops::slice(ops::fused_attention(q, k, v, m, 1.0, -1e9).out, {0, 1, 0, 0}, {1, 1, 1, 2})),
                         {q, k, v});
  check_values(g[0], std::vector<double>(6, 0.0));
  check_values(g[1], std::vector<double>(12, 0.0));
  check_values(g[2], std::vector<double>(8, 0.25));
  // No keys: zero rows and lse -inf; no queries: empty outputs, zero key and value gradients.
  auto e = ops::fused_attention(q, ops::zeros({1, 0, 1, 3}), ops::zeros({1, 0, 1, 2}), Tensor(), 1.0, -1e9);
  CHECK(e.out.shape() == Shape{1, 2, 1, 2});
  check_values(e.out, std::vector<double>(4, 0.0));
  for (double x : values(e.lse)) CHECK(x == -std::numeric_limits<double>::infinity());
  auto nq = ops::fused_attention(ops::zeros({1, 0, 1, 3}), k, v, Tensor(), 1.0, -1e9);
  CHECK(nq.out.shape() == Shape{1, 0, 1, 2});
  auto bw = ops::fused_attention_grad(nq.out, ops::zeros({1, 0, 1, 3}), k, v, nq.out, nq.probs, Tensor(), Tensor(), 1.0,
                                      -1e9);
  check_values(bw.dk, std::vector<double>(12, 0.0));
  check_values(bw.dv, std::vector<double>(8, 0.0));
  // A NaN query row gives NaN in its own row only.
  Tensor qn = ops::where(ops::reshape(core::constant({true, false}), {1, 2, 1, 1}), ops::full_like(q, std::nan("")), q);
  auto rn = ops::fused_attention(qn, k, v, Tensor(), 1.0, -1e9);
  const auto o = values(rn.out);
  CHECK(std::isnan(o[0]));
  CHECK(std::isnan(o[1]));
  check_values(ops::slice(rn.out, {0, 1, 0, 0}, {1, 1, 1, 2}),
               values(ops::slice(composite(q, k, v, Tensor(), 1.0, -1e9).out, {0, 1, 0, 0}, {1, 1, 1, 2})), 1e-6);
}

TEST_CASE("fused attention ops: bad arguments raise naming the op, the argument and what was received") {
  Tensor q = ops::zeros({2, 3, 2, 4}), k = ops::zeros({2, 5, 2, 4});
  CHECK_THROWS_WITH_AS(ops::fused_attention(q, ops::zeros({2, 5, 3, 4}), ops::zeros({2, 5, 3, 4}), Tensor(), 1, -1e9),
                       doctest::Contains("fused_attention: expected q (B, T, N, H), k (B, S, K, H) and v (B, S, K, Hv) "
                                         "with K >= 1 dividing N, but received q (2, 3, 2, 4), k (2, 5, 3, 4)"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_attention(q, ops::zeros({2, 5, 0, 4}), ops::zeros({2, 5, 0, 4}), Tensor(), 1, -1e9),
                       doctest::Contains("K >= 1"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_attention(q, k, ops::zeros({2, 5, 2, 4}, DType::float64), Tensor(), 1, -1e9),
                       doctest::Contains("fused_attention"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_attention(ops::zeros({2, 3, 8}), k, k, Tensor(), 1, -1e9),
                       doctest::Contains("but received q (2, 3, 8)"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_attention(q, k, k, ops::ones({2, 1, 3, 5}), 1, -1e9),
                       doctest::Contains("expected a bool mask of shape (2 or 1, 2 or 1, 3, 5), but received float32"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_attention(q, k, k, ops::cast(ops::ones({2, 1, 5, 3}), DType::bool_), 1, -1e9),
                       doctest::Contains("but received bool (2, 1, 5, 3)"), std::invalid_argument);
  auto r = ops::fused_attention(q, k, k, Tensor(), 1, -1e9);
  CHECK_THROWS_WITH_AS(ops::fused_attention_grad(r.out, q, k, k, r.out, r.probs, ops::zeros({2, 3, 2}), Tensor(), 1, -1e9),
                       doctest::Contains("expected dlse float32 (2, 2, 3), but received float32 (2, 3, 2)"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::fused_attention_grad(ops::zeros({2, 3, 2, 5}), q, k, k, r.out, r.probs, Tensor(), Tensor(), 1, -1e9),
                       doctest::Contains("expected dout float32 (2, 3, 2, 4)"), std::invalid_argument);
}

TEST_CASE("dot_product_attention and MultiHeadAttention run one fused node in a trace, equal to the composition") {
  Tensor q = rand(Shape{2, 6, 2, 4}, DType::float32, 71), k = rand(Shape{2, 5, 2, 4}, DType::float32, 72);
  Tensor v = rand(Shape{2, 5, 2, 4}, DType::float32, 73);
  Tensor mask = rand_mask(Shape{2, 1, 6, 5}, 74);
  auto fn = core::function([&](const Tensor& x) {
    return ops::dot_product_attention(x, k, v, {.mask = mask, .is_causal = true});
  });
  Tensor y = fn(q);
  CHECK(fn.graph_str().find("fused_attention(") != std::string::npos);
  CHECK(fn.graph_str().find("softmax") == std::string::npos);
  // The composition (a bias of zeros keeps dot_product_attention on it).
  Tensor composed = ops::dot_product_attention(q, k, v, {.bias = ops::zeros({1, 1, 6, 5}), .mask = mask, .is_causal = true});
  check_values(y, values(composed), 1e-5);

  // MultiHeadAttention: the fused path (no dropout) against the same weights through the
  // masked-softmax path (dropout in inference), over a padding mask with a row masked everywhere.
  auto make_mha = [](double dropout) {
    return keras::layers::MultiHeadAttention(2, 4, {.dropout = dropout, .seed = 3});
  };
  auto fused = make_mha(0.0), composed_layer = make_mha(0.1);
  Tensor x = rand(Shape{2, 6, 8}, DType::float32, 75), s = rand(Shape{2, 5, 8}, DType::float32, 76);
  Tensor am = rand_mask(Shape{2, 6, 5}, 77);
  Tensor a = (*fused)({x, s, s, am})[0];
  (*composed_layer)({x, s, s, am});
  composed_layer->set_weights(fused->get_weights());
  // Rows masked everywhere differ between the paths by Keras's design (uniform weights
  // against zeros): compare the rows that keep at least one key.
  Tensor b = (*composed_layer)({x, s, s, am})[0];
  Tensor kept = ops::any(am, {-1}, true);
  check_values(ops::where(kept, a, ops::zeros_like(a)), values(ops::where(kept, b, ops::zeros_like(b))), 1e-5);
  auto traced = core::function([&](const Tensor& in) { return (*fused)({in, s, s, am})[0]; });
  check_values(traced(x), values(a), 1e-6);
  CHECK(traced.graph_str().find("fused_attention(") != std::string::npos);

  // GroupQueryAttention (2 key/value heads for 4 query heads): the fused op takes the
  // grouped heads as they are (no repeat node), equal to the repeating path.
  auto make_gqa = [](double dropout) {
    return keras::layers::GroupQueryAttention(4, 4, 2, {.dropout = dropout, .seed = 5});
  };
  auto gf = make_gqa(0.0), gc = make_gqa(0.1);
  Tensor ga = (*gf)({x, s, s, am})[0];
  (*gc)({x, s, s, am});
  gc->set_weights(gf->get_weights());
  Tensor gb = (*gc)({x, s, s, am})[0];
  check_values(ops::where(kept, ga, ops::zeros_like(ga)), values(ops::where(kept, gb, ops::zeros_like(gb))), 1e-5);
  auto gt = core::function([&](const Tensor& in) { return (*gf)({in, s, s, am})[0]; });
  check_values(gt(x), values(ga), 1e-6);
  CHECK(gt.graph_str().find("fused_attention(") != std::string::npos);
  CHECK(gt.graph_str().find("repeat") == std::string::npos);
  // dot_product_attention with grouped heads: the same.
  Tensor k1 = rand(Shape{2, 5, 1, 4}, DType::float32, 78), v1 = rand(Shape{2, 5, 1, 4}, DType::float32, 79);
  check_values(ops::dot_product_attention(q, k1, v1, {.mask = mask}),
               values(ops::dot_product_attention(q, k1, v1, {.bias = ops::zeros({1, 1, 6, 5}), .mask = mask})), 1e-5);
}
