// matmul.cpp - ops::matmul against a direct cblas_sgemm call on the same shapes.
// Prints one JSON line: per shape, GFLOP/s of both and the ratio ours / cblas.
// Usage: bench_matmul [--threads N]
#include <cblas.h>

#include <cstdio>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/core.h"

int main(int argc, char** argv) {
  if (int t = bench::threads_flag(argc, argv)) core::set_num_threads(t);
  struct S { int64_t m, k, n; };
  std::vector<S> shapes = {{64, 64, 64},    {128, 128, 128}, {256, 256, 256}, {512, 512, 512},
                           {1024, 1024, 1024}, {32, 784, 300}, {256, 784, 300}};
  std::string rows;
  for (const S& s : shapes) {
    core::ops::RandomOptions o;
    o.seed = 1;
    core::Tensor a = core::ops::random_uniform({s.m, s.k}, o);
    o.seed = 2;
    core::Tensor b = core::ops::random_uniform({s.k, s.n}, o);
    std::vector<float> c(static_cast<size_t>(s.m * s.n));
    const float* pa = a.data<float>();
    const float* pb = b.data<float>();
    double flop = 2.0 * double(s.m) * double(s.k) * double(s.n);
    int iters = std::max(1, int(2e8 / flop));  // about 0.2 GFLOP per timed batch
    // Interleave the two measurements so drifting machine load hits both alike.
    std::vector<double> ours, ref;
    for (int r = 0; r < 5; ++r) {
      ours.push_back(bench::time_per_call([&] { core::ops::matmul(a, b); }, iters, 3));
      ref.push_back(bench::time_per_call(
          [&] {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(s.m), int(s.n), int(s.k),
                        1.0f, pa, int(s.k), pb, int(s.n), 0.0f, c.data(), int(s.n));
          },
          iters, 3));
    }
    double g_ours = flop / bench::median(ours) / 1e9, g_ref = flop / bench::median(ref) / 1e9;
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "%s{\"m\":%lld,\"k\":%lld,\"n\":%lld,\"gflops\":%.2f,\"cblas_gflops\":%.2f,"
                  "\"ratio\":%.3f}",
                  rows.empty() ? "" : ",", (long long)s.m, (long long)s.k, (long long)s.n, g_ours,
                  g_ref, g_ours / g_ref);
    rows += buf;
  }
  std::printf("{\"bench\":\"matmul\",\"threads\":%d,\"results\":[%s],\"isa\":\"%s\"}\n", core::get_num_threads(),
              rows.c_str(), bench::isa());
  return 0;
}
