// The per-step constants of the fused optimizer updates and the random ops' seed
// derivation (core/optimizer_math.h, core/kernel_math.h: host+device functions), compiled
// by nvcc as the CUDA kernels compile them. On the host they must equal the CPU's values
// bit for bit (training_rules::constants and ops::derive_seed, compiled by the host
// compiler into the library; Adam's step size and the weight decay factor against the
// CPU kernels' formulas); checked in every CUDA build, also without a GPU. On a GPU one
// thread computes the same table: equal bit for bit where no pow is involved, within a
// few ulp where the device's pow is (CUDA documents pow within 2 ulp, powf within 4).
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <cuda_runtime.h>

#include "core/cuda_backend.h"
#include "core/dispatch.h"
#include "core/kernel_math.h"
#include "core/optimizer_math.h"
#include "core/training_rules.h"
#include "helpers.h"
#include "skips.h"

using namespace th;
namespace tr = keras::core::training_rules;
namespace kmath = keras::core::kmath;
using keras::core::Attrs;
using keras::core::OpCall;
using keras::core::OpId;

namespace {

bool no_gpu() { return th::skip_without("gpu", keras::core::cuda_device_count() > 0); }

// The inputs of one row of the table: a rule with its options, a learning rate, an
// iteration count and Nadam's u_product.
struct Row {
  tr::Rule rule;
  tr::RuleParams p;
  double lr;
  int64_t iteration;
  double u_product;
};

std::vector<Row> rows() {
  std::vector<Row> out;
  const std::vector<tr::RuleParams> params = {{0.9, 0.999, 1e-7, 0, 0}, {0.8, 0.5, 1e-3, 0.05, 0.5},
                                              {0.95, 0.99, 1e-8, 0.1, 0.1}};
  for (int r = 0; r < int(tr::Rule::Count); ++r)
    for (const tr::RuleParams& p : params)
      for (double lr : {0.001, 0.05, 3e-4, 1.0, 0.1234567})
        for (int64_t it : {int64_t{0}, int64_t{1}, int64_t{2}, int64_t{9}, int64_t{99}, int64_t{12345}}) {
          // Nadam's product of the momentum factors up to the step (as NadamOptimizer).
          double u = 1.0;
          for (int64_t s = 1; s <= std::min<int64_t>(it, 200); ++s) u *= p.alpha * (1 - 0.5 * std::pow(0.96, double(s)));
          out.push_back({tr::Rule(r), p, lr, it, u});
        }
  return out;
}

// The CPU's constants of a row, through the op's attributes as its kernel sees them.
std::array<double, tr::kMaxConstants> cpu_constants(const Row& row, bool f32) {
  Attrs a;
  a.alpha = row.p.alpha;
  a.beta = row.p.beta;
  a.gamma = row.p.gamma;
  a.axes = {std::bit_cast<int64_t>(row.p.shrinkage), std::bit_cast<int64_t>(row.p.ftrl_beta)};
  const OpCall c(tr::op_of(row.rule), {}, a);
  const double lr = f32 ? double(float(row.lr)) : row.lr;
  return tr::constants(c, f32 ? keras::core::DType::float32 : keras::core::DType::float64, lr, row.iteration,
                       row.u_product);
}

// What the CPU kernels computed before sharing the functions (core/cpu/training.cpp).
double cpu_adam_alpha(double lr, int64_t it, double b1, double b2) {
  const double t = double(it + 1);
  return lr * std::sqrt(1.0 - std::pow(b2, t)) / (1.0 - std::pow(b1, t));
}

// One row's values: the rule's constants in float and double, Adam's step size, the weight
// decay factors, a derived seed. Filled by the same code on the host and on the device.
struct Values {
  float cf[tr::kMaxConstants];
  double cd[tr::kMaxConstants];
  double adam, decay_f32, decay_f64;
  uint64_t seed;
};

__host__ __device__ void fill(const Row& r, Values& v) {
  tr::rule_constants<float>(r.rule, r.p, float(r.lr), r.iteration, r.u_product, v.cf);
  tr::rule_constants<double>(r.rule, r.p, r.lr, r.iteration, r.u_product, v.cd);
  v.adam = tr::adam_alpha(r.lr, r.iteration, r.p.alpha, r.p.beta);
  v.decay_f32 = tr::weight_decay_factor(true, r.lr, r.p.gamma * 1e4);
  v.decay_f64 = tr::weight_decay_factor(false, r.lr, r.p.gamma * 1e4);
  v.seed = kmath::derive_seed(int64_t(r.lr * 1e6) - 77, r.iteration * 3 - 5);
}

__global__ void fill_kernel(const Row* rows, Values* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) fill(rows[i], out[i]);
}

template <class T>
bool same_bits(T a, T b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

// |a - b| in units of T's last place at a's magnitude.
template <class T>
double ulps(T a, T b) {
  if (same_bits(a, b)) return 0;
  const T step = std::nextafter(a, T(INFINITY)) - a;
  return double(std::fabs(double(a) - double(b)) / double(step));
}

bool uses_pow(tr::Rule r) { return r == tr::Rule::Nadam || r == tr::Rule::Adamax; }

}  // namespace

TEST_CASE("cuda step constants: the shared optimizer and seed arithmetic, compiled by nvcc, equals the CPU's "
          "bit for bit") {
  int mismatches = 0;
  for (const Row& r : rows()) {
    Values v{};
    fill(r, v);
    const auto f = cpu_constants(r, true), d = cpu_constants(r, false);
    for (int i = 0; i < tr::kMaxConstants; ++i) {
      if (!same_bits(double(v.cf[i]), f[size_t(i)]) || !same_bits(v.cd[i], d[size_t(i)])) {
        ++mismatches;
        MESSAGE("rule " << int(r.rule) << " constant " << i << " lr " << r.lr << " iteration " << r.iteration
                        << ": float " << v.cf[i] << " vs " << f[size_t(i)] << ", double " << v.cd[i] << " vs "
                        << d[size_t(i)]);
      }
    }
    CHECK(same_bits(v.adam, cpu_adam_alpha(r.lr, r.iteration, r.p.alpha, r.p.beta)));
    CHECK(same_bits(v.decay_f32, double(float(r.lr) * float(r.p.gamma * 1e4))));
    CHECK(same_bits(v.decay_f64, r.lr * (r.p.gamma * 1e4)));
    CHECK(v.seed == keras::core::ops::derive_seed(int64_t(r.lr * 1e6) - 77, r.iteration * 3 - 5));
  }
  CHECK(mismatches == 0);
}

TEST_CASE("cuda step constants: one device thread computes the CPU's constants (bit for bit without pow, within "
          "4 ulp with it)" * doctest::skip(no_gpu())) {
  const std::vector<Row> table = rows();
  Row* d_rows = nullptr;
  Values* d_values = nullptr;
  REQUIRE(cudaMalloc(&d_rows, table.size() * sizeof(Row)) == cudaSuccess);
  REQUIRE(cudaMalloc(&d_values, table.size() * sizeof(Values)) == cudaSuccess);
  REQUIRE(cudaMemcpy(d_rows, table.data(), table.size() * sizeof(Row), cudaMemcpyHostToDevice) == cudaSuccess);
  fill_kernel<<<1, 1>>>(d_rows, d_values, int64_t(table.size()));
  std::vector<Values> dev(table.size());
  REQUIRE(cudaMemcpy(dev.data(), d_values, dev.size() * sizeof(Values), cudaMemcpyDeviceToHost) == cudaSuccess);
  cudaFree(d_rows);
  cudaFree(d_values);
  double worst_f = 0, worst_d = 0, worst_adam = 0;
  for (size_t k = 0; k < table.size(); ++k) {
    const Row& r = table[k];
    Values h{};
    fill(r, h);
    const Values& g = dev[k];
    CAPTURE(int(r.rule));
    CAPTURE(r.lr);
    CAPTURE(r.iteration);
    for (int i = 0; i < tr::kMaxConstants; ++i) {
      if (uses_pow(r.rule)) {
        worst_f = std::max(worst_f, ulps(h.cf[i], g.cf[i]));
        worst_d = std::max(worst_d, ulps(h.cd[i], g.cd[i]));
      } else {
        CHECK(same_bits(h.cf[i], g.cf[i]));
        CHECK(same_bits(h.cd[i], g.cd[i]));
      }
    }
    worst_adam = std::max(worst_adam, ulps(h.adam, g.adam));
    CHECK(same_bits(h.decay_f32, g.decay_f32));
    CHECK(same_bits(h.decay_f64, g.decay_f64));
    CHECK(h.seed == g.seed);
  }
  MESSAGE("device vs host, worst ulps: float constants " << worst_f << ", double constants " << worst_d
                                                         << ", Adam's step size " << worst_adam);
  CHECK(worst_f <= 4);
  CHECK(worst_d <= 4);
  CHECK(worst_adam <= 4);
}
