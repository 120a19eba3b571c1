// kernels.cpp - the engine's hot CPU kernels one at a time: exp, tanh and sigmoid over
// 1M float32, softmax over (1024, 1024), and the fused Adam update of the Fashion-MNIST
// MLP's 266,610 parameters and of its 30,000-parameter second layer; microseconds per
// call and GB/s of memory traffic.
//
// exp and Adam are also timed against the engine's loops as they were before the vector
// kernels and ISA dispatch (a scalar std::exp per element; the Adam loop below), compiled
// here with the project's flags (-O3 -fno-math-errno, baseline x86-64, as the engine was)
// and run in alternation with the current kernels, so the speed-up ("*_speedup") holds
// on a loaded machine.
// Usage: bench_kernels [--threads N]
#include <cmath>
#include <cstdio>
#include <vector>

#include "bench_util.h"
#include "core/core.h"
#include "core/training.h"

namespace {

// Before: xtensor's exp, one std::exp call per element.
__attribute__((noinline)) void exp_before(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::exp(x[i]);
}

// Before: the fused Adam loop of core/cpu/training.cpp, one thread.
__attribute__((noinline)) void adam_before(float* w, const float* g, float* m, float* v, int64_t n,
                                           float alpha, float b1, float b2, float eps) {
  const float c1 = 1 - b1, c2 = 1 - b2;
  for (int64_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float mi = m[i] + (gi - m[i]) * c1;
    const float vi = v[i] + (gi * gi - v[i]) * c2;
    m[i] = mi;
    v[i] = vi;
    w[i] -= alpha * mi / (std::sqrt(vi) + eps);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (int t = bench::threads_flag(argc, argv)) keras::core::set_num_threads(t);
  namespace ops = keras::core::ops;
  using keras::core::Tensor;
  const int64_t n = 1 << 20;
  ops::RandomOptions o;
  o.minval = -8;
  o.maxval = 8;
  o.seed = 3;
  const Tensor x = ops::random_uniform({n}, o);
  const Tensor s = ops::reshape(x, {1024, 1024});
  const double bytes = double(n) * sizeof(float);
  const std::vector<float> xv = x.to_vector<float>();
  std::vector<float> yv(size_t(n), 0.0f);
  const auto [t_exp, t_exp_before] =
      bench::time_alternating([&] { ops::exp(x); }, [&] { exp_before(xv.data(), yv.data(), n); }, 50);
  const double t_tanh = bench::time_per_call([&] { ops::tanh(x); }, 100);
  const double t_sigmoid = bench::time_per_call([&] { ops::sigmoid(x); }, 100);
  const double t_softmax = bench::time_per_call([&] { ops::softmax(s, -1); }, 50);

  // Adam over p parameters as one flat variable (reads w, g, m, v; writes w, m, v): all
  // the MLP's (784*300 + 300 + 300*100 + 100 + 100*10 + 10; 7.5 MB of traffic, more than
  // a core's L2), and its second layer's kernel (300*100, which stays in L2).
  auto adam_us = [&](int64_t p) {
    o.minval = -0.1;
    o.maxval = 0.1;
    keras::core::Variable w(ops::random_uniform({p}, o), "w");
    keras::core::Variable m(ops::zeros({p}), "m"), v(ops::zeros({p}), "v");
    const Tensor g = ops::random_uniform({p}, o);
    const Tensor lr = keras::core::constant(0.001f);
    const Tensor it = keras::core::constant(int64_t(10));
    std::vector<float> wb = w.value().to_vector<float>(), gb = g.to_vector<float>();
    std::vector<float> mb(size_t(p), 0.0f), vb(size_t(p), 0.0f);
    const auto [now, before] = bench::time_alternating(
        [&] { keras::core::training::apply_adam(w, g, m, v, nullptr, lr, 0.9, 0.999, 1e-7, it); },
        [&] { adam_before(wb.data(), gb.data(), mb.data(), vb.data(), p, 1e-3f, 0.9f, 0.999f, 1e-7f); }, 200);
    return std::pair{1e6 * now, 1e6 * before};
  };
  const int64_t p = 784 * 300 + 300 + 300 * 100 + 100 + 100 * 10 + 10, p2 = 300 * 100;
  const auto [t_adam, t_adam_before] = adam_us(p);
  const auto [t_adam2, t_adam2_before] = adam_us(p2);

  std::printf(
      "{\"bench\":\"kernels\",\"isa\":\"%s\",\"threads\":%d,\"elements\":%lld,"
      "\"exp_us\":%.1f,\"exp_gbps\":%.2f,\"exp_before_us\":%.1f,\"exp_speedup\":%.2f,"
      "\"tanh_us\":%.1f,\"sigmoid_us\":%.1f,\"softmax_1024x1024_us\":%.1f,"
      "\"adam_params\":%lld,\"adam_us\":%.1f,\"adam_gbps\":%.2f,\"adam_before_us\":%.1f,\"adam_speedup\":%.2f,"
      "\"adam_l2_params\":%lld,\"adam_l2_us\":%.2f,\"adam_l2_gbps\":%.2f,\"adam_l2_before_us\":%.2f,"
      "\"adam_l2_speedup\":%.2f}\n",
      bench::isa(), keras::core::get_num_threads(), (long long)n, t_exp * 1e6, 2 * bytes / t_exp / 1e9,
      t_exp_before * 1e6, t_exp_before / t_exp, t_tanh * 1e6, t_sigmoid * 1e6, t_softmax * 1e6, (long long)p,
      t_adam, 28.0 * double(p) / t_adam / 1e3, t_adam_before, t_adam_before / t_adam, (long long)p2, t_adam2,
      28.0 * double(p2) / t_adam2 / 1e3, t_adam2_before, t_adam2_before / t_adam2);
  return 0;
}
