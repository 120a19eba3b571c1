// linalg.cpp - milliseconds per call of keras::ops::linalg ops on one n x n matrix
// (default 1024), float32 and float64: solve (one right-hand side, and n of them), svd
// (full_matrices, compute_uv: NumPy's defaults), eigh, cholesky, inv, det. Prints one
// JSON line; bench/linalg_numpy.py prints the same for NumPy, bench/linalg_vs_numpy.sh
// alternates the two. Usage: bench_linalg [--threads N] [--n N] [--reps R]
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/core.h"

namespace ops = keras::core::ops;

int main(int argc, char** argv) {
  if (int t = bench::threads_flag(argc, argv)) keras::core::set_num_threads(t);
  int64_t n = 1024;
  int reps = 5;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--n") n = std::atoll(argv[i + 1]);
    if (std::string(argv[i]) == "--reps") reps = std::atoi(argv[i + 1]);
  }
  std::string rows;
  for (keras::core::DType dt : {keras::core::DType::float32, keras::core::DType::float64}) {
    ops::RandomOptions o{.dtype = dt, .seed = 1};
    keras::core::Tensor a = ops::random_uniform({n, n}, o);
    o.seed = 2;
    keras::core::Tensor b = ops::random_uniform({n, n}, o);
    o.seed = 3;
    keras::core::Tensor v = ops::random_uniform({n}, o);
    keras::core::Tensor spd = ops::add(ops::matmul(a, a, false, true),
                                ops::multiply(ops::eye(n, std::nullopt, dt), ops::scalar_like(a, double(n))));
    std::vector<std::pair<const char*, std::function<void()>>> cases = {
        {"solve_vector", [&] { ops::solve(a, v); }},
        {"solve_matrix", [&] { ops::solve(a, b); }},
        {"svd", [&] { ops::svd(a); }},
        {"eigh", [&] { ops::eigh(spd); }},
        {"cholesky", [&] { ops::cholesky(spd); }},
        {"inv", [&] { ops::inv(a); }},
        {"det", [&] { ops::det(a); }},
    };
    for (auto& [name, f] : cases) {
      const double ms = bench::time_per_call(f, 1, reps) * 1e3;
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s{\"op\":\"%s\",\"dtype\":\"%s\",\"ms\":%.3f}",
                    rows.empty() ? "" : ",", name, keras::core::dtype_name(dt), ms);
      rows += buf;
    }
  }
  std::printf("{\"bench\":\"linalg\",\"impl\":\"keras-cpp\",\"threads\":%d,\"n\":%lld,\"results\":[%s]}\n",
              keras::core::get_num_threads(), (long long)n, rows.c_str());
}
