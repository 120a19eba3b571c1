// test_bf16_kernels.cpp - bfloat16 products on the CPU: matmul and conv of bfloat16 tensors sum
// in float32 and round once (oneDNN's AVX-512 BF16 kernels where the CPU has them, else
// float32 GEMM between conversions), with transposes, batches, gradients and traced; and
// the vectorized float32 <-> bfloat16 casts, bit for bit as core/half.h on every ISA.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/cpu/isa.h"
#include "core/cpu/onednn.h"
#include "core/half.h"
#include "core/kernel_support.h"
#include "helpers.h"

using namespace th;

namespace {

struct ForceBf16 {  // restores the bfloat16 GEMM rule when a test ends
  ~ForceBf16() { core::cpu::onednn::force_bf16_gemm(-1); }
};

std::vector<uint16_t> bits_of(const Tensor& t) {
  std::vector<uint16_t> out;
  for (core::bfloat16_t v : t.to_vector<core::bfloat16_t>()) out.push_back(v.bits);
  return out;
}

// How many bfloat16 steps apart two finite values of one sign are.
int64_t ulps(uint16_t a, uint16_t b) { return std::abs(int64_t(a) - int64_t(b)); }

}  // namespace

TEST_SUITE_BEGIN("bf16_kernels");

TEST_CASE("matmul of bfloat16 tensors: float32 sums rounded once, oneDNN's BF16 kernels and the fallback agree") {
  ForceBf16 restore;
  MESSAGE("oneDNN bfloat16 kernels on this CPU: " << core::cpu::onednn::native_bf16());
  CHECK(core::supports("matmul", core::Device::cpu(), DType::bfloat16));
  struct Case {
    int64_t m, k, n;
  };
  const std::vector<Case> cases = {{1, 1, 1}, {3, 5, 2}, {32, 784, 300}, {33, 130, 17}, {300, 64, 40}};
  for (const Case& cs : cases)
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        CAPTURE(cs.m);
        CAPTURE(cs.k);
        CAPTURE(cs.n);
        CAPTURE(ta);
        CAPTURE(tb);
        const Tensor a = ops::cast(make(uniform(cs.m * cs.k, -2, 2, 3), ta ? Shape{cs.k, cs.m} : Shape{cs.m, cs.k}),
                                   DType::bfloat16);
        const Tensor b = ops::cast(make(uniform(cs.k * cs.n, -2, 2, 4), tb ? Shape{cs.n, cs.k} : Shape{cs.k, cs.n}),
                                   DType::bfloat16);
        // The exact sums of the bfloat16 values (float64 holds every product), rounded once.
        const Tensor exact = ops::cast(ops::cast(ops::matmul(ops::cast(a, DType::float64), ops::cast(b, DType::float64),
                                                             ta, tb),
                                                 DType::float32),
                                       DType::bfloat16);
        std::vector<uint16_t> results[2];
        for (int lib : {0, 1}) {  // 0: float32 fallback; 1: oneDNN where native (else the fallback)
          core::cpu::onednn::force_bf16_gemm(lib);
          const Tensor c = ops::matmul(a, b, ta, tb);
          CHECK(c.dtype() == DType::bfloat16);
          CHECK(c.shape() == Shape{cs.m, cs.n});
          results[lib] = bits_of(c);
        }
        // float32 sums in another order may round the other way at a tie: one step at most.
        const std::vector<uint16_t> want = bits_of(exact);
        int64_t worst = 0;
        for (const auto& r : results)
          for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, ulps(r[i], want[i]));
        CHECK(worst <= 1);
      }
  // Small integers: every sum is exact, so both paths give the exact bits.
  const Tensor ai = ops::cast(ops::reshape(ops::mod(ops::arange(0.0, 60.0), core::constant(7.0f)), {6, 10}), DType::bfloat16);
  const Tensor bi = ops::cast(ops::reshape(ops::mod(ops::arange(0.0, 40.0), core::constant(5.0f)), {10, 4}), DType::bfloat16);
  const std::vector<float> want =
      ops::matmul(ops::cast(ai, DType::float32), ops::cast(bi, DType::float32)).to_vector<float>();
  for (int lib : {0, 1}) {
    core::cpu::onednn::force_bf16_gemm(lib);
    CHECK(ops::cast(ops::matmul(ai, bi), DType::float32).to_vector<float>() == want);
  }
}

TEST_CASE("matmul of bfloat16 tensors: batches, k = 0, traced, gradients, and float16 through float32") {
  ForceBf16 restore;
  const Tensor a = ops::cast(make(uniform(2 * 3 * 4 * 5, -1, 1, 5), Shape{2, 3, 4, 5}), DType::bfloat16);
  const Tensor shared = ops::cast(make(uniform(5 * 6, -1, 1, 6), Shape{5, 6}), DType::bfloat16);
  const Tensor batched = ops::cast(make(uniform(3 * 5 * 6, -1, 1, 7), Shape{3, 5, 6}), DType::bfloat16);
  for (int lib : {0, 1}) {
    core::cpu::onednn::force_bf16_gemm(lib);
    for (const Tensor& b : {shared, batched}) {
      const Tensor c = ops::matmul(a, b);
      CHECK(c.shape() == Shape{2, 3, 4, 6});
      const Tensor f = ops::matmul(ops::cast(a, DType::float32), ops::cast(b, DType::float32));
      check_values(ops::cast(c, DType::float32), values(f), 1e-2);
    }
    const Tensor z = ops::matmul(ops::zeros({3, 0}, DType::bfloat16), ops::zeros({0, 2}, DType::bfloat16));
    CHECK(ops::cast(z, DType::float32).to_vector<float>() == std::vector<float>(6, 0.0f));
  }
  core::cpu::onednn::force_bf16_gemm(-1);
  // Traced: one bfloat16 MatMul node, the eager bits.
  auto fn = core::function([](const Tensor& x, const Tensor& y) { return ops::matmul(x, y); });
  CHECK(bits_of(fn(a, shared)) == bits_of(ops::matmul(a, shared)));
  // Gradients are bfloat16 products too.
  const Tensor x = ops::cast(make(uniform(8 * 5, -1, 1, 8), Shape{8, 5}), DType::bfloat16);
  core::Variable w(ops::cast(make(uniform(5 * 3, -1, 1, 9), Shape{5, 3}), DType::bfloat16), "w");
  core::GradientTape tape;
  const Tensor loss = ops::sum(ops::cast(ops::matmul(x, w.value()), DType::float32));
  const Tensor g = tape.gradient(loss, std::vector<core::Variable>{w})[0];
  CHECK(g.dtype() == DType::bfloat16);
  const Tensor g32 = ops::sum(ops::cast(x, DType::float32), {0});  // d sum(x w) / d w[i][j] = sum_r x[r][i]
  for (int64_t j = 0; j < 3; ++j)
    check_values(ops::cast(ops::slice(g, {0, j}, {5, 1}), DType::float32), values(g32), 2e-2);
  // float16 has no CPU kernel of its own: float32 between two casts, as before.
  const Tensor h = ops::cast(make(uniform(12, -1, 1, 10), Shape{3, 4}), DType::float16);
  const Tensor hw = ops::cast(make(uniform(8, -1, 1, 11), Shape{4, 2}), DType::float16);
  CHECK(ops::matmul(h, hw).to_vector<core::float16_t>().size() == 6);
  CHECK(ops::cast(ops::matmul(h, hw), DType::float32).to_vector<float>() ==
        ops::cast(ops::cast(ops::matmul(ops::cast(h, DType::float32), ops::cast(hw, DType::float32)), DType::float16),
                  DType::float32)
            .to_vector<float>());
}

TEST_CASE("cast between float32 and bfloat16: the vector kernels give core/half.h's bits on every ISA") {
  // Every 4099th bit pattern, plus ties, NaNs with payloads, infinities, subnormals, zeros.
  std::vector<uint32_t> patterns = {0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7f800001u, 0xffc00001u,
                                    0x7fbfffffu, 0x00000001u, 0x807fffffu, 0x3f808000u, 0x3f818000u, 0x3f80c000u,
                                    0x7f7fffffu, 0xff7f8000u, 0x7f7f8000u, 0x00008000u, 0x00018000u};
  for (uint64_t u = 0; u <= 0xffffffffu; u += 4099) patterns.push_back(uint32_t(u));
  std::vector<float> xs;
  for (uint32_t p : patterns) xs.push_back(std::bit_cast<float>(p));
  std::vector<uint16_t> want;
  for (float f : xs) want.push_back(core::float_to_bfloat16(f).bits);
  const Tensor x = core::from_buffer(xs.data(), DType::float32, Shape{int64_t(xs.size())}, DType::float32);
  const core::cpu::Isa saved = core::cpu::isa_kernels().isa;
  for (core::cpu::Isa isa : {core::cpu::Isa::baseline, core::cpu::Isa::avx2, core::cpu::Isa::avx512}) {
    if (!core::cpu::set_isa(isa)) continue;
    const std::string name = core::cpu::isa_name(isa);
    CAPTURE(name);
    const Tensor b = ops::cast(x, DType::bfloat16);
    CHECK(bits_of(b) == want);
    const std::vector<float> back = ops::cast(b, DType::float32).to_vector<float>();
    bool exact = back.size() == want.size();
    for (size_t i = 0; exact && i < want.size(); ++i)
      exact = std::bit_cast<uint32_t>(back[i]) == uint32_t(want[i]) << 16;
    CHECK(exact);
  }
  core::cpu::set_isa(saved);
}

TEST_CASE("conv of bfloat16 tensors: forward and both gradients on oneDNN's BF16 kernels and the fallback") {
  ForceBf16 restore;
  CHECK(core::supports("conv", core::Device::cpu(), DType::bfloat16));
  struct Case {
    Shape x, k;
    int64_t stride, dilation;
  };
  // 1-D, 2-D (strided, dilated, grouped: 4 inputs in 2 groups), 3-D; the batch splits over
  // the threads.
  const std::vector<Case> cases = {{Shape{5, 11, 3}, Shape{3, 3, 4}, 1, 1},
                                   {Shape{8, 9, 9, 4}, Shape{3, 3, 4, 6}, 1, 1},
                                   {Shape{8, 9, 9, 4}, Shape{3, 3, 4, 6}, 2, 1},
                                   {Shape{4, 9, 9, 4}, Shape{3, 3, 4, 6}, 1, 2},
                                   {Shape{6, 7, 7, 4}, Shape{3, 3, 2, 6}, 1, 1},
                                   {Shape{2, 5, 5, 5, 2}, Shape{2, 2, 2, 2, 3}, 1, 1}};
  uint32_t seed = 20;
  for (const Case& cs : cases) {
    CAPTURE(cs.x.str());
    CAPTURE(cs.k.str());
    CAPTURE(cs.stride);
    CAPTURE(cs.dilation);
    const Tensor x = ops::cast(make(uniform(cs.x.num_elements(), -1, 1, seed++), cs.x), DType::bfloat16);
    const Tensor k = ops::cast(make(uniform(cs.k.num_elements(), -1, 1, seed++), cs.k), DType::bfloat16);
    const Tensor x64 = ops::cast(x, DType::float64), k64 = ops::cast(k, DType::float64);
    const Tensor y64 = ops::conv(x64, k64, cs.stride, "valid", "channels_last", cs.dilation);
    const Tensor dy = ops::cast(make(uniform(y64.size(), -1, 1, seed++), y64.shape()), DType::bfloat16);
    const int64_t spatial = cs.x.rank() - 2;
    const ops::WindowGeometry g{std::vector<int64_t>(size_t(spatial), cs.stride), std::vector<int64_t>(size_t(spatial), 0),
                                 std::vector<int64_t>(size_t(spatial), 0), std::vector<int64_t>(size_t(spatial), cs.dilation)};
    const Tensor dx64 = ops::conv_backprop_input(ops::cast(dy, DType::float64), k64, cs.x, g);
    const Tensor dk64 = ops::conv_backprop_filter(x64, ops::cast(dy, DType::float64), cs.k, g);
    // Within 1% of the largest exact value (float32 sums rounded once to bfloat16's 8 bits).
    auto close = [](const Tensor& got, const Tensor& exact) {
      CHECK(got.dtype() == DType::bfloat16);
      CHECK(got.shape() == exact.shape());
      const double scale = ops::max(ops::abs(exact)).item<double>();
      const double diff = ops::max(ops::abs(ops::subtract(ops::cast(got, DType::float64), exact))).item<double>();
      CHECK(diff <= 0.01 * scale);
    };
    for (int lib : {0, 1}) {
      CAPTURE(lib);
      core::cpu::onednn::force_bf16_gemm(lib);
      close(ops::conv(x, k, cs.stride, "valid", "channels_last", cs.dilation), y64);
      close(ops::conv_backprop_input(dy, k, cs.x, g), dx64);
      close(ops::conv_backprop_filter(x, dy, cs.k, g), dk64);
    }
  }
  // Small integers: every sum is exact, so both paths give the exact values.
  const Tensor xi = ops::cast(ops::reshape(ops::mod(ops::arange(0.0, 2.0 * 6 * 6 * 3), core::constant(5.0f)), {2, 6, 6, 3}),
                              DType::bfloat16);
  const Tensor ki = ops::cast(ops::reshape(ops::mod(ops::arange(0.0, 3.0 * 3 * 3 * 4), core::constant(3.0f)), {3, 3, 3, 4}),
                              DType::bfloat16);
  const std::vector<float> want = ops::conv(ops::cast(xi, DType::float32), ops::cast(ki, DType::float32)).to_vector<float>();
  for (int lib : {0, 1}) {
    core::cpu::onednn::force_bf16_gemm(lib);
    CHECK(ops::cast(ops::conv(xi, ki), DType::float32).to_vector<float>() == want);
  }
}

TEST_CASE("fusion: bfloat16 ops' casts load and store inside one fused node, with the unfused bits") {
  // Each half op computes in float32 between casts (half_ops.h); traced, a chain's casts
  // become the fused node's widening loads and narrowing store.
  auto body = [](const Tensor& x, const Tensor& bias, const Tensor& col) {
    const Tensor y = ops::relu(ops::add(x, bias));                    // a row input
    return ops::multiply(ops::tanh(ops::subtract(y, col)), ops::scalar_like(y, 0.5));  // a column input
  };
  auto fused = core::function(body);
  auto plain = core::function(body, {.optimize = false});
  std::vector<double> v = uniform(64 * 300, -3, 3, 41);
  v[5] = std::nan("");
  v[77] = std::numeric_limits<double>::infinity();
  const Tensor x = ops::cast(make(v, Shape{64, 300}), DType::bfloat16);
  const Tensor bias = ops::cast(make(uniform(300, -1, 1, 42), Shape{300}), DType::bfloat16);
  const Tensor col = ops::cast(make(uniform(64, -1, 1, 43), Shape{64, 1}), DType::bfloat16);
  const Tensor want = plain(x, bias, col), got = fused(x, bias, col);
  CHECK(got.dtype() == DType::bfloat16);
  CHECK(bits_of(got) == bits_of(want));
  CHECK(bits_of(got) == bits_of(body(x, bias, col)));  // eager too
  const std::string g = fused.graph_str();
  CHECK(g.find("fused_elementwise(") != std::string::npos);
  CHECK(g.find("relu(") == std::string::npos);
  CHECK(fused.num_nodes() < plain.num_nodes());
  // Scalar inputs and another batch size; gradients flow through the fused node.
  const Tensor x2 = ops::cast(make(uniform(7 * 300, -3, 3, 44), Shape{7, 300}), DType::bfloat16);
  const Tensor col2 = ops::cast(make(uniform(7, -1, 1, 45), Shape{7, 1}), DType::bfloat16);
  CHECK(bits_of(fused(x2, bias, col2)) == bits_of(plain(x2, bias, col2)));
  auto grad_of = [&](auto& f) {
    core::GradientTape tape;
    tape.watch(bias);
    return bits_of(tape.gradient(ops::sum(ops::cast(f(x, bias, col), DType::float32)), bias));
  };
  CHECK(grad_of(fused) == grad_of(plain));
}

TEST_CASE("pooling of bfloat16 tensors: max and average, forward and gradients, on both paths") {
  ForceBf16 restore;
  CHECK(core::supports("max_pool", core::Device::cpu(), DType::bfloat16));
  // Max pooling picks a value and routes dy: exact; average pooling sums a window in float32
  // and rounds once: within one bfloat16 step (1%) of float64's.
  std::vector<double> v = uniform(6 * 10 * 10 * 3, -2, 2, 51);
  v[3] = 7.0;  // a clear maximum
  const Tensor x = ops::cast(make(v, Shape{6, 10, 10, 3}), DType::bfloat16);
  const Tensor x64 = ops::cast(x, DType::float64);
  const ops::WindowGeometry g{{2, 2}, {0, 0}, {0, 0}, {1, 1}};
  const Tensor mp64 = ops::max_pool(x64, 2), ap64 = ops::average_pool(x64, 3, 1, "same");
  const Tensor dy = ops::cast(make(uniform(mp64.size(), -1, 1, 52), mp64.shape()), DType::bfloat16);
  const Tensor dya = ops::cast(make(uniform(ap64.size(), -1, 1, 53), ap64.shape()), DType::bfloat16);
  const ops::WindowGeometry ga{{1, 1}, {1, 1}, {1, 1}, {1, 1}};
  const Tensor mg64 = ops::max_pool_grad(x64, ops::cast(dy, DType::float64), {2, 2}, g);
  const Tensor ag64 = ops::average_pool_grad(ops::cast(dya, DType::float64), x.shape(), {3, 3}, ga);
  auto close = [](const Tensor& got, const Tensor& exact, double tol) {
    CHECK(got.dtype() == DType::bfloat16);
    CHECK(got.shape() == exact.shape());
    const double scale = ops::max(ops::abs(exact)).item<double>();
    CHECK(ops::max(ops::abs(ops::subtract(ops::cast(got, DType::float64), exact))).item<double>() <= tol * scale);
  };
  for (int lib : {0, 1}) {
    CAPTURE(lib);
    core::cpu::onednn::force_bf16_gemm(lib);
    close(ops::max_pool(x, 2), mp64, 0.0);
    close(ops::max_pool_grad(x, dy, {2, 2}, g), mg64, 0.0);
    close(ops::average_pool(x, 3, 1, "same"), ap64, 0.01);
    close(ops::average_pool_grad(dya, x.shape(), {3, 3}, ga), ag64, 0.01);
  }
}
