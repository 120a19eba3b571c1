// matmul.cpp - ops::matmul on each GEMM library the engine has (OpenBLAS, oneDNN, and the
// one its rule picks), against a direct cblas_sgemm call, on square shapes and on the
// MLP's training shapes (forward x.W, backward dy.W^T and x^T.dy); and fused_matmul
// (bias + relu) against matmul, add and relu as three ops; and int8 products on oneDNN's
// int8 kernels against the float-BLAS fallback and float32; and bfloat16 products on its
// BF16 kernels against the float32 fallback and float32.
// Prints one JSON line: OpenBLAS's core name, per shape GFLOP/s of each and the ratios.
// Usage: bench_matmul [--threads N]
#include <cblas.h>

#include <cstdio>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/core.h"
#include "core/cpu/onednn.h"

namespace ops = keras::core::ops;
using keras::core::Tensor;

// The rates (G op/s) of a low-precision product on oneDNN (`force(1)`) and on its fallback
// (`force(0)`), and of the float32 product (`force(-1)`, the engine's rule), timed
// alternately five times each.
struct Rates {
  double onednn, fallback, float32;
};
template <class Low, class F32>
Rates time_paths(void (*force)(int), double flop, Low low, F32 f32) {
  const int iters = std::max(1, int(2e8 / flop));
  std::vector<double> t_onednn, t_fallback, t_float;
  for (int r = 0; r < 5; ++r) {
    force(0);
    t_fallback.push_back(bench::time_per_call(low, iters, 3));
    force(1);
    t_onednn.push_back(bench::time_per_call(low, iters, 3));
    force(-1);
    t_float.push_back(bench::time_per_call(f32, iters, 3));
  }
  auto rate = [&](const std::vector<double>& t) { return flop / bench::median(t) / 1e9; };
  return {rate(t_onednn), rate(t_fallback), rate(t_float)};
}

int main(int argc, char** argv) {
  if (int t = bench::threads_flag(argc, argv)) keras::core::set_num_threads(t);
  struct S {
    int64_t m, k, n;
    bool ta, tb;
  };
  std::vector<S> shapes = {{64, 64, 64, 0, 0},     {256, 256, 256, 0, 0}, {1024, 1024, 1024, 0, 0},
                           {32, 784, 300, 0, 0},   {32, 300, 784, 0, 1},  {784, 32, 300, 1, 0},
                           {32, 300, 100, 0, 0},   {256, 784, 300, 0, 0}, {784, 256, 300, 1, 0}};
  std::string rows;
  for (const S& s : shapes) {
    ops::RandomOptions o;
    o.seed = 1;
    Tensor a = ops::random_uniform(s.ta ? keras::core::Shape{s.k, s.m} : keras::core::Shape{s.m, s.k}, o);
    o.seed = 2;
    Tensor b = ops::random_uniform(s.tb ? keras::core::Shape{s.n, s.k} : keras::core::Shape{s.k, s.n}, o);
    std::vector<float> c(static_cast<size_t>(s.m * s.n));
    const float* pa = a.data<float>();
    const float* pb = b.data<float>();
    const double flop = 2.0 * double(s.m) * double(s.k) * double(s.n);
    const int iters = std::max(1, int(2e8 / flop));  // about 0.2 GFLOP per timed batch
    auto with = [&](int lib) {
      return [&, lib] {
        keras::core::cpu::onednn::force_gemm_library(lib);
        ops::matmul(a, b, s.ta, s.tb);
      };
    };
    // Interleaved rounds, so drifting machine load hits every variant alike.
    std::vector<double> t_blas, t_dnnl, t_auto, t_ref;
    for (int r = 0; r < 5; ++r) {
      t_blas.push_back(bench::time_per_call(with(0), iters, 3));
      t_dnnl.push_back(bench::time_per_call(with(1), iters, 3));
      t_auto.push_back(bench::time_per_call(with(-1), iters, 3));
      t_ref.push_back(bench::time_per_call(
          [&] {
            cblas_sgemm(CblasRowMajor, s.ta ? CblasTrans : CblasNoTrans, s.tb ? CblasTrans : CblasNoTrans, int(s.m),
                        int(s.n), int(s.k), 1.0f, pa, int(s.ta ? s.m : s.k), pb, int(s.tb ? s.k : s.n), 0.0f,
                        c.data(), int(s.n));
          },
          iters, 3));
    }
    auto gf = [&](const std::vector<double>& t) { return flop / bench::median(t) / 1e9; };
    char buf[400];
    std::snprintf(buf, sizeof buf,
                  "%s{\"m\":%lld,\"k\":%lld,\"n\":%lld,\"ta\":%d,\"tb\":%d,\"openblas_gflops\":%.1f,"
                  "\"onednn_gflops\":%.1f,\"auto_gflops\":%.1f,\"cblas_gflops\":%.1f,\"onednn_over_openblas\":%.2f}",
                  rows.empty() ? "" : ",", (long long)s.m, (long long)s.k, (long long)s.n, int(s.ta), int(s.tb),
                  gf(t_blas), gf(t_dnnl), gf(t_auto), gf(t_ref), gf(t_dnnl) / gf(t_blas));
    rows += buf;
  }
  // int8 x int8 -> int32 (quantized layers' products): oneDNN's int8 kernels against the
  // float-BLAS fallback, beside float32 on the same shape (the engine's rule).
  std::string int8_rows;
  for (const S& s : std::vector<S>{{32, 784, 300, 0, 0}, {128, 784, 300, 0, 0}, {128, 300, 100, 0, 0},
                                   {1024, 1024, 1024, 0, 0}}) {
    ops::RandomOptions o;
    o.minval = -128;
    o.maxval = 128;
    const Tensor af = ops::random_uniform({s.m, s.k}, o), bf = ops::random_uniform({s.k, s.n}, o);
    const Tensor a = ops::cast(af, keras::core::DType::int8), b = ops::cast(bf, keras::core::DType::int8);
    const Rates r = time_paths(&keras::core::cpu::onednn::force_int8_gemm,
                               2.0 * double(s.m) * double(s.k) * double(s.n), [&] { ops::matmul(a, b); },
                               [&] { ops::matmul(af, bf); });
    char buf[300];
    std::snprintf(buf, sizeof buf,
                  "%s{\"m\":%lld,\"k\":%lld,\"n\":%lld,\"onednn_int8_gops\":%.1f,\"fallback_int8_gops\":%.1f,"
                  "\"float32_gflops\":%.1f}",
                  int8_rows.empty() ? "" : ",", (long long)s.m, (long long)s.k, (long long)s.n, r.onednn,
                  r.fallback, r.float32);
    int8_rows += buf;
  }
  // bfloat16 x bfloat16 -> bfloat16 (mixed_bfloat16's products): oneDNN's BF16 kernels
  // against the float32 fallback (two widenings, float32 GEMM, one rounding) and float32.
  std::string bf16_rows;
  for (const S& s : std::vector<S>{{32, 784, 300, 0, 0}, {32, 300, 784, 0, 1}, {784, 32, 300, 1, 0},
                                   {256, 784, 300, 0, 0}, {1024, 1024, 1024, 0, 0}}) {
    ops::RandomOptions o;
    o.minval = -1;
    const Tensor af = ops::random_uniform(s.ta ? keras::core::Shape{s.k, s.m} : keras::core::Shape{s.m, s.k}, o);
    const Tensor bf = ops::random_uniform(s.tb ? keras::core::Shape{s.n, s.k} : keras::core::Shape{s.k, s.n}, o);
    const Tensor a = ops::cast(af, keras::core::DType::bfloat16), b = ops::cast(bf, keras::core::DType::bfloat16);
    const Rates r = time_paths(&keras::core::cpu::onednn::force_bf16_gemm,
                               2.0 * double(s.m) * double(s.k) * double(s.n),
                               [&] { ops::matmul(a, b, s.ta, s.tb); }, [&] { ops::matmul(af, bf, s.ta, s.tb); });
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "%s{\"m\":%lld,\"k\":%lld,\"n\":%lld,\"ta\":%d,\"tb\":%d,\"onednn_bf16_gflops\":%.1f,"
                  "\"fallback_bf16_gflops\":%.1f,\"float32_gflops\":%.1f}",
                  bf16_rows.empty() ? "" : ",", (long long)s.m, (long long)s.k, (long long)s.n, int(s.ta), int(s.tb),
                  r.onednn, r.fallback, r.float32);
    bf16_rows += buf;
  }
  // The Dense layer's forward pass at batch 32: one fused op against three.
  ops::RandomOptions o;
  o.minval = -1;
  Tensor x = ops::random_uniform({32, 784}, o), w = ops::random_uniform({784, 300}, o),
         bias = ops::random_uniform({300}, o);
  std::vector<double> t_fused, t_three;
  for (int r = 0; r < 5; ++r) {
    t_fused.push_back(bench::time_per_call([&] { ops::fused_matmul(x, w, bias, true); }, 200, 3));
    t_three.push_back(bench::time_per_call([&] { ops::relu(ops::add(ops::matmul(x, w), bias)); }, 200, 3));
  }
  const char* core_name = openblas_get_corename();
  std::printf("{\"bench\":\"matmul\",\"threads\":%d,\"isa\":\"%s\",\"openblas_core\":\"%s\",\"results\":[%s],"
              "\"int8\":{\"exact_onednn\":%s,\"results\":[%s]},\"bf16\":{\"native_onednn\":%s,\"results\":[%s]},"
              "\"dense_32x784x300_relu_us\":{\"fused\":%.1f,\"three_ops\":%.1f}}\n",
              keras::core::get_num_threads(), bench::isa(), core_name ? core_name : "?", rows.c_str(),
              keras::core::cpu::onednn::exact_int8() ? "true" : "false", int8_rows.c_str(),
              keras::core::cpu::onednn::native_bf16() ? "true" : "false", bf16_rows.c_str(),
              bench::median(t_fused) * 1e6, bench::median(t_three) * 1e6);
  return 0;
}
