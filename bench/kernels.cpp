// kernels.cpp - the engine's hot CPU kernels one at a time: exp, tanh and sigmoid over
// 1M float32, softmax over (1024, 1024), and the fused Adam update of the Fashion-MNIST
// MLP's 266,610 parameters and of its 30,000-parameter second layer; microseconds per
// call and GB/s of memory traffic.
// Usage: bench_kernels [--threads N]
#include <cstdio>

#include "bench_util.h"
#include "core/core.h"
#include "core/training.h"

int main(int argc, char** argv) {
  if (int t = bench::threads_flag(argc, argv)) keras::core::set_num_threads(t);
  namespace ops = keras::core::ops;
  const int64_t n = 1 << 20;
  ops::RandomOptions o;
  o.minval = -8;
  o.maxval = 8;
  o.seed = 3;
  const keras::core::Tensor x = ops::random_uniform({n}, o);
  const keras::core::Tensor s = ops::reshape(x, {1024, 1024});
  const double bytes = double(n) * sizeof(float);
  const double t_exp = bench::time_per_call([&] { ops::exp(x); }, 100);
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
    const keras::core::Tensor g = ops::random_uniform({p}, o);
    const keras::core::Tensor lr = keras::core::constant(0.001f);
    const keras::core::Tensor it = keras::core::constant(int64_t(10));
    return 1e6 * bench::time_per_call(
        [&] { keras::core::training::apply_adam(w, g, m, v, nullptr, lr, 0.9, 0.999, 1e-7, it); }, 200);
  };
  const int64_t p = 784 * 300 + 300 + 300 * 100 + 100 + 100 * 10 + 10, p2 = 300 * 100;
  const double t_adam = adam_us(p), t_adam2 = adam_us(p2);

  std::printf(
      "{\"bench\":\"kernels\",\"isa\":\"%s\",\"threads\":%d,\"elements\":%lld,"
      "\"exp_us\":%.1f,\"exp_gbps\":%.2f,\"tanh_us\":%.1f,\"sigmoid_us\":%.1f,"
      "\"softmax_1024x1024_us\":%.1f,\"adam_params\":%lld,\"adam_us\":%.1f,\"adam_gbps\":%.2f,"
      "\"adam_l2_params\":%lld,\"adam_l2_us\":%.2f,\"adam_l2_gbps\":%.2f}\n",
      bench::isa(), keras::core::get_num_threads(), (long long)n, t_exp * 1e6,
      2 * bytes / t_exp / 1e9, t_tanh * 1e6, t_sigmoid * 1e6, t_softmax * 1e6, (long long)p,
      t_adam, 28.0 * double(p) / t_adam / 1e3, (long long)p2, t_adam2, 28.0 * double(p2) / t_adam2 / 1e3);
  return 0;
}
