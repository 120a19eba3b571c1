// The fused recurrent sequence ops (core/rnn.h) against the composed cell math (the step
// formulas of keras/layers/lstm.cpp and gru.cpp, op by op): values and gradients in
// float64 and float32, batch 1, one timestep, long sequences, empty batches, NaN, the
// reserve, the gradient through a training=false forward, the thread count, a traced
// function, bad arguments. The float64 finite-difference checks are in
// gradient_cases_rnn.cpp (run by test_gradients.cpp).
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/autodiff.h"
#include "core/function.h"
#include "core/kernel_support.h"
#include "core/ops_numpy.h"
#include "core/rnn.h"
#include "error_of.h"
#include "helpers.h"

using namespace th;

namespace {

Tensor rand(const Shape& s, DType dt, uint32_t seed, double lo = -1, double hi = 1) {
  return make(uniform(s.num_elements(), lo, hi, seed), s, dt);
}

// The composed LSTM: z = (x_t @ kernel + bias) + h @ recurrent_kernel, as LSTMCell.
ops::LstmSequence lstm_composed(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& k,
                                const Tensor& r, const Tensor& b) {
  Tensor h = h0, c = c0;
  std::vector<Tensor> ys;
  for (const Tensor& xt : ops::unstack(x, 1)) {
    Tensor z = ops::add(ops::add(ops::matmul(xt, k), b), ops::matmul(h, r));
    std::vector<Tensor> g = ops::split(z, 4, 1);
    c = ops::add(ops::multiply(ops::sigmoid(g[1]), c), ops::multiply(ops::sigmoid(g[0]), ops::tanh(g[2])));
    h = ops::multiply(ops::sigmoid(g[3]), ops::tanh(c));
    ys.push_back(h);
  }
  return {ops::stack(ys, 1), h, c, Tensor()};
}

// The composed GRU (reset_after), as GRUCell.
ops::GruSequence gru_composed(const Tensor& x, const Tensor& h0, const Tensor& k, const Tensor& r, const Tensor& b) {
  Tensor h = h0;
  const int64_t g3 = k.shape()[1];
  Tensor b0 = ops::squeeze(ops::slice(b, {0, 0}, {1, g3}), {0}), b1 = ops::squeeze(ops::slice(b, {1, 0}, {1, g3}), {0});
  std::vector<Tensor> ys;
  for (const Tensor& xt : ops::unstack(x, 1)) {
    std::vector<Tensor> xg = ops::split(ops::add(ops::matmul(xt, k), b0), 3, 1);
    std::vector<Tensor> rg = ops::split(ops::add(ops::matmul(h, r), b1), 3, 1);
    Tensor z = ops::sigmoid(ops::add(xg[0], rg[0]));
    Tensor rr = ops::sigmoid(ops::add(xg[1], rg[1]));
    Tensor n = ops::tanh(ops::add(xg[2], ops::multiply(rr, rg[2])));
    h = ops::add(n, ops::multiply(z, ops::subtract(h, n)));
    ys.push_back(h);
  }
  return {ops::stack(ys, 1), h, Tensor()};
}

struct Dims {
  int64_t batch, time, input, units;
};
const Dims kDims[] = {{1, 1, 3, 2}, {3, 5, 4, 6}, {2, 60, 3, 5}, {4, 7, 1, 16}, {1, 9, 5, 1}};

struct LstmArgs {
  Tensor x, h0, c0, k, r, b;
  LstmArgs(const Dims& d, DType dt, uint32_t s)
      : x(rand(Shape{d.batch, d.time, d.input}, dt, s, -2, 2)), h0(rand(Shape{d.batch, d.units}, dt, s + 1)),
        c0(rand(Shape{d.batch, d.units}, dt, s + 2)), k(rand(Shape{d.input, 4 * d.units}, dt, s + 3)),
        r(rand(Shape{d.units, 4 * d.units}, dt, s + 4)), b(rand(Shape{4 * d.units}, dt, s + 5)) {}
  std::vector<Tensor> all() const { return {x, h0, c0, k, r, b}; }
};
struct GruArgs {
  Tensor x, h0, k, r, b;
  GruArgs(const Dims& d, DType dt, uint32_t s)
      : x(rand(Shape{d.batch, d.time, d.input}, dt, s, -2, 2)), h0(rand(Shape{d.batch, d.units}, dt, s + 1)),
        k(rand(Shape{d.input, 3 * d.units}, dt, s + 3)), r(rand(Shape{d.units, 3 * d.units}, dt, s + 4)),
        b(rand(Shape{2, 3 * d.units}, dt, s + 5)) {}
  std::vector<Tensor> all() const { return {x, h0, k, r, b}; }
};

// A scalar of y, h and c with random weights (gradients flow into every output).
Tensor weigh(const Tensor& y, const Tensor& h, const Tensor& c, uint32_t seed) {
  Tensor s = ops::sum(ops::multiply(y, rand(y.shape(), y.dtype(), seed)));
  s = ops::add(s, ops::sum(ops::multiply(h, rand(h.shape(), h.dtype(), seed + 1))));
  if (c.defined()) s = ops::add(s, ops::sum(ops::multiply(c, rand(c.shape(), c.dtype(), seed + 2))));
  return s;
}

double tol_of(DType dt) { return dt == DType::float32 ? 2e-5 : 1e-12; }

// mode: 0 composed, 1 fused training, 2 fused inference; `mask` for the fused op.
std::vector<Tensor> lstm_grads(const LstmArgs& a, int mode, const Tensor& mask = Tensor()) {
  core::GradientTape tape;
  for (const Tensor& t : a.all()) tape.watch(t);
  auto r = mode == 0 ? lstm_composed(a.x, a.h0, a.c0, a.k, a.r, a.b)
                     : ops::lstm_sequence(a.x, a.h0, a.c0, a.k, a.r, a.b, mode == 1, mask);
  return tape.gradient(weigh(r.y, r.h, r.c, 40), a.all());
}
std::vector<Tensor> gru_grads(const GruArgs& a, int mode, const Tensor& mask = Tensor()) {
  core::GradientTape tape;
  for (const Tensor& t : a.all()) tape.watch(t);
  auto r = mode == 0 ? gru_composed(a.x, a.h0, a.k, a.r, a.b)
                     : ops::gru_sequence(a.x, a.h0, a.k, a.r, a.b, mode == 1, mask);
  return tape.gradient(weigh(r.y, r.h, Tensor(), 40), a.all());
}

// A (batch, time) mask with about a third of the steps masked, and row 0 entirely.
Tensor some_mask(int64_t batch, int64_t time, uint32_t seed) {
  std::vector<double> u = uniform(batch * time, 0, 1, seed);
  for (int64_t t = 0; t < time; ++t) u[size_t(t)] = 0;
  return ops::greater(make(u, Shape{batch, time}), ops::scalar_like(make({0}, Shape{}), 1.0 / 3));
}

bool bits_equal(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape() || a.dtype() != b.dtype()) return false;
  const size_t n = size_t(a.size()) * core::dtype_size(a.dtype());
  return n == 0 || std::memcmp(a.raw_data(), b.raw_data(), n) == 0;
}

}  // namespace

TEST_CASE("lstm_sequence and gru_sequence equal the composed cells: values, float32 and float64") {
  uint32_t seed = 1;
  for (DType dt : {DType::float64, DType::float32})
    for (const Dims& d : kDims)
      for (bool training : {false, true}) {
        CAPTURE(core::dtype_name(dt));
        INFO("dims ", d.batch, " ", d.time, " ", d.input, " ", d.units, " training ", training);
        LstmArgs a(d, dt, seed += 10);
        auto f = ops::lstm_sequence(a.x, a.h0, a.c0, a.k, a.r, a.b, training);
        auto w = lstm_composed(a.x, a.h0, a.c0, a.k, a.r, a.b);
        CHECK(f.y.shape() == Shape{d.batch, d.time, d.units});
        CHECK(f.y.dtype() == dt);
        check_values(f.y, values(w.y), tol_of(dt));
        check_values(f.h, values(w.h), tol_of(dt));
        check_values(f.c, values(w.c), tol_of(dt));
        CHECK(f.reserve.dtype() == DType::uint8);
        CHECK((f.reserve.size() > 0) == training);  // empty unless training
        GruArgs g(d, dt, seed += 10);
        auto gf = ops::gru_sequence(g.x, g.h0, g.k, g.r, g.b, training);
        auto gw = gru_composed(g.x, g.h0, g.k, g.r, g.b);
        check_values(gf.y, values(gw.y), tol_of(dt));
        check_values(gf.h, values(gw.h), tol_of(dt));
        CHECK((gf.reserve.size() > 0) == training);
      }
}

TEST_CASE("lstm_sequence and gru_sequence: gradients equal the composed cells', with training on and off") {
  uint32_t seed = 300;
  for (DType dt : {DType::float64, DType::float32})
    for (const Dims& d : kDims) {
      CAPTURE(core::dtype_name(dt));
      INFO("dims ", d.batch, " ", d.time, " ", d.input, " ", d.units);
      const double tol = dt == DType::float32 ? 1e-4 : 1e-11;
      LstmArgs a(d, dt, seed += 10);
      auto want = lstm_grads(a, 0);
      for (int mode : {1, 2}) {
        auto got = lstm_grads(a, mode);
        REQUIRE(got.size() == want.size());
        for (size_t i = 0; i < got.size(); ++i) {
          CAPTURE(i);
          REQUIRE(got[i].defined());
          CHECK(got[i].shape() == want[i].shape());
          check_values(got[i], values(want[i]), tol);
        }
      }
      GruArgs g(d, dt, seed += 10);
      auto gwant = gru_grads(g, 0);
      for (int mode : {1, 2}) {
        auto got = gru_grads(g, mode);
        for (size_t i = 0; i < got.size(); ++i) {
          CAPTURE(i);
          REQUIRE(got[i].defined());
          check_values(got[i], values(gwant[i]), tol);
        }
      }
    }
}

TEST_CASE("lstm_sequence and gru_sequence: results and gradients are bit-identical at 1 and 2 threads") {
  const int saved = core::get_num_threads();
  const Dims d{64, 6, 24, 48};
  for (DType dt : {DType::float32, DType::float64}) {
    CAPTURE(core::dtype_name(dt));
    LstmArgs a(d, dt, 7);
    GruArgs g(d, dt, 8);
    std::vector<Tensor> runs[2];
    for (int threads : {1, 2}) {
      core::set_num_threads(threads);
      std::vector<Tensor>& out = runs[threads - 1];
      for (const Tensor& m : {Tensor(), some_mask(d.batch, d.time, 9)}) {
        auto f = ops::lstm_sequence(a.x, a.h0, a.c0, a.k, a.r, a.b, true, m);
        auto gf = ops::gru_sequence(g.x, g.h0, g.k, g.r, g.b, true, m);
        for (const Tensor& t : {f.y, f.h, f.c, f.reserve, gf.y, gf.h, gf.reserve}) out.push_back(t);
        for (const Tensor& t : lstm_grads(a, 1, m)) out.push_back(t);
        for (const Tensor& t : gru_grads(g, 1, m)) out.push_back(t);
      }
    }
    REQUIRE(runs[0].size() == runs[1].size());
    for (size_t i = 0; i < runs[0].size(); ++i) {
      CAPTURE(i);
      CHECK(bits_equal(runs[0][i], runs[1][i]));
    }
  }
  core::set_num_threads(saved);
}

TEST_CASE("lstm_sequence and gru_sequence with a mask: masked steps keep the states and repeat the output") {
  for (DType dt : {DType::float64, DType::float32}) {
    CAPTURE(core::dtype_name(dt));
    const Dims d{4, 7, 3, 5};
    LstmArgs a(d, dt, 70);
    GruArgs g(d, dt, 71);
    // Every step unmasked: the unmasked results, gradients included.
    const Tensor all = ops::ones({d.batch, d.time}, DType::bool_);
    auto l0 = ops::lstm_sequence(a.x, a.h0, a.c0, a.k, a.r, a.b, true);
    auto l1 = ops::lstm_sequence(a.x, a.h0, a.c0, a.k, a.r, a.b, true, all);
    check_values(l1.y, values(l0.y), tol_of(dt));
    check_values(l1.c, values(l0.c), tol_of(dt));
    const std::vector<Tensor> gl0 = lstm_grads(a, 1), gl1 = lstm_grads(a, 1, all);
    const std::vector<Tensor> gg0 = gru_grads(g, 1), gg1 = gru_grads(g, 2, all);
    for (size_t i = 0; i < gl0.size(); ++i) check_values(gl1[i], values(gl0[i]), tol_of(dt));
    for (size_t i = 0; i < gg0.size(); ++i) check_values(gg1[i], values(gg0[i]), tol_of(dt));
    // Row 0 entirely masked: zero outputs, the initial states, no gradient into its x.
    const Tensor m = some_mask(d.batch, d.time, 72);
    auto lm = ops::lstm_sequence(a.x, a.h0, a.c0, a.k, a.r, a.b, false, m);
    auto gm = ops::gru_sequence(g.x, g.h0, g.k, g.r, g.b, true, m);
    const std::vector<double> ly = values(lm.y), gy = values(gm.y), lh = values(lm.h), lc = values(lm.c),
                              gh = values(gm.h), h0 = values(a.h0), c0 = values(a.c0), gh0 = values(g.h0);
    for (int64_t j = 0; j < d.time * d.units; ++j) CHECK(ly[size_t(j)] == 0.0);
    for (int64_t j = 0; j < d.time * d.units; ++j) CHECK(gy[size_t(j)] == 0.0);
    for (int64_t j = 0; j < d.units; ++j) {
      CHECK(lh[size_t(j)] == h0[size_t(j)]);
      CHECK(lc[size_t(j)] == c0[size_t(j)]);
      CHECK(gh[size_t(j)] == gh0[size_t(j)]);
    }
    const std::vector<double> dx = values(lstm_grads(a, 1, m)[0]);
    for (int64_t j = 0; j < d.time * d.input; ++j) CHECK(dx[size_t(j)] == 0.0);
    // A masked step t > 0 of another row repeats its output at t - 1.
    const std::vector<double> mv = values(ops::cast(m, DType::float64));
    for (int64_t b = 1; b < d.batch; ++b)
      for (int64_t t = 1; t < d.time; ++t)
        if (mv[size_t(b * d.time + t)] == 0.0)
          for (int64_t j = 0; j < d.units; ++j)
            CHECK(gy[size_t((b * d.time + t) * d.units + j)] == gy[size_t((b * d.time + t - 1) * d.units + j)]);
  }
}

TEST_CASE("lstm_sequence and gru_sequence: NaN propagates from its timestep on, in its batch row only") {
  const Dims d{2, 4, 3, 2};
  LstmArgs a(d, DType::float32, 50);
  GruArgs g(d, DType::float32, 60);
  std::vector<double> xv = values(a.x);
  xv[size_t((0 * 4 + 1) * 3 + 2)] = std::numeric_limits<double>::quiet_NaN();  // batch 0, timestep 1
  Tensor x = make(xv, a.x.shape());
  auto check = [](const Tensor& y) {
    std::vector<double> v = values(y);
    for (int64_t t = 0; t < 4; ++t)
      for (int64_t j = 0; j < 2; ++j) {
        CHECK(std::isnan(v[size_t((0 * 4 + t) * 2 + j)]) == (t >= 1));
        CHECK(std::isfinite(v[size_t((1 * 4 + t) * 2 + j)]));
      }
  };
  check(ops::lstm_sequence(x, a.h0, a.c0, a.k, a.r, a.b, false).y);
  check(ops::gru_sequence(x, g.h0, g.k, g.r, g.b, false).y);
}

TEST_CASE("lstm_sequence and gru_sequence: an empty batch") {
  const Dims d{0, 3, 2, 4};
  for (bool training : {false, true}) {
    LstmArgs a(d, DType::float32, 70);
    auto f = ops::lstm_sequence(a.x, a.h0, a.c0, a.k, a.r, a.b, training);
    CHECK(f.y.shape() == Shape{0, 3, 4});
    CHECK(f.h.shape() == Shape{0, 4});
    auto grads = lstm_grads(a, training ? 1 : 2);
    check_values(grads[3], std::vector<double>(size_t(a.k.size()), 0.0), 0.0);  // dkernel: an empty sum
    GruArgs g(d, DType::float32, 71);
    auto gg = gru_grads(g, training ? 1 : 2);
    check_values(gg[4], std::vector<double>(size_t(g.b.size()), 0.0), 0.0);
  }
}

TEST_CASE("lstm_sequence in a traced function: one op in the graph, the eager values and gradients") {
  LstmArgs a({3, 5, 4, 6}, DType::float32, 80);
  auto step = [](const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& k, const Tensor& r,
                 const Tensor& b) {
    core::GradientTape tape;
    tape.watch(k);
    auto out = ops::lstm_sequence(x, h0, c0, k, r, b, true);
    Tensor loss = ops::sum(ops::multiply(out.y, out.y));
    return std::vector<Tensor>{out.h, tape.gradient(loss, k)};
  };
  auto traced = core::function(step);
  auto eager = step(a.x, a.h0, a.c0, a.k, a.r, a.b);
  auto graph = traced(a.x, a.h0, a.c0, a.k, a.r, a.b);
  REQUIRE(graph.size() == 2);
  for (size_t i = 0; i < 2; ++i) check_values(graph[i], values(eager[i]), 1e-6);
  const std::string g = traced.graph_str();
  CHECK(g.find("lstm_sequence") != std::string::npos);
  CHECK(g.find("lstm_sequence_grad") != std::string::npos);
}

TEST_CASE("lstm_sequence and gru_sequence: bad arguments name the op and the argument") {
  LstmArgs a({2, 3, 4, 5}, DType::float32, 90);
  auto lstm = [&](auto... patch) { return th::error_of([&] { ops::lstm_sequence(patch...); }); };
  CHECK(lstm(a.x, a.h0, a.c0, ops::zeros({3, 20}), a.r, a.b, false).find("kernel of shape (4, 20)") != std::string::npos);
  CHECK(lstm(a.x, ops::zeros({2, 5}, DType::float64), a.c0, a.k, a.r, a.b, false).find("h0 of dtype float32") !=
        std::string::npos);
  CHECK(lstm(a.x, a.h0, ops::zeros({3, 5}), a.k, a.r, a.b, false).find("c0 of shape (2, 5)") != std::string::npos);
  CHECK(lstm(a.x, a.h0, a.c0, a.k, ops::zeros({5, 15}), a.b, false).find("recurrent_kernel") != std::string::npos);
  CHECK(lstm(a.x, a.h0, a.c0, a.k, a.r, ops::zeros({15}), false).find("bias of shape (20,)") != std::string::npos);
  CHECK(lstm(ops::zeros({2, 0, 4}), a.h0, a.c0, a.k, a.r, a.b, false).find("time >= 1") != std::string::npos);
  CHECK(lstm(ops::zeros({2, 3, 4}, DType::int32), a.h0, a.c0, a.k, a.r, a.b, false).find("lstm_sequence") !=
        std::string::npos);
  GruArgs g({2, 3, 4, 5}, DType::float32, 91);
  CHECK(th::error_of([&] { ops::gru_sequence(g.x, g.h0, g.k, g.r, ops::zeros({15}), false); })
            .find("gru_sequence: expected bias of shape (2, 15)") != std::string::npos);
  // The mask: bool, (batch, time).
  CHECK(lstm(a.x, a.h0, a.c0, a.k, a.r, a.b, false, ops::ones({2, 4}, DType::bool_))
            .find("lstm_sequence: expected mask of dtype bool and shape (2, 3) (x's batch and time), but received "
                  "dtype bool and shape (2, 4)") != std::string::npos);
  CHECK(th::error_of([&] { ops::gru_sequence(g.x, g.h0, g.k, g.r, g.b, false, ops::ones({2, 3})); })
            .find("but received dtype float32") != std::string::npos);
  // The backward op takes a training forward's reserve, or none (it then runs the training
  // forward itself, as on CUDA); any other size raises.
  auto f = ops::lstm_sequence(a.x, a.h0, a.c0, a.k, a.r, a.b, false);
  auto ft = ops::lstm_sequence(a.x, a.h0, a.c0, a.k, a.r, a.b, true);
  auto from_none = ops::lstm_sequence_grad(a.x, a.h0, a.c0, a.k, a.r, a.b, f.y, f.reserve, f.y, f.h, f.c);
  auto from_reserve = ops::lstm_sequence_grad(a.x, a.h0, a.c0, a.k, a.r, a.b, ft.y, ft.reserve, f.y, f.h, f.c);
  CHECK(bits_equal(from_none.dkernel, from_reserve.dkernel));
  CHECK(bits_equal(from_none.dx, from_reserve.dx));
  auto gt = ops::gru_sequence(g.x, g.h0, g.k, g.r, g.b, true);
  auto g_none = ops::gru_sequence_grad(g.x, g.h0, g.k, g.r, g.b, gt.y, ops::zeros({0}, DType::uint8), gt.y, gt.h);
  auto g_res = ops::gru_sequence_grad(g.x, g.h0, g.k, g.r, g.b, gt.y, gt.reserve, gt.y, gt.h);
  CHECK(bits_equal(g_none.drecurrent_kernel, g_res.drecurrent_kernel));
  const std::string e = th::error_of([&] {
    ops::lstm_sequence_grad(a.x, a.h0, a.c0, a.k, a.r, a.b, f.y, ops::zeros({7}, DType::uint8), f.y, f.h, f.c);
  });
  CHECK(e.find("lstm_sequence_grad: expected reserve of") != std::string::npos);
  // Half dtypes run in float32 (the engine's half rule): the float32 results, rounded.
  CHECK(core::supports("lstm_sequence", core::Device::cpu(), DType::float32));
  CHECK(core::supports("gru_sequence_grad", core::Device::cpu(), DType::float64));
  CHECK(core::supports("lstm_sequence", core::Device::cpu(), DType::float16));
  CHECK(core::supports("gru_sequence", core::Device::cpu(), DType::bfloat16));
  LstmArgs h({2, 3, 4, 5}, DType::float16, 92);
  auto hf = ops::lstm_sequence(h.x, h.h0, h.c0, h.k, h.r, h.b, true);
  CHECK(hf.y.dtype() == DType::float16);
  std::vector<Tensor> h32;
  for (const Tensor& t : h.all()) h32.push_back(ops::cast(t, DType::float32));
  auto want = ops::lstm_sequence(h32[0], h32[1], h32[2], h32[3], h32[4], h32[5], false);
  check_values(hf.y, values(ops::cast(ops::cast(want.y, DType::float16), DType::float32)), 0.0);
  check_values(hf.c, values(ops::cast(ops::cast(want.c, DType::float16), DType::float32)), 0.0);
  core::GradientTape tape;
  tape.watch(h.k);
  auto hy = ops::lstm_sequence(h.x, h.h0, h.c0, h.k, h.r, h.b, true).y;
  Tensor dk = tape.gradient(ops::sum(hy), h.k);

  CHECK(dk.dtype() == DType::float16);
  CHECK(dk.shape() == h.k.shape());
}
