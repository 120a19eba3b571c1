// test_matmul_int8.cpp - int8 products: matmul of two int8 tensors gives their exact int32
// sums (Keras's matmul; oneDNN's AMX/VNNI kernels where they are exact, else BLAS in a
// float type that holds every partial sum), einsum gives int32 as Keras's, tensordot and
// vector products keep int8; and the vectorized cast to int8 on every ISA.
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/cpu/isa.h"
#include "core/cpu/onednn.h"
#include "helpers.h"

using namespace th;

namespace {

// n int8 values in [-128, 127], seeded, with the extremes in the first places.
std::vector<int8_t> int8_values(int64_t n, uint32_t seed) {
  std::mt19937 g(seed);
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<int8_t> v(static_cast<size_t>(n));
  for (auto& x : v) x = int8_t(d(g));
  if (n > 2) v[0] = -128, v[1] = 127, v[2] = -128;
  return v;
}

Tensor int8_tensor(const std::vector<int8_t>& v, const Shape& s) {
  return core::from_buffer(v.data(), DType::int8, s, DType::int8);
}

// op(A) op(B) summed in int64, then wrapped into int32 as int32 sums wrap.
std::vector<int32_t> ref_product(const std::vector<int8_t>& a, const std::vector<int8_t>& b, int64_t m, int64_t k,
                                 int64_t n, bool ta, bool tb) {
  std::vector<int32_t> c(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int64_t s = 0;
      for (int64_t q = 0; q < k; ++q)
        s += int64_t(ta ? a[size_t(q * m + i)] : a[size_t(i * k + q)]) * int64_t(tb ? b[size_t(j * k + q)] : b[size_t(q * n + j)]);
      c[size_t(i * n + j)] = int32_t(uint32_t(uint64_t(s)));
    }
  return c;
}

struct ForceGemm {  // restores the GEMM library rule when a test ends
  ~ForceGemm() { core::cpu::onednn::force_int8_gemm(-1); }
};

}  // namespace

TEST_SUITE_BEGIN("matmul_int8");

TEST_CASE("matmul of int8 tensors: exact int32 sums with oneDNN and with the BLAS fallback") {
  ForceGemm restore;
  MESSAGE("oneDNN int8 kernels exact on this CPU: " << core::cpu::onednn::exact_int8());
  struct Case {
    int64_t m, k, n;
  };
  // Small, the quantized MLP's layers, a depth past float32's exact range (k > 1024: the
  // fallback runs float64), and blocks that split over threads.
  const std::vector<Case> cases = {{1, 1, 1}, {3, 5, 2}, {128, 784, 300}, {33, 1100, 17}, {300, 64, 40}};
  for (int lib : {0, 1}) {  // 0: the BLAS fallback; 1: oneDNN where exact (else the fallback again)
    core::cpu::onednn::force_int8_gemm(lib);
    for (const Case& cs : cases)
      for (bool ta : {false, true})
        for (bool tb : {false, true}) {
          CAPTURE(lib);
          CAPTURE(cs.m);
          CAPTURE(cs.k);
          CAPTURE(cs.n);
          CAPTURE(ta);
          CAPTURE(tb);
          const auto av = int8_values(cs.m * cs.k, 3), bv = int8_values(cs.k * cs.n, 4);
          const Tensor a = int8_tensor(av, ta ? Shape{cs.k, cs.m} : Shape{cs.m, cs.k});
          const Tensor b = int8_tensor(bv, tb ? Shape{cs.n, cs.k} : Shape{cs.k, cs.n});
          const Tensor c = ops::matmul(a, b, ta, tb);
          CHECK(c.dtype() == DType::int32);
          CHECK(c.shape() == Shape{cs.m, cs.n});
          CHECK(c.to_vector<int32_t>() == ref_product(av, bv, cs.m, cs.k, cs.n, ta, tb));
        }
  }
}

TEST_CASE("matmul of int8 tensors: batches, wrap-around past int32, traced, and Keras's dtypes") {
  ForceGemm restore;
  // Batched, with b shared (one product over the stacked rows) and broadcast batch axes.
  const auto av = int8_values(2 * 3 * 4 * 5, 5), bv = int8_values(5 * 6, 6), cv = int8_values(3 * 5 * 6, 7);
  const Tensor a = int8_tensor(av, Shape{2, 3, 4, 5});
  for (int lib : {0, 1}) {
    core::cpu::onednn::force_int8_gemm(lib);
    const Tensor shared = ops::matmul(a, int8_tensor(bv, Shape{5, 6}));
    const Tensor wide = ops::matmul(ops::cast(a, DType::int32), ops::cast(int8_tensor(bv, Shape{5, 6}), DType::int32));
    CHECK(shared.dtype() == DType::int32);
    CHECK(shared.to_vector<int32_t>() == wide.to_vector<int32_t>());
    const Tensor bb = int8_tensor(cv, Shape{3, 5, 6});
    CHECK(ops::matmul(a, bb).to_vector<int32_t>() ==
          ops::matmul(ops::cast(a, DType::int32), ops::cast(bb, DType::int32)).to_vector<int32_t>());
    // 140,000 products of -128 * -128 sum past int32's range: the result wraps as int32 sums.
    const int64_t k = 140000;
    const Tensor big_a = ops::cast(ops::full({1, k}, -128.0), DType::int8), big_b = ops::cast(ops::full({k, 2}, -128.0), DType::int8);
    const int32_t wrapped = int32_t(uint32_t(uint64_t(k * 128 * 128)));
    CHECK(ops::matmul(big_a, big_b).to_vector<int32_t>() == std::vector<int32_t>{wrapped, wrapped});
  }
  // Traced: the graph's product has the same int32 result.
  auto f = core::function([](const Tensor& x, const Tensor& y) { return ops::matmul(x, y); });
  const Tensor b = int8_tensor(bv, Shape{5, 6});
  CHECK(f(a, b).to_vector<int32_t>() == ops::matmul(a, b).to_vector<int32_t>());
  // Keras's dtypes: a vector operand keeps int8 (wrapping), tensordot and dot keep int8,
  // einsum of int8 operands gives int32 (whatever its equation), other integers keep theirs.
  const Tensor v = int8_tensor(int8_values(5, 8), Shape{5});
  CHECK(ops::matmul(v, b).dtype() == DType::int8);
  CHECK(ops::matmul(v, b).to_vector<int8_t>() == ops::cast(ops::matmul(ops::reshape(v, {1, 5}), b), DType::int8)
                                                     .to_vector<int8_t>());
  CHECK(ops::tensordot(a, b, 1).dtype() == DType::int8);
  CHECK(ops::dot(a, b).dtype() == DType::int8);
  CHECK(ops::matmul(ops::cast(b, DType::int16), ops::cast(ops::transpose(b, {1, 0}), DType::int16)).dtype() == DType::int16);
  const Tensor e = ops::einsum("abcd,de->abce", a, b);
  CHECK(e.dtype() == DType::int32);
  CHECK(e.to_vector<int32_t>() == ops::matmul(a, b).to_vector<int32_t>());
  // Sums inside einsum (a label only one operand has, a lone operand) run in int32.
  const Tensor s = ops::einsum("abcd->ab", {a});
  CHECK(s.dtype() == DType::int32);
  CHECK(s.to_vector<int32_t>() == ops::sum(ops::cast(a, DType::int32), {2, 3}).to_vector<int32_t>());
  const Tensor outer = ops::einsum("i,j->ij", v, v);
  CHECK(outer.dtype() == DType::int32);
  const Tensor vw = ops::cast(v, DType::int32);
  CHECK(outer.to_vector<int32_t>() == ops::multiply(ops::reshape(vw, {5, 1}), ops::reshape(vw, {1, 5})).to_vector<int32_t>());
  const Tensor three = ops::einsum("ij,jk,kl->il", {b, ops::transpose(b, {1, 0}), b});
  CHECK(three.dtype() == DType::int32);
  const Tensor bw = ops::cast(b, DType::int32);
  CHECK(three.to_vector<int32_t>() == ops::matmul(ops::matmul(bw, ops::transpose(bw, {1, 0})), bw).to_vector<int32_t>());
}

TEST_CASE("cast to int8: NaN gives 0, values saturate and truncate, on every ISA and for both floats") {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> vals = {0.0, -0.0, 0.5, -0.5, 0.999, -0.999, 126.5, 127.0, 127.9, 128.0, 1e9, -127.9, -128.0,
                              -128.9, -129.0, -1e9, inf, -inf, std::nan(""), 1e-40, -3.7, 3.7};
  for (double v : uniform(1000, -300, 300, 9)) vals.push_back(v);
  std::vector<int8_t> want;
  for (double v : vals) want.push_back(std::isnan(v) ? 0 : v <= -128 ? -128 : v >= 127 ? 127 : int8_t(v));
  const core::cpu::Isa saved = core::cpu::isa_kernels().isa;
  for (core::cpu::Isa isa : {core::cpu::Isa::baseline, core::cpu::Isa::avx2, core::cpu::Isa::avx512}) {
    if (!core::cpu::set_isa(isa)) continue;
    const std::string name = core::cpu::isa_name(isa);
    CAPTURE(name);
    for (DType d : {DType::float32, DType::float64}) {
      const Tensor x = make(vals, Shape{int64_t(vals.size())}, d);
      std::vector<int8_t> got = ops::cast(x, DType::int8).to_vector<int8_t>();
      // float32 first: 127.9 etc. are the nearest floats, which truncate the same way.
      CHECK(got == want);
    }
  }
  core::cpu::set_isa(saved);
}

TEST_CASE("max and min over contiguous blocks: NaN sticks, the same on every ISA") {
  std::vector<double> v = uniform(37 * 301, -50, 50, 12);
  v[5] = std::nan("");                          // row 0
  v[301 * 3 + 300] = std::numeric_limits<double>::infinity();  // row 3, last element
  v[301 * 4 + 17] = -std::numeric_limits<double>::infinity();  // row 4
  const core::cpu::Isa saved = core::cpu::isa_kernels().isa;
  std::vector<std::vector<double>> first;
  for (core::cpu::Isa isa : {core::cpu::Isa::baseline, core::cpu::Isa::avx2, core::cpu::Isa::avx512}) {
    if (!core::cpu::set_isa(isa)) continue;
    for (DType d : {DType::float32, DType::float64}) {
      const Tensor x = make(v, Shape{37, 301}, d);
      const auto mx = values(ops::max(x, {1})), mn = values(ops::min(x, {1}));
      CHECK(std::isnan(mx[0]));
      CHECK(std::isnan(mn[0]));
      CHECK(mx[3] == std::numeric_limits<double>::infinity());
      CHECK(mn[4] == -std::numeric_limits<double>::infinity());
      for (int64_t r = 1; r < 37; ++r) {
        double hi = -INFINITY, lo = INFINITY;
        for (int64_t c = 0; c < 301; ++c) {
          const double e = d == DType::float32 ? double(float(v[size_t(r * 301 + c)])) : v[size_t(r * 301 + c)];
          hi = std::max(hi, e);
          lo = std::min(lo, e);
        }
        CHECK(mx[size_t(r)] == hi);
        CHECK(mn[size_t(r)] == lo);
      }
    }
  }
  core::cpu::set_isa(saved);
}
