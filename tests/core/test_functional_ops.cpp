// test_functional_ops.cpp - keras.ops's functional control flow (core/functional_ops.h)
// against Keras 3 (tests/data/ops/make_functional_fixtures.py), eagerly and traced, with
// gradients through the loops and bad input.
#include <map>
#include <string>

#include "core/function.h"
#include "core/functional_ops.h"
#include "core/npy.h"
#include "helpers.h"
#include "ops_names.h"
#include "ops_fixture.h"
#include "test_data_dir.h"

using namespace th;
using ops::Tensors;

namespace {

Tensor fx(const std::string& name) { return th::ops_fixture("functional_keras.npz")(name); }

void same(const Tensor& got, const std::string& name, double tol = 1e-6) {
  th::ops_fixture("functional_keras.npz").same(got, name, tol);
}

std::pair<Tensors, Tensors> step(const Tensors& c, const Tensors& x) {
  Tensor c2 = c[0] * 0.5 + ops::sin(x[0]);
  return {{c2}, {c2 * x[0]}};
}

}  // namespace

KERAS_OPS_NAME("scan", (void)ops::scan(step, {ops::zeros({2})}, {ops::ones({3, 2})}));
KERAS_OPS_NAME("fori_loop", (void)ops::fori_loop(0, 3, [](const Tensor&, const Tensor& v) { return v + 1.0; }, ops::zeros({})));
KERAS_OPS_NAME("map", (void)ops::map([](const Tensor& r) { return ops::sum(r); }, ops::ones({3, 2})));
KERAS_OPS_NAME("vectorized_map", (void)ops::vectorized_map([](const Tensor& r) { return r * 2.0; }, ops::ones({3, 2})));
KERAS_OPS_NAME("vectorize", (void)ops::vectorize([](const Tensors& a) { return a[0] * 2.0; })({ops::ones({3})}));
KERAS_OPS_NAME("switch", (void)ops::switch_(core::constant(0), {[](const Tensors& x) { return x; }}, {ops::ones({2})}));
KERAS_OPS_NAME("associative_scan",
               (void)ops::associative_scan([](const Tensor& a, const Tensor& b) { return a + b; }, ops::ones({4})));
KERAS_OPS_NAME("jvp", (void)ops::jvp([](const Tensors& x) { return Tensors{ops::sin(x[0])}; }, {ops::ones({2})},
                                     {ops::ones({2})}));

TEST_CASE("functional ops: scan equals Keras's (forward, reverse, length only), eagerly and traced") {
  Tensor xs = fx("in_xs"), init = fx("in_init");
  auto r = ops::scan(step, {init}, {xs});
  same(r.carry[0], "scan_carry");
  same(r.ys[0], "scan_ys");
  auto rev = ops::scan(step, {init}, {xs}, std::nullopt, true);
  same(rev.carry[0], "scan_rev_carry");
  same(rev.ys[0], "scan_rev_ys");
  auto len = ops::scan([](const Tensors& c, const Tensors&) { return std::pair<Tensors, Tensors>{{c[0] + 1.0}, {c[0] * 2.0}}; },
                       {init}, {}, 4);
  same(len.carry[0], "scan_len_carry");
  same(len.ys[0], "scan_len_ys");
  auto [c1, y1] = ops::scan([](const Tensor& c, const Tensor& x) { return std::pair<Tensor, Tensor>{c + x, c * x}; },
                            init, xs);
  CHECK(y1.shape() == xs.shape());
  // Traced: one graph whose while_loop runs the steps.
  auto traced = core::function([](const std::vector<Tensor>& in) {
    auto s = ops::scan(step, {in[1]}, {in[0]});
    return std::vector<Tensor>{s.carry[0], s.ys[0]};
  });
  auto out = traced(std::vector<Tensor>{xs, init});
  same(out[0], "scan_carry");
  same(out[1], "scan_ys");
  // Empty xs: zero rows of ys (f runs once, unrecorded, for their shapes).
  auto empty = ops::scan(step, {init}, {ops::zeros({0, 3})});
  CHECK(empty.ys[0].shape() == Shape{0, 3});
  check_values(empty.carry[0], values(init));
  // One row, and ys of another shape than the carry (allowed here, as JAX).
  auto one = ops::scan([](const Tensors& c, const Tensors& x) { return std::pair<Tensors, Tensors>{{c[0]}, {ops::sum(x[0])}}; },
                       {init}, {ops::ones({1, 3})});
  check_values(one.ys[0], std::vector<double>{3});

  CHECK_THROWS_MSG(ops::scan(step, {init}, {}), std::invalid_argument,
                   "scan: got no `xs` to scan over and `length` not provided");
  CHECK_THROWS_MSG(ops::scan(step, {init}, {xs, ops::ones({4})}), std::invalid_argument,
                   "scan: expected every xs with 5 rows (length), but received shape (4,)");
  CHECK_THROWS_MSG(ops::scan(step, {init}, {xs}, std::nullopt, false, 0), std::invalid_argument, "`unroll`");
  CHECK_THROWS_MSG(ops::scan([](const Tensors&, const Tensors& x) { return std::pair<Tensors, Tensors>{{x[0]}, {x[0]}}; },
                             {ops::zeros({2})}, {xs}),
                   std::invalid_argument, "scan: f changed carry 0 from float32 (2,) to float32 (3,)");
}

TEST_CASE("functional ops: fori_loop, map and vectorized_map equal Keras's") {
  Tensor xs = fx("in_xs"), init = fx("in_init");
  same(ops::fori_loop(2, 7, [](const Tensor& i, const Tensor& v) { return v * 1.5 + ops::cast(i, DType::float32); }, init),
       "fori");
  auto two = ops::fori_loop(core::constant(int64_t{0}), core::constant(int64_t{3}),
                            [](const Tensor& i, const Tensors& v) { return Tensors{v[0] + v[1], v[1] * 2.0}; },
                            {ops::zeros({}), ops::ones({})});
  CHECK(two[0].item<float>() == 7.0f);  // 1 + 2 + 4
  CHECK(ops::fori_loop(3, 1, [](const Tensor&, const Tensor& v) { return v + 1.0; }, init).shape() == init.shape());
  same(ops::map([](const Tensor& r) { return ops::sum(r * r) + ops::gather(r, core::constant(0)); }, xs), "map");
  same(ops::vectorized_map([](const Tensor& r) { return ops::sort(r) * 2.0 - ops::max(r); }, xs), "vmap");
  auto pair = ops::map([](const Tensors& r) { return Tensors{r[0] + r[1], ops::sum(r[0])}; }, {xs, xs});
  CHECK(pair[1].shape() == Shape{5});

  CHECK_THROWS_MSG(ops::fori_loop(core::constant(0), core::constant(int64_t{3}),
                                  [](const Tensor&, const Tensors& v) { return v; }, {init}),
                   std::invalid_argument, "fori_loop: expected `lower` and `upper` integer scalars of one dtype");
  CHECK_THROWS_MSG(ops::map([](const Tensors& r) { return r; }, {}), std::invalid_argument, "map: expected at least one");
}

TEST_CASE("functional ops: vectorize follows numpy.vectorize's signatures and broadcasting") {
  Tensor a = fx("in_a"), b = fx("in_b");
  auto dot = ops::vectorize([](const Tensors& x) { return ops::sum(x[0] * x[1]); }, {}, "(n),(n)->()");
  same(dot({a, b}), "vectorize_dot");
  auto elem = ops::vectorize([](const Tensors& x) { return ops::maximum(x[0], x[1]); });
  same(elem({a, b}), "vectorize_elem");
  auto outer = ops::vectorize([](const Tensors& x) { return ops::outer(x[0], x[0]); }, {}, "(n)->(n,n)");
  same(outer({a}), "vectorize_outer");
  auto scaled = ops::vectorize([](const Tensors& x) { return x[0] * x[1]; }, {1});  // x[1] passed whole
  CHECK(scaled({a, b}).shape() == Shape{4, 3, 3});

  CHECK_THROWS_MSG(dot({a, ops::ones({4})}), std::invalid_argument, "core axis 'n' has size 3 and 4");
  CHECK_THROWS_MSG(ops::vectorize([](const Tensors& x) { return x[0]; }, {}, "(n)(m)"), std::invalid_argument,
                   "vectorize: invalid signature");
  CHECK_THROWS_MSG(dot({a}), std::invalid_argument, "the signature has 2 inputs, but the call passes 1");
}

TEST_CASE("functional ops: switch clips the index and runs one branch, eagerly and traced") {
  Tensor init = fx("in_init");
  std::vector<std::function<Tensors(const Tensors&)>> branches = {
      [](const Tensors& x) { return Tensors{x[0] + 1.0}; },
      [](const Tensors& x) { return Tensors{x[0] * 3.0}; },
      [](const Tensors& x) { return Tensors{-x[0]}; }};
  for (int i : {-2, 0, 1, 2, 5}) {
    std::string name = "switch_" + (i < 0 ? "m" + std::to_string(-i) : std::to_string(i));
    same(ops::switch_(core::constant(i), branches, {init})[0], name);
  }
  auto traced = core::function([&](const std::vector<Tensor>& in) { return ops::switch_(in[0], branches, {in[1]}); });
  same(traced(std::vector<Tensor>{core::constant(1), init})[0], "switch_1");
  same(traced(std::vector<Tensor>{core::constant(7), init})[0], "switch_5");
  CHECK_THROWS_MSG(ops::switch_(core::constant(1.0f), branches, {init}), std::invalid_argument,
                   "switch: expected an integer scalar `index`, but received float32 ()");
  CHECK_THROWS_MSG(ops::switch_(core::constant(0), {}, {init}), std::invalid_argument, "at least one branch");
}

TEST_CASE("functional ops: associative_scan equals Keras's (reverse, any axis)") {
  Tensor seq = fx("in_seq");
  same(ops::associative_scan([](const Tensor& x, const Tensor& y) { return x + y; }, seq), "ascan_add", 1e-6);
  same(ops::associative_scan([](const Tensor& x, const Tensor& y) { return x * y; }, seq, true), "ascan_mul_rev", 1e-6);
  same(ops::associative_scan([](const Tensor& x, const Tensor& y) { return ops::maximum(x, y); }, ops::transpose(seq),
                             false, 1),
       "ascan_max_ax1");
  auto pair = ops::associative_scan([](const Tensors& x, const Tensors& y) { return Tensors{x[0] + y[0], x[1] * y[1]}; },
                                    {seq, seq});
  same(pair[0], "ascan_add", 1e-6);
  CHECK_THROWS_MSG(ops::associative_scan([](const Tensors& x, const Tensors&) { return x; }, {seq, ops::ones({3})}),
                   std::invalid_argument, "associative_scan: expected every elems with 6 entries along axis 0");
}

TEST_CASE("functional ops: jvp equals Keras's forward-mode derivative") {
  Tensor p = fx("in_p"), t = fx("in_t"), q = fx("in_q"), tq = fx("in_tq");
  auto r = ops::jvp([](const Tensors& x) { return Tensors{ops::sin(x[0]) * ops::exp(x[0])}; }, {p}, {t});
  same(r.primals_out[0], "jvp_out", 1e-12);
  same(r.tangents_out[0], "jvp_tan", 1e-12);
  auto r2 = ops::jvp([](const Tensors& x) { return Tensors{ops::tanh(ops::matmul(x[1], x[0]))}; }, {p, q}, {t, tq});
  same(r2.primals_out[0], "jvp2_out", 1e-12);
  same(r2.tangents_out[0], "jvp2_tan", 1e-12);
  auto aux = ops::jvp([](const Tensors& x) { return Tensors{x[0] * 2.0, ops::ones({})}; }, {p}, {t}, true);
  REQUIRE(aux.aux.size() == 1);
  check_values(aux.tangents_out[0], values(t * 2.0), 1e-12);
  auto unconnected = ops::jvp([](const Tensors&) { return Tensors{ops::ones({2}, DType::float64)}; }, {p}, {t});
  check_values(unconnected.tangents_out[0], std::vector<double>{0, 0});
  CHECK_THROWS_MSG(ops::jvp([](const Tensors& x) { return x; }, {p}, {ops::ones({3})}), std::invalid_argument,
                   "jvp: expected tangent 0 of its primal's floating dtype and shape float64 (3,), but received float32 (3,)");
}

TEST_CASE("functional ops: gradients flow through scan, fori_loop, map and associative_scan (eager)") {
  Tensor xs = make(uniform(6, -1, 1, 3), Shape{3, 2}, DType::float64);
  Tensor c0 = make({0.3, -0.2}, Shape{2}, DType::float64);
  core::GradientTape tape;
  tape.watch(xs);
  tape.watch(c0);
  auto s = ops::scan([](const Tensors& c, const Tensors& x) { return std::pair<Tensors, Tensors>{{c[0] * x[0]}, {c[0]}}; },
                     {c0}, {xs});
  Tensor loss = ops::sum(s.carry[0]) + ops::sum(s.ys[0]);
  auto g = tape.gradient(loss, std::vector<Tensor>{xs, c0});
  // carry = c0 * x0 * x1 * x2; ys = [c0, c0 x0, c0 x0 x1].
  std::vector<double> x = values(xs), c = values(c0);
  for (int j = 0; j < 2; ++j) {
    const double x0 = x[size_t(j)], x1 = x[size_t(2 + j)], x2 = x[size_t(4 + j)];
    CHECK(values(g[1])[size_t(j)] == doctest::Approx(x0 * x1 * x2 + 1 + x0 + x0 * x1));
    CHECK(values(g[0])[size_t(j)] == doctest::Approx(c[size_t(j)] * (x1 * x2 + 1 + x1)));
  }
}
