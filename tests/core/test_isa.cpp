// test_isa.cpp - runtime ISA dispatch (core/cpu/isa.h): every ISA this CPU runs gives the
// baseline's results within float tolerance, the same NaN and infinities, results that do
// not depend on the thread count, and fused graphs equal to unfused ones bit for bit.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/cpu/isa.h"
#include "core/kernel_math.h"
#include "core/training.h"
#include "helpers.h"

using namespace th;
using core::cpu::Isa;

TEST_SUITE_BEGIN("isa");

namespace {

struct KeepIsa {  // restores the active ISA and thread count when a test ends
  Isa saved = core::cpu::isa_kernels().isa;
  int threads = core::get_num_threads();
  ~KeepIsa() {
    core::cpu::set_isa(saved);
    core::set_num_threads(threads);
  }
};

std::vector<Isa> available() {
  std::vector<Isa> v;
  for (Isa i : {Isa::baseline, Isa::avx2, Isa::avx512})
    if (int(i) <= int(core::cpu::best_isa())) v.push_back(i);
  return v;
}

// Inputs with special values among ordinary ones; n is not a multiple of any vector width.
Tensor inputs(DType dt, int64_t n = 1003) {
  std::vector<double> v = uniform(n, -30, 30, 5);
  const double inf = std::numeric_limits<double>::infinity();
  const double special[] = {0.0, -0.0, inf, -inf, std::nan(""), 1e-30, -100, 100, 88.8, -104};
  for (size_t i = 0; i < std::size(special); ++i) v[i * 97 % v.size()] = special[i];
  return make(v, Shape{n}, dt);
}

// Every representative kernel's outputs at the active ISA.
std::vector<Tensor> run_all(DType dt) {
  const Tensor x = inputs(dt), p = ops::abs(x), y = make(uniform(1003, -3, 3, 6), Shape{1003}, dt);
  std::vector<Tensor> r = {ops::exp(x), ops::expm1(x), ops::log(p), ops::log1p(p), ops::sqrt(p),
                           ops::rsqrt(p), ops::tanh(x), ops::sigmoid(x), ops::softplus(x),
                           ops::silu(x), ops::elu(x), ops::selu(x), ops::gelu(x, false),
                           ops::gelu(x, true), ops::softsign(x), ops::reciprocal(x),
                           ops::add(x, y), ops::maximum(x, y), ops::multiply(x, ops::scalar_like(x, 3.0)),
                           ops::sum(y), ops::mean(ops::reshape(y, {17, 59}), {0})};
  const Tensor logits = ops::reshape(y, {17, 59});
  r.push_back(ops::softmax(logits, -1));
  r.push_back(ops::log_softmax(logits, 0));
  std::vector<int> lab(17);
  for (int i = 0; i < 17; ++i) lab[size_t(i)] = i * 7 % 59;
  r.push_back(ops::sparse_softmax_cross_entropy_with_logits(core::constant(lab), logits));
  // Two Adam steps (amsgrad) and one SGD step with momentum.
  core::Variable w(y, "w"), m(ops::zeros_like(y), "m"), v(ops::zeros_like(y), "v"), vh(ops::zeros_like(y), "vh");
  const Tensor lr = ops::cast(core::constant(0.01), dt);
  for (int64_t t = 0; t < 2; ++t)
    core::training::apply_adam(w, ops::sin(y), m, v, &vh, lr, 0.9, 0.999, 1e-7, core::constant(t));
  core::Variable mom(ops::zeros_like(y), "mom");
  core::training::apply_sgd(w, ops::cos(y), lr, 0.9, true, &mom);
  r.push_back(w.value());
  r.push_back(v.value());
  return r;
}

void check_close(const std::vector<Tensor>& got, const std::vector<Tensor>& ref, double tol,
                 const std::string& what) {
  REQUIRE(got.size() == ref.size());
  for (size_t k = 0; k < got.size(); ++k) {
    const std::vector<double> a = values(got[k]), b = values(ref[k]);
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::isnan(b[i]) || std::isinf(b[i])) {
        CHECK_MESSAGE((std::isnan(a[i]) ? std::isnan(b[i]) : a[i] == b[i]),
                      what << " result " << k << " element " << i << ": " << a[i] << " vs " << b[i]);
      } else {
        CHECK_MESSAGE(std::fabs(a[i] - b[i]) <= tol * (std::fabs(b[i]) + 1e-3),
                      what << " result " << k << " element " << i << ": " << a[i] << " vs " << b[i]);
      }
    }
  }
}

}  // namespace

TEST_CASE("at every ISA, the vector Philox generator gives kmath::philox's blocks bit for bit") {
  KeepIsa keep;
  struct Run {
    uint64_t seed, first;
    int64_t n;
    uint32_t attempt;
  };
  // Tails (n not a multiple of 16), counters crossing 2^32 (the second counter word), a
  // 64-bit seed, later attempts (truncated normal).
  const Run runs[] = {{0, 0, 1, 0},          {42, 0, 37, 0},  {0x123456789abcdefull, (uint64_t(1) << 32) - 5, 40, 0},
                      {7, 1000, 16, 3},      {1, 5, 0, 0},    {99, 123456789, 1024, 1}};
  for (Isa i : available()) {
    CAPTURE(core::cpu::isa_name(i));
    REQUIRE(core::cpu::set_isa(i));
    for (const Run& r : runs)
      for (int words = 1; words <= 4; ++words) {
        CAPTURE(r.first);
        CAPTURE(words);
        std::vector<uint32_t> out(size_t(words * r.n) + 1, 0xdeadbeefu);
        core::cpu::isa_kernels().philox_words(r.seed, r.first, r.n, r.attempt, words, out.data());
        bool same = out.back() == 0xdeadbeefu;  // nothing written past the words asked for
        for (int64_t j = 0; j < r.n; ++j) {
          const core::kmath::PhiloxBlock b = core::kmath::philox(r.seed, r.first + uint64_t(j), r.attempt);
          for (int w = 0; w < words; ++w) same = same && out[size_t(w * r.n + j)] == b.w[w];
        }
        CHECK(same);
      }
  }
}

TEST_CASE("cpu_features names the ISA in use and the CPU's best") {
  KeepIsa keep;
  const core::CpuFeatures f = core::cpu_features();
  CHECK(f.best_isa == core::cpu::isa_name(core::cpu::best_isa()));
  CHECK(f.str().find("isa=" + f.isa) == 0);
  for (Isa i : available()) {
    REQUIRE(core::cpu::set_isa(i));
    CHECK(core::cpu_features().isa == core::cpu::isa_name(i));
  }
  if (core::cpu::best_isa() != Isa::avx512) CHECK_FALSE(core::cpu::set_isa(Isa::avx512));
  MESSAGE("cpu: " << f.str());
}

TEST_CASE("every ISA gives the baseline's results within tolerance, with the same NaN and inf") {
  KeepIsa keep;
  for (DType dt : {DType::float32, DType::float64}) {
    REQUIRE(core::cpu::set_isa(Isa::baseline));
    const std::vector<Tensor> ref = run_all(dt);
    for (Isa i : available()) {
      REQUIRE(core::cpu::set_isa(i));
      check_close(run_all(dt), ref, dt == DType::float32 ? 2e-6 : 1e-14,
                  std::string(core::cpu::isa_name(i)) + " " + core::dtype_name(dt));
    }
  }
}

TEST_CASE("at every ISA, results are the same for any thread count, and fused equals unfused") {
  KeepIsa keep;
  const int64_t n = 200011;  // several chunks of the pool, and a tail
  const Tensor x = make(uniform(n, -9, 9, 8), Shape{n}), y = make(uniform(n, -9, 9, 9), Shape{n});
  auto body = [](const Tensor& a, const Tensor& b) {
    return ops::add(ops::multiply(ops::exp(ops::multiply(a, ops::scalar_like(a, 0.1))), b),
                    ops::tanh(ops::subtract(ops::log(ops::abs(a)), ops::sqrt(ops::abs(b)))));
  };
  for (Isa i : available()) {
    CAPTURE(core::cpu::isa_name(i));
    REQUIRE(core::cpu::set_isa(i));
    auto fused = core::function(body);
    auto plain = core::function(body, {.optimize = false});
    core::set_num_threads(1);
    const std::vector<double> one = values(fused(x, y)), sm1 = values(ops::softmax(ops::reshape(x, {7, -1}) , -1));
    const std::vector<double> sum1 = values(ops::sum(ops::exp(ops::multiply(x, ops::scalar_like(x, 0.1)))));
    CHECK(one == values(plain(x, y)));
    CHECK(one == values(body(x, y)));
    CHECK(fused.graph_str().find("fused_elementwise(") != std::string::npos);
    core::set_num_threads(2);
    CHECK(one == values(fused(x, y)));
    CHECK(one == values(body(x, y)));
    CHECK(sm1 == values(ops::softmax(ops::reshape(x, {7, -1}), -1)));
    CHECK(sum1 == values(ops::sum(ops::exp(ops::multiply(x, ops::scalar_like(x, 0.1))))));
  }
}

TEST_CASE("fused_elementwise reads scalars, short and long broadcast rows in place and equals unfused") {
  // Rows of 37 (tiled once per call, at every offset into a block) and 17,000 elements
  // (copied per block), a scalar, sign with NaN and zeros, and a comparison cast last.
  for (int64_t row : {int64_t(37), int64_t(17000)}) {
    CAPTURE(row);
    const int64_t rows = 3 * 65536 / row + 1;
    std::vector<double> xv = uniform(rows * row, -2, 2, 3);
    xv[5] = std::numeric_limits<double>::quiet_NaN();
    xv[6] = 0.0;
    xv[7] = -0.0;
    const Tensor x = make(xv, Shape{rows, row}), r = make(uniform(row, -1, 1, 4), Shape{row});
    auto body = [](const Tensor& a, const Tensor& b) {
      Tensor h = ops::relu(ops::add(a, b));
      Tensor y = ops::add(ops::multiply(h, ops::sign(a)), ops::scalar_like(a, 0.5));
      return std::vector<Tensor>{y, ops::cast(ops::greater(ops::subtract(a, b), ops::scalar_like(a, 0.25)),
                                               a.dtype())};
    };
    auto fused = core::function(body);
    auto plain = core::function(body, {.optimize = false});
    for (int threads : {1, 2}) {
      core::set_num_threads(threads);
      const std::vector<Tensor> f = fused(x, r), p = plain(x, r);
      for (size_t k = 0; k < 2; ++k) {
        const std::vector<double> fv = values(f[k]), pv = values(p[k]);
        REQUIRE(fv.size() == pv.size());
        for (size_t i = 0; i < fv.size(); ++i)
          if (!(std::isnan(fv[i]) && std::isnan(pv[i]))) REQUIRE(fv[i] == pv[i]);
      }
      CHECK(std::isnan(values(f[0])[5]));
    }
    CHECK(fused.graph_str().find("fused_elementwise(") != std::string::npos);
  }
}

TEST_SUITE_END();
