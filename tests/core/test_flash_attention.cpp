// flash_attention (core/attention.h) against fused_attention and the composition: values,
// lse, first- and second-order gradients over sequences longer than its tiles (128 queries,
// 256 keys), its causal mask against a causal mask tensor, grouped heads, rows masked
// everywhere, empty sequences, thread counts; keras::ops::dot_product_attention,
// MultiHeadAttention and GroupQueryAttention with flash_attention = true (one
// flash_attention node, no weights tensor in the graph), and Keras's errors. The float64
// finite-difference checks are in gradient_cases_ops.cpp.
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

Tensor rand_mask(const Shape& s, uint64_t seed) {
  return ops::greater(rand(s, DType::float32, seed, 0, 1), ops::scalar_like(ops::zeros({}), 0.25));
}

// Keras's causal mask (query t keeps keys s <= t) as a (1, 1, T, S) tensor.
Tensor causal_mask(int64_t t, int64_t s) {
  return ops::reshape(ops::greater_equal(ops::reshape(ops::range(int64_t{0}, t), {t, 1}),
                                         ops::reshape(ops::range(int64_t{0}, s), {1, s})),
                      {1, 1, t, s});
}

struct Case {
  Shape q, k, v, mask;  // mask: an empty shape for none
  bool causal;
};
const Case kCases[] = {
    {Shape{2, 5, 3, 4}, Shape{2, 7, 3, 4}, Shape{2, 7, 3, 6}, Shape{}, false},
    {Shape{2, 5, 3, 4}, Shape{2, 7, 3, 4}, Shape{2, 7, 3, 4}, Shape{2, 1, 5, 7}, true},
    // Several tiles of queries and keys, a last partial one of each.
    {Shape{1, 150, 2, 8}, Shape{1, 300, 2, 8}, Shape{1, 300, 2, 5}, Shape{}, false},
    {Shape{1, 150, 2, 8}, Shape{1, 300, 2, 8}, Shape{1, 300, 2, 5}, Shape{}, true},
    {Shape{1, 300, 1, 4}, Shape{1, 280, 1, 4}, Shape{1, 280, 1, 4}, Shape{1, 1, 300, 280}, true},
    {Shape{2, 130, 2, 4}, Shape{2, 130, 2, 4}, Shape{2, 130, 2, 4}, Shape{2, 2, 130, 130}, false},
    {Shape{2, 200, 2, 4}, Shape{2, 140, 2, 4}, Shape{2, 140, 2, 4}, Shape{1, 1, 200, 140}, true},
    // Grouped key/value heads: 2 of 4, 1 of 6 (multi-query), causal.
    {Shape{2, 70, 4, 4}, Shape{2, 133, 2, 4}, Shape{2, 133, 2, 3}, Shape{2, 4, 70, 133}, false},
    {Shape{1, 140, 6, 8}, Shape{1, 140, 1, 8}, Shape{1, 140, 1, 8}, Shape{}, true},
};

// fused_attention with the causal mask made a tensor (and-ed with the case's mask).
ops::FusedAttention reference(const Tensor& q, const Tensor& k, const Tensor& v, Tensor m, bool causal, double scale) {
  if (causal) {
    const Tensor c = causal_mask(q.shape()[1], k.shape()[1]);
    m = m.defined() ? ops::logical_and(m, c) : c;
  }
  return ops::fused_attention(q, k, v, m, scale, -1e9);
}

Tensor weigh(const Tensor& out, const Tensor& lse, uint64_t seed) {
  const DType dt = out.dtype();
  return ops::add(ops::sum(ops::multiply(out, rand(out.shape(), dt, seed))),
                  ops::sum(ops::multiply(lse, rand(lse.shape(), dt, seed + 1))));
}

}  // namespace

TEST_CASE("flash_attention equals fused_attention: out, lse and stats, the same bits at 1 and 2 threads") {
  const int saved = core::get_num_threads();
  for (DType dt : {DType::float32, DType::float64})
    for (const Case& c : kCases) {
      CAPTURE(c.q.str());
      CAPTURE(c.k.str());
      CAPTURE(c.causal);
      CAPTURE(std::string(core::dtype_name(dt)));
      Tensor q = rand(c.q, dt, 1), k = rand(c.k, dt, 2), v = rand(c.v, dt, 3);
      Tensor m = c.mask.rank() ? rand_mask(c.mask, 4) : Tensor();
      std::vector<Tensor> runs[2];
      for (int threads : {1, 2}) {
        core::set_num_threads(threads);
        auto r = ops::flash_attention(q, k, v, m, 0.4, -1e9, c.causal);
        runs[threads - 1] = {r.out, r.lse, r.stats};
      }
      core::set_num_threads(saved);
      for (size_t i = 0; i < 3; ++i) CHECK(values(runs[0][i]) == values(runs[1][i]));
      auto want = reference(q, k, v, m, c.causal, 0.4);
      CHECK(runs[0][0].shape() == want.out.shape());
      CHECK(runs[0][1].shape() == want.lse.shape());
      CHECK(runs[0][2].shape() == Shape{c.q[0], c.q[2], c.q[1], 2});
      CHECK(runs[0][2].dtype() == DType::float64);
      check_values(runs[0][0], values(want.out), dt == DType::float32 ? 2e-5 : 1e-12);
      check_values(runs[0][1], values(want.lse), dt == DType::float32 ? 1e-4 : 1e-9);
      // stats: lse = max + log(sum)
      Tensor st = runs[0][2];
      Tensor m0 = ops::slice(st, {0, 0, 0, 0}, {c.q[0], c.q[2], c.q[1], 1});
      Tensor s1 = ops::slice(st, {0, 0, 0, 1}, {c.q[0], c.q[2], c.q[1], 1});
      check_values(ops::squeeze(ops::add(m0, ops::log(s1)), {-1}), values(want.lse),
                   dt == DType::float32 ? 1e-4 : 1e-9);
    }
}

TEST_CASE("flash_attention: gradients equal fused_attention's, lse's included, at 1 and 2 threads") {
  const int saved = core::get_num_threads();
  for (DType dt : {DType::float32, DType::float64})
    for (const Case& c : kCases) {
      CAPTURE(c.q.str());
      CAPTURE(c.causal);
      CAPTURE(std::string(core::dtype_name(dt)));
      Tensor q = rand(c.q, dt, 11), k = rand(c.k, dt, 12), v = rand(c.v, dt, 13);
      Tensor m = c.mask.rank() ? rand_mask(c.mask, 14) : Tensor();
      auto grads = [&](bool flash) {
        core::GradientTape tape;
        for (const Tensor& t : {q, k, v}) tape.watch(t);
        if (flash) {
          auto r = ops::flash_attention(q, k, v, m, 0.3, -1e9, c.causal);
          return tape.gradient(weigh(r.out, r.lse, 20), {q, k, v});
        }
        auto r = reference(q, k, v, m, c.causal, 0.3);
        return tape.gradient(weigh(r.out, r.lse, 20), {q, k, v});
      };
      core::set_num_threads(1);
      auto f1 = grads(true);
      core::set_num_threads(2);
      auto f2 = grads(true);
      core::set_num_threads(saved);
      auto e = grads(false);
      const double tol = dt == DType::float32 ? 2e-4 : 1e-10;
      for (size_t i = 0; i < 3; ++i) {
        CAPTURE(i);
        CHECK(values(f1[i]) == values(f2[i]));
        check_values(f1[i], values(e[i]), tol);
      }
    }
}

TEST_CASE("flash_attention: second-order gradients equal fused_attention's (float64)") {
  const DType dt = DType::float64;
  for (const Case& c : {kCases[0], kCases[1], kCases[8]}) {
    CAPTURE(c.q.str());
    Tensor q = rand(c.q, dt, 41), k = rand(c.k, dt, 42), v = rand(c.v, dt, 43), u = rand(c.q, dt, 44);
    Tensor m = c.mask.rank() ? rand_mask(c.mask, 45) : Tensor();
    auto second = [&](bool flash) {
      core::GradientTape outer;
      for (const Tensor& t : {q, k, v}) outer.watch(t);
      Tensor inner_norm;
      {
        core::GradientTape inner;
        for (const Tensor& t : {q, k, v}) inner.watch(t);
        Tensor target;
        if (flash) {
          auto r = ops::flash_attention(q, k, v, m, 0.5, -1e9, c.causal);
          target = weigh(r.out, r.lse, 50);
        } else {
          auto r = reference(q, k, v, m, c.causal, 0.5);
          target = weigh(r.out, r.lse, 50);
        }
        auto d = inner.gradient(target, {q, k, v});
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

TEST_CASE("flash_attention: rows masked everywhere get uniform weights, empty sequences, NaN stays in its row") {
  for (DType dt : {DType::float32, DType::float64}) {
    CAPTURE(std::string(core::dtype_name(dt)));
    // 300 keys (two tiles); the second query row masked everywhere, in float32 at Keras's
    // -0.7 * float32 max as well as -1e9.
    Tensor q = rand(Shape{1, 2, 1, 3}, dt, 61), k = rand(Shape{1, 300, 1, 3}, dt, 62);
    Tensor v = rand(Shape{1, 300, 1, 2}, dt, 63);
    Tensor m = ops::concat({ops::reshape(rand_mask(Shape{300}, 64), {1, 300}), ops::zeros({1, 300}, DType::bool_)}, 0);
    m = ops::reshape(m, {1, 1, 2, 300});
    for (double mask_value : {-1e9, -0.7 * 3.38953e38}) {
      auto r = ops::flash_attention(q, k, v, m, 1.0, mask_value);
      check_values(ops::slice(r.out, {0, 1, 0, 0}, {1, 1, 1, 2}), values(ops::mean(v, {1})), 1e-6);
      check_values(r.out, values(ops::fused_attention(q, k, v, m, 1.0, mask_value).out), 1e-5);
      // The masked row's gradient reaches v only (uniformly), never q or k.
      core::GradientTape tape;
      for (const Tensor& t : {q, k, v}) tape.watch(t);
      auto g = tape.gradient(
          ops::sum(ops::slice(ops::flash_attention(q, k, v, m, 1.0, mask_value).out, {0, 1, 0, 0}, {1, 1, 1, 2})),
          {q, k, v});
      check_values(g[0], std::vector<double>(6, 0.0));
      check_values(g[1], std::vector<double>(900, 0.0));
      check_values(g[2], std::vector<double>(600, 1.0 / 300), 1e-7);
    }
    // No keys: zero rows, lse -inf, zero dq; no queries: empty outputs, zero dk and dv.
    Tensor k0 = ops::zeros({1, 0, 1, 3}, dt), v0 = ops::zeros({1, 0, 1, 2}, dt);
    for (bool causal : {false, true}) {
      auto e = ops::flash_attention(q, k0, v0, Tensor(), 1.0, -1e9, causal);
      CHECK(e.out.shape() == Shape{1, 2, 1, 2});
      check_values(e.out, std::vector<double>(4, 0.0));
      for (double x : values(e.lse)) CHECK(x == -std::numeric_limits<double>::infinity());
      auto be = ops::flash_attention_grad(e.out, q, k0, v0, e.out, e.stats, Tensor(), Tensor(), 1.0, -1e9, causal);
      check_values(be.dq, std::vector<double>(6, 0.0));
      Tensor q0 = ops::zeros({1, 0, 1, 3}, dt);
      auto nq = ops::flash_attention(q0, k, v, Tensor(), 1.0, -1e9, causal);
      CHECK(nq.out.shape() == Shape{1, 0, 1, 2});
      auto bw = ops::flash_attention_grad(nq.out, q0, k, v, nq.out, nq.stats, Tensor(), Tensor(), 1.0, -1e9, causal);
      check_values(bw.dk, std::vector<double>(900, 0.0));
      check_values(bw.dv, std::vector<double>(600, 0.0));
    }
    // A NaN query row gives NaN in its own row only.
    Tensor qn =
        ops::where(ops::reshape(core::constant({true, false}), {1, 2, 1, 1}), ops::full_like(q, std::nan("")), q);
    auto rn = ops::flash_attention(qn, k, v, Tensor(), 1.0, -1e9);
    const auto o = values(rn.out);
    CHECK(std::isnan(o[0]));
    CHECK(std::isnan(o[1]));
    check_values(ops::slice(rn.out, {0, 1, 0, 0}, {1, 1, 1, 2}),
                 values(ops::slice(ops::fused_attention(q, k, v, Tensor(), 1.0, -1e9).out, {0, 1, 0, 0}, {1, 1, 1, 2})),
                 1e-6);
  }
}

TEST_CASE("flash attention ops: bad arguments raise naming the op, the argument and what was received") {
  Tensor q = ops::zeros({2, 3, 2, 4}), k = ops::zeros({2, 5, 2, 4});
  CHECK_THROWS_WITH_AS(ops::flash_attention(q, ops::zeros({2, 5, 3, 4}), ops::zeros({2, 5, 3, 4}), Tensor(), 1, -1e9),
                       doctest::Contains("flash_attention: expected q (B, T, N, H), k (B, S, K, H) and v (B, S, K, Hv) "
                                         "with K >= 1 dividing N, but received q (2, 3, 2, 4), k (2, 5, 3, 4)"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::flash_attention(q, k, k, ops::ones({2, 1, 3, 5}), 1, -1e9),
                       doctest::Contains("expected a bool mask of shape (2 or 1, 2 or 1, 3, 5), but received float32"),
                       std::invalid_argument);
  CHECK_THROWS_AS(ops::flash_attention(ops::zeros({2, 3, 2, 4}, DType::int32), ops::zeros({2, 5, 2, 4}, DType::int32),
                                       ops::zeros({2, 5, 2, 4}, DType::int32), Tensor(), 1, -1e9),
                  std::invalid_argument);
  auto r = ops::flash_attention(q, k, k, Tensor(), 1, -1e9);
  CHECK_THROWS_WITH_AS(
      ops::flash_attention_grad(r.out, q, k, k, r.out, ops::zeros({2, 2, 3, 2}), Tensor(), Tensor(), 1, -1e9),
      doctest::Contains("flash_attention_grad: expected stats float64 (2, 2, 3, 2), but received "
                        "float32 (2, 2, 3, 2)"),
      std::invalid_argument);
  CHECK_THROWS_WITH_AS(ops::flash_attention_grad(r.out, q, k, k, r.out, r.lse, Tensor(), Tensor(), 1, -1e9),
                       doctest::Contains("expected stats float64 (2, 2, 3, 2), but received float32 (2, 2, 3)"),
                       std::invalid_argument);
}

TEST_CASE("dot_product_attention(flash_attention = true): one flash_attention node, no weights tensor") {
  const int64_t t = 96, s = 160;
  Tensor q = rand(Shape{2, t, 2, 8}, DType::float32, 71), k = rand(Shape{2, s, 1, 8}, DType::float32, 72);
  Tensor v = rand(Shape{2, s, 1, 8}, DType::float32, 73);
  Tensor mask = rand_mask(Shape{2, 1, t, s}, 74);
  for (bool causal : {false, true})
    for (bool masked : {false, true}) {
      CAPTURE(causal);
      CAPTURE(masked);
      const ops::DotProductAttentionOptions o{.mask = masked ? mask : Tensor(), .is_causal = causal};
      ops::DotProductAttentionOptions flash = o;
      flash.flash_attention = true;
      auto fn = core::function([&](const Tensor& x) { return ops::dot_product_attention(x, k, v, flash); });
      Tensor y = fn(q);
      const std::string g = fn.graph_str();
      CHECK(g.find("flash_attention(") != std::string::npos);
      CHECK(g.find("fused_attention") == std::string::npos);
      CHECK(g.find("softmax") == std::string::npos);
      // A causal call without a mask makes no (T, S) tensor at all.
      if (causal && !masked) CHECK(g.find("greater_equal") == std::string::npos);
      check_values(y, values(ops::dot_product_attention(q, k, v, o)), 2e-5);
      check_values(ops::dot_product_attention(q, k, v, flash), values(y), 0.0);
      // Gradients through the traced function equal the eager fused ones.
      auto grad_fn = core::function([&](const Tensor& x) {
        core::GradientTape tape;
        tape.watch(x);
        return tape.gradient(ops::sum(ops::square(ops::dot_product_attention(x, k, v, flash))), {x})[0];
      });
      core::GradientTape tape;
      tape.watch(q);
      Tensor want = tape.gradient(ops::sum(ops::square(ops::dot_product_attention(q, k, v, o))), {q})[0];
      check_values(grad_fn(q), values(want), 2e-4);
    }
  CHECK_THROWS_WITH_AS(ops::dot_product_attention(q, k, v, {.bias = ops::zeros({1, 1, t, s}), .flash_attention = true}),
                       doctest::Contains("dot_product_attention: flash_attention=true does not take a `bias`"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(
      ops::dot_product_attention(ops::cast(q, DType::float16), ops::cast(k, DType::float16),
                                 ops::cast(v, DType::float16), {.flash_attention = true}),
      doctest::Contains("flash_attention=true has kernels for float32 and float64, but received float16"),
      std::invalid_argument);
}

TEST_CASE("MultiHeadAttention and GroupQueryAttention with flash_attention = true: Keras's rules, the fused outputs") {
  namespace L = keras::layers;
  Tensor x = rand(Shape{2, 70, 8}, DType::float32, 81), src = rand(Shape{2, 140, 8}, DType::float32, 82);
  Tensor am = rand_mask(Shape{2, 70, 140}, 83);
  auto check_pair = [&](const keras::LayerPtr& flash, const keras::LayerPtr& fused, const L::CallArgs& args) {
    Tensor a = (*flash)({x, src, src, am}, args)[0];
    (*fused)({x, src, src, am}, args);
    fused->set_weights(flash->get_weights());
    check_values(a, values((*fused)({x, src, src, am}, args)[0]), 2e-5);
    auto traced = core::function([&](const Tensor& in) { return (*flash)({in, src, src, am}, args)[0]; });
    check_values(traced(x), values(a), 1e-6);
    CHECK(traced.graph_str().find("flash_attention(") != std::string::npos);
    CHECK(!flash->get_config().contains("flash_attention"));  // as Keras: not in the config
  };
  L::CallArgs causal;
  causal.kwargs["use_causal_mask"] = true;
  for (const L::CallArgs& args : {L::CallArgs{}, causal}) {
    check_pair(L::MultiHeadAttention(2, 4, {.flash_attention = true}), L::MultiHeadAttention(2, 4), args);
    check_pair(L::GroupQueryAttention(4, 4, 2, {.flash_attention = true}), L::GroupQueryAttention(4, 4, 2), args);
  }
  // Keras's errors: dropout at construction, scores at call.
  CHECK_THROWS_WITH_AS(L::MultiHeadAttention(2, 4, {.dropout = 0.1, .flash_attention = true}),
                       doctest::Contains("Dropout is not supported when flash attention is enabled"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(L::GroupQueryAttention(4, 4, 2, {.dropout = 0.1, .flash_attention = true}),
                       doctest::Contains("Dropout is not supported when flash attention is enabled"),
                       std::invalid_argument);
  auto mha = L::MultiHeadAttention(2, 4, {.flash_attention = true});
  L::CallArgs scores;
  scores.kwargs["return_attention_scores"] = true;
  CHECK_THROWS_WITH_AS((*mha)({x, src}, scores), doctest::Contains("Returning attention scores is not supported"),
                       std::invalid_argument);
  // A config naming flash_attention (Keras takes it as a constructor argument) loads.
  keras::Config c = L::MultiHeadAttention(2, 4)->get_config();
  c["flash_attention"] = true;
  keras::Config d = keras::Config::object();
  d["class_name"] = "MultiHeadAttention";
  d["config"] = c;
  auto loaded = keras::layers::deserialize(d);
  CHECK_THROWS_WITH_AS((*loaded)({x, src}, scores), doctest::Contains("Returning attention scores is not supported"),
                       std::invalid_argument);
}
