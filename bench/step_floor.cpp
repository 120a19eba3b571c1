// step_floor.cpp - the floor under one training step of the Fashion-MNIST MLP
// 784-300-100-10 with Adam: its GEMMs alone (through ops::matmul, so on the library the
// engine picks) plus the fused Adam pass over all 266,610 parameters as one flat variable
// (it reads the weight, the gradient and two moments and writes three: 28 bytes per
// parameter, bound by memory bandwidth; the achieved GB/s is printed next to memcpy's).
// bench_mlp_fashion's step_ms, over this floor, says how far the step is from it.
// Prints one JSON line. Usage: bench_step_floor [--threads N] [--batch 32]
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/core.h"
#include "core/training.h"

namespace ops = keras::core::ops;
using keras::core::Tensor;

int main(int argc, char** argv) {
  if (int t = bench::threads_flag(argc, argv)) keras::core::set_num_threads(t);
  int64_t batch = 32;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--batch") batch = std::atoll(argv[i + 1]);
  const std::vector<int64_t> widths = {784, 300, 100, 10};
  ops::RandomOptions o;
  std::vector<Tensor> acts, weights, grads_out;
  for (size_t l = 0; l < widths.size(); ++l) acts.push_back(ops::random_uniform({batch, widths[l]}, o));
  for (size_t l = 0; l + 1 < widths.size(); ++l) weights.push_back(ops::random_uniform({widths[l], widths[l + 1]}, o));
  // Forward: x.W per layer; backward: dy^T-style x^T.dy per layer and dy.W^T for every
  // layer but the first (the data needs no gradient).
  auto gemms = [&] {
    for (size_t l = 0; l < weights.size(); ++l) ops::matmul(acts[l], weights[l]);
    for (size_t l = 0; l < weights.size(); ++l) ops::matmul(acts[l], acts[l + 1], true, false);
    for (size_t l = 1; l < weights.size(); ++l) ops::matmul(acts[l + 1], weights[l], false, true);
  };
  const double t_gemm = bench::time_per_call(gemms, 200, 7);

  int64_t params = 0;
  for (size_t l = 0; l + 1 < widths.size(); ++l) params += widths[l] * widths[l + 1] + widths[l + 1];
  const size_t bytes = size_t(params) * sizeof(float);
  std::vector<char> src(bytes * 4, 1), dst(bytes * 4);
  const double t_copy = bench::time_per_call([&] { std::memcpy(dst.data(), src.data(), src.size()); }, 50, 7);
  const double bandwidth = 2.0 * double(src.size()) / t_copy;  // memcpy: bytes read + written per second
  o.minval = -0.1;
  o.maxval = 0.1;
  keras::core::Variable w(ops::random_uniform({params}, o), "w");
  keras::core::Variable m(ops::zeros({params}), "m"), v(ops::zeros({params}), "v");
  const Tensor g = ops::random_uniform({params}, o);
  const Tensor lr = keras::core::constant(0.001f);
  const Tensor it = keras::core::constant(int64_t(10));
  const double t_adam =
      bench::time_per_call([&] { keras::core::training::apply_adam(w, g, m, v, nullptr, lr, 0.9, 0.999, 1e-7, it); }, 200);
  const double floor_s = t_gemm + t_adam;
  std::printf("{\"bench\":\"step_floor\",\"isa\":\"%s\",\"threads\":%d,\"batch\":%lld,\"params\":%lld,\"gemm_ms\":%.4f,"
              "\"memcpy_gbps\":%.1f,\"adam_ms\":%.4f,\"adam_gbps\":%.1f,\"floor_step_ms\":%.4f,"
              "\"floor_samples_per_s\":%.0f}\n",
              bench::isa(), keras::core::get_num_threads(), (long long)batch, (long long)params, t_gemm * 1e3, bandwidth / 1e9, t_adam * 1e3, 28.0 * double(params) / t_adam / 1e9,
              floor_s * 1e3, double(batch) / floor_s);
  return 0;
}
